package migrations_test

import (
	"context"
	"regexp"
	"testing"
	"time"

	"gatehouse/internal/store/storetest"
)

// Accounts activated before organisations existed each own an organisation
// named after their company; pending accounts get none (they decide at
// activation), and running the migrations again adds nothing.
func TestExistingAccountsGetOrganisations(t *testing.T) {
	for _, b := range []storetest.Backend{storetest.SQLite, storetest.Postgres} {
		t.Run(string(b), func(t *testing.T) {
			db := open(t, b)
			ctx := context.Background()
			upTo(t, db, "20261202000101")
			now := time.Now().UTC()
			for _, u := range []struct {
				email, company string
				active         bool
			}{{"a@acme.example", "Acme", true}, {"b@acme.example", "Acme", true}, {"c@globex.example", "", true}, {"d@x.example", "X", false}} {
				var activated any
				status := "pending"
				if u.active {
					activated, status = now, "active"
				}
				_, err := db.ExecContext(ctx, `INSERT INTO users (public_id, email, first_name, last_name, company, country, region, phone, locale, status, password_hash, created_at, updated_at, activated_at, return_to)
					VALUES (?, ?, 'Ada', 'Lovelace', ?, 'GB', '', '', 'en', ?, '', ?, ?, ?, '')`, u.email, u.email, u.company, status, now, now, activated)
				if err != nil {
					t.Fatal(err)
				}
			}
			upTo(t, db, "")
			var rows []struct {
				Email    string `bun:"email"`
				Name     string `bun:"name"`
				PublicID string `bun:"public_id"`
				Role     string `bun:"role"`
				Status   string `bun:"status"`
			}
			err := db.NewSelect().TableExpr("memberships AS m").Join("JOIN users AS u ON u.id = m.user_id").
				Join("JOIN organisations AS o ON o.id = m.org_id").
				ColumnExpr("u.email, o.name, o.public_id, m.role, m.status").OrderExpr("u.email").Scan(ctx, &rows)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 3 {
				t.Fatalf("memberships %+v, want one for each of the three activated accounts", rows)
			}
			want := []string{"Acme", "Acme", "Ada Lovelace"}
			id := regexp.MustCompile(`^org_[a-z2-7]{26}$`)
			for i, r := range rows {
				if r.Name != want[i] || r.Role != "owner" || r.Status != "active" || !id.MatchString(r.PublicID) {
					t.Errorf("row %d: %+v", i, r)
				}
			}
			if rows[0].PublicID == rows[1].PublicID {
				t.Error("two accounts of the same company name were put in one organisation")
			}
		})
	}
}
