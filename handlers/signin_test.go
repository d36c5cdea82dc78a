package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/store/storetest"
)

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
				must(t, p, http.StatusUnauthorized, "sign-in slows down after several wrong passwords")
				wrongBody = p.Body
			}
			// The owner hears of the lock once, by email: the page must not
			// tell (rule 21).
			throttled := func() (n int) {
				for _, m := range app.Mail("owner@example.com") {
					if strings.Contains(m.Subject, "trying to sign in") {
						n++
					}
				}
				return n
			}
			if n := throttled(); n != 1 {
				t.Fatalf("the lock sent %d emails to the owner, want 1", n)
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
