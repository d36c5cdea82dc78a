package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
	"gatehouse/internal/token"
)

// orgsFixture is usersFixture with organisations: "Analytical Engines"
// (ada its owner, a join request from kat, engines.example claimed with
// join by request, an open invitation, a trail entry) and two named "US
// Navy", the first with grace as owner, navy.example (invite only) and
// the second-step rule. ids are their public ids in that order.
func orgsFixture(t *testing.T, backend storetest.Backend) (env func(string) string, st *store.Store, secrets usersSecrets, ids []string) {
	t.Helper()
	env, st, secrets = usersFixture(t, backend)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	ada, err := st.UserByEmail(ctx, "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	grace, err := st.UserByEmail(ctx, "grace@navy.example")
	if err != nil {
		t.Fatal(err)
	}
	kat := &store.User{Email: "kat@engines.example", FirstName: "Katherine", LastName: "Johnson", Status: store.UserActive,
		PasswordHash: secrets[0], CreatedAt: now.Add(-30 * time.Minute), UpdatedAt: now, ActivatedAt: &now}
	if _, err := st.CreateUserIfAbsent(ctx, kat); err != nil {
		t.Fatal(err)
	}
	engines := &store.Organisation{Name: "Analytical Engines", CreatedAt: now.Add(-3 * time.Hour), UpdatedAt: now}
	navy := &store.Organisation{Name: "US Navy", CreatedAt: now.Add(-2 * time.Hour), UpdatedAt: now, RequireSecondFactor: true}
	navy2 := &store.Organisation{Name: "us navy", CreatedAt: now.Add(-time.Hour), UpdatedAt: now}
	for _, o := range []*store.Organisation{engines, navy, navy2} {
		if err := st.CreateOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, o.PublicID)
	}
	joined := now.Add(-3 * time.Hour)
	for _, m := range []*store.Membership{
		{OrgID: engines.ID, UserID: ada.ID, Role: store.RoleOwner, Status: store.MemberActive, CreatedAt: joined, JoinedAt: &joined},
		{OrgID: engines.ID, UserID: kat.ID, Role: store.RoleMember, Status: store.MemberPending, CreatedAt: now},
		{OrgID: navy.ID, UserID: grace.ID, Role: store.RoleOwner, Status: store.MemberActive, CreatedAt: joined, JoinedAt: &joined},
	} {
		if err := st.AddMembership(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []*store.OrgDomain{
		{OrgID: engines.ID, Domain: "engines.example", JoinPolicy: store.JoinRequest, ClaimedBy: &ada.ID, ClaimedAt: now},
		{OrgID: navy.ID, Domain: "navy.example", JoinPolicy: store.JoinInvite, ClaimedBy: &grace.ID, ClaimedAt: now},
	} {
		if err := st.ClaimDomain(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.AddOrgEvent(ctx, &store.OrgEvent{OrgID: engines.ID, ActorID: &ada.ID, Kind: "domain_claimed",
		Detail: "engines.example", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	raw, invHash := token.New()
	if err := st.CreateInvitation(ctx, &store.Invitation{OrgID: engines.ID, Email: "charles@example.com",
		Role: store.RoleMember, InvitedBy: &ada.ID, Locale: "en", TokenHash: invHash, CreatedAt: now, SentAt: now,
		ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	return env, st, append(secrets, raw, invHash), ids
}

// runOrgsOut runs an orgs command and fails the test if its output, or
// its error, carries a secret.
func runOrgsOut(t *testing.T, env func(string) string, secrets usersSecrets, args ...string) (string, error) {
	t.Helper()
	out, err := runOut(t, env, append([]string{"orgs"}, args...)...)
	all := out
	if err != nil {
		all += err.Error()
	}
	for _, s := range secrets {
		if strings.Contains(all, s) {
			t.Errorf("orgs %q printed a secret %q:\n%s", args, s, all)
		}
	}
	return out, err
}

func TestOrgsList(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend storetest.Backend) {
		env, _, secrets, ids := orgsFixture(t, backend)
		out, err := runOrgsOut(t, env, secrets, "list")
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 4 {
			t.Fatalf("want a header and three rows, got:\n%s", out)
		}
		for _, col := range []string{"ID", "NAME", "MEMBERS", "REQUESTS", "DOMAINS", "JOIN POLICY", "SECOND STEP", "CREATED"} {
			if !strings.Contains(lines[0], col) {
				t.Errorf("header %q lacks %s", lines[0], col)
			}
		}
		// By name in any case, then oldest first.
		for i, want := range [][]string{
			{ids[0], "Analytical Engines", " 1 ", "engines.example", "request", " no "},
			{ids[1], "US Navy", " 1 ", "navy.example", "invite", " yes "},
			{ids[2], "us navy", " 0 ", " - ", " no "},
		} {
			row := lines[i+1]
			if !strings.HasPrefix(row, want[0]+" ") {
				t.Errorf("row %d %q does not start with %s", i, row, want[0])
			}
			for _, w := range want[1:] {
				if !strings.Contains(row, w) {
					t.Errorf("row %d %q lacks %q", i, row, w)
				}
			}
		}

		out, err = runOrgsOut(t, env, secrets, "list", "--json", "--q", "NAVY.EXAMPLE")
		if err != nil {
			t.Fatal(err)
		}
		var list []struct {
			ID                  string
			Name                string
			Members, Requests   int
			Domains             []map[string]string
			RequireSecondFactor bool       `json:"require_second_factor"`
			CreatedAt           *time.Time `json:"created_at"`
		}
		if err := json.Unmarshal([]byte(out), &list); err != nil {
			t.Fatalf("--json: %v\n%s", err, out)
		}
		if len(list) != 1 || list[0].ID != ids[1] || list[0].Members != 1 || !list[0].RequireSecondFactor || list[0].CreatedAt == nil ||
			len(list[0].Domains) != 1 || list[0].Domains[0]["domain"] != "navy.example" || list[0].Domains[0]["join_policy"] != "invite" {
			t.Errorf("--q NAVY.EXAMPLE --json = %+v", list)
		}

		out, err = runOrgsOut(t, env, secrets, "list", "--q", "engines", "--json")
		if err != nil || !strings.Contains(out, ids[0]) || strings.Contains(out, ids[1]) || !strings.Contains(out, `"requests": 1`) {
			t.Errorf("--q engines: %v\n%s", err, out)
		}
		out, err = runOrgsOut(t, env, secrets, "list", "--limit", "1")
		if lines := strings.Split(strings.TrimSpace(out), "\n"); err != nil || len(lines) != 2 || !strings.HasPrefix(lines[1], ids[0]) {
			t.Errorf("--limit 1: %v\n%s", err, out)
		}
		out, err = runOrgsOut(t, env, secrets, "list", "--q", "babbage")
		if err != nil || !strings.Contains(out, "(no organisations)") {
			t.Errorf("--q babbage: %v\n%s", err, out)
		}
		out, err = runOrgsOut(t, env, secrets, "list", "--q", "babbage", "--json")
		if err != nil || strings.TrimSpace(out) != "[]" {
			t.Errorf("--q babbage --json: %v\n%s", err, out)
		}
	})
}

func TestOrgsShow(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend storetest.Backend) {
		env, st, secrets, ids := orgsFixture(t, backend)
		// By its id, its name in any case, or its domain in any case.
		for _, ref := range []string{ids[0], "analytical ENGINES", "Engines.Example"} {
			out, err := runOrgsOut(t, env, secrets, "show", ref)
			if err != nil {
				t.Fatalf("show %q: %v", ref, err)
			}
			for _, want := range []string{"ID:", ids[0], "Name:", "Analytical Engines", "Second step required:", "Domains (1):",
				"engines.example", "request", "Members (1):", "ada@example.com", "Ada Lovelace", "owner",
				"Join requests (1):", "kat@engines.example", "Katherine Johnson", "Recent events (1):", "domain_claimed",
				"Ada Lovelace <ada@example.com>"} {
				if !strings.Contains(out, want) {
					t.Errorf("show %q lacks %q:\n%s", ref, want, out)
				}
			}
			if strings.Contains(out, "charles@example.com") {
				t.Errorf("show %q lists the invitation as a member or request:\n%s", ref, out)
			}
		}

		out, err := runOrgsOut(t, env, secrets, "show", "navy.example", "--json")
		if err != nil {
			t.Fatal(err)
		}
		var v struct {
			ID                  string
			Name                string
			RequireSecondFactor bool `json:"require_second_factor"`
			Domains             []map[string]any
			Members             []map[string]any
			Requests            []map[string]any
			Events              []map[string]any
		}
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("--json: %v\n%s", err, out)
		}
		if v.ID != ids[1] || v.Name != "US Navy" || !v.RequireSecondFactor || len(v.Domains) != 1 || v.Domains[0]["join_policy"] != "invite" ||
			len(v.Members) != 1 || v.Members[0]["email"] != "grace@navy.example" || v.Members[0]["role"] != "owner" || v.Members[0]["joined_at"] == nil ||
			v.Requests == nil || len(v.Requests) != 0 || v.Events == nil {
			t.Errorf("show navy.example --json = %+v", v)
		}
		out, err = runOrgsOut(t, env, secrets, "show", "--json", ids[0])
		if err != nil || !strings.Contains(out, `"email": "kat@engines.example"`) || !strings.Contains(out, `"requested_at"`) {
			t.Errorf("show %s --json: %v\n%s", ids[0], err, out)
		}
		// One with no members yet (the console creates them so) shows as
		// empty, in both forms.
		out, err = runOrgsOut(t, env, secrets, "show", ids[2])
		if err != nil || !strings.Contains(out, "us navy") || !strings.Contains(out, "Members (0):") {
			t.Errorf("show %s (empty): %v\n%s", ids[2], err, out)
		}
		out, err = runOrgsOut(t, env, secrets, "show", "--json", ids[2])
		if err != nil || !strings.Contains(out, `"members": []`) || !strings.Contains(out, `"requests": []`) {
			t.Errorf("show %s --json (empty): %v\n%s", ids[2], err, out)
		}

		// Two organisations of the same name, or a name one has and a
		// domain another claimed: a refusal naming them, not a guess.
		named := &store.Organisation{Name: "Engines.example", CreatedAt: time.Now(), UpdatedAt: time.Now()}
		if err := st.CreateOrganisation(context.Background(), named); err != nil {
			t.Fatal(err)
		}
		for ref, want := range map[string][]string{"US NAVY": {ids[1], ids[2]}, "engines.example": {named.PublicID, ids[0]}} {
			out, err := runOrgsOut(t, env, secrets, "show", ref)
			if err == nil || out != "" || !strings.Contains(err.Error(), "is several organisations") || !strings.Contains(err.Error(), "by its id") {
				t.Errorf("show %q: err %v, output %q; want a refusal", ref, err, out)
				continue
			}
			for _, id := range want {
				if !strings.Contains(err.Error(), id) {
					t.Errorf("show %q: %q does not name %s", ref, err, id)
				}
			}
			if _, ok := errors.AsType[*usageError](err); ok {
				t.Errorf("show %q: a usage error, but the command line was right", ref)
			}
		}
		for _, ref := range []string{"Babbage Ltd", "org_nonexistent", "nobody.example"} {
			out, err := runOrgsOut(t, env, secrets, "show", ref)
			if err == nil || out != "" || !strings.Contains(err.Error(), `no organisation has the id, name or domain "`+ref+`"`) {
				t.Errorf("show %q: err %v, output %q; want a refusal", ref, err, out)
			}
			if _, ok := errors.AsType[*usageError](err); ok {
				t.Errorf("show %q: a usage error, but the command line was right", ref)
			}
		}
	})
}

// TestOrgsHelpTouchesNothing: help for, and a wrong command line of, the
// orgs commands is answered before any setting is read or the database
// opened.
func TestOrgsHelpTouchesNothing(t *testing.T) {
	for _, args := range [][]string{{"orgs", "--help"}, {"orgs", "show", "-h"}} {
		out, err := untouched(t, args...)
		if err != nil || !strings.Contains(out, "gatehouse orgs list") || !strings.Contains(out, "gatehouse orgs show") {
			t.Errorf("%q: err %v, output %q; want the usage", args, err, out)
		}
	}
	for _, args := range [][]string{
		{"orgs"}, {"orgs", "purge"}, {"orgs", "list", "--nope"}, {"orgs", "list", "--limit", "0"},
		{"orgs", "list", "--limit", "10001"}, {"orgs", "list", "Acme"}, {"orgs", "show"}, {"orgs", "show", " "},
		{"orgs", "show", "Acme", "Navy"}, {"orgs", "show", "--q", "x", "Acme"}, {"orgs", "show", "--json=maybe", "Acme"},
	} {
		_, err := untouched(t, args...)
		if _, ok := errors.AsType[*usageError](err); !ok {
			t.Errorf("%q: err %v, want a usage error", args, err)
			continue
		}
		if !strings.Contains(err.Error(), "usage") && !strings.Contains(err.Error(), "want") {
			t.Errorf("%q: %q says nothing of the usage", args, err)
		}
	}
}

// The binary itself exits 1 with the message on stderr, and nothing on
// stdout, for an organisation it does not know or cannot tell apart (to
// show or to export the events of), and 2 for a wrong command line.
func TestOrgsExitStatus(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend storetest.Backend) {
		env, st, _, ids := orgsFixture(t, backend)
		twin := &store.Organisation{Name: "Engines.example", CreatedAt: time.Now(), UpdatedAt: time.Now()}
		if err := st.CreateOrganisation(context.Background(), twin); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			args   string
			status int
			stderr string
		}{
			{"orgs show nobody.example", 1, `no organisation has the id, name or domain "nobody.example"`},
			{"orgs show navy --json", 1, `no organisation has the id, name or domain "navy"`},
			{"orgs show Analytical", 1, `no organisation has the id, name or domain "Analytical"`},
			{"orgs list --limit=-1", 2, "--limit"},
			{"orgs show", 2, "usage: gatehouse orgs"},
			{"orgs show " + ids[0] + " --json", 0, ""},
			{"audit export --since 720h --org nobody.example", 1, `audit export: --org: no organisation has the id, name or domain "nobody.example"`},
			{"audit export --since 720h --org engines.example", 1, `audit export: --org: "engines.example" is several organisations (` + twin.PublicID + ", " + ids[0] + ")"},
			{"audit export --since 720h --org navy.example --format json", 0, ""},
		} {
			cmd := exec.Command(os.Args[0], "-test.run=^TestMainExitStatus$")
			cmd.Dir = t.TempDir()
			cmd.Env = append(os.Environ(), "GATEHOUSE_MAIN_ARGS="+tt.args, "DATABASE_URL="+env("DATABASE_URL"))
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			status := 0
			if ee, ok := errors.AsType[*exec.ExitError](err); ok {
				status = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if status != tt.status || !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("gatehouse %s: exit %d, want %d with %q on stderr\nstdout %q\nstderr %q", tt.args, status, tt.status, tt.stderr, stdout.String(), stderr.String())
			}
			if tt.status != 0 && stdout.Len() > 0 {
				t.Errorf("gatehouse %s: printed %q on stdout", tt.args, stdout.String())
			}
			if tt.status == 0 && !json.Valid([]byte(stdout.String())) {
				t.Errorf("gatehouse %s: stdout is not JSON: %q", tt.args, stdout.String())
			}
		}
	})
}
