package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

type orgsSecondFactor0900 struct {
	bun.BaseModel `bun:"table:organisations"`
}

// An organisation may require every member to have a passkey or two-step
// verification (organisations.require_second_factor); off for those
// already there.
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		_, err := db.NewAddColumn().Model((*orgsSecondFactor0900)(nil)).
			ColumnExpr("require_second_factor BOOLEAN NOT NULL DEFAULT FALSE").Exec(ctx)
		return err
	}, func(ctx context.Context, db *bun.DB) error {
		_, err := db.NewDropColumn().Model((*orgsSecondFactor0900)(nil)).Column("require_second_factor").Exec(ctx)
		return err
	})
}
