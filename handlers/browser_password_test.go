package handlers_test

import (
	"testing"

	"github.com/chromedp/chromedp/kb"

	"gatehouse/internal/store/storetest"
)

// TestBrowserPasswordToggleOrder: on the sign-in page, Tab from the email
// lands in the password field, so a passphrase with spaces is typed into
// it and Enter signs in; the show-password toggle comes after the input,
// says "Hide password" once the password shows, and is at least 24×24 px
// (WCAG 2.5.8).
func TestBrowserPasswordToggleOrder(t *testing.T) {
	b := newUIBrowser(t)
	app := newApp(t, storetest.SQLite)
	app.signUp("toggle@example.com")
	for _, width := range []int64{uiPhone, uiDesktop} {
		u := b.open(t, app, uiOptions{JS: true, Width: width})
		u.visit("/login")
		u.waitVisible("[data-toggle-password]")
		u.fill("#f-email", "toggle@example.com")
		u.tab()
		u.mustFocus("#f-password")
		u.press(goodPassword)
		if got := u.value("#f-password"); got != goodPassword {
			t.Fatalf("password field holds %q after typing a passphrase, want %q", got, goodPassword)
		}
		if got := u.attr("#f-password", "type"); got != "password" {
			t.Fatalf("typing toggled the password to type=%q", got)
		}
		u.tab()
		if got := uiEval[bool](u, `document.activeElement.matches('[data-toggle-password][aria-controls=f-password]')`); !got {
			t.Fatalf("Tab after the password went to %s, want the toggle", u.focused())
		}
		type size struct{ W, H float64 }
		s := uiEval[size](u, `(() => { const r = document.activeElement.getBoundingClientRect(); return {W: r.width, H: r.height}; })()`)
		if s.W < 24 || s.H < 24 {
			t.Errorf("toggle is %.0f×%.0f px, want at least 24×24", s.W, s.H)
		}
		u.press(" ")
		if got := u.attr("#f-password", "type"); got != "text" {
			t.Fatalf("the toggle left type=%q", got)
		}
		if got := u.text("[data-toggle-password][aria-controls=f-password]"); got != "Hide password" {
			t.Errorf("toggle reads %q with the password shown, want %q", got, "Hide password")
		}
		u.checkPage("login-password-shown")
		u.shiftTab()
		u.mustFocus("#f-password")
		u.press(kb.Enter)
		u.waitFor("the account page", `location.pathname === '/account'`)
	}
}
