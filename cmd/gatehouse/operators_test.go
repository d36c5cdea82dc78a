package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// TestOperatorsCommands: the role is granted to an active account only,
// listed, removed, and each change is in the trail; bad arguments are
// usage errors and unknown accounts clear refusals.
func TestOperatorsCommands(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend storetest.Backend) {
		env, st, secrets := usersFixture(t, backend)
		run := func(args ...string) (string, error) {
			t.Helper()
			out, err := runOut(t, env, append([]string{"operators"}, args...)...)
			for _, s := range secrets {
				if strings.Contains(out, s) {
					t.Errorf("operators %q printed a secret", args)
				}
			}
			return out, err
		}
		out, err := run("add", "ADA@example.com")
		if err != nil || !strings.Contains(out, "is now an operator") {
			t.Fatalf("add: %v\n%s", err, out)
		}
		if u, _ := st.UserByEmail(context.Background(), "ada@example.com"); !u.Operator {
			t.Error("ada is not an operator in the store")
		}
		if out, _ := run("add", "ada@example.com"); !strings.Contains(out, "already") {
			t.Errorf("second add: %s", out)
		}
		out, err = run("list", "--json")
		var list []map[string]any
		if err != nil || json.Unmarshal([]byte(out), &list) != nil || len(list) != 1 || list[0]["email"] != "ada@example.com" {
			t.Errorf("list --json: %v\n%s", err, out)
		}
		if _, err := run("add", "grace@navy.example"); err == nil || !strings.Contains(err.Error(), "not active") {
			t.Errorf("add a pending account: %v", err)
		}
		if _, err := run("add", "nobody@example.com"); err == nil || !strings.Contains(err.Error(), "no account") {
			t.Errorf("add an unknown account: %v", err)
		}
		for _, bad := range [][]string{{}, {"promote", "a@b.c"}, {"add"}, {"add", "not-an-address"}, {"list", "extra"}, {"add", "a@b.c", "--force"}} {
			_, err := run(bad...)
			if _, ok := errors.AsType[*usageError](err); !ok {
				t.Errorf("operators %q: %v, want a usage error", bad, err)
			}
		}
		out, err = run("remove", "ada@example.com")
		if err != nil || !strings.Contains(out, "no longer an operator") {
			t.Errorf("remove: %v\n%s", err, out)
		}
		if out, _ := run("list"); !strings.Contains(out, "(no operators)") {
			t.Errorf("list after remove:\n%s", out)
		}
		events, _ := st.ListAuditEvents(context.Background(), 100)
		kinds := map[string]int{}
		for _, e := range events {
			kinds[e.Kind]++
			if strings.HasPrefix(e.Kind, "operator_") && (e.Actor != "cli ops" || e.UserAgent != "") {
				t.Errorf("%s recorded as by %q (user agent %q), want the shell user", e.Kind, e.Actor, e.UserAgent)
			}
		}
		if kinds["operator_granted"] != 1 || kinds["operator_revoked"] != 1 {
			t.Errorf("trail: %v", kinds)
		}
	})
}

