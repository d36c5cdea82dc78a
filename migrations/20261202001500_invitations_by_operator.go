package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

type invitationsByOperator1500 struct {
	bun.BaseModel `bun:"table:invitations"`
}

// An invitation sent by an operator from the console says so
// (invitations.by_operator): the invitee and the organisation's owners are
// told that an administrator invited, not who, while invited_by keeps the
// operator's account for the audit trail. Invitations already sent were
// all an owner's or an admin's.
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		_, err := db.NewAddColumn().Model((*invitationsByOperator1500)(nil)).
			ColumnExpr("by_operator BOOLEAN NOT NULL DEFAULT FALSE").Exec(ctx)
		return err
	}, func(ctx context.Context, db *bun.DB) error {
		_, err := db.NewDropColumn().Model((*invitationsByOperator1500)(nil)).Column("by_operator").Exec(ctx)
		return err
	})
}
