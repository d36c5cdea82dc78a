package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"slices"
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

// TestAuditExportOrg: --org narrows the export to one organisation's
// events, those of its people while they were in it, the organisation
// named as `gatehouse orgs show` names it: by its id, its name or a
// domain it claimed; an unknown or ambiguous one is a clear refusal that
// lists the ids, with nothing exported.
func TestAuditExportOrg(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend storetest.Backend) {
		env, st, _, ids := orgsFixture(t, backend)
		ctx := context.Background()
		// Ada's and Katherine's events from before they were in the
		// organisation (the fixture's) are not its; these are.
		for _, email := range []string{"ada@example.com", "kat@engines.example", "grace@navy.example"} {
			u, err := st.UserByEmail(ctx, email)
			if err != nil {
				t.Fatal(err)
			}
			if err := st.AddAuditEvent(ctx, &store.AuditEvent{UserID: &u.ID, Kind: "profile_updated", CreatedAt: time.Now().UTC()}); err != nil {
				t.Fatal(err)
			}
		}
		for _, ref := range []string{ids[0], "analytical ENGINES", "Engines.Example"} {
			out, err := runOut(t, env, "audit", "export", "--since", "720h", "--org", ref)
			if err != nil {
				t.Fatalf("--org %s: %v", ref, err)
			}
			recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
			if err != nil {
				t.Fatalf("--org %s: %v\n%s", ref, err, out)
			}
			var got []string
			for _, r := range recs[1:] {
				got = append(got, r[2]+" "+r[3])
			}
			want := []string{"profile_updated ada@example.com", "profile_updated kat@engines.example"}
			if !slices.Equal(got, want) {
				t.Errorf("--org %s exported %q, want %q", ref, got, want)
			}
		}
		twin := &store.Organisation{Name: "Engines.example", CreatedAt: time.Now(), UpdatedAt: time.Now()}
		if err := st.CreateOrganisation(ctx, twin); err != nil {
			t.Fatal(err)
		}
		for ref, want := range map[string][]string{"US NAVY": {ids[1], ids[2]}, "engines.example": {twin.PublicID, ids[0]}} {
			out, err := runOut(t, env, "audit", "export", "--since", "720h", "--org", ref)
			if err == nil || out != "" || !strings.Contains(err.Error(), "audit export: --org: ") || !strings.Contains(err.Error(), "is several organisations") {
				t.Errorf("--org %q: err %v, output %q; want a refusal", ref, err, out)
				continue
			}
			for _, id := range want {
				if !strings.Contains(err.Error(), id) {
					t.Errorf("--org %q: %q does not name %s", ref, err, id)
				}
			}
		}
		for _, ref := range []string{"Nobody Ltd", "org_nonexistent", "nobody.example"} {
			out, err := runOut(t, env, "audit", "export", "--since", "720h", "--org", ref)
			if err == nil || out != "" || !strings.Contains(err.Error(), `audit export: --org: no organisation has the id, name or domain "`+ref+`"`) {
				t.Errorf("--org %q: err %v, output %q; want a refusal", ref, err, out)
			}
			if _, ok := errors.AsType[*usageError](err); ok {
				t.Errorf("--org %q: a usage error, but the command line was right", ref)
			}
		}
	})
}
