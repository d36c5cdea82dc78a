package migrations_test

import (
	"context"
	"testing"
	"time"

	"github.com/uptrace/bun/migrate"

	"gatehouse/internal/store/storetest"
	"gatehouse/migrations"
)

// Events recorded before audit_events.org_id existed take the
// organisation their person is in now (none for an event of no account or
// of an account in none); the migration rolls back and applies again.
func TestAuditOrgBackfill(t *testing.T) {
	for _, b := range []storetest.Backend{storetest.SQLite, storetest.Postgres} {
		t.Run(string(b), func(t *testing.T) {
			db := open(t, b)
			ctx := context.Background()
			upTo(t, db, "20261202001600")
			now := time.Now().UTC()
			for _, email := range []string{"a@acme.example", "b@x.example"} {
				_, err := db.ExecContext(ctx, `INSERT INTO users (public_id, email, first_name, last_name, company, country, region, phone, locale, status, password_hash, created_at, updated_at, activated_at, return_to)
					VALUES (?, ?, 'Ada', 'Lovelace', '', 'GB', '', '', 'en', 'active', '', ?, ?, ?, '')`, email, email, now, now, now)
				if err != nil {
					t.Fatal(err)
				}
			}
			for _, q := range []struct {
				sql  string
				args []any
			}{
				{`INSERT INTO organisations (public_id, name, created_at, updated_at) VALUES ('org_a', 'Acme', ?, ?)`, []any{now, now}},
				{`INSERT INTO memberships (org_id, user_id, role, status, created_at) SELECT o.id, u.id, 'owner', 'active', ? FROM organisations AS o, users AS u WHERE u.email = 'a@acme.example'`, []any{now}},
				{`INSERT INTO audit_events (user_id, kind, ip, user_agent, created_at) SELECT id, 'login_ok', '', '', ? FROM users ORDER BY email`, []any{now}},
				{`INSERT INTO audit_events (kind, ip, user_agent, created_at) VALUES ('register_existing', '', '', ?)`, []any{now}},
			} {
				if _, err := db.ExecContext(ctx, q.sql, q.args...); err != nil {
					t.Fatalf("%s: %v", q.sql, err)
				}
			}
			check := func() {
				t.Helper()
				var rows []struct {
					Email string `bun:"email"`
					Org   string `bun:"org"`
				}
				err := db.NewSelect().TableExpr("audit_events AS a").
					ColumnExpr("COALESCE((SELECT u.email FROM users AS u WHERE u.id = a.user_id), '') AS email").
					ColumnExpr("COALESCE((SELECT o.public_id FROM organisations AS o WHERE o.id = a.org_id), '') AS org").
					OrderExpr("a.id").Scan(ctx, &rows)
				if err != nil {
					t.Fatal(err)
				}
				want := [][2]string{{"a@acme.example", "org_a"}, {"b@x.example", ""}, {"", ""}}
				if len(rows) != len(want) {
					t.Fatalf("rows %+v", rows)
				}
				for i, r := range rows {
					if r.Email != want[i][0] || r.Org != want[i][1] {
						t.Errorf("event %d: %+v, want %q", i, r, want[i])
					}
				}
			}
			upTo(t, db, "")
			check()
			mg := migrate.NewMigrator(db, migrations.Migrations)
			if _, err := mg.Rollback(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := db.ExecContext(ctx, `SELECT org_id FROM audit_events`); err == nil {
				t.Fatal("the rollback left audit_events.org_id")
			}
			upTo(t, db, "")
			check()
		})
	}
}
