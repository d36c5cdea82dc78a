package handlers_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
	"gatehouse/internal/token"
)

const secSession = "gatehouse_session"

// TestRule21LoginFailuresLookAlike checks SECURITY.md rule 21: unknown
// address, wrong password and a never-activated account get the same
// status, headers and markup (the address the form echoes is masked).
func TestRule21LoginFailuresLookAlike(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		// Addresses of one length, so the echoed value does not change
		// Content-Length.
		app.signUp("active@example.com")
		mustRedirect(t, app.Browser().Post("/register", registration("queued@example.com")), "/register/sent")

		cases := []struct{ name, email, password string }{
			{"unknown address", "absent@example.com", goodPassword},
			{"wrong password", "active@example.com", "not the right passphrase"},
			{"pending account", "queued@example.com", goodPassword},
		}
		var wantHeaders, wantBody string
		for i, c := range cases {
			p := app.Browser().Post("/login", url.Values{"email": {c.email}, "password": {c.password}})
			must(t, p, http.StatusUnauthorized)
			if ck := secSessionCookie(p, secSession); ck != nil && ck.Value != "" {
				t.Fatalf("%s: session issued", c.name)
			}
			headers, body := secHeaders(p.Header), secMaskEmail(p.Body, c.email)
			if i == 0 {
				wantHeaders, wantBody = headers, body
				continue
			}
			if headers != wantHeaders {
				t.Errorf("%s: headers differ from %s:\n%s\nwant:\n%s", c.name, cases[0].name, headers, wantHeaders)
			}
			if body != wantBody {
				t.Errorf("%s: markup differs from %s:\n%s\nwant:\n%s", c.name, cases[0].name, body, wantBody)
			}
		}
	})
}

var secTokenRE = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// TestRule24SessionCookieIsOpaqueAndOnlyHashStored checks SECURITY.md rule
// 24: the cookie is a 32-byte random token; the database keeps its hash.
func TestRule24SessionCookieIsOpaqueAndOnlyHashStored(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		app.signUp("ada@example.com")
		b := app.signIn("ada@example.com", goodPassword)
		must(t, b.Get("/account"), http.StatusOK)
		raw := b.Cookie(secSession)
		if !secTokenRE.MatchString(raw) || !token.WellFormed(raw) {
			t.Fatalf("session cookie %q is not a 43-character base64url token", raw)
		}
		ctx := context.Background()
		u := secUser(t, app.Store, "ada@example.com")
		sess, err := app.Store.SessionByHash(ctx, token.Hash(raw), app.Now(), time.Hour)
		if err != nil {
			t.Fatalf("no session row under the cookie's hash: %v", err)
		}
		if sess.UserID != u.ID || sess.Hash == raw {
			t.Fatalf("session row %+v", sess)
		}
		if _, err := app.Store.SessionByHash(ctx, raw, app.Now(), time.Hour); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a session row is stored under the raw cookie value (%v)", err)
		}
		list, err := app.Store.SessionsByUser(ctx, u.ID, app.Now(), time.Hour)
		if err != nil || len(list) != 1 {
			t.Fatalf("sessions %+v, %v; want 1", list, err)
		}
		for _, s := range list {
			if s.Hash == raw || s.Hash != token.Hash(raw) {
				t.Fatalf("stored hash %q for cookie %q", s.Hash, raw)
			}
		}
		// A second sign-in gets a different token.
		if other := app.signIn("ada@example.com", goodPassword).Cookie(secSession); other == raw {
			t.Fatal("two sign-ins got the same session token")
		}
	})
}

// secSignedIn reports whether a browser holding only this session cookie
// reaches the account page.
func secSignedIn(t *testing.T, app *testApp, raw string) bool {
	t.Helper()
	p := secBrowserWithCookie(app, secSession, raw).Get("/account")
	switch {
	case p.StatusCode == http.StatusOK:
		return true
	case p.StatusCode == http.StatusSeeOther && p.Header.Get("Location") == "/login":
		return false
	}
	t.Fatalf("GET /account: %d %q", p.StatusCode, p.Header.Get("Location"))
	return false
}

func secSessionRow(t *testing.T, app *testApp, raw string) bool {
	t.Helper()
	_, err := app.Store.SessionByHash(context.Background(), token.Hash(raw), app.Now(), time.Hour)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

// TestRule25NewSessionAtLoginAndPostLogout checks SECURITY.md rule 25 (and
// rule 32's "no state change on GET"): signing in replaces the browser's
// session; logout is a POST that deletes the row; GET /logout does nothing.
func TestRule25NewSessionAtLoginAndPostLogout(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		app.signUp("ada@example.com")
		b := app.signIn("ada@example.com", goodPassword)
		old := b.Cookie(secSession)
		if !secSignedIn(t, app, old) {
			t.Fatal("fresh session does not authenticate")
		}

		// Sign in again in the same browser.
		mustRedirect(t, b.Post("/login", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}}), "/account")
		current := b.Cookie(secSession)
		if current == "" || current == old {
			t.Fatalf("session not replaced at sign-in: %q", current)
		}
		if secSignedIn(t, app, old) || secSessionRow(t, app, old) {
			t.Fatal("the previous session still works after signing in again")
		}
		if !secSignedIn(t, app, current) {
			t.Fatal("the new session does not authenticate")
		}

		// GET /logout is refused and changes nothing.
		p := b.Get("/logout")
		must(t, p, http.StatusMethodNotAllowed)
		if !secSignedIn(t, app, current) || b.Cookie(secSession) != current {
			t.Fatal("GET /logout ended the session")
		}

		// POST /logout deletes the row.
		mustRedirect(t, b.Post("/logout", nil), "/login?notice=signed_out")
		if b.Cookie(secSession) != "" {
			t.Fatal("logout left the cookie in the browser")
		}
		if secSessionRow(t, app, current) || secSignedIn(t, app, current) {
			t.Fatal("the session still works after logout")
		}
	})
}

