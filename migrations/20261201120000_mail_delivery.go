package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// mailSendBudget0120 is the shared request budget for Resend: every
// instance reserves its next API call here, so together they stay under
// RESEND_MAX_REQUESTS_PER_SECOND. NextUS is the first free slot, in Unix
// microseconds (an integer, so the arithmetic is the same on both databases).
type mailSendBudget0120 struct {
	bun.BaseModel `bun:"table:mail_send_budget"`

	Name   string `bun:"name,pk,type:varchar(100)"`
	NextUS int64  `bun:"next_us,notnull"`
}

// mailEvents0120 remembers each delivery event (its Svix message id) once,
// so an event Resend delivers twice is applied once.
type mailEvents0120 struct {
	bun.BaseModel `bun:"table:mail_events"`

	ID         string    `bun:"id,pk,type:varchar(200)"`
	Type       string    `bun:"type,notnull"`
	MessageID  string    `bun:"message_id,notnull"`
	ReceivedAt time.Time `bun:"received_at,notnull"`
}

// mailSuppressions0120 lists the addresses mail is no longer sent to.
type mailSuppressions0120 struct {
	bun.BaseModel `bun:"table:mail_suppressions"`

	Address   string    `bun:"address,pk,type:varchar(320)"`
	Reason    string    `bun:"reason,notnull"`
	Detail    string    `bun:"detail,notnull"`
	MessageID string    `bun:"message_id,notnull"`
	Since     time.Time `bun:"since,notnull"`
}

// Batch sending, delivery events and suppression: each outbox row keeps
// the batch it was last tried in (so a retry sends exactly that batch
// again, under the same idempotency key), the id Resend gave the message
// and the furthest delivery state an event reported.
func init() {
	cols := []string{
		`ALTER TABLE outbox ADD COLUMN batch_key VARCHAR(100) NOT NULL DEFAULT ''`,
		`ALTER TABLE outbox ADD COLUMN message_id VARCHAR(100) NOT NULL DEFAULT ''`,
		`ALTER TABLE outbox ADD COLUMN delivery VARCHAR(40) NOT NULL DEFAULT ''`,
	}
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		// bun keeps time.Time as timestamptz on PostgreSQL; the column must match.
		ts := "TIMESTAMP"
		if db.Dialect().Name() == dialect.PG {
			ts = "TIMESTAMPTZ"
		}
		cols := append(cols, "ALTER TABLE outbox ADD COLUMN delivery_at "+ts)
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for _, q := range cols {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return err
				}
			}
			for _, m := range []any{(*mailSendBudget0120)(nil), (*mailEvents0120)(nil), (*mailSuppressions0120)(nil)} {
				if _, err := tx.NewCreateTable().Model(m).Exec(ctx); err != nil {
					return err
				}
			}
			for _, ix := range []struct{ table, name, cols string }{
				{"outbox", "outbox_message_id_idx", "message_id"},
				{"outbox", "outbox_batch_key_idx", "batch_key"},
				{"mail_events", "mail_events_received_idx", "received_at"},
			} {
				if _, err := tx.NewCreateIndex().Table(ix.table).Index(ix.name).ColumnExpr(ix.cols).Exec(ctx); err != nil {
					return err
				}
			}
			return nil
		})
	}, func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for _, ix := range []string{"outbox_message_id_idx", "outbox_batch_key_idx", "mail_events_received_idx"} {
				if _, err := tx.NewDropIndex().Index(ix).IfExists().Exec(ctx); err != nil {
					return err
				}
			}
			for _, m := range []any{(*mailSendBudget0120)(nil), (*mailEvents0120)(nil), (*mailSuppressions0120)(nil)} {
				if _, err := tx.NewDropTable().Model(m).IfExists().Exec(ctx); err != nil {
					return err
				}
			}
			for _, c := range []string{"delivery_at", "delivery", "message_id", "batch_key"} {
				if _, err := tx.ExecContext(ctx, "ALTER TABLE outbox DROP COLUMN "+c); err != nil {
					return err
				}
			}
			return nil
		})
	})
}
