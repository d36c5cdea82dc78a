package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gatehouse/internal/store/storetest"
)

// Rules 27 and 31 from the account page: changing the password needs the
// current one, keeps this session, ends the others, and sends the
// "password changed" email.
func TestChangePassword(t *testing.T) {
	app := newApp(t, storetest.SQLite, only("account"))
	app.signUp("change@example.com")
	here := app.signIn("change@example.com", goodPassword)
	elsewhere := app.signIn("change@example.com", goodPassword)
	must(t, here.Get("/account"), http.StatusOK, "Change Password", `autocomplete="current-password"`)

	fresh := "an entirely new passphrase now"
	p := here.Post("/account/password", url.Values{"current_password": {"wrong guess here"}, "password": {fresh}, "password_confirm": {fresh}})
	mustRefused(t, here, p, "current password")
	p = here.Post("/account/password", url.Values{"current_password": {goodPassword}, "password": {"short"}, "password_confirm": {"short"}})
	mustRefused(t, here, p, "Use at least 15 characters.")

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

// mustRefused is a refused password change: back to the account page by a
// redirect (a reload must not post the passwords again), which shows the
// problems once.
func mustRefused(t *testing.T, b *browser, p page, contains ...string) {
	t.Helper()
	mustRedirect(t, p, "/account#password-title")
	must(t, b.Get("/account"), http.StatusOK, contains...)
	again := b.Get("/account")
	for _, c := range contains {
		if strings.Contains(again.Body, c) {
			t.Fatalf("a reload of the account page still shows %q", c)
		}
	}
}

// A password change names every problem at once, refuses the current
// password as the new one, and has the sign-up form's live checklist,
// scored against the account's own data (issue: it took the current
// password, reported one error at a time and had no checklist).
func TestChangePasswordProblems(t *testing.T) {
	app := newApp(t, storetest.SQLite, only("account"))
	app.signUp("change@example.com")
	b := app.signIn("change@example.com", goodPassword)
	must(t, b.Get("/account"), http.StatusOK, `id="password-checklist"`, `hx-post="/account/password/check"`)

	p := b.Post("/account/password", url.Values{"current_password": {"wrong guess here"}, "password": {"short"}, "password_confirm": {"other"}})
	mustRefused(t, b, p, "That isn&#39;t your current password.", "Use at least 15 characters.", "The two passwords don&#39;t match.")

	p = b.Post("/account/password", url.Values{"current_password": {goodPassword}, "password": {goodPassword}, "password_confirm": {goodPassword}})
	mustRefused(t, b, p, "Your new password must be different from your current one.")
	mustRedirect(t, app.Browser().Post("/login", url.Values{"email": {"change@example.com"}, "password": {goodPassword}}), "/account")

	p = b.Post("/account/password/check", url.Values{"password": {"Analytical Engines Ltd 2030"}, "password_confirm": {""}})
	must(t, p, http.StatusOK, `id="password-checklist"`, `id="confirm-match"`)
	if !strings.Contains(p.Body, "Not yet:</span>Not built from your name") {
		t.Fatalf("the checklist does not see the company name in the password:\n%s", p.Body)
	}
	must(t, app.Browser().Post("/account/password/check", url.Values{"password": {"x"}}), http.StatusSeeOther)
}
