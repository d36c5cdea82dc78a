package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// The operator's console: an account may hold the operator role (granted
// from the command line only); an audit event names the operator who
// caused it (actor_id); and the trail and the accounts are read by time,
// for the overview, the export and the account list.
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for _, q := range []string{
				`ALTER TABLE users ADD COLUMN operator boolean NOT NULL DEFAULT false`,
				`ALTER TABLE audit_events ADD COLUMN actor_id bigint`,
				`CREATE INDEX audit_events_created_idx ON audit_events (created_at, id)`,
				`CREATE INDEX users_created_idx ON users (created_at, id)`,
			} {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return err
				}
			}
			return nil
		})
	}, func(ctx context.Context, db *bun.DB) error {
		for _, q := range []string{`DROP INDEX users_created_idx`, `DROP INDEX audit_events_created_idx`,
			`ALTER TABLE audit_events DROP COLUMN actor_id`,
			`ALTER TABLE users DROP COLUMN operator`} {
			if _, err := db.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
}
