package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

type usersApproval0801 struct {
	bun.BaseModel `bun:"table:users"`
}

// An account may wait for an operator's approval (SIGNUP_MODE=approval):
// users.approval is "pending" then, and "" for every other account, those
// already there included.
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		_, err := db.NewAddColumn().Model((*usersApproval0801)(nil)).
			ColumnExpr("approval VARCHAR(16) NOT NULL DEFAULT ''").Exec(ctx)
		return err
	}, func(ctx context.Context, db *bun.DB) error {
		_, err := db.NewDropColumn().Model((*usersApproval0801)(nil)).Column("approval").Exec(ctx)
		return err
	})
}
