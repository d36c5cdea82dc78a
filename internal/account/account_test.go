package account_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"gatehouse/internal/account"
	"gatehouse/internal/password"
	"gatehouse/internal/ratelimit"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
	"gatehouse/internal/token"
)

// baseURL has a path so the tests see links built from it, not from a
// fixed host or the request.
const baseURL = "https://gatehouse.example/app"

const (
	goodPW = "correct horse battery staple"
	newPW  = "tremendous purple giraffe umbrella"
)

var meta = account.Meta{IP: "192.0.2.1", UserAgent: "account_test", Locale: "en"}

// clock is the injectable time source; safe for concurrent readers.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type env struct {
	t   *testing.T
	ctx context.Context
	st  *store.Store
	svc *account.Service
	clk *clock
}

func config() account.Config {
	u, err := url.Parse(baseURL)
	if err != nil {
		panic(err)
	}
	return account.Config{
		BaseURL:         u,
		ActivationTTL:   24 * time.Hour,
		ResetTTL:        45 * time.Minute,
		SessionIdle:     30 * time.Minute,
		SessionAbsolute: 12 * time.Hour,
		Policy:          password.Policy{MinLength: 15, MaxLength: 256},
		Limits:          noRateLimits(),
		// The clock stands still, so every repeat would be a double
		// click; the guard has tests of its own (repeat_test.go).
		RepeatWindow: -1,
	}
}

// noRateLimits keeps the per-account sign-in throttle and drops the
// request limits, which these tests of the flows would otherwise run into.
func noRateLimits() account.Limits {
	l := account.DefaultLimits
	l.EmailPerAddress, l.EmailPerIP, l.LoginPerIP, l.TokenPerIP = ratelimit.Rule{}, ratelimit.Rule{}, ratelimit.Rule{}, ratelimit.Rule{}
	return l
}

