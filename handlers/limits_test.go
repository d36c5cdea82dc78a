package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"gatehouse/internal/account"
	"gatehouse/internal/ratelimit"
	"gatehouse/internal/store/storetest"
)

func smallLimits(o *appOptions) {
	o.limits = account.Limits{
		EmailPerAddress:   ratelimit.Rule{Max: 3, Window: time.Hour},
		EmailPerIP:        ratelimit.Rule{Max: 6, Window: time.Hour},
		LoginPerIP:        ratelimit.Rule{Max: 12, Window: 15 * time.Minute},
		LoginFreeFailures: 3,
		LoginMaxDelay:     time.Minute,
		LoginHardCap:      6,
	}
}

// looseLimits lets a test send as much as it needs.
func looseLimits() account.Limits {
	loose := ratelimit.Rule{Max: 1_000_000, Window: time.Hour}
	return account.Limits{EmailPerAddress: loose, EmailPerIP: loose, LoginPerIP: loose, LoginFreeFailures: 1000, LoginMaxDelay: time.Second}
}

// only keeps one limit of smallLimits tight, loosening the others, so a
// test sees the limit it is about.
func only(which string) func(*appOptions) {
	return func(o *appOptions) {
		smallLimits(o)
		loose := ratelimit.Rule{Max: 1000, Window: time.Hour}
		if which != "address" {
			o.limits.EmailPerAddress = loose
		}
		if which != "ip" {
			o.limits.EmailPerIP = loose
		}
		if which != "login-ip" {
			o.limits.LoginPerIP = loose
		}
	}
}

func mustLimited(t *testing.T, p page) {
	t.Helper()
	must(t, p, http.StatusTooManyRequests, "Too many attempts")
	if s, err := strconv.Atoi(p.Header.Get("Retry-After")); err != nil || s < 1 {
		t.Fatalf("Retry-After = %q, want seconds", p.Header.Get("Retry-After"))
	}
}

// Rule 5: a flood of sign-ups or resets for one address sends at most the
// limit, then a clear, translated 429 with Retry-After, the same for a
// known and an unknown address; the window passing lifts it.
func TestRule05EmailLimitPerAddress(t *testing.T) {
	for _, backend := range []storetest.Backend{storetest.SQLite, storetest.Postgres} {
		t.Run(string(backend), func(t *testing.T) {
			app := newApp(t, backend, only("address"))
			app.signUp("known@example.com") // one email counted
			var bodies []string
			for _, addr := range []string{"known@example.com", "unknown@example.com"} {
				b := app.Browser()
				b.head.Set("X-Test", addr)
				for range 3 - map[string]int{"known@example.com": 1}[addr] {
					mustRedirect(t, b.Post("/password/forgot", url.Values{"email": {addr}}), "/password/forgot/sent")
				}
				p := b.Post("/password/forgot", url.Values{"email": {addr}})
				mustLimited(t, p)
				bodies = append(bodies, p.Body)
			}
			if bodies[0] != bodies[1] {
				t.Fatal("the over-limit answer differs between a known and an unknown address")
			}
			if n := len(app.Mail("known@example.com")); n > 4 {
				t.Fatalf("%d emails to one address, want at most the limit", n)
			}
			app.Advance(time.Hour + time.Second)
			mustRedirect(t, app.Browser().Post("/password/forgot", url.Values{"email": {"known@example.com"}}), "/password/forgot/sent")
		})
	}
}

// Rule 5: one IP cannot send mail to many addresses.
func TestRule05EmailLimitPerIP(t *testing.T) {
	app := newApp(t, storetest.SQLite, only("ip"))
	b := app.Browser()
	for i := range 6 {
		mustRedirect(t, b.Post("/register", registration("flood"+strconv.Itoa(i)+"@example.com")), "/register/sent")
	}
	mustLimited(t, b.Post("/register", registration("flood-last@example.com")))
}

