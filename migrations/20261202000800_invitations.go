package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// The schema of invitations as this migration creates it.
type invitations0800 struct {
	bun.BaseModel `bun:"table:invitations"`

	ID         int64      `bun:"id,pk,autoincrement"`
	PublicID   string     `bun:"public_id,notnull,type:varchar(40)"`
	OrgID      int64      `bun:"org_id,notnull"`
	Email      string     `bun:"email,notnull,type:varchar(254)"`
	Role       string     `bun:"role,notnull,type:varchar(16)"`
	InvitedBy  *int64     `bun:"invited_by"`
	Locale     string     `bun:"locale,notnull,type:varchar(35)"`
	TokenHash  string     `bun:"token_hash,notnull,type:varchar(64)"`
	CreatedAt  time.Time  `bun:"created_at,notnull"`
	SentAt     time.Time  `bun:"sent_at,notnull"`
	ExpiresAt  time.Time  `bun:"expires_at,notnull"`
	AcceptedAt *time.Time `bun:"accepted_at"`
	AcceptedBy *int64     `bun:"accepted_by"`
	DeclinedAt *time.Time `bun:"declined_at"`
	RevokedAt  *time.Time `bun:"revoked_at"`
}

// Invitations to join an organisation, by email address: the address
// need not have an account, so unlike tokens an invitation names no user.
// Only the SHA-256 of its link's token is kept; resending replaces it, so
// the older link stops working. An invitation is open while it is neither
// accepted, declined nor revoked and has not expired.
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.NewCreateTable().Model((*invitations0800)(nil)).
				ForeignKey(`("org_id") REFERENCES "organisations" ("id") ON DELETE CASCADE`).
				ForeignKey(`("invited_by") REFERENCES "users" ("id") ON DELETE SET NULL`).
				ForeignKey(`("accepted_by") REFERENCES "users" ("id") ON DELETE SET NULL`).
				Exec(ctx); err != nil {
				return err
			}
			for _, ix := range []struct {
				name, cols string
				unique     bool
			}{
				{"invitations_public_id_key", "public_id", true},
				{"invitations_token_hash_key", "token_hash", true},
				{"invitations_org_idx", "org_id, created_at", false},
				{"invitations_email_idx", "email", false},
			} {
				q := tx.NewCreateIndex().Model((*invitations0800)(nil)).Index(ix.name).ColumnExpr(ix.cols)
				if ix.unique {
					q = q.Unique()
				}
				if _, err := q.Exec(ctx); err != nil {
					return err
				}
			}
			return nil
		})
	}, func(ctx context.Context, db *bun.DB) error {
		_, err := db.NewDropTable().Model((*invitations0800)(nil)).IfExists().Exec(ctx)
		return err
	})
}
