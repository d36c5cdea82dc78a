package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

type devMail110000 struct {
	bun.BaseModel `bun:"table:dev_mail"`

	ID             int64     `bun:"id,pk,autoincrement"`
	IdempotencyKey *string   `bun:"idempotency_key,type:varchar(128)"`
	Sender         string    `bun:"sender,notnull"`
	Recipient      string    `bun:"recipient,notnull"`
	Subject        string    `bun:"subject,notnull"`
	HTML           string    `bun:"html,notnull"`
	Text           string    `bun:"text,notnull"`
	CreatedAt      time.Time `bun:"created_at,notnull"`
}

// The dev mailbox keeps each message it receives in the database, rendered
// as it was sent, so a restart does not lose the activation email of a
// sign-up that is still pending in the same database. Only the dev
// mailbox writes here; with Resend the table stays empty. The key is
// unique so a retried send is kept once, as Resend would deliver it once.
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		if _, err := db.NewCreateTable().Model((*devMail110000)(nil)).Exec(ctx); err != nil {
			return err
		}
		if _, err := db.NewCreateIndex().Model((*devMail110000)(nil)).Index("dev_mail_key_idx").Unique().Column("idempotency_key").Exec(ctx); err != nil {
			return err
		}
		_, err := db.NewCreateIndex().Model((*devMail110000)(nil)).Index("dev_mail_created_idx").Column("created_at").Exec(ctx)
		return err
	}, func(ctx context.Context, db *bun.DB) error {
		_, err := db.NewDropTable().Model((*devMail110000)(nil)).IfExists().Exec(ctx)
		return err
	})
}
