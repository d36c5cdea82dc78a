package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// Each outbox row remembers which browser's request wrote it (a hash of
// that browser's binding secret, empty for mail no browser asked for), so
// "check your inbox" can show what became of exactly that message. A
// delivery event is found by the message it names, and one that came
// before its message was marked sent is applied then.
func init() {
	indexes := []struct{ table, name, cols string }{
		{"outbox", "outbox_request_hash_idx", "request_hash"},
		{"mail_events", "mail_events_message_id_idx", "message_id"},
	}
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.ExecContext(ctx, `ALTER TABLE outbox ADD COLUMN request_hash VARCHAR(100) NOT NULL DEFAULT ''`); err != nil {
				return err
			}
			for _, ix := range indexes {
				if _, err := tx.NewCreateIndex().Table(ix.table).Index(ix.name).ColumnExpr(ix.cols).Exec(ctx); err != nil {
					return err
				}
			}
			return nil
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for _, ix := range indexes {
				if _, err := tx.NewDropIndex().Index(ix.name).IfExists().Exec(ctx); err != nil {
					return err
				}
			}
			_, err := tx.ExecContext(ctx, `ALTER TABLE outbox DROP COLUMN request_hash`)
			return err
		})
	})
}
