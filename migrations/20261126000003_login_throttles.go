package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

type loginThrottles0003 struct {
	bun.BaseModel `bun:"table:login_throttles"`

	UserID        int64     `bun:"user_id,pk"`
	Failures      int       `bun:"failures,notnull"`
	LastFailureAt time.Time `bun:"last_failure_at,notnull"`
	LockedUntil   time.Time `bun:"locked_until,notnull"`
}

// Failed sign-ins per account, for growing delays.
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		_, err := db.NewCreateTable().Model((*loginThrottles0003)(nil)).
			ForeignKey(`("user_id") REFERENCES "users" ("id") ON DELETE CASCADE`).Exec(ctx)
		return err
	}, func(ctx context.Context, db *bun.DB) error {
		_, err := db.NewDropTable().Model((*loginThrottles0003)(nil)).IfExists().Exec(ctx)
		return err
	})
}
