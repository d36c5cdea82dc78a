package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

type passkeys0300 struct {
	bun.BaseModel `bun:"table:passkeys"`

	ID                int64      `bun:"id,pk,autoincrement"`
	UserID            int64      `bun:"user_id,notnull"`
	CredentialID      string     `bun:"credential_id,notnull,type:varchar(1400)"`
	PublicKey         string     `bun:"public_key,notnull,type:text"`
	SignCount         int64      `bun:"sign_count,notnull"`
	CloneWarning      bool       `bun:"clone_warning,notnull"`
	Transports        string     `bun:"transports,notnull,type:varchar(200)"`
	UserVerified      bool       `bun:"user_verified,notnull"`
	BackupEligible    bool       `bun:"backup_eligible,notnull"`
	BackupState       bool       `bun:"backup_state,notnull"`
	AttestationType   string     `bun:"attestation_type,notnull,type:varchar(32)"`
	AttestationFormat string     `bun:"attestation_format,notnull,type:varchar(32)"`
	Attachment        string     `bun:"attachment,notnull,type:varchar(32)"`
	AAGUID            string     `bun:"aaguid,notnull,type:varchar(36)"`
	Name              string     `bun:"name,notnull,type:varchar(100)"`
	CreatedAt         time.Time  `bun:"created_at,notnull"`
	LastUsedAt        *time.Time `bun:"last_used_at"`
}

type webauthnChallenges0300 struct {
	bun.BaseModel `bun:"table:webauthn_challenges"`

	Hash      string    `bun:"hash,pk,type:varchar(64)"`
	Ceremony  string    `bun:"ceremony,notnull,type:varchar(16)"`
	UserID    *int64    `bun:"user_id"`
	Data      string    `bun:"data,notnull,type:text"`
	CreatedAt time.Time `bun:"created_at,notnull"`
	ExpiresAt time.Time `bun:"expires_at,notnull"`
}

// Passkeys (WebAuthn credentials) belong to a user and go with the account;
// a credential id is unique across every account, as authenticators make
// them. The ceremonies' challenges are kept server-side, keyed by the hash
// of the secret in the browser's cookie, so each is bound to the browser
// that began it and used once.
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			const cascade = `("user_id") REFERENCES "users" ("id") ON DELETE CASCADE`
			for _, m := range []any{(*passkeys0300)(nil), (*webauthnChallenges0300)(nil)} {
				if _, err := tx.NewCreateTable().Model(m).ForeignKey(cascade).Exec(ctx); err != nil {
					return err
				}
			}
			indexes := []struct {
				model  any
				name   string
				unique bool
				cols   string
			}{
				{(*passkeys0300)(nil), "passkeys_credential_key", true, "credential_id"},
				{(*passkeys0300)(nil), "passkeys_user_idx", false, "user_id"},
				{(*webauthnChallenges0300)(nil), "webauthn_challenges_expires_idx", false, "expires_at"},
			}
			for _, ix := range indexes {
				q := tx.NewCreateIndex().Model(ix.model).Index(ix.name).ColumnExpr(ix.cols)
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
		for _, m := range []any{(*webauthnChallenges0300)(nil), (*passkeys0300)(nil)} {
			if _, err := db.NewDropTable().Model(m).IfExists().Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	})
}
