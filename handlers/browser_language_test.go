package handlers_test

import (
	"testing"

	"gatehouse/internal/store/storetest"
)

// TestBrowserLanguageKeepsForm: switching language on a half-filled
// sign-up form, with script on and off, keeps what was typed; the page
// comes back in the new language, at /register.
func TestBrowserLanguageKeepsForm(t *testing.T) {
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
			u := b.open(t, app, uiOptions{JS: c.js, Width: c.width})
			u.visit("/register")
			u.fill("#f-first_name", "Ada")
			u.fill("#f-last_name", "Lovelace")
			u.fill("#f-email", "ada@example.com")
			u.click("#language-switcher summary")
			u.click(`#language-switcher button[value="de"]`)
			u.expectHeading("Konto erstellen")
			if got := u.attr("html", "lang"); got != "de" {
				t.Fatalf("html lang = %q after switching to German", got)
			}
			for sel, want := range map[string]string{"#f-first_name": "Ada", "#f-last_name": "Lovelace", "#f-email": "ada@example.com"} {
				if got := u.value(sel); got != want {
					t.Errorf("%s = %q after the switch, want %q", sel, got, want)
				}
			}
			if p := u.path(); p != "/register" {
				t.Fatalf("the switch ended at %s", p)
			}
			u.checkPage("register-switched-de")
		})
	}
}