// newService is a Service over st with the given hasher, clock and config.
func newService(t testing.TB, st *store.Store, h *password.Hasher, now func() time.Time, cfg account.Config) *account.Service {
	t.Helper()
	svc, err := account.New(account.Deps{Store: st, Hasher: h, Limiter: &ratelimit.Limiter{Counter: st, Now: now}, Now: now}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// newEnv returns a Service over st hashing with p, on a fixed clock.
func newEnv(t *testing.T, st *store.Store, p password.Params, concurrency int) *env {
	return newEnvWith(t, st, p, concurrency, config())
}

// newEnvWith is newEnv with cfg.
func newEnvWith(t *testing.T, st *store.Store, p password.Params, concurrency int, cfg account.Config) *env {
	t.Helper()
	h := password.NewHasher(p, concurrency)
	h.MaxWait = 30 * time.Second // a slow CI machine must not turn into ErrBusy
	clk := &clock{t: time.Date(2030, 1, 2, 9, 0, 0, 0, time.UTC)}
	svc := newService(t, st, h, clk.Now, cfg)
	return &env{t: t, ctx: context.Background(), st: st, svc: svc, clk: clk}
}

func registration(email string) account.Registration {
	return reg(map[string]string{"first_name": "Ada", "last_name": "Lovelace", "company": "Analytical Engines Ltd",
		"country": "GB", "email": email, "accept_terms": "on"})
}

type mail struct {
	store.OutboxMessage
	data map[string]string
}

// mails lists the queued outbox rows for to, oldest first.
func (e *env) mails(to string) []mail {
	e.t.Helper()
	rows, err := e.st.OutboxByStatus(e.ctx, store.OutboxPending, 100)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []mail
	for _, r := range rows {
		if r.Recipient != to {
			continue
		}
		m := mail{OutboxMessage: r, data: map[string]string{}}
		var raw map[string]any
		if err := json.Unmarshal([]byte(r.Data), &raw); err != nil {
			e.t.Fatalf("outbox %d data %q: %v", r.ID, r.Data, err)
		}
		for k, v := range raw {
			m.data[k] = fmt.Sprint(v)
		}
		out = append(out, m)
	}
	return out
}

// lastMail is the newest queued email to to, which must be of kind.
func (e *env) lastMail(to, kind string) mail {
	e.t.Helper()
	ms := e.mails(to)
	if len(ms) == 0 {
		e.t.Fatalf("no email queued for %s", to)
	}
	m := ms[len(ms)-1]
	if m.Kind != kind {
		e.t.Fatalf("last email to %s is %q, want %q", to, m.Kind, kind)
	}
	return m
}

// tokenIn checks that link is BASE_URL + path + ?token=… and returns the token.
func (e *env) tokenIn(link, path string) string {
	e.t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		e.t.Fatalf("link %q: %v", link, err)
	}
	raw := u.Query().Get("token")
	u.RawQuery = ""
	if u.String() != baseURL+path {
		e.t.Errorf("link %q, want %s%s?token=… (rule 13: built from BASE_URL)", link, baseURL, path)
	}
	if !token.WellFormed(raw) {
		e.t.Fatalf("link %q carries no well-formed token", link)
	}
	return raw
}

// register signs email up and returns the raw activation token mailed.
func (e *env) register(email string) string {
	e.t.Helper()
	if _, err := e.svc.Register(e.ctx, registration(email), meta); err != nil {
		e.t.Fatalf("Register(%s): %v", email, err)
	}
	return e.tokenIn(e.lastMail(strings.ToLower(email), account.EmailActivation).data["Link"], "/activate")
}

// activate signs email up and sets pw.
func (e *env) activate(email, pw string) {
	e.t.Helper()
	raw := e.register(email)
	if err := e.svc.Complete(e.ctx, account.Activation, raw, pw, pw, meta); err != nil {
		e.t.Fatalf("SetPassword: %v", err)
	}
}

// requestReset asks for a reset link for email and returns its token.
func (e *env) requestReset(email string) string {
	e.t.Helper()
	if _, err := e.svc.Request(e.ctx, account.Recovery, email, meta); err != nil {
		e.t.Fatalf("RequestReset(%s): %v", email, err)
	}
	return e.tokenIn(e.lastMail(email, account.EmailReset).data["Link"], "/password/reset")
}

func (e *env) user(email string) *store.User {
	e.t.Helper()
	u, err := e.st.UserByEmail(e.ctx, email)
	if err != nil {
		e.t.Fatalf("UserByEmail(%s): %v", email, err)
	}
	return u
}

func wantErr(t *testing.T, what string, got, want error) {
	t.Helper()
	if !errors.Is(got, want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// Rules 1, 9 and 13: every registration answers nil; the email differs
// (activation, fresh activation, "already registered"), its links come from
// BASE_URL, and a fresh activation link revokes the older one.
func TestRegisterEmails(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, password.DefaultParams, 4)
		first := e.register("Ada@Example.com")
		m := e.lastMail("ada@example.com", account.EmailActivation)
		if want := e.clk.Now().Add(24 * time.Hour).Format(time.RFC3339); m.data["ExpiresAt"] != want {
			t.Errorf("activation ExpiresAt = %q, want %q", m.data["ExpiresAt"], want)
		}
		if m.data["FirstName"] != "Ada" {
			t.Errorf("activation FirstName = %q", m.data["FirstName"])
		}
		if u := e.user("ada@example.com"); u.Email != "ada@example.com" || u.Status != store.UserPending || u.PasswordHash != "" {
			t.Errorf("after Register: email %q status %q hash %q", u.Email, u.Status, u.PasswordHash)
		}

		// Pending again: a fresh link, and the first one is dead (rule 9).
		second := e.register("ada@example.com")
		if first == second {
			t.Fatal("second registration mailed the same token")
		}
		_, err := e.svc.CheckToken(e.ctx, account.Activation, first)
		wantErr(t, "CheckToken(first activation link after a second registration)", err, account.ErrInvalidToken)
		if err := e.svc.Complete(e.ctx, account.Activation, second, goodPW, goodPW, meta); err != nil {
			t.Fatalf("SetPassword(second link): %v", err)
		}
		changed := e.lastMail("ada@example.com", account.EmailPasswordChanged)
		if changed.data["Initial"] != "true" {
			t.Errorf("password_changed after activation: Initial = %q, want true", changed.data["Initial"])
		}
		// Who set it, so an owner who did not can tell where it came from.
		if changed.data["IP"] != meta.IP || changed.data["Device"] != account.DeviceName(meta.UserAgent) {
			t.Errorf("password_changed names IP %q, device %q; want %q, %q", changed.data["IP"], changed.data["Device"], meta.IP, account.DeviceName(meta.UserAgent))
		}

		// Active: same nil answer, an "already registered" email, no token.
		before := len(e.mails("ada@example.com"))
		if _, err := e.svc.Register(e.ctx, registration(" ADA@example.COM "), meta); err != nil {
			t.Fatalf("Register(existing active): %v", err)
		}
		if n := len(e.mails("ada@example.com")); n != before+1 {
			t.Fatalf("Register(existing active) queued %d emails, want 1", n-before)
		}
		ar := e.lastMail("ada@example.com", account.EmailAlreadyRegistered)
		if ar.data["LoginURL"] != baseURL+"/login?lang=en" || ar.data["ResetURL"] != baseURL+"/password/forgot?lang=en" {
			t.Errorf("already_registered links = %q, %q; want from BASE_URL", ar.data["LoginURL"], ar.data["ResetURL"])
		}
		if strings.Contains(ar.Data, "token=") {
			t.Errorf("already_registered email carries a token: %s", ar.Data)
		}
	})
}

