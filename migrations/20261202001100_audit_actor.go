package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// An operator's action names its actor in a column of its own
// (audit_events.actor: the operator's address from the console, "cli
// USER" from the command line) instead of in the user agent, which is the
// person's browser and shows in their own data export. Events recorded
// before move their "operator: NAME" over. An organisation's trail says
// which entries an operator made (org_events.by_operator), so its owners
// see that an operator acted without being shown who.
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for _, q := range []string{
				`ALTER TABLE audit_events ADD COLUMN actor varchar(512) NOT NULL DEFAULT ''`,
				`UPDATE audit_events SET actor = substr(user_agent, 11), user_agent = '' WHERE user_agent LIKE 'operator: %'`,
				`ALTER TABLE org_events ADD COLUMN by_operator boolean NOT NULL DEFAULT false`,
			} {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return err
				}
			}
			return nil
		})
	}, func(ctx context.Context, db *bun.DB) error {
		for _, q := range []string{
			`UPDATE audit_events SET user_agent = 'operator: ' || actor WHERE actor <> ''`,
			`ALTER TABLE org_events DROP COLUMN by_operator`,
			`ALTER TABLE audit_events DROP COLUMN actor`,
		} {
			if _, err := db.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
}
