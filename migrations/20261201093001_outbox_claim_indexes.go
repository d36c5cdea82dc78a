package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// The outbox claim takes pending rows oldest first by id, so that one
// recipient's mail keeps its order, and skips the recipients with a row in
// flight. outbox_status_id_idx lets it read pending rows in id order and
// stop at the batch size; outbox_status_claimed_idx finds the rows in
// flight without reading every pending one at each claim.
func init() {
	indexes := []struct{ name, cols string }{
		{"outbox_status_id_idx", "status, id"},
		{"outbox_status_claimed_idx", "status, claimed_until"},
	}
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		for _, ix := range indexes {
			if _, err := db.NewCreateIndex().Table("outbox").Index(ix.name).ColumnExpr(ix.cols).Exec(ctx); err != nil {
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