// Rule 7: of 20 concurrent submissions of one reset token exactly one
// succeeds; the rest get ErrInvalidToken.
func TestResetTokenSingleUse(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, password.DefaultParams, 4)
		e.activate("ada@example.com", goodPW)
		raw := e.requestReset("ada@example.com")

		const n = 20
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				errs[i] = e.svc.Complete(e.ctx, account.Recovery, raw, newPW, newPW, meta)
			})
		}
		close(start)
		wg.Wait()
		ok, invalid := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, account.ErrInvalidToken):
				invalid++
			default:
				t.Errorf("ResetPassword: unexpected error %v", err)
			}
		}
		if ok != 1 || invalid != n-1 {
			t.Errorf("%d successes and %d ErrInvalidToken, want 1 and %d", ok, invalid, n-1)
		}
		if got := len(e.mails("ada@example.com")); got != 4 { // activation, password set, reset, password changed
			t.Errorf("%d emails queued, want 4 (one password_changed only)", got)
		}
		if _, err := e.svc.Login(e.ctx, "ada@example.com", newPW, "", meta); err != nil {
			t.Errorf("Login with the new password: %v", err)
		}
	})
}

// Rule 8: an activation link dies after ActivationTTL and a reset link
// after ResetTTL, by the injected clock.
func TestTokenLifetimes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		t.Run("activation", func(t *testing.T) {
			e := newEnv(t, st, password.DefaultParams, 4)
			raw := e.register("act@example.com")
			e.clk.Add(24*time.Hour - time.Minute)
			if _, err := e.svc.CheckToken(e.ctx, account.Activation, raw); err != nil {
				t.Fatalf("CheckToken a minute before expiry: %v", err)
			}
			e.clk.Add(2 * time.Minute) // 24h + 1m after it was sent
			_, err := e.svc.CheckToken(e.ctx, account.Activation, raw)
			wantErr(t, "CheckToken 24h+1m after", err, account.ErrInvalidToken)
			wantErr(t, "SetPassword 24h+1m after", e.svc.Complete(e.ctx, account.Activation, raw, goodPW, goodPW, meta), account.ErrInvalidToken)
			if u := e.user("act@example.com"); u.Status != store.UserPending || u.PasswordHash != "" {
				t.Errorf("expired activation changed the account: status %q", u.Status)
			}
		})
		t.Run("reset", func(t *testing.T) {
			e := newEnv(t, st, password.DefaultParams, 4)
			e.activate("reset@example.com", goodPW)
			raw := e.requestReset("reset@example.com")
			if want := e.clk.Now().Add(45 * time.Minute).Format(time.RFC3339); e.lastMail("reset@example.com", account.EmailReset).data["ExpiresAt"] != want {
				t.Errorf("reset ExpiresAt, want %s", want)
			}
			e.clk.Add(44 * time.Minute)
			if _, err := e.svc.CheckToken(e.ctx, account.Recovery, raw); err != nil {
				t.Fatalf("CheckToken after 44m: %v", err)
			}
			e.clk.Add(2 * time.Minute)
			_, err := e.svc.CheckToken(e.ctx, account.Recovery, raw)
			wantErr(t, "CheckToken after 46m", err, account.ErrInvalidToken)
			wantErr(t, "ResetPassword after 46m", e.svc.Complete(e.ctx, account.Recovery, raw, newPW, newPW, meta), account.ErrInvalidToken)
			if _, err := e.svc.Login(e.ctx, "reset@example.com", goodPW, "", meta); err != nil {
				t.Errorf("old password after an expired reset: %v", err)
			}
		})
	})
}

