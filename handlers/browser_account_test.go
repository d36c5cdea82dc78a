package handlers_test

import (
	"testing"

	"gatehouse/internal/store/storetest"
)

// TestBrowserChangePassword: a refused password change comes back to
// /account (a reload posts nothing again) with every problem named at
// once; with script on, the new password's checklist follows the typing.
func TestBrowserChangePassword(t *testing.T) {
	b := newUIBrowser(t)
	for _, c := range []struct {
		name  string
		js    bool
		width int64
	}{
		{"js-on", true, uiDesktop},
		{"js-off", false, uiPhone},
	} {
		t.Run(c.name, func(t *testing.T) {
			app := newApp(t, storetest.SQLite)
			email := "ada." + c.name + "@example.com"
			app.signUp(email)
			u := b.open(t, app, uiOptions{JS: c.js, Width: c.width})
			u.visit("/login")
			u.signIn(email, goodPassword)

			if c.js {
				u.fill("#f-password", "Lovelace Analytical Engines")
				u.waitFor("the checklist to see the name", `[...document.querySelectorAll('#password-checklist li')].some(li => li.textContent.includes('Not yet:Not built from your name'))`)
			} else {
				u.fill("#f-password", "short")
			}
			u.fill("#f-current_password", "not my password at all")
			u.fill("#f-password_confirm", "something else")
			u.clickText("Change Password")
			u.expectText("That isn't your current password.")
			u.expectText("The two passwords don't match.")
			if p := u.path(); p != "/account" {
				t.Fatalf("a refused change left %s in the address bar", p)
			}
			u.checkPage("account-password-refused")
		})
	}
}
