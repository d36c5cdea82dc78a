package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

type totpSecrets201 struct {
	bun.BaseModel `bun:"table:totp_secrets"`

	UserID      int64      `bun:"user_id,pk"`
	Secret      string     `bun:"secret,notnull,type:varchar(128)"`
	CreatedAt   time.Time  `bun:"created_at,notnull"`
	ConfirmedAt *time.Time `bun:"confirmed_at"`
	LastStep    int64      `bun:"last_step,notnull"`
}

type recoveryCodes201 struct {
	bun.BaseModel `bun:"table:recovery_codes"`

	ID        int64      `bun:"id,pk,autoincrement"`
	UserID    int64      `bun:"user_id,notnull"`
	Hash      string     `bun:"hash,notnull,type:varchar(64)"`
	CreatedAt time.Time  `bun:"created_at,notnull"`
	UsedAt    *time.Time `bun:"used_at"`
}

type pendingSignins201 struct {
	bun.BaseModel `bun:"table:pending_signins"`

	Hash      string    `bun:"hash,pk,type:varchar(64)"`
	UserID    int64     `bun:"user_id,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
	ExpiresAt time.Time `bun:"expires_at,notnull"`
}

// Two-step verification with an authenticator app: the shared secret of
// each account that turned it on (confirmed_at NULL while it is being set
// up) and the last time step a code was accepted for, so a code is good
// once; the hashes of the recovery codes, each used at most once; and the
// sign-ins whose password was right and whose code is still awaited,
// bound to the browser by the hash of a token in its cookie.
func init() {
	models := []any{(*totpSecrets201)(nil), (*recoveryCodes201)(nil), (*pendingSignins201)(nil)}
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for _, m := range models {
				if _, err := tx.NewCreateTable().Model(m).Exec(ctx); err != nil {
					return err
				}
			}
			if _, err := tx.NewCreateIndex().Model((*recoveryCodes201)(nil)).Index("recovery_codes_user_idx").Column("user_id").Exec(ctx); err != nil {
				return err
			}
			_, err := tx.NewCreateIndex().Model((*pendingSignins201)(nil)).Index("pending_signins_expires_idx").Column("expires_at").Exec(ctx)
			return err
		})
	}, func(ctx context.Context, db *bun.DB) error {
		for _, m := range models {
			if _, err := db.NewDropTable().Model(m).IfExists().Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	})
}
