package handlers_test

import (
	"net/http"
	"net/url"
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