// Rule 9: tokens are bound to their purpose and user; a new token of a
// purpose revokes the older ones; setting a password revokes open reset
// tokens.
func TestTokenPurpose(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, password.DefaultParams, 4)

		t.Run("activation token at reset", func(t *testing.T) {
			act := e.register("p1@example.com")
			wantErr(t, "ResetPassword(activation token)", e.svc.Complete(e.ctx, account.Recovery, act, goodPW, goodPW, meta), account.ErrInvalidToken)
			_, err := e.svc.CheckToken(e.ctx, account.Recovery, act)
			wantErr(t, "CheckToken(reset, activation token)", err, account.ErrInvalidToken)
			if u := e.user("p1@example.com"); u.Status != store.UserPending {
				t.Errorf("activation token at reset changed the account to %q", u.Status)
			}
			// The wrong-purpose attempt consumed nothing.
			if err := e.svc.Complete(e.ctx, account.Activation, act, goodPW, goodPW, meta); err != nil {
				t.Errorf("SetPassword after the refused reset: %v", err)
			}
		})

		t.Run("reset token at activation", func(t *testing.T) {
			e.activate("p2@example.com", goodPW)
			raw := e.requestReset("p2@example.com")
			wantErr(t, "SetPassword(reset token)", e.svc.Complete(e.ctx, account.Activation, raw, newPW, newPW, meta), account.ErrInvalidToken)
			if err := e.svc.Complete(e.ctx, account.Recovery, raw, newPW, newPW, meta); err != nil {
				t.Errorf("ResetPassword after the refused activation: %v", err)
			}
		})

		t.Run("second request revokes the first", func(t *testing.T) {
			e.activate("p3@example.com", goodPW)
			first := e.requestReset("p3@example.com")
			second := e.requestReset("p3@example.com")
			wantErr(t, "ResetPassword(first link)", e.svc.Complete(e.ctx, account.Recovery, first, newPW, newPW, meta), account.ErrInvalidToken)
			if _, err := e.svc.CheckToken(e.ctx, account.Recovery, second); err != nil {
				t.Errorf("CheckToken(second link): %v", err)
			}
		})

		t.Run("setting a password revokes open reset tokens", func(t *testing.T) {
			act := e.register("p4@example.com")
			u := e.user("p4@example.com")
			now := e.clk.Now()
			raw, hash := token.New()
			if err := st.CreateToken(e.ctx, &store.Token{UserID: u.ID, Purpose: store.PurposeReset, Hash: hash,
				CreatedAt: now, ExpiresAt: now.Add(45 * time.Minute)}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.CheckToken(e.ctx, account.Recovery, raw); err != nil {
				t.Fatalf("CheckToken(open reset token) before the password is set: %v", err)
			}
			if err := e.svc.Complete(e.ctx, account.Activation, act, goodPW, goodPW, meta); err != nil {
				t.Fatal(err)
			}
			wantErr(t, "ResetPassword(reset token open when the password was set)",
				e.svc.Complete(e.ctx, account.Recovery, raw, newPW, newPW, meta), account.ErrInvalidToken)
		})

		t.Run("token of another user is just a token", func(t *testing.T) {
			// A token only ever acts on its own user: resetting with p5's
			// link changes p5, not p6.
			e.activate("p5@example.com", goodPW)
			e.activate("p6@example.com", goodPW)
			raw := e.requestReset("p5@example.com")
			if err := e.svc.Complete(e.ctx, account.Recovery, raw, newPW, newPW, meta); err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.Login(e.ctx, "p6@example.com", goodPW, "", meta); err != nil {
				t.Errorf("p6's password changed by p5's reset: %v", err)
			}
		})
	})
}

