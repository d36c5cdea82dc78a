package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gatehouse/internal/store/storetest"
)

// TestSignUpAndRecovery walks both flows as a person would, on every
// backend: sign up, activate, set a password, sign in, see the account,
// sign out; then forget the password, reset it, and sign in with the new
// one while the old one is refused.
func TestSignUpAndRecovery(t *testing.T) {
	for _, backend := range []storetest.Backend{storetest.SQLite, storetest.Postgres} {
		t.Run(string(backend), func(t *testing.T) {
			app := newApp(t, backend)
			b := app.Browser()

			login := b.Get("/login")
			must(t, login, http.StatusOK, `href="/register"`, "Don&#39;t have an account? Sign up", "Forgot password?", "/static/htmx.min.js")
			must(t, b.Get("/register"), http.StatusOK, "Send Registration Email", `name="first_name"`, `name="accept_terms"`)

			p := b.Post("/register", registration("Ada@Example.com"))
			mustRedirect(t, p, "/register/sent")
			must(t, b.Follow(p), http.StatusOK, "Check your inbox", "Ada@Example.com")

			mails := app.Mail("ada@example.com")
			if len(mails) != 1 || !strings.Contains(mails[0].HTML, "Activate Registration") || !strings.Contains(mails[0].Text, "Activate Registration") {
				t.Fatalf("activation email: %+v", mails)
			}
			link := app.LastLink("ada@example.com", "/activate")
			if !strings.HasPrefix(link, "http://gatehouse.test/activate?token=") {
				t.Fatalf("link %q not built from BASE_URL", link)
			}

			// Scanners and impatient people open the link several times.
			for range 3 {
				mustRedirect(t, b.Get(link), "/password/set")
			}
			set := b.Get("/password/set")
			must(t, set, http.StatusOK, "Set Password", "ada@example.com", `autocomplete="new-password"`)
			if strings.Contains(set.Request.URL.String(), "token") {
				t.Fatal("token left in the address bar")
			}

			// A weak password is refused with reasons, and nothing is used up.
			p = b.Post("/password/set", url.Values{"password": {"short"}, "password_confirm": {"other"}})
			must(t, p, http.StatusUnprocessableEntity, "Use at least 15 characters.", "The two passwords don&#39;t match.", `aria-invalid="true"`)

			p = b.Post("/password/set", url.Values{"password": {goodPassword}, "password_confirm": {goodPassword}})
			mustRedirect(t, p, "/login?notice=password_set")
			must(t, b.Follow(p), http.StatusOK, "Your password is set.")
			if b.Cookie("gatehouse_session") != "" {
				t.Fatal("setting the password signed the user in")
			}
			if m := app.Mail("ada@example.com"); len(m) != 2 || !strings.Contains(m[1].Subject, "ready") {
				t.Fatalf("want a password-set email, got %+v", m)
			}

			p = b.Post("/login", url.Values{"email": {"ADA@example.com"}, "password": {goodPassword}})
			mustRedirect(t, p, "/account")
			must(t, b.Follow(p), http.StatusOK, "Welcome, Ada Lovelace.", "Analytical Engines Ltd", "United Kingdom", "Sign Out")

			p = b.Post("/logout", nil)
			mustRedirect(t, p, "/login?notice=signed_out")
			mustRedirect(t, b.Get("/account"), "/login")

			// Recovery.
			must(t, b.Get("/password/forgot"), http.StatusOK, "Send Email")
			p = b.Post("/password/forgot", url.Values{"email": {"ada@example.com"}})
			mustRedirect(t, p, "/password/forgot/sent")
			must(t, b.Follow(p), http.StatusOK, "Check your inbox")
			reset := app.LastLink("ada@example.com", "/password/reset")
			if m := app.Mail("ada@example.com"); !strings.Contains(m[len(m)-1].HTML, "Reset Password") {
				t.Fatalf("reset email lacks the button: %s", m[len(m)-1].HTML)
			}
			for range 3 {
				mustRedirect(t, b.Get(reset), "/password/reset")
			}
			must(t, b.Get("/password/reset"), http.StatusOK, "Reset Password")
			newPassword := "a different, longer passphrase"
			p = b.Post("/password/reset", url.Values{"password": {newPassword}, "password_confirm": {newPassword}})
			mustRedirect(t, p, "/login?notice=password_reset")
			if m := app.Mail("ada@example.com"); !strings.Contains(m[len(m)-1].Subject, "changed") {
				t.Fatalf("want a password-changed email, got %q", m[len(m)-1].Subject)
			}

			must(t, b.Post("/login", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}}), http.StatusUnauthorized, "don&#39;t match")
			mustRedirect(t, b.Post("/login", url.Values{"email": {"ada@example.com"}, "password": {newPassword}}), "/account")

			// The used link now gets the expired-link page.
			must(t, b.Get(reset), http.StatusGone, "This link no longer works")
		})
	}
}
