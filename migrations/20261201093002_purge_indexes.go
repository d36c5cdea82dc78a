package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// The janitor deletes rows by age in small batches, every hour on every
// instance; these indexes let each batch find its rows without reading
// the whole table. (Sent mail is found through outbox_status_id_idx.)
func init() {
	indexes := []struct{ table, name, cols string }{
		{"sessions", "sessions_expires_idx", "expires_at"},
		{"tokens", "tokens_expires_idx", "expires_at"},
		{"rate_counters", "rate_counters_window_idx", "window_start"},
		{"users", "users_status_updated_idx", "status, updated_at"},
	}
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		for _, ix := range indexes {
			if _, err := db.NewCreateIndex().Table(ix.table).Index(ix.name).ColumnExpr(ix.cols).Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	}, func(ctx context.Context, db *bun.DB) error {
		for _, ix := range indexes {
			if _, err := db.NewDropIndex().Index(ix.name).IfExists().Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	})
}
