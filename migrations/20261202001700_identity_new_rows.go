package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// newRowTables are the identity tables a new row of which changes no
// session already cached: the lookup starts from a session and joins a
// user and an organisation by ids that exist before such a row is made
// (store's newRowsOnly, which the process's own writes follow). Their
// triggers stop telling every instance of each new row: a sign-in, which
// inserts a session, notified the whole cluster to drop its user's
// cached sessions for nothing, and cost PostgreSQL a trigger call and a
// notification per sign-in.
var newRowTables = []string{"sessions", "users", "organisations"}

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return retrigger(ctx, db, "AFTER UPDATE OR DELETE")
	}, func(ctx context.Context, db *bun.DB) error {
		return retrigger(ctx, db, "AFTER INSERT OR UPDATE OR DELETE")
	})
}

// retrigger recreates the row triggers of newRowTables (see
// 20261202001200_session_notify.go) to fire on events.
func retrigger(ctx context.Context, db *bun.DB, events string) error {
	if db.Dialect().Name() != dialect.PG {
		return nil
	}
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for _, table := range newRowTables {
			for _, t := range identityTables {
				if t.table != table {
					continue
				}
				for _, q := range []string{
					`DROP TRIGGER ` + t.table + `_identity ON ` + t.table,
					`CREATE TRIGGER ` + t.table + `_identity ` + events + ` ON ` + t.table +
						` FOR EACH ROW EXECUTE FUNCTION gatehouse_identity_changed(` + t.args() + `)`,
				} {
					if _, err := tx.ExecContext(ctx, q); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
}
