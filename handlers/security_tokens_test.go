package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/ratelimit"
	"gatehouse/internal/store/storetest"
	"gatehouse/internal/token"
)

// TestRule11UnusableLinksLookAlike checks SECURITY.md rule 11: unknown,
// malformed, expired, used and wrong-purpose tokens all get one page.
func TestRule11UnusableLinksLookAlike(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)

		// A used activation link: the account is activated with it.
		b := app.Browser()
		mustRedirect(t, b.Post("/register", registration("used@example.com")), "/register/sent")
		used := app.LastLink("used@example.com", "/activate")
		mustRedirect(t, b.Get(used), "/password/set")
		mustRedirect(t, b.Post("/password/set", url.Values{"password": {goodPassword}, "password_confirm": {goodPassword}}), "/login?notice=password_set")
		// A live reset link of that account.
		app.Mail("used@example.com") // deliver the password-set mail first
		mustRedirect(t, app.Browser().Post("/password/forgot", url.Values{"email": {"used@example.com"}}), "/password/forgot/sent")
		reset := app.LastLink("used@example.com", "/password/reset")
		// A live activation link of a pending account, replaced by a newer one.
		mustRedirect(t, app.Browser().Post("/register", registration("pending@example.com")), "/register/sent")
		revoked := app.LastLink("pending@example.com", "/activate")
		mustRedirect(t, app.Browser().Post("/register", registration("pending@example.com")), "/register/sent")
		pending := app.LastLink("pending@example.com", "/activate")

		// Control: the live links do work, so the refusals below are not a
		// broken route.
		mustRedirect(t, app.Browser().Get(pending), "/password/set")
		mustRedirect(t, app.Browser().Get(reset), "/password/reset")

		unknown, _ := token.New()
		type tc struct{ name, method, target string }
		cases := []tc{
			{"unknown", "GET", "/activate?token=" + unknown},
			{"unknown reset", "GET", "/password/reset?token=" + unknown},
			{"malformed", "GET", "/activate?token=not-a-token"},
			{"malformed symbols", "GET", "/activate?token=" + url.QueryEscape(strings.Repeat("*", 43))},
			{"used", "GET", used},
			{"revoked by a newer link", "GET", revoked},
			{"activation token at reset", "GET", "/password/reset?token=" + secToken(t, pending)},
			{"reset token at activation", "GET", "/activate?token=" + secToken(t, reset)},
			{"unknown posted", "POST", "/password/set?token=" + unknown},
			{"no token posted", "POST", "/password/reset"},
		}
		run := func(c tc) page {
			b := app.Browser()
			if c.method == "POST" {
				return b.Post(c.target, url.Values{"password": {"another long passphrase"}, "password_confirm": {"another long passphrase"}})
			}
			return b.Get(c.target)
		}
		want := run(cases[0])
		must(t, want, http.StatusGone, "This link no longer works")
		check := func(c tc) {
			t.Helper()
			p := run(c)
			if p.StatusCode != want.StatusCode || p.Body != want.Body {
				t.Errorf("%s: status %d and body differ from unknown token's %d:\n%s", c.name, p.StatusCode, want.StatusCode, p.Body)
			}
		}
		for _, c := range cases[1:] {
			check(c)
		}

		// Expired: the live links outlast no lifetime.
		app.Advance(25 * time.Hour)
		check(tc{"expired activation", "GET", pending})
		check(tc{"expired reset", "GET", reset})
	})
}

// TestRule11TokenUseRateLimited checks SECURITY.md rule 11: token uses are
// rate-limited per client IP.
func TestRule11TokenUseRateLimited(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend, func(o *appOptions) { o.tokenRule = ratelimit.Rule{Max: 3, Window: time.Minute} })
		for i := 1; i <= 3; i++ {
			raw, _ := token.New()
			must(t, app.Browser().Get("/activate?token="+raw), http.StatusGone)
		}
		raw, _ := token.New()
		p := app.Browser().Get("/activate?token=" + raw)
		must(t, p, http.StatusTooManyRequests)
		if s, err := strconv.Atoi(p.Header.Get("Retry-After")); err != nil || s < 1 || s > 60 {
			t.Fatalf("Retry-After %q, want 1..60 seconds", p.Header.Get("Retry-After"))
		}
		// Posting a token counts too.
		must(t, app.Browser().Post("/password/reset?token="+raw, url.Values{"password": {"x"}}), http.StatusTooManyRequests)
		// After the window the limit lifts.
		app.Advance(time.Minute + time.Second)
		must(t, app.Browser().Get("/activate?token="+raw), http.StatusGone)
	})
}

// TestRule10And12LinkGetNeverConsumes checks SECURITY.md rules 10 and 12:
// opening an emailed link (as mail scanners do, repeatedly) changes nothing
// and moves the token out of the address bar; every token page sends
// Referrer-Policy: no-referrer and loads nothing third-party.
func TestRule10And12LinkGetNeverConsumes(t *testing.T) {
	cases := []struct {
		name, linkPath, formPath, done string
	}{
		{"activation", "/activate", "/password/set", "/login?notice=password_set"},
		{"reset", "/password/reset", "/password/reset", "/login?notice=password_reset"},
	}
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				app := newApp(t, backend)
				email := c.name + "@example.com"
				if c.name == "activation" {
					mustRedirect(t, app.Browser().Post("/register", registration(email)), "/register/sent")
				} else {
					app.signUp(email)
					app.Mail(email) // deliver the password-set mail first
					mustRedirect(t, app.Browser().Post("/password/forgot", url.Values{"email": {email}}), "/password/forgot/sent")
				}
				link := app.LastLink(email, c.linkPath)
				raw := secToken(t, link)

				noReferrer := func(p page) {
					t.Helper()
					if got := p.Header.Get("Referrer-Policy"); got != "no-referrer" {
						t.Fatalf("%s %s: Referrer-Policy %q, want no-referrer", p.Request.Method, p.Request.URL.Path, got)
					}
				}
				// A scanner opens the link three times, then the person does.
				scanner := app.Browser()
				for range 3 {
					p := scanner.Get(link)
					mustRedirect(t, p, c.formPath)
					noReferrer(p)
					if strings.Contains(p.Header.Get("Location"), raw) || strings.Contains(p.Header.Get("Location"), "token") {
						t.Fatalf("token left in Location %q", p.Header.Get("Location"))
					}
				}
				b := app.Browser()
				p := b.Get(link)
				mustRedirect(t, p, c.formPath)
				noReferrer(p)
				form := b.Get(c.formPath)
				must(t, form, http.StatusOK, `type="password"`)
				noReferrer(form)
				if strings.Contains(form.Body, raw) {
					t.Fatal("form page shows the token")
				}
				for _, attr := range []string{`src="http`, `href="http`, `src="//`, `href="//`, `action="http`} {
					if strings.Contains(form.Body, attr) {
						t.Fatalf("token page loads or links off-site (%s)", attr)
					}
				}

				pw := "a fresh passphrase for " + c.name
				mustRedirect(t, b.Post(c.formPath, url.Values{"password": {pw}, "password_confirm": {pw}}), c.done)
				if u := secUser(t, app.Store, email); u.Status != "active" {
					t.Fatalf("status %q after completing the flow", u.Status)
				}
				mustRedirect(t, app.Browser().Post("/login", url.Values{"email": {email}, "password": {pw}}), "/account")
				// Now it is used up.
				must(t, app.Browser().Get(link), http.StatusGone)
			})
		}
	})
}
