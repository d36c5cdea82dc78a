package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
	"gatehouse/internal/token"
)

// usersSecrets are what no output of the users commands may contain: the
// fixture's password hash, session token and its hash, and a link token's
// hash.
type usersSecrets []string

// usersFixture migrates a fresh database through run and adds an active
// account with a session, a failed sign-in and a sign-in in its trail, and
// a pending one with an open link.
func usersFixture(t *testing.T, backend storetest.Backend) (env func(string) string, st *store.Store, secrets usersSecrets) {
	t.Helper()
	dsn := storetest.DSN(t, backend)
	env = func(k string) string { return map[string]string{"DATABASE_URL": dsn, "USER": "ops"}[k] }
	if err := run(context.Background(), []string{"gatehouse", "migrate"}, env, &strings.Builder{}); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	const hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"
	ada := &store.User{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", Company: "Analytical Engines",
		Country: "GB", Locale: "en", Status: store.UserActive, PasswordHash: hash, CreatedAt: now.Add(-2 * time.Hour),
		UpdatedAt: now, ActivatedAt: &now, PasswordChangedAt: &now}
	grace := &store.User{Email: "grace@navy.example", FirstName: "Grace", LastName: "Hopper", Company: "US Navy",
		Country: "US", Locale: "en", Status: store.UserPending, CreatedAt: now.Add(-time.Hour), UpdatedAt: now}
	for _, u := range []*store.User{ada, grace} {
		if _, err := st.CreateUserIfAbsent(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	raw, sessHash := token.New()
	if err := st.CreateSession(ctx, &store.Session{UserID: ada.ID, Hash: sessHash, CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(time.Hour), IP: "192.0.2.7", UserAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"}); err != nil {
		t.Fatal(err)
	}
	_, linkHash := token.New()
	if err := st.CreateToken(ctx, &store.Token{UserID: grace.ID, Purpose: store.PurposeActivation, Hash: linkHash,
		CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := st.AddAuditEvent(ctx, &store.AuditEvent{UserID: &ada.ID, Kind: "login_ok", IP: "192.0.2.7", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ConfirmLoginFailure(ctx, ada.ID, now, func(int) time.Duration { return time.Hour }); err != nil {
		t.Fatal(err)
	}
	return env, st, usersSecrets{hash, "argon2id", raw, sessHash, linkHash}
}

// runUsersOut runs a users command and fails the test if its output, or
// its error, carries a secret.
func runUsersOut(t *testing.T, env func(string) string, secrets usersSecrets, args ...string) (string, error) {
	t.Helper()
	out, err := runOut(t, env, append([]string{"users"}, args...)...)
	all := out
	if err != nil {
		all += err.Error()
	}
	for _, s := range secrets {
		if strings.Contains(all, s) {
			t.Errorf("users %q printed a secret %q:\n%s", args, s, all)
		}
	}
	return out, err
}

func eachBackend(t *testing.T, fn func(t *testing.T, backend storetest.Backend)) {
	for _, backend := range []storetest.Backend{storetest.SQLite, storetest.Postgres} {
		t.Run(string(backend), func(t *testing.T) { fn(t, backend) })
	}
}

func TestUsersList(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend storetest.Backend) {
		env, _, secrets := usersFixture(t, backend)
		out, err := runUsersOut(t, env, secrets, "list")
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 3 {
			t.Fatalf("want a header and two rows, got:\n%s", out)
		}
		for _, col := range []string{"EMAIL", "NAME", "COMPANY", "STATUS", "CREATED", "LAST SIGN-IN"} {
			if !strings.Contains(lines[0], col) {
				t.Errorf("header %q lacks %s", lines[0], col)
			}
		}
		// Newest first; ada has signed in, grace never.
		if !strings.HasPrefix(lines[1], "grace@navy.example") || !strings.Contains(lines[1], "pending") || !strings.HasSuffix(lines[1], " -") {
			t.Errorf("first row %q", lines[1])
		}
		if !strings.HasPrefix(lines[2], "ada@example.com") || !strings.Contains(lines[2], "Ada Lovelace") ||
			!strings.Contains(lines[2], "Analytical Engines") || strings.HasSuffix(lines[2], " -") {
			t.Errorf("second row %q", lines[2])
		}

		out, err = runUsersOut(t, env, secrets, "list", "--q", "ENGINES", "--json")
		if err != nil {
			t.Fatal(err)
		}
		var list []map[string]any
		if err := json.Unmarshal([]byte(out), &list); err != nil {
			t.Fatalf("--json: %v\n%s", err, out)
		}
		if len(list) != 1 || list[0]["email"] != "ada@example.com" || list[0]["status"] != "active" || list[0]["last_sign_in_at"] == nil {
			t.Errorf("--q ENGINES --json = %v", list)
		}
		out, err = runUsersOut(t, env, secrets, "list", "--status", "disabled")
		if err != nil || !strings.Contains(out, "(no accounts)") {
			t.Errorf("--status disabled: %v\n%s", err, out)
		}
	})
}

func TestUsersShow(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend storetest.Backend) {
		env, _, secrets := usersFixture(t, backend)
		out, err := runUsersOut(t, env, secrets, "show", "ADA@example.com")
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Email:", "ada@example.com", "Status:", "active", "Sessions (1):", "192.0.2.7",
			"Firefox/140.0", "Recent events (1):", "login_ok", "Failed sign-ins:", "Locked:", "until "} {
			if !strings.Contains(out, want) {
				t.Errorf("show lacks %q:\n%s", want, out)
			}
		}
		out, err = runUsersOut(t, env, secrets, "show", "--json", "ada@example.com")
		if err != nil {
			t.Fatal(err)
		}
		var v struct {
			Email    string
			Status   string
			Sessions []map[string]any
			Events   []map[string]any
		}
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("--json: %v\n%s", err, out)
		}
		if v.Email != "ada@example.com" || v.Status != "active" || len(v.Sessions) != 1 || len(v.Events) != 1 {
			t.Errorf("show --json = %+v", v)
		}
	})
}

// Each action changes the account, says so, and is refused with a clear
// message (and a non-zero exit) for an unknown address.
func TestUsersActions(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend storetest.Backend) {
		env, st, secrets := usersFixture(t, backend)
		ctx := context.Background()
		ada, _ := st.UserByEmail(ctx, "ada@example.com")

		out, err := runUsersOut(t, env, secrets, "unlock", "ada@example.com")
		if err != nil || !strings.Contains(out, "unlocked") {
			t.Errorf("unlock: %v\n%s", err, out)
		}
		if lt, _ := st.LoginThrottleFor(ctx, ada.ID); lt.Failures != 0 {
			t.Errorf("unlock left %d failures", lt.Failures)
		}

		out, err = runUsersOut(t, env, secrets, "disable", "ada@example.com", "--json")
		if err != nil {
			t.Fatal(err)
		}
		var res map[string]any
		if err := json.Unmarshal([]byte(out), &res); err != nil || res["sessions_ended"] != 1.0 || res["changed"] != true || res["action"] != "disable" {
			t.Errorf("disable --json = %s (%v)", out, err)
		}
		if u, _ := st.UserByEmail(ctx, "ada@example.com"); u.Status != store.UserDisabled {
			t.Errorf("status after disable: %q", u.Status)
		}
		if list, _ := st.SessionsByUser(ctx, ada.ID, time.Now(), time.Hour); len(list) != 0 {
			t.Errorf("%d sessions survived disable", len(list))
		}
		out, err = runUsersOut(t, env, secrets, "enable", "ada@example.com")
		if err != nil || !strings.Contains(out, "now active") {
			t.Errorf("enable: %v\n%s", err, out)
		}

		out, err = runUsersOut(t, env, secrets, "resend-activation", "grace@navy.example")
		if err != nil || !strings.Contains(out, "queued") {
			t.Errorf("resend-activation: %v\n%s", err, out)
		}
		pending, _ := st.OutboxByStatus(ctx, store.OutboxPending, 10)
		if len(pending) != 1 || pending[0].Recipient != "grace@navy.example" || pending[0].Kind != "activation" {
			t.Errorf("outbox after resend-activation: %+v", pending)
		}
		if _, err := runUsersOut(t, env, secrets, "resend-activation", "ada@example.com"); err == nil || !strings.Contains(err.Error(), "not pending") {
			t.Errorf("resend-activation to an active account: %v", err)
		}

		out, err = runUsersOut(t, env, secrets, "end-sessions", "ada@example.com")
		if err != nil || !strings.Contains(out, "0 sessions ended") {
			t.Errorf("end-sessions: %v\n%s", err, out)
		}
		out, err = runUsersOut(t, env, secrets, "delete", "grace@navy.example")
		if err != nil || !strings.Contains(out, "deleted") {
			t.Errorf("delete: %v\n%s", err, out)
		}
		if _, err := st.UserByEmail(ctx, "grace@navy.example"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("grace survived delete: %v", err)
		}
		if pending, _ := st.OutboxByStatus(ctx, store.OutboxPending, 10); len(pending) != 0 {
			t.Errorf("delete left grace's unsent email: %+v", pending)
		}

		for _, cmd := range []string{"show", "disable", "enable", "delete", "resend-activation", "end-sessions", "unlock", "reset-2fa"} {
			out, err := runUsersOut(t, env, secrets, cmd, "nobody@example.com")
			if err == nil || !strings.Contains(err.Error(), `no account with the address "nobody@example.com"`) || out != "" {
				t.Errorf("users %s nobody: err %v, output %q; want a refusal", cmd, err, out)
			}
			if _, ok := errors.AsType[*usageError](err); ok {
				t.Errorf("users %s nobody: a usage error, but the command line was right", cmd)
			}
		}
	})
}

