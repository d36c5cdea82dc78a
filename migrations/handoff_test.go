package migrations_test

import (
	"context"
	"database/sql"
	"regexp"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/sqliteshim"
	"github.com/uptrace/bun/migrate"

	"gatehouse/internal/store/storetest"
	"gatehouse/migrations"
)

// open is a bare database on backend b, without migrations.
func open(t *testing.T, b storetest.Backend) *bun.DB {
	t.Helper()
	dsn := storetest.DSN(t, b)
	var db *bun.DB
	if b == storetest.Postgres {
		sqldb, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		db = bun.NewDB(sqldb, pgdialect.New())
	} else {
		sqldb, err := sql.Open(sqliteshim.ShimName, "file:"+dsn)
		if err != nil {
			t.Fatal(err)
		}
		sqldb.SetMaxOpenConns(1)
		db = bun.NewDB(sqldb, sqlitedialect.New())
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// upTo applies the migrations named before stop (all when stop is "").
func upTo(t *testing.T, db *bun.DB, stop string) {
	t.Helper()
	set := migrate.NewMigrations()
	for _, m := range migrations.Migrations.Sorted() {
		if stop == "" || m.Name < stop {
			set.Add(m)
		}
	}
	mg := migrate.NewMigrator(db, set)
	if err := mg.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := mg.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// Accounts that exist before the hand-off migration each get their own
// random public id, on both databases.
func TestPublicIDBackfill(t *testing.T) {
	for _, b := range []storetest.Backend{storetest.SQLite, storetest.Postgres} {
		t.Run(string(b), func(t *testing.T) {
			db := open(t, b)
			ctx := context.Background()
			upTo(t, db, "20261201100000")
			now := time.Now().UTC()
			for _, email := range []string{"a@example.com", "b@example.com", "c@example.com"} {
				_, err := db.ExecContext(ctx, `INSERT INTO users (email, first_name, last_name, company, country, region, phone, locale, status, password_hash, created_at, updated_at)
					VALUES (?, 'A', 'B', 'C', 'GB', '', '', 'en', 'active', '', ?, ?)`, email, now, now)
				if err != nil {
					t.Fatal(err)
				}
			}
			upTo(t, db, "")
			var ids []string
			if err := db.NewSelect().Table("users").Column("public_id").Scan(ctx, &ids); err != nil {
				t.Fatal(err)
			}
			uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
			seen := map[string]bool{}
			for _, id := range ids {
				if !uuid.MatchString(id) || seen[id] {
					t.Errorf("public ids %v", ids)
				}
				seen[id] = true
			}
			if len(ids) != 3 {
				t.Errorf("%d users", len(ids))
			}
			var first string
			if err := db.NewSelect().Table("users").Column("public_id").Where("email = 'a@example.com'").Scan(ctx, &first); err != nil {
				t.Fatal(err)
			}
			_, err := db.ExecContext(ctx, "UPDATE users SET public_id = ? WHERE email = 'b@example.com'", first)
			if err == nil || !strings.Contains(strings.ToLower(err.Error()), "unique") {
				t.Errorf("a duplicate public id was accepted: %v", err)
			}
		})
	}
}