// Rule 22: wrong passwords on one account bring growing delays; during
// one even the right password gets the same answer as a wrong one; the
// delay passes; success resets the count; "Forgot password?" always works;
// past the hard cap only a reset opens the account, and it does.
func TestRule22SignInThrottle(t *testing.T) {
	for _, backend := range []storetest.Backend{storetest.SQLite, storetest.Postgres} {
		t.Run(string(backend), func(t *testing.T) {
			app := newApp(t, backend, only("account"))
			app.signUp("owner@example.com")
			wrong := url.Values{"email": {"owner@example.com"}, "password": {"not the password at all"}}
			right := url.Values{"email": {"owner@example.com"}, "password": {goodPassword}}
			b := app.Browser()
			var wrongBody string
			for range 4 { // 3 free, the 4th locks for a second
				p := b.Post("/login", wrong)
				must(t, p, http.StatusUnauthorized)
				wrongBody = p.Body
			}
			p := b.Post("/login", right)
			must(t, p, http.StatusUnauthorized)
			if p.Body != wrongBody {
				t.Fatal("a throttled sign-in looks different from a wrong password")
			}
			mustRedirect(t, b.Post("/password/forgot", url.Values{"email": {"owner@example.com"}}), "/password/forgot/sent")
			app.Advance(2 * time.Second)
			mustRedirect(t, app.Browser().Post("/login", right), "/account")

			// The count restarted: three more wrong ones are free again.
			for range 3 {
				must(t, b.Post("/login", wrong), http.StatusUnauthorized)
			}
			mustRedirect(t, app.Browser().Post("/login", right), "/account")

			// Hard cap: six failures lock until a reset.
			for range 6 {
				b.Post("/login", wrong)
				app.Advance(2 * time.Minute)
			}
			app.Advance(24 * time.Hour)
			must(t, app.Browser().Post("/login", right), http.StatusUnauthorized)
			r := app.Browser()
			mustRedirect(t, r.Post("/password/forgot", url.Values{"email": {"owner@example.com"}}), "/password/forgot/sent")
			mustRedirect(t, r.Get(app.LastLink("owner@example.com", "/password/reset")), "/password/reset")
			fresh := "a brand new passphrase for me"
			mustRedirect(t, r.Post("/password/reset", url.Values{"password": {fresh}, "password_confirm": {fresh}}), "/login?notice=password_reset")
			mustRedirect(t, app.Browser().Post("/login", url.Values{"email": {"owner@example.com"}, "password": {fresh}}), "/account")
		})
	}
}

// Rule 22: a separate per-IP limit on sign-in attempts.
func TestRule22SignInLimitPerIP(t *testing.T) {
	app := newApp(t, storetest.SQLite, only("login-ip"))
	b := app.Browser()
	for i := range 12 {
		p := b.Post("/login", url.Values{"email": {"nobody" + strconv.Itoa(i) + "@example.com"}, "password": {"whatever it is"}})
		must(t, p, http.StatusUnauthorized)
	}
	mustLimited(t, b.Post("/login", url.Values{"email": {"nobody@example.com"}, "password": {"whatever it is"}}))
}

// Rules 27 and 31 from the account page: changing the password needs the
// current one, keeps this session, ends the others, and sends the
// "password changed" email.
func TestChangePassword(t *testing.T) {
	app := newApp(t, storetest.SQLite, only("account"))
	app.signUp("change@example.com")
	here := app.signIn("change@example.com", goodPassword)
	elsewhere := app.signIn("change@example.com", goodPassword)
	must(t, here.Get("/account"), http.StatusOK, "Change password", `autocomplete="current-password"`)

	fresh := "an entirely new passphrase now"
	p := here.Post("/account/password", url.Values{"current_password": {"wrong guess here"}, "password": {fresh}, "password_confirm": {fresh}})
	must(t, p, http.StatusUnprocessableEntity, "current password")
	p = here.Post("/account/password", url.Values{"current_password": {goodPassword}, "password": {"short"}, "password_confirm": {"short"}})
	must(t, p, http.StatusUnprocessableEntity, "Use at least 15 characters.")

	p = here.Post("/account/password", url.Values{"current_password": {goodPassword}, "password": {fresh}, "password_confirm": {fresh}})
	mustRedirect(t, p, "/account?notice=password_changed")
	must(t, here.Follow(p), http.StatusOK, "Your password has been changed.")
	mustRedirect(t, elsewhere.Get("/account"), "/login")
	if m := app.Mail("change@example.com"); m[len(m)-1].Subject != "Your Gatehouse password was changed" {
		t.Fatalf("last email %q", m[len(m)-1].Subject)
	}
	must(t, app.Browser().Post("/login", url.Values{"email": {"change@example.com"}, "password": {goodPassword}}), http.StatusUnauthorized)
	mustRedirect(t, app.Browser().Post("/login", url.Values{"email": {"change@example.com"}, "password": {fresh}}), "/account")
}