// TestAuditExport: gatehouse audit export writes the trail as CSV or JSON
// for a period and filters, and refuses bad arguments.
func TestAuditExport(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend storetest.Backend) {
		env, st, secrets := usersFixture(t, backend)
		out, err := runOut(t, env, "audit", "export", "--since", "720h")
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("export printed a secret %q", s)
			}
		}
		recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil || len(recs) < 2 || recs[0][0] != "id" {
			t.Fatalf("CSV: %v\n%s", err, out)
		}
		if recs[1][2] != "login_ok" || recs[1][3] != "ada@example.com" {
			t.Errorf("first row %v", recs[1])
		}
		out, err = runOut(t, env, "audit", "export", "--since", "2000-01-01", "--format", "json", "--user", "ada@example.com", "--kind", "login_ok")
		var list []map[string]any
		if err != nil || json.Unmarshal([]byte(out), &list) != nil || len(list) != 1 {
			t.Errorf("json: %v\n%s", err, out)
		}
		// Nothing before the trail began.
		out, _ = runOut(t, env, "audit", "export", "--since", "2000-01-01", "--until", "2000-02-01", "--format", "json")
		if strings.TrimSpace(out) != "[]" {
			t.Errorf("empty period: %q", out)
		}
		if _, err := runOut(t, env, "audit", "export", "--since", "720h", "--user", "nobody@example.com"); err == nil || !strings.Contains(err.Error(), "no account") {
			t.Errorf("unknown --user: %v", err)
		}
		for _, bad := range [][]string{{"audit"}, {"audit", "export"}, {"audit", "export", "--since", "last week"},
			{"audit", "export", "--since", "720h", "--format", "xml"}, {"audit", "export", "--since", "720h", "--kind", "nope"},
			{"audit", "export", "--since", "2026-02-01", "--until", "2026-01-01"}} {
			if _, err := runOut(t, env, bad...); err == nil {
				t.Errorf("%q: no error", bad)
			} else if _, ok := errors.AsType[*usageError](err); !ok {
				t.Errorf("%q: %v, want a usage error", bad, err)
			}
		}
		// Each export from the command line is itself in the trail.
		events, _ := st.ListAuditEvents(context.Background(), 100)
		n := 0
		for _, e := range events {
			if e.Kind == "audit_exported" {
				n++
			}
		}
		if n < 3 {
			t.Errorf("%d exports recorded, want at least 3", n)
		}
		_ = store.UserActive
	})
}

// TestAuditExportOrg: --org narrows the export to the events of one
// organisation's people, named by its id or its name; an unknown or
// ambiguous name is a clear error.
func TestAuditExportOrg(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend storetest.Backend) {
		env, st, _ := usersFixture(t, backend)
		ctx := context.Background()
		ada, err := st.UserByEmail(ctx, "ada@example.com")
		if err != nil {
			t.Fatal(err)
		}
		grace, err := st.UserByEmail(ctx, "grace@navy.example")
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		var orgs []*store.Organisation
		for _, name := range []string{"Analytical Engines", "Twin", "twin"} {
			o := &store.Organisation{Name: name, CreatedAt: now, UpdatedAt: now}
			if err := st.CreateOrganisation(ctx, o); err != nil {
				t.Fatal(err)
			}
			orgs = append(orgs, o)
		}
		if err := st.AddMembership(ctx, &store.Membership{OrgID: orgs[0].ID, UserID: ada.ID, Role: store.RoleOwner, Status: store.MemberActive, CreatedAt: now, JoinedAt: &now}); err != nil {
			t.Fatal(err)
		}
		if err := st.AddAuditEvent(ctx, &store.AuditEvent{UserID: &grace.ID, Kind: "login_failed", CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		for _, ref := range []string{orgs[0].PublicID, "analytical engines"} {
			out, err := runOut(t, env, "audit", "export", "--since", "720h", "--org", ref)
			if err != nil {
				t.Fatalf("--org %s: %v", ref, err)
			}
			recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
			if err != nil || len(recs) < 2 {
				t.Fatalf("--org %s: %v\n%s", ref, err, out)
			}
			for _, r := range recs[1:] {
				if r[3] != "ada@example.com" {
					t.Errorf("--org %s exported an event of %q: %v", ref, r[3], r)
				}
			}
		}
		if _, err := runOut(t, env, "audit", "export", "--since", "720h", "--org", "Nobody Ltd"); err == nil || !strings.Contains(err.Error(), "no organisation") {
			t.Errorf("unknown --org: %v", err)
		}
		if _, err := runOut(t, env, "audit", "export", "--since", "720h", "--org", "TWIN"); err == nil || !strings.Contains(err.Error(), "several organisations") {
			t.Errorf("ambiguous --org: %v", err)
		}
	})
}