// TestRule26CookieAttributesAndTimeouts checks SECURITY.md rule 26: the
// session cookie's attributes over http and https, and the idle and
// absolute timeouts enforced by the server.
func TestRule26CookieAttributesAndTimeouts(t *testing.T) {
	cases := []struct {
		baseURL, name string
		secure        bool
	}{
		{"http://gatehouse.test", "gatehouse_session", false},
		{"https://gatehouse.test", "__Host-gatehouse_session", true},
	}
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		for _, c := range cases {
			t.Run(c.baseURL, func(t *testing.T) {
				app := newApp(t, backend, func(o *appOptions) { o.baseURL = c.baseURL })
				secSignUpDirect(t, app, "ada@example.com")
				p := app.Browser().Post("/login", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}})
				mustRedirect(t, p, "/account")
				ck := secSessionCookie(p, c.name)
				if ck == nil || ck.Value == "" {
					t.Fatalf("no %s cookie in %q", c.name, p.Header.Values("Set-Cookie"))
				}
				if !ck.HttpOnly || ck.Path != "/" || ck.SameSite != http.SameSiteLaxMode || ck.Domain != "" || ck.Secure != c.secure {
					t.Fatalf("cookie attributes: %q", p.Header.Values("Set-Cookie"))
				}
				if hsts := p.Header.Get("Strict-Transport-Security"); (hsts != "") != c.secure {
					t.Fatalf("Strict-Transport-Security %q with BASE_URL %s", hsts, c.baseURL)
				}
			})
		}

		t.Run("idle timeout", func(t *testing.T) {
			app := newApp(t, backend)
			app.signUp("ada@example.com")
			b := app.signIn("ada@example.com", goodPassword)
			for range 3 {
				app.Advance(29 * time.Minute)
				must(t, b.Get("/account"), http.StatusOK) // activity keeps it alive
			}
			app.Advance(31 * time.Minute)
			mustRedirect(t, b.Get("/account"), "/login")
		})

		t.Run("absolute timeout", func(t *testing.T) {
			app := newApp(t, backend)
			app.signUp("ada@example.com")
			b := app.signIn("ada@example.com", goodPassword)
			raw := b.Cookie(secSession)
			for elapsed := 20 * time.Minute; ; elapsed += 20 * time.Minute {
				app.Advance(20 * time.Minute)
				p := b.Get("/account")
				if elapsed < 12*time.Hour {
					must(t, p, http.StatusOK)
					continue
				}
				mustRedirect(t, p, "/login")
				break
			}
			if secSessionRow(t, app, raw) {
				t.Fatal("session row still valid after the absolute timeout")
			}
		})
	})
}

// TestRule27ResetEndsEverySession checks SECURITY.md rule 27: a password
// reset ends every session of the user.
func TestRule27ResetEndsEverySession(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		app.signUp("ada@example.com")
		b1 := app.signIn("ada@example.com", goodPassword)
		b2 := app.signIn("ada@example.com", goodPassword)
		for _, b := range []*browser{b1, b2} {
			must(t, b.Get("/account"), http.StatusOK)
		}

		app.Mail("ada@example.com") // deliver the password-set mail first
		r := app.Browser()
		mustRedirect(t, r.Post("/password/forgot", url.Values{"email": {"ada@example.com"}}), "/password/forgot/sent")
		// Requesting alone ends nothing.
		must(t, b1.Get("/account"), http.StatusOK)
		mustRedirect(t, r.Get(app.LastLink("ada@example.com", "/password/reset")), "/password/reset")
		pw := "a brand new passphrase here"
		mustRedirect(t, r.Post("/password/reset", url.Values{"password": {pw}, "password_confirm": {pw}}), "/login?notice=password_reset")

		for _, b := range []*browser{b1, b2} {
			mustRedirect(t, b.Get("/account"), "/login")
		}
		u := secUser(t, app.Store, "ada@example.com")
		if list, err := app.Store.SessionsByUser(context.Background(), u.ID, app.Now(), time.Hour); err != nil || len(list) != 0 {
			t.Fatalf("sessions after reset: %+v, %v", list, err)
		}
	})
}

// TestRule27EndOtherSessions checks SECURITY.md rule 27: the account page
// ends every other session and keeps the current one.
func TestRule27EndOtherSessions(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		app.signUp("ada@example.com")
		app.signUp("bob@example.com")
		here := app.signIn("ada@example.com", goodPassword)
		there := app.signIn("ada@example.com", goodPassword)
		bystander := app.signIn("bob@example.com", goodPassword)

		must(t, here.Get("/account"), http.StatusOK, "Sign Out Everywhere Else")
		mustRedirect(t, here.Post("/account/sessions/end-others", nil), "/account?notice=sessions_ended")
		must(t, here.Get("/account"), http.StatusOK)
		mustRedirect(t, there.Get("/account"), "/login")
		must(t, bystander.Get("/account"), http.StatusOK) // another user's session is untouched

		// Without a session the action is refused.
		mustRedirect(t, app.Browser().Post("/account/sessions/end-others", nil), "/login")
		must(t, here.Get("/account"), http.StatusOK)
	})
}
