package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// An audit event belongs to the organisation its person was in when it
// happened (audit_events.org_id, stamped when the event is written), so
// an organisation's export keeps the events of people who have since left
// it and leaves out what they did after. Events recorded before take the
// organisation their person is in now, the best that is known. Deleting
// an organisation leaves its events to the operator's trail, without it.
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for _, q := range []string{
				`ALTER TABLE audit_events ADD COLUMN org_id bigint REFERENCES organisations (id) ON DELETE SET NULL`,
				`UPDATE audit_events SET org_id = (SELECT m.org_id FROM memberships AS m WHERE m.user_id = audit_events.user_id) WHERE user_id IS NOT NULL`,
				`CREATE INDEX audit_events_org_idx ON audit_events (org_id, id)`,
			} {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return err
				}
			}
			return nil
		})
	}, func(ctx context.Context, db *bun.DB) error {
		for _, q := range []string{`DROP INDEX audit_events_org_idx`, `ALTER TABLE audit_events DROP COLUMN org_id`} {
			if _, err := db.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
}
