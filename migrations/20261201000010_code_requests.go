package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

type codeRequests0010 struct {
	bun.BaseModel `bun:"table:code_requests"`

	Hash        string    `bun:"hash,pk,type:varchar(64)"`
	Flow        string    `bun:"flow,notnull,type:varchar(32)"`
	AddressHash string    `bun:"address_hash,notnull,type:varchar(64)"`
	Attempts    int       `bun:"attempts,notnull"`
	CreatedAt   time.Time `bun:"created_at,notnull"`
	ExpiresAt   time.Time `bun:"expires_at,notnull"`
}

// Every email a browser asks for leaves a row keyed by that browser's
// binding, whether or not the address has an account, so that typing a
// code answers alike for every address: the guesses are counted here, not
// on the code (which only a known account has).
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		if _, err := db.NewCreateTable().Model((*codeRequests0010)(nil)).Exec(ctx); err != nil {
			return err
		}
		_, err := db.NewCreateIndex().Model((*codeRequests0010)(nil)).Index("code_requests_expires_idx").Column("expires_at").Exec(ctx)
		return err
	}, func(ctx context.Context, db *bun.DB) error {
		_, err := db.NewDropTable().Model((*codeRequests0010)(nil)).IfExists().Exec(ctx)
		return err
	})
}
