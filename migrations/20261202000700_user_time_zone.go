package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// Each account keeps the IANA time zone its browser reported, so the times
// in its emails and on its account page are the person's own rather than
// always UTC. Accounts from before it have none and keep seeing UTC.
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		_, err := db.ExecContext(ctx, `ALTER TABLE users ADD COLUMN time_zone varchar(64) NOT NULL DEFAULT ''`)
		return err
	}, func(ctx context.Context, db *bun.DB) error {
		_, err := db.ExecContext(ctx, `ALTER TABLE users DROP COLUMN time_zone`)
		return err
	})
}
