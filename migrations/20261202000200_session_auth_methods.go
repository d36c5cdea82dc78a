package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// A session records how the person signed in: the RFC 8176 methods
// (space-separated, "pwd otp mfa") and when the password or another strong
// factor was last entered, so the platform can tell a password-only
// sign-in from a second factor and ask for a fresh one. Every session
// before this was opened with a password at its creation.
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		ts := "TIMESTAMP"
		if db.Dialect().Name() == dialect.PG {
			ts = "timestamptz"
		}
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for _, q := range []string{
				`ALTER TABLE sessions ADD COLUMN auth_methods varchar(64) NOT NULL DEFAULT 'pwd'`,
				`ALTER TABLE sessions ADD COLUMN auth_time ` + ts,
				`UPDATE sessions SET auth_time = created_at`,
			} {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return err
				}
			}
			return nil
		})
	}, func(ctx context.Context, db *bun.DB) error {
		for _, q := range []string{`ALTER TABLE sessions DROP COLUMN auth_time`, `ALTER TABLE sessions DROP COLUMN auth_methods`} {
			if _, err := db.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
}
