package migrations

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

type users100000 struct {
	bun.BaseModel `bun:"table:users"`

	ID       int64  `bun:"id,pk"`
	PublicID string `bun:"public_id"`
}

type signingKeys100000 struct {
	bun.BaseModel `bun:"table:signing_keys"`

	Generation int64     `bun:"generation,pk"`
	KeyID      string    `bun:"kid,notnull,type:varchar(64)"`
	PrivateKey string    `bun:"private_key,notnull,type:varchar(128)"`
	CreatedAt  time.Time `bun:"created_at,notnull"`
}

// uuid4 is a random UUID (version 4). It is written out here rather than
// shared with the store so this migration never changes once shipped.
func uuid4() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// The platform behind Gatehouse needs an identifier per person that never
// changes and says nothing about how many accounts exist (the row id is
// sequential), a place to keep the deep link a person was heading to
// while they verify their address on whatever device, and the keys that
// sign the identity tokens, shared by every instance.
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		for _, col := range []string{"public_id VARCHAR(36) NOT NULL DEFAULT ''", "return_to VARCHAR(2048) NOT NULL DEFAULT ''"} {
			if _, err := db.NewAddColumn().Model((*users100000)(nil)).ColumnExpr(col).Exec(ctx); err != nil {
				return err
			}
		}
		var ids []int64
		if err := db.NewSelect().Model((*users100000)(nil)).Column("id").Where("public_id = ''").Scan(ctx, &ids); err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := db.NewUpdate().Model((*users100000)(nil)).Set("public_id = ?", uuid4()).Where("id = ?", id).Exec(ctx); err != nil {
				return err
			}
		}
		if _, err := db.NewCreateIndex().Model((*users100000)(nil)).Unique().Index("users_public_id_idx").Column("public_id").Exec(ctx); err != nil {
			return err
		}
		_, err := db.NewCreateTable().Model((*signingKeys100000)(nil)).Exec(ctx)
		return err
	}, func(ctx context.Context, db *bun.DB) error {
		if _, err := db.NewDropTable().Model((*signingKeys100000)(nil)).IfExists().Exec(ctx); err != nil {
			return err
		}
		if _, err := db.NewDropIndex().Index("users_public_id_idx").IfExists().Exec(ctx); err != nil {
			return err
		}
		for _, col := range []string{"return_to", "public_id"} {
			if _, err := db.NewDropColumn().Model((*users100000)(nil)).Column(col).Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	})
}
