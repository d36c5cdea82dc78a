package handlers_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"gatehouse/internal/store/storetest"
)

// TestBrowserBackKeepsSignUpForm: Back from "check your inbox" shows the
// sign-up form as it was sent, with script on (htmx 4 fetches the page
// again on Back) and off, and "Wrong address? Change it" leads to the same
// filled form, where the address can be corrected and sent again.
func TestBrowserBackKeepsSignUpForm(t *testing.T) {
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
			filled := func(email string) {
				t.Helper()
				for sel, want := range map[string]string{"#f-first_name": "Ada", "#f-last_name": "Lovelace", "#f-company": "Engines", "#f-email": email} {
					if got := u.value(sel); got != want {
						t.Errorf("%s = %q, want %q", sel, got, want)
					}
				}
			}
			u.visit("/register")
			u.fill("#f-first_name", "Ada")
			u.fill("#f-last_name", "Lovelace")
			u.fill("#f-company", "Engines")
			u.fill("#f-email", "ada@exmaple.com")
			u.click("#f-accept_terms")
			u.clickText("Send Registration Email")
			u.expectHeading("Check your inbox")
			u.checkPage("sent-change-address")

			u.run("back", chromedp.NavigateBack())
			u.expectHeading("Create your account")
			u.waitLoaded()
			filled("ada@exmaple.com")
			// Forward again by address: a page restored from the
			// back-forward cache (script off) leaves chromedp's view of the
			// document stale.
			u.visit("/register/sent")
			u.expectHeading("Check your inbox")

			u.clickText("Wrong address? Change it")
			u.expectHeading("Create your account")
			filled("ada@exmaple.com")
			u.checkPage("register-draft")
			u.run("clear email", chromedp.Clear("#f-email"))
			u.fill("#f-email", "ada@example.com")
			u.clickText("Send Registration Email")
			u.expectHeading("Check your inbox")
			u.expectText("ada@example.com")
		})
	}
}
