package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/account"
	"gatehouse/internal/password"
	"gatehouse/internal/paths"
	"gatehouse/internal/ratelimit"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
	"gatehouse/internal/testkit/resendfake"
)

// crossBound is how long a change made elsewhere may take to reach an
// instance's session cache: the README's bound (one second, the
// heartbeat's vouching time) and a margin for a crowded test machine.
const crossBound = 1500 * time.Millisecond

var resetLink = regexp.MustCompile(`https?://[^\s<>"]+/password/reset\?token=[A-Za-z0-9_-]+`)

// TestSessionEndsOnEveryInstance: everything that ends or changes a
// signed-in identity reaches /auth/verify at once on the instance that
// made the change, and within the stated bound on every other one, with
// the session cache on (run starts it) and each instance having just
// answered for that session. On PostgreSQL there are two instances; on
// SQLite one serves, and the command line is the other process.
func TestSessionEndsOnEveryInstance(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend storetest.Backend) {
		dsn := storetest.DSN(t, backend)
		fake := resendfake.New()
		defer fake.Close()
		env := map[string]string{"DATABASE_URL": dsn, "RESEND_API_KEY": "re_test", "RESEND_BASE_URL": fake.URL(), "USER": "ops",
			"RATE_LIMIT_EMAIL_PER_IP": "1000/1h", "RATE_LIMIT_LOGIN_PER_IP": "1000/1h"}
		a := start(t, env)
		b := a
		if backend == storetest.Postgres {
			b = start(t, env)
		}
		st, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		hasher := password.NewHasher(password.DefaultParams, 2)
		pwHash, err := hasher.Hash(context.Background(), pw)
		if err != nil {
			t.Fatal(err)
		}
		base, _ := url.Parse(a.base)
		// The service another instance would run, for the organisation's
		// owner's changes.
		svc, err := account.New(account.Deps{Store: st, Hasher: hasher, Limiter: &ratelimit.Limiter{Counter: st, Now: time.Now}},
			account.Config{BaseURL: base, SessionIdle: 30 * time.Minute, SessionAbsolute: 12 * time.Hour, Policy: password.Policy{MinLength: 15, MaxLength: 256}})
		if err != nil {
			t.Fatal(err)
		}
		// Everyone is a member of one organisation (without one, a
		// signed-in person waits for access and forward auth refuses).
		ctx := context.Background()
		now := time.Now().UTC()
		org := &store.Organisation{PublicID: fmt.Sprintf("org_cached_%d", now.UnixNano()), Name: "Engines", CreatedAt: now, UpdatedAt: now}
		if err := st.CreateOrganisation(ctx, org); err != nil {
			t.Fatal(err)
		}
		n := 0
		role := store.RoleOwner // the first person made owns it
		person := func(t *testing.T) string {
			n++
			email := fmt.Sprintf("cached%d@example.com", n)
			now := time.Now().UTC()
			u := &store.User{Email: email, PublicID: fmt.Sprintf("usr_cached%d_%d", n, now.UnixNano()), FirstName: "Ada", LastName: "Lovelace",
				Company: "Engines", Country: "GB", Locale: "en", Status: store.UserActive, PasswordHash: pwHash,
				CreatedAt: now, UpdatedAt: now, ActivatedAt: &now, PasswordChangedAt: &now}
			if _, err := st.CreateUserIfAbsent(ctx, u); err != nil {
				t.Fatal(err)
			}
			if err := st.AddMembership(ctx, &store.Membership{OrgID: org.ID, UserID: u.ID, Role: role, Status: store.MemberActive, CreatedAt: now, JoinedAt: &now}); err != nil {
				t.Fatal(err)
			}
			role = store.RoleMember
			return email
		}
		ownerEmail := person(t)
		signIn := func(t *testing.T, email string) *client {
			c := a.client(t)
			if code, body := c.post(paths.Login, url.Values{"email": {email}, "password": {pw}}); code != http.StatusOK || !strings.Contains(body, "<title>Your account") {
				t.Fatalf("sign in %s: %d\n%.2000s", email, code, body)
			}
			return c
		}
		// verify is GET /auth/verify on in with c's session (the jar
		// ignores ports, so one client's cookie goes to both instances).
		verify := func(t *testing.T, c *client, in *instance) (int, http.Header) {
			resp, err := c.c.Get(in.base + paths.AuthVerify)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode, resp.Header
		}
		live := func(t *testing.T, c *client) {
			t.Helper()
			for _, in := range []*instance{a, b, a, b} {
				if code, _ := verify(t, c, in); code != http.StatusOK {
					t.Fatalf("verify before the change: %d", code)
				}
			}
		}
		// refused checks the session is refused at once on here (nil: the
		// change came from elsewhere) and within crossBound on the others.
		refused := func(t *testing.T, what string, c *client, here *instance) {
			t.Helper()
			if here != nil {
				if code, _ := verify(t, c, here); code == http.StatusOK {
					t.Errorf("%s: the instance that made the change still answers 200", what)
				}
			}
			for _, in := range []*instance{a, b} {
				if in == here {
					continue
				}
				start := time.Now()
				for {
					code, _ := verify(t, c, in)
					if code != http.StatusOK {
						t.Logf("%s: refused after %v", what, time.Since(start).Round(time.Microsecond))
						break
					}
					if time.Since(start) > crossBound {
						t.Errorf("%s: still 200 after %v", what, crossBound)
						break
					}
					time.Sleep(time.Millisecond)
				}
			}
		}

		t.Run("sign-out", func(t *testing.T) {
			c := signIn(t, person(t))
			live(t, c)
			raw := c.c.Jar.Cookies(base)
			c.post(paths.Logout, nil)
			// The browser forgot the cookie; a stolen copy must not work.
			c.c.Jar.SetCookies(base, raw)
			refused(t, "sign-out", c, a)
		})
		t.Run("end other sessions", func(t *testing.T) {
			email := person(t)
			keep, other := signIn(t, email), signIn(t, email)
			live(t, other)
			if code, _ := keep.post(paths.EndSessions, nil); code != http.StatusOK {
				t.Fatalf("end other sessions: %d", code)
			}
			refused(t, "end other sessions", other, a)
			if code, _ := verify(t, keep, b); code != http.StatusOK {
				t.Errorf("the session that ended the others: %d", code)
			}
		})
		t.Run("password reset", func(t *testing.T) {
			email := person(t)
			c := signIn(t, email)
			live(t, c)
			r := b.client(t)
			r.post(paths.PasswordForgot, url.Values{"email": {email}})
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var link string
			for link == "" && ctx.Err() == nil {
				for _, m := range fake.Emails() {
					if m.To == email {
						link = resetLink.FindString(m.Text)
					}
				}
				time.Sleep(10 * time.Millisecond)
			}
			if link == "" {
				t.Fatal("no reset email")
			}
			r.get(link)
			const newPW = "a different horse battery staple"
			if code, _ := r.post(paths.PasswordReset, url.Values{"password": {newPW}, "password_confirm": {newPW}}); code != http.StatusOK {
				t.Fatalf("reset: %d", code)
			}
			refused(t, "password reset", c, b)
		})
		t.Run("disabled from the command line", func(t *testing.T) {
			email := person(t)
			c := signIn(t, email)
			live(t, c)
			if _, err := runOut(t, func(k string) string { return env[k] }, "users", "disable", email); err != nil {
				t.Fatal(err)
			}
			refused(t, "disable", c, nil)
		})
		t.Run("deleted from the command line", func(t *testing.T) {
			email := person(t)
			c := signIn(t, email)
			live(t, c)
			if _, err := runOut(t, func(k string) string { return env[k] }, "users", "delete", email); err != nil {
				t.Fatal(err)
			}
			refused(t, "delete", c, nil)
		})

		// The owner's changes, made by a service on another store, reach
		// a member's identity everywhere.
		memberEmail := person(t)
		member, _ := st.UserByEmail(ctx, memberEmail)
		oc, mc := signIn(t, ownerEmail), signIn(t, memberEmail)
		var ownerToken string
		for _, ck := range oc.c.Jar.Cookies(base) {
			if strings.HasSuffix(ck.Name, "gatehouse_session") {
				ownerToken = ck.Value
			}
		}
		who, _, err := svc.Authenticate(ctx, ownerToken)
		if err != nil {
			t.Fatal(err)
		}

		t.Run("role change", func(t *testing.T) {
			live(t, mc)
			if _, h := verify(t, mc, b); h.Get("X-Gatehouse-Org-Role") != "member" {
				t.Fatalf("role before: %q", h.Get("X-Gatehouse-Org-Role"))
			}
			if err := svc.ChangeRole(ctx, who, member.PublicID, "admin", account.Meta{}); err != nil {
				t.Fatal(err)
			}
			for _, in := range []*instance{a, b} {
				start := time.Now()
				for {
					if _, h := verify(t, mc, in); h.Get("X-Gatehouse-Org-Role") == "admin" {
						t.Logf("role change: seen after %v", time.Since(start).Round(time.Microsecond))
						break
					}
					if time.Since(start) > crossBound {
						t.Errorf("role change: the old role after %v", crossBound)
						break
					}
					time.Sleep(time.Millisecond)
				}
			}
		})
		t.Run("second-step rule", func(t *testing.T) {
			live(t, mc)
			if err := svc.SetRequireSecondFactor(ctx, who, true, account.Meta{}); err != nil {
				t.Fatal(err)
			}
			refused(t, "second-step rule", mc, nil)
		})
	})
}
