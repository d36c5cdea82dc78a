package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// An email change proves a new address with a link or code, and the notice
// to the old address carries a link that restores it: tokens name the
// address they are about. The last email to an erased account is sent
// like any other, and then forgets its recipient, so nothing of the person
// stays behind it.
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for _, q := range []string{
				`ALTER TABLE tokens ADD COLUMN email varchar(254) NOT NULL DEFAULT ''`,
				`ALTER TABLE outbox ADD COLUMN forget_recipient boolean NOT NULL DEFAULT false`,
			} {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return err
				}
			}
			return nil
		})
	}, func(ctx context.Context, db *bun.DB) error {
		for _, q := range []string{`ALTER TABLE outbox DROP COLUMN forget_recipient`, `ALTER TABLE tokens DROP COLUMN email`} {
			if _, err := db.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
}
