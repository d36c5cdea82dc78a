package migrations_test

import (
	"context"
	"testing"
	"time"

	"gatehouse/internal/store/storetest"
)

// Operator actions recorded before audit_events.actor existed carried the
// operator in the user agent ("operator: NAME"); the migration moves it to
// the actor column and leaves a browser's user agent where it was.
func TestAuditActorMovesOutOfTheUserAgent(t *testing.T) {
	for _, b := range []storetest.Backend{storetest.SQLite, storetest.Postgres} {
		t.Run(string(b), func(t *testing.T) {
			db := open(t, b)
			ctx := context.Background()
			upTo(t, db, "20261202000900")
			now := time.Now().UTC()
			for _, ua := range []string{"operator: ops@example.com", "operator: cli ops", "Mozilla/5.0 (X11; Linux x86_64)"} {
				if _, err := db.ExecContext(ctx, `INSERT INTO audit_events (kind, ip, user_agent, created_at) VALUES ('disabled_by_operator', '', ?, ?)`, ua, now); err != nil {
					t.Fatal(err)
				}
			}
			upTo(t, db, "")
			var rows []struct {
				UserAgent string `bun:"user_agent"`
				Actor     string `bun:"actor"`
			}
			if err := db.NewSelect().TableExpr("audit_events").ColumnExpr("user_agent, actor").OrderExpr("id").Scan(ctx, &rows); err != nil {
				t.Fatal(err)
			}
			want := [][2]string{{"", "ops@example.com"}, {"", "cli ops"}, {"Mozilla/5.0 (X11; Linux x86_64)", ""}}
			if len(rows) != len(want) {
				t.Fatalf("rows %+v", rows)
			}
			for i, r := range rows {
				if r.UserAgent != want[i][0] || r.Actor != want[i][1] {
					t.Errorf("row %d: user agent %q, actor %q; want %q", i, r.UserAgent, r.Actor, want[i])
				}
			}
		})
	}
}