// Rule 10: checking a link (what its GET does) consumes nothing; only
// setting the password does.
func TestCheckTokenDoesNotConsume(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, password.DefaultParams, 4)
		raw := e.register("ada@example.com")
		for i := range 3 {
			u, err := e.svc.CheckToken(e.ctx, account.Activation, raw)
			if err != nil {
				t.Fatalf("CheckToken #%d: %v", i+1, err)
			}
			if u.Email != "ada@example.com" {
				t.Fatalf("CheckToken returned %s", u.Email)
			}
		}
		if err := e.svc.Complete(e.ctx, account.Activation, raw, goodPW, goodPW, meta); err != nil {
			t.Fatalf("SetPassword after three checks: %v", err)
		}
		_, err := e.svc.CheckToken(e.ctx, account.Activation, raw)
		wantErr(t, "CheckToken after use", err, account.ErrInvalidToken)
		wantErr(t, "SetPassword twice", e.svc.Complete(e.ctx, account.Activation, raw, newPW, newPW, meta), account.ErrInvalidToken)
		for _, bad := range []string{"", "short", strings.Repeat("A", 43), raw + "x"} {
			_, err := e.svc.CheckToken(e.ctx, account.Activation, bad)
			wantErr(t, "CheckToken("+bad+")", err, account.ErrInvalidToken)
		}
	})
}

// Rules 14, 16 and 36: the policy applies with the user's own data, and a
// refused password consumes no token.
func TestSetPasswordPolicy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, password.DefaultParams, 4)
		raw := e.register("ada@example.com")
		tests := []struct {
			name, pw, confirm, field, id string
		}{
			{"too short", "short", "short", "password", "error.password.too_short"},
			{"too long", strings.Repeat("x", 257), strings.Repeat("x", 257), "password", "error.password.too_long"},
			{"company name", "analytical engines ltd1", "analytical engines ltd1", "password", "error.password.personal"},
			{"mismatch", goodPW, goodPW + "!", "password_confirm", "error.password.mismatch"},
		}
		for _, tt := range tests {
			err := e.svc.Complete(e.ctx, account.Activation, raw, tt.pw, tt.confirm, meta)
			var fe account.FieldErrors
			if !errors.As(err, &fe) || fe[tt.field].ID != tt.id {
				t.Errorf("%s: SetPassword = %v, want %s on %s", tt.name, err, tt.id, tt.field)
			}
		}
		if u := e.user("ada@example.com"); u.Status != store.UserPending || u.PasswordHash != "" {
			t.Errorf("refused passwords changed the account: %q", u.Status)
		}
		if err := e.svc.Complete(e.ctx, account.Activation, raw, goodPW, goodPW, meta); err != nil {
			t.Errorf("SetPassword after refusals (token must be unused): %v", err)
		}
	})
}

