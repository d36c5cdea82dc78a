package handlers_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"gatehouse/internal/ratelimit"

	"gatehouse/internal/store/storetest"
)

// Rules 1 and 29 through the code step: after a forgot-password or a
// sign-up request, every answer a browser can get (a wrong code, again and
// again until the guesses run out, the check-your-inbox page, send again)
// is the same bytes and headers for an active, a pending and an unknown
// address (of the same length, since the page names it), once the address
// itself is masked.
func TestCodeStepAnswersAlike(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend, func(o *appOptions) { o.limits = looseLimits() })
		app.signUp("actv@example.com")
		mustRedirect(t, app.Browser().Post("/register", registration("pend@example.com")), "/register/sent")

		for _, flow := range []struct {
			name, start, sent, verify, resend string
			form                              func(email string) url.Values
		}{
			{"forgot", "/password/forgot", "/password/forgot/sent", "/password/forgot/verify", "/password/forgot/resend",
				func(email string) url.Values { return url.Values{"email": {email}} }},
			{"sign-up", "/register", "/register/sent", "/register/verify", "/register/resend", registration},
		} {
			t.Run(flow.name, func(t *testing.T) {
				var want []string
				for i, email := range []string{"actv@example.com", "pend@example.com", "unkn@example.com"} {
					b := app.Browser()
					mustRedirect(t, b.Post(flow.start, flow.form(email)), flow.sent)
					var got []string
					add := func(what string, p page) {
						got = append(got, what+"\n"+p.Status+"\n"+secHeaders(p.Header)+"\n"+secMaskEmail(p.Body, email))
					}
					add("sent page", b.Get(flow.sent))
					for n := range 7 {
						add("wrong code "+string(rune('1'+n)), b.Post(flow.verify, url.Values{"code": {"000000"}}))
					}
					add("send again", b.Post(flow.resend, nil))
					if i == 0 {
						want = got
						continue
					}
					for j := range want {
						if got[j] != want[j] {
							t.Errorf("%s: answer %d differs from the active address's:\n%s\nwant:\n%s", email, j, got[j], want[j])
						}
					}
				}
			})
		}
	})
}

// Rule 11: each email brings a fresh code, but an address takes only so
// many wrong codes a day across all of them; then only the link works, and
// the page says so alike for every address.
func TestCodeBudgetPerAddress(t *testing.T) {
	app := newApp(t, storetest.SQLite, func(o *appOptions) {
		o.limits = looseLimits()
		o.limits.CodesPerAddress = ratelimit.Rule{Max: 10, Window: 24 * time.Hour}
	})
	app.signUp("active@example.com")
	for _, email := range []string{"active@example.com", "unknown@example.com"} {
		guesses := 0
		for range 3 {
			b := app.Browser()
			mustRedirect(t, b.Post("/password/forgot", url.Values{"email": {email}}), "/password/forgot/sent")
			for n := range 5 {
				p := b.Post("/password/forgot/verify", url.Values{"code": {"000000"}})
				guesses++
				switch {
				case guesses > 10:
					must(t, p, http.StatusUnprocessableEntity, "Too many wrong codes for this address today")
				case n == 4: // each email's code takes five guesses
					must(t, p, http.StatusUnprocessableEntity, "no longer works")
				default:
					must(t, p, http.StatusUnprocessableEntity, "isn&#39;t right")
				}
			}
		}
	}
	// The link still works for the owner.
	b := app.Browser()
	mustRedirect(t, b.Post("/password/forgot", url.Values{"email": {"active@example.com"}}), "/password/forgot/sent")
	mustRedirect(t, b.Get(app.LastLink("active@example.com", "/password/reset")), "/password/reset")
}

// A never-activated account that asks to recover gets an activation email,
// and its code works where the page asks for it: on the forgot-password
// page, leading on to "Set Password".
func TestForgotCodeOfAPendingAccount(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		mustRedirect(t, app.Browser().Post("/register", registration("pending@example.com")), "/register/sent")
		b := app.Browser()
		mustRedirect(t, b.Post("/password/forgot", url.Values{"email": {"pending@example.com"}}), "/password/forgot/sent")
		mustRedirect(t, b.Post("/password/forgot/verify", url.Values{"code": {app.lastCode("pending@example.com")}}), "/password/set")
		must(t, b.Get("/password/set"), http.StatusOK, "Set Password")
		mustRedirect(t, b.Post("/password/set", url.Values{"password": {goodPassword}, "password_confirm": {goodPassword}}), "/login?notice=password_set")
		app.signIn("pending@example.com", goodPassword)
	})
}