// TestUsersHelpTouchesNothing: help for, and a wrong command line of, the
// users commands is answered before any setting is read or the database
// opened.
func TestUsersHelpTouchesNothing(t *testing.T) {
	for _, args := range [][]string{{"users", "--help"}, {"users", "-h"}, {"users", "show", "--help"}} {
		out, err := untouched(t, args...)
		if err != nil || !strings.Contains(out, "gatehouse users list") {
			t.Errorf("%q: err %v, output %q; want the usage", args, err, out)
		}
	}
	for _, args := range [][]string{
		{"users"}, {"users", "purge"}, {"users", "list", "--nope"}, {"users", "list", "--status", "lost"},
		{"users", "list", "--limit", "0"}, {"users", "list", "ada@example.com"}, {"users", "show"},
		{"users", "show", "not-an-address"}, {"users", "disable", "a@example.com", "b@example.com"},
		{"users", "delete", "--json=maybe", "a@example.com"}, {"users", "unlock", "--status", "active", "a@example.com"},
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

// On a database the command migrates first, --json output is still JSON
// alone: the migration's log line goes elsewhere.
func TestUsersJSONOnFreshDatabase(t *testing.T) {
	dsn := storetest.DSN(t, storetest.SQLite)
	env := func(k string) string { return map[string]string{"DATABASE_URL": dsn}[k] }
	out, err := runOut(t, env, "users", "list", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var list []any
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) != 0 {
		t.Errorf("users list --json on a fresh database printed %q (%v)", out, err)
	}
}

// reset-2fa removes a person's two-step verification, says whether it
// changed anything, and queues the email that tells the owner.
func TestUsersReset2FA(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend storetest.Backend) {
		env, st, secrets := usersFixture(t, backend)
		ctx := context.Background()
		ada, _ := st.UserByEmail(ctx, "ada@example.com")
		out, err := runUsersOut(t, env, secrets, "reset-2fa", "ada@example.com")
		if err != nil || !strings.Contains(out, "nothing changed") {
			t.Errorf("reset-2fa without two-step verification: %v\n%s", err, out)
		}
		if _, err := st.StartTOTPSetup(ctx, ada.ID, "JBSWY3DPEHPK3PXP", time.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := st.UseTOTPStep(ctx, ada.ID, 1, time.Now()); err != nil {
			t.Fatal(err)
		}
		out, err = runUsersOut(t, env, secrets, "reset-2fa", "ada@example.com", "--json")
		if err != nil || !strings.Contains(out, `"changed": true`) && !strings.Contains(out, `"changed":true`) {
			t.Errorf("reset-2fa: %v\n%s", err, out)
		}
		if _, err := st.TOTPSecretFor(ctx, ada.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("reset-2fa left the secret: %v", err)
		}

		pending, _ := st.OutboxByStatus(ctx, store.OutboxPending, 10)
		if len(pending) != 1 || pending[0].Kind != "two_step_off" || !strings.Contains(pending[0].Data, `"ByOperator":"true"`) {
			t.Errorf("outbox %+v", pending)
		}
	})
}

// TestUsersShowTwoStep: show says whether the account has a second
// factor, an authenticator app (since when, with the recovery codes left)
// or passkeys or both, in the table and in --json, and never prints the
// secret, a recovery code or a passkey's key.
func TestUsersShowTwoStep(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend storetest.Backend) {
		env, st, secrets := usersFixture(t, backend)
		ctx := context.Background()
		ada, err := st.UserByEmail(ctx, "ada@example.com")
		if err != nil {
			t.Fatal(err)
		}
		type twoStep struct {
			On                bool       `json:"on"`
			Authenticator     bool       `json:"authenticator_app"`
			AuthenticatorFrom *time.Time `json:"authenticator_app_since"`
			RecoveryCodesLeft int        `json:"recovery_codes_left"`
			Passkeys          int        `json:"passkeys"`
		}
		show := func(wantRow string, want twoStep) {
			t.Helper()
			out, err := runUsersOut(t, env, secrets, "show", "ada@example.com")
			if err != nil {
				t.Fatal(err)
			}
			if !regexp.MustCompile(`(?m)^Two-step:\s+` + regexp.QuoteMeta(wantRow) + `$`).MatchString(out) {
				t.Errorf("show lacks the row %q:\n%s", "Two-step: "+wantRow, out)
			}
			js, err := runUsersOut(t, env, secrets, "show", "ada@example.com", "--json")
			if err != nil {
				t.Fatal(err)
			}
			var v struct {
				TwoStep *twoStep `json:"two_step"`
			}
			if err := json.Unmarshal([]byte(js), &v); err != nil || v.TwoStep == nil {
				t.Fatalf("--json: %v\n%s", err, js)
			}
			got := *v.TwoStep
			if (got.AuthenticatorFrom == nil) != (want.AuthenticatorFrom == nil) ||
				got.AuthenticatorFrom != nil && !got.AuthenticatorFrom.Equal(*want.AuthenticatorFrom) {
				t.Errorf("--json two_step since %v, want %v", got.AuthenticatorFrom, want.AuthenticatorFrom)
			}
			got.AuthenticatorFrom, want.AuthenticatorFrom = nil, nil
			if got != want {
				t.Errorf("--json two_step %+v, want %+v", got, want)
			}
			for _, secret := range []string{"sealed-totp-secret", "recovery-hash", "cred-ada", "public-key-ada"} {
				if strings.Contains(out, secret) || strings.Contains(js, secret) {
					t.Errorf("show prints %q", secret)
				}
			}
		}
		show("no", twoStep{})

		since := time.Now().UTC().Truncate(time.Second)
		if ok, err := st.StartTOTPSetup(ctx, ada.ID, "sealed-totp-secret", since); err != nil || !ok {
			t.Fatal(ok, err)
		}
		// Set up but not confirmed yet: not a second factor.
		show("no", twoStep{})
		if ok, err := st.UseTOTPStep(ctx, ada.ID, 1, since); err != nil || !ok {
			t.Fatal(ok, err)
		}
		if err := st.ReplaceRecoveryCodes(ctx, ada.ID, []string{"recovery-hash-1", "recovery-hash-2", "recovery-hash-3"}, since); err != nil {
			t.Fatal(err)
		}
		show("yes: authenticator app since "+since.Format(time.RFC3339)+" (3 recovery codes left)",
			twoStep{On: true, Authenticator: true, AuthenticatorFrom: &since, RecoveryCodesLeft: 3})

		for i := range 2 {
			if err := st.AddPasskey(ctx, &store.Passkey{UserID: ada.ID, CredentialID: fmt.Sprintf("cred-ada-%d", i), PublicKey: "public-key-ada",
				Name: "Laptop", CreatedAt: since}); err != nil {
				t.Fatal(err)
			}
		}
		show("yes: authenticator app since "+since.Format(time.RFC3339)+" (3 recovery codes left), 2 passkeys",
			twoStep{On: true, Authenticator: true, AuthenticatorFrom: &since, RecoveryCodesLeft: 3, Passkeys: 2})
		if _, err := st.DeleteSecondFactor(ctx, ada.ID); err != nil {
			t.Fatal(err)
		}
		show("yes: 2 passkeys", twoStep{On: true, Passkeys: 2})
	})
}