// Rules 27, 30 and 31: a reset request changes nothing until completed; the
// reset ends every session, signs nobody in, and mails a notice with
// neither password nor token.
func TestResetFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, password.DefaultParams, 4)
		e.activate("ada@example.com", goodPW)
		sess, err := e.svc.Login(e.ctx, "ada@example.com", goodPW, "", meta)
		if err != nil {
			t.Fatal(err)
		}
		before := e.user("ada@example.com")
		raw := e.requestReset("ada@example.com")
		if after := e.user("ada@example.com"); after.Status != before.Status || after.PasswordHash != before.PasswordHash {
			t.Errorf("RequestReset changed the account (rule 30)")
		}
		if _, err := e.svc.Login(e.ctx, "ada@example.com", goodPW, "", meta); err != nil {
			t.Errorf("old password after RequestReset (rule 30): %v", err)
		}
		if err := e.svc.Complete(e.ctx, account.Recovery, raw, newPW, newPW, meta); err != nil {
			t.Fatal(err)
		}
		_, _, err = e.svc.Authenticate(e.ctx, sess)
		wantErr(t, "Authenticate with a session from before the reset (rule 27)", err, account.ErrNoSession)
		_, err = e.svc.Login(e.ctx, "ada@example.com", goodPW, "", meta)
		wantErr(t, "Login with the old password", err, account.ErrBadCredentials)

		m := e.lastMail("ada@example.com", account.EmailPasswordChanged)
		if m.data["Initial"] != "false" || m.data["ResetURL"] != baseURL+"/password/forgot?lang=en" {
			t.Errorf("password_changed data = %v", m.data)
		}
		for _, secret := range []string{"token=", raw, newPW, goodPW} {
			if strings.Contains(m.Data, secret) {
				t.Errorf("password_changed email data contains %q (rule 31)", secret)
			}
		}

		// A pending address asking for a reset gets a fresh activation link
		// instead; an unknown one a "no account here" notice with no link
		// or code of any account (rule 29), all with nil.
		e.register("pending@example.com")
		n := len(e.mails("pending@example.com"))
		if _, err := e.svc.Request(e.ctx, account.Recovery, "pending@example.com", meta); err != nil {
			t.Fatal(err)
		}
		if got := e.mails("pending@example.com"); len(got) != n+1 || got[n].Kind != account.EmailActivation {
			t.Errorf("reset for a pending account queued %d emails, want one activation", len(got)-n)
		}
		if _, err := e.svc.Request(e.ctx, account.Recovery, "nobody@example.com", meta); err != nil {
			t.Errorf("RequestReset(unknown) = %v, want nil", err)
		}
		got := e.mails("nobody@example.com")
		if len(got) != 1 || got[0].Kind != account.EmailNoAccount {
			t.Fatalf("unknown address got %d emails, want one %s", len(got), account.EmailNoAccount)
		}
		if got[0].data["SignUpURL"] == "" || strings.Contains(got[0].Data, "token=") || strings.Contains(got[0].Data, "Code") {
			t.Errorf("no-account notice %s: want a sign-up link and no token or code", got[0].Data)
		}
	})
}

// Rule 21: unknown email, wrong password and a pending account all get the
// one ErrBadCredentials; so does an over-long password (rule 14).
func TestLoginBadCredentials(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, password.DefaultParams, 4)
		e.activate("ada@example.com", goodPW)
		e.register("pending@example.com")
		tests := []struct {
			name, email, pw string
			ok              bool
		}{
			{"right", "ada@example.com", goodPW, true},
			{"email case-insensitive", "ADA@Example.com", goodPW, true},
			{"unknown email", "nobody@example.com", goodPW, false},
			{"wrong password", "ada@example.com", newPW, false},
			{"password in another case", "ada@example.com", strings.ToUpper(goodPW), false},
			{"password with trailing space", "ada@example.com", goodPW + " ", false},
			{"empty password", "ada@example.com", "", false},
			{"pending account", "pending@example.com", goodPW, false},
			{"pending account empty password", "pending@example.com", "", false},
			{"password over MaxLength", "ada@example.com", goodPW + strings.Repeat("x", 257-len(goodPW)), false},
			{"huge password", "ada@example.com", strings.Repeat("x", 1<<20), false},
			{"over-long email", strings.Repeat("a", 250) + "@example.com", goodPW, false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				sess, err := e.svc.Login(e.ctx, tt.email, tt.pw, "", meta)
				if tt.ok {
					if err != nil || !token.WellFormed(sess) {
						t.Fatalf("Login = %q, %v; want a session token", sess, err)
					}
					return
				}
				if err != account.ErrBadCredentials || sess != "" {
					t.Errorf("Login = %q, %v; want exactly ErrBadCredentials and no session", sess, err)
				}
			})
		}
	})
}

// holdSlot starts a slow hash sharing h's semaphore and returns once it
// holds the only slot; the returned func waits for it to end.
func holdSlot(t *testing.T, h *password.Hasher) func() {
	t.Helper()
	slow := *h
	slow.Params = password.Params{Memory: 32 * 1024, Time: 10, Threads: 1}
	done := make(chan struct{})
	go func() {
		defer close(done)
		slow.Hash(context.Background(), "hold the slot")
	}()
	probe := *h
	probe.Params = password.Params{Memory: 64, Time: 1, Threads: 1}
	probe.MaxWait = time.Millisecond
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := probe.Hash(context.Background(), "probe"); errors.Is(err, password.ErrBusy) {
			return func() { <-done }
		}
		if time.Now().After(deadline) {
			t.Fatal("slow hash never took the slot")
		}
	}
}

