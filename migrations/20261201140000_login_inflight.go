package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// Sign-in attempts being checked are counted apart from the failures, so
// that parallel guesses wait their turn against what is left of the free
// failures, while parallel right passwords are never taken for guesses.
// inflight_until lets the count of an instance that died mid-check lapse.
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		ts := "TIMESTAMP"
		if db.Dialect().Name() == dialect.PG {
			ts = "timestamptz"
		}
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for _, q := range []string{
				`ALTER TABLE login_throttles ADD COLUMN inflight integer NOT NULL DEFAULT 0`,
				`ALTER TABLE login_throttles ADD COLUMN inflight_until ` + ts,
			} {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return err
				}
			}
			return nil
		})
	}, func(ctx context.Context, db *bun.DB) error {
		for _, q := range []string{`ALTER TABLE login_throttles DROP COLUMN inflight_until`, `ALTER TABLE login_throttles DROP COLUMN inflight`} {
			if _, err := db.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
}
