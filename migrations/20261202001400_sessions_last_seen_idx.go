package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// The janitor ends sessions that timed out idle as well as those past
// their expiry, telling the platform of each; this index lets each batch
// find the idle ones without reading the whole table.
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		_, err := db.NewCreateIndex().Table("sessions").Index("sessions_last_seen_idx").Column("last_seen_at").Exec(ctx)
		return err
	}, func(ctx context.Context, db *bun.DB) error {
		_, err := db.NewDropIndex().Index("sessions_last_seen_idx").IfExists().Exec(ctx)
		return err
	})
}
