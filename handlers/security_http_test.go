package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gatehouse/internal/store/storetest"
)

// TestRule32CrossSitePostsRefused checks SECURITY.md rule 32: a cross-site
// form post is refused with 403 and changes nothing, while the same post
// from the site itself works.
func TestRule32CrossSitePostsRefused(t *testing.T) {
	crossSite := []struct {
		name string
		hdr  map[string]string
	}{
		{"Sec-Fetch-Site", map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{"Origin", map[string]string{"Origin": "http://evil.example"}},
	}
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		app.signUp("victim@example.com")
		victim := app.signIn("victim@example.com", goodPassword)
		creds := url.Values{"email": {"victim@example.com"}, "password": {goodPassword}}

		for _, cs := range crossSite {
			t.Run(cs.name, func(t *testing.T) {
				cases := []struct {
					name  string
					b     *browser
					path  string
					form  url.Values
					check func(t *testing.T, p page)
				}{
					{"login", app.Browser(), "/login", creds, func(t *testing.T, p page) {
						if ck := secSessionCookie(p, secSession); ck != nil && ck.Value != "" {
							t.Fatal("cross-site login issued a session")
						}
					}},
					{"register", app.Browser(), "/register", registration("csrf-new@example.com"), func(t *testing.T, p page) {
						secNoUser(t, app.Store, "csrf-new@example.com")
					}},
					{"logout", victim, "/logout", nil, func(t *testing.T, p page) {
						must(t, victim.Get("/account"), http.StatusOK)
					}},
					{"forgot", app.Browser(), "/password/forgot", url.Values{"email": {"victim@example.com"}}, nil},
					{"end other sessions", victim, "/account/sessions/end-others", nil, nil},
					{"change email", victim, "/account/email", url.Values{"new_email": {"evil@example.net"}, "email_password": {goodPassword}}, nil},
					{"delete account", victim, "/account/delete", url.Values{"current_password": {goodPassword}}, func(t *testing.T, p page) {
						secUser(t, app.Store, "victim@example.com")
					}},
					{"export", victim, "/account/export", nil, func(t *testing.T, p page) {
						if strings.Contains(p.Body, "victim@example.com") {
							t.Fatal("a cross-site export answered the data")
						}
					}},
					{"profile", victim, "/account/profile", url.Values{"first_name": {"Evil"}, "last_name": {"X"}, "company": {"X"}, "country": {"GB"}}, func(t *testing.T, p page) {
						if u := secUser(t, app.Store, "victim@example.com"); u.FirstName == "Evil" {
							t.Fatal("a cross-site post changed the profile")
						}
					}},
					{"end one session", victim, "/account/sessions/end", url.Values{"session": {"1"}}, nil},
				}
				for _, c := range cases {
					t.Run(c.name, func(t *testing.T) {
						mails := secMailTotal(app)
						p := secPost(c.b, c.path, c.form, cs.hdr, "")
						must(t, p, http.StatusForbidden, "Request refused")
						secMustHardeningHeaders(t, p)
						if c.check != nil {
							c.check(t, p)
						}
						if n := secMailTotal(app); n != mails {
							t.Fatalf("cross-site %s queued %d mails", c.name, n-mails)
						}
						must(t, victim.Get("/account"), http.StatusOK)
					})
				}
			})
		}

		// Control: the same posts from the site itself go through.
		same := map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": app.URL}
		mustRedirect(t, secPost(app.Browser(), "/login", creds, same, ""), "/account")
		mustRedirect(t, secPost(app.Browser(), "/register", registration("csrf-new@example.com"), same, ""), "/register/sent")
		secUser(t, app.Store, "csrf-new@example.com")
	})
}

// TestRule35OversizedBodiesRefused checks SECURITY.md rule 35: a 1 MiB form
// gets 413 and no work is done; and rule 34: the hardening headers are on
// the 404, 413 and 405 answers too.
func TestRule35OversizedBodiesRefused(t *testing.T) {
	pad := strings.Repeat("x", 1<<20)
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		login := url.Values{"email": {"big@example.com"}, "password": {pad}}
		register := registration("big@example.com")
		register.Set("company", pad)
		cases := []struct {
			name, path string
			form       url.Values
		}{
			{"login", "/login", login},
			{"register", "/register", register},
			{"forgot", "/password/forgot", url.Values{"email": {"big@example.com"}, "pad": {pad}}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				mails := secMailTotal(app)
				p := app.Browser().Post(c.path, c.form)
				must(t, p, http.StatusRequestEntityTooLarge)
				secMustHardeningHeaders(t, p)
				secNoUser(t, app.Store, "big@example.com")
				if n := secMailTotal(app); n != mails {
					t.Fatalf("oversized %s queued %d mails", c.name, n-mails)
				}
			})
		}

		t.Run("rule 34 headers", func(t *testing.T) {
			b := app.Browser()
			for _, p := range []page{
				b.Get("/no-such-page"),
				b.Post("/login", login),
				b.Get("/logout"),
				secRequest(b, "DELETE", "/login"),
			} {
				if p.StatusCode != http.StatusNotFound && p.StatusCode != http.StatusRequestEntityTooLarge && p.StatusCode != http.StatusMethodNotAllowed {
					t.Fatalf("%s %s: status %d", p.Request.Method, p.Request.URL.Path, p.StatusCode)
				}
				secMustHardeningHeaders(t, p)
			}
		})
	})
}

// TestRule36DatabaseErrorGivesGenericPage checks SECURITY.md rule 36 (and
// rule 34 on the 500): a database failure shows the translated generic page
// with no SQL in it, and issues no session.
func TestRule36DatabaseErrorGivesGenericPage(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		app.signUp("ada@example.com")
		if err := app.Store.Close(); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name, path string
			form       url.Values
		}{
			{"login", "/login", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}}},
			{"register", "/register", registration("new@example.com")},
			{"forgot", "/password/forgot", url.Values{"email": {"ada@example.com"}}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				p := app.Browser().Post(c.path, c.form)
				must(t, p, http.StatusInternalServerError, "Something went wrong")
				secMustHardeningHeaders(t, p)
				low := strings.ToLower(p.Body)
				for _, leak := range []string{"sql", "database is closed", "select", "insert", "goroutine", ".go:"} {
					if strings.Contains(low, leak) {
						t.Errorf("error page contains %q:\n%s", leak, p.Body)
					}
				}
				if ck := secSessionCookie(p, secSession); ck != nil && ck.Value != "" {
					t.Fatal("a session was issued on a database error")
				}
				if p.Header.Get("Set-Cookie") != "" {
					t.Errorf("cookies set on error: %q", p.Header.Values("Set-Cookie"))
				}
			})
		}
	})
}