// Rule 21: an unknown or pending address still costs an argon2id run (here
// seen as ErrBusy while the only slot is taken); rule 14: an over-long
// password is refused before any hashing.
func TestLoginHashesUnknownButNotOverlong(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		h := password.NewHasher(password.DefaultParams, 1)
		h.MaxWait = 50 * time.Millisecond
		svc := newService(t, st, h, time.Now, config())
		ctx := context.Background()
		if _, err := svc.Register(ctx, registration("pending@example.com"), meta); err != nil {
			t.Fatal(err)
		}
		wait := holdSlot(t, h)
		defer wait()
		_, err := svc.Login(ctx, "nobody@example.com", goodPW, "", meta)
		wantErr(t, "Login(unknown) with hashing saturated", err, account.ErrBusy)
		_, err = svc.Login(ctx, "pending@example.com", goodPW, "", meta)
		wantErr(t, "Login(pending) with hashing saturated", err, account.ErrBusy)
		start := time.Now()
		_, err = svc.Login(ctx, "nobody@example.com", strings.Repeat("x", 257), "", meta)
		wantErr(t, "Login(over-long password) with hashing saturated", err, account.ErrBadCredentials)
		if took := time.Since(start); took > 40*time.Millisecond {
			t.Errorf("over-long password took %v: it waited for the hasher", took)
		}
	})
}

var phcDefault = regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

// Rule 19: a hash stored with weaker parameters is replaced at the next
// successful sign-in, and only then.
func TestLoginRehash(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		old := newEnv(t, st, password.Params{Memory: 8192, Time: 1, Threads: 1}, 4)
		old.activate("ada@example.com", goodPW)
		weak := old.user("ada@example.com").PasswordHash
		if !strings.HasPrefix(weak, "$argon2id$v=19$m=8192,t=1,p=1$") {
			t.Fatalf("stored hash %q, want the weak parameters", weak)
		}

		e := newEnv(t, st, password.DefaultParams, 4)
		_, err := e.svc.Login(e.ctx, "ada@example.com", newPW, "", meta)
		wantErr(t, "Login(wrong password)", err, account.ErrBadCredentials)
		if got := e.user("ada@example.com").PasswordHash; got != weak {
			t.Errorf("a failed sign-in rewrote the hash to %q", got)
		}

		if _, err := e.svc.Login(e.ctx, "ada@example.com", goodPW, "", meta); err != nil {
			t.Fatalf("Login with the weakly hashed password: %v", err)
		}
		strong := e.user("ada@example.com").PasswordHash
		if !phcDefault.MatchString(strong) {
			t.Fatalf("after sign-in the stored hash is %q, want current parameters", strong)
		}
		if _, err := e.svc.Login(e.ctx, "ada@example.com", goodPW, "", meta); err != nil {
			t.Fatalf("Login with the rehashed password: %v", err)
		}
		if got := e.user("ada@example.com").PasswordHash; got != strong {
			t.Errorf("a current hash was rewritten at sign-in")
		}
	})
}

// A session records how the person signed in and when the password was
// entered, on both databases, through the lookup every request makes.
func TestSessionRecordsMethods(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, password.DefaultParams, 4)
		e.activate("ada@example.com", goodPW)
		at := e.clk.Now()
		raw, err := e.svc.Login(e.ctx, "ada@example.com", goodPW, "", meta)
		if err != nil {
			t.Fatal(err)
		}
		e.clk.Add(5 * time.Minute)
		_, sess, err := e.svc.Authenticate(e.ctx, raw)
		if err != nil {
			t.Fatal(err)
		}
		if sess.Methods.String() != "pwd" || sess.ACR() != account.ACRPassword || !sess.AuthTime.Equal(at) {
			t.Errorf("session methods %q acr %s auth_time %s, want pwd, %s, %s", sess.Methods, sess.ACR(), sess.AuthTime, account.ACRPassword, at)
		}
	})
}
