package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// Verification codes are tokens too: the row's hash is that of the
// browser binding, code_hash that of the code, and attempts counts wrong
// guesses.
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for _, q := range []string{
				`ALTER TABLE tokens ADD COLUMN code_hash varchar(64) NOT NULL DEFAULT ''`,
				`ALTER TABLE tokens ADD COLUMN attempts integer NOT NULL DEFAULT 0`,
			} {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return err
				}
			}
			return nil
		})
	}, func(ctx context.Context, db *bun.DB) error {
		for _, q := range []string{`ALTER TABLE tokens DROP COLUMN attempts`, `ALTER TABLE tokens DROP COLUMN code_hash`} {
			if _, err := db.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
}
