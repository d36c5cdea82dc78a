package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
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

// TestBrowserPasswordMismatchKeepsGoodInput: a mismatched confirmation,
// with script on and off, keeps the good new password in its field and
// empties only the confirmation; the checklist describes what the fields
// hold, and the mismatch is said once in the form (the summary above only
// links to it). Typing the confirmation again then sets the password.
func TestBrowserPasswordMismatchKeepsGoodInput(t *testing.T) {
	b := newUIBrowser(t)
	for _, js := range []bool{false, true} {
		name := map[bool]string{false: "js-off", true: "js-on"}[js]
		t.Run(name, func(t *testing.T) {
			app := newApp(t, storetest.SQLite)
			addr := name + "@example.com"
			u := b.open(t, app, uiOptions{JS: js, Width: uiPhone})
			u.visit("/register")
			u.fill("#f-first_name", "Ada")
			u.fill("#f-last_name", "Lovelace")
			u.fill("#f-company", "Engines")
			u.fill("#f-email", addr)
			u.click("#f-accept_terms")
			u.clickText("Send Registration Email")
			u.expectHeading("Check your inbox")
			u.visit(app.LastLink(addr, "/activate"))
			u.expectHeading("Set password")
			u.fill("#f-password", goodPassword)
			u.fill("#f-password_confirm", goodPassword+"x")
			u.clickText("Set Password")
			u.waitFor("the error summary", `document.getElementById('error-summary')`)
			u.waitLoaded()
			if got := u.value("#f-password"); got != goodPassword {
				t.Errorf("new password field holds %q after a mismatch, want it kept", got)
			}
			if got := u.value("#f-password_confirm"); got != "" {
				t.Errorf("confirmation holds %q after a mismatch, want it empty", got)
			}
			if got := uiEval[int](u, `(() => { const f = document.querySelector('#content form');
				return f.textContent.split("The two passwords don't match.").length - 1; })()`); got != 1 {
				t.Errorf("the mismatch is said %d times in the form, want once", got)
			}
			if got := u.text("#password-strength"); !strings.HasPrefix(got, "Strength:") {
				t.Errorf("checklist reads %q with a good password in the field", got)
			}
			u.checkPage("set-password-mismatch")
			// Type the confirmation and press Enter at once, before the
			// checklist's debounce: its check must not answer after the
			// form, for a link the form has used.
			u.run("type and send", chromedp.SendKeys(chromedp.CSS("#f-password_confirm"), goodPassword+kb.Enter))
			u.expectHeading("Sign in")
			u.waitLoaded()
			u.expectHeading("Sign in")
		})
	}
}

// TestPasswordBadClearsChecklist: a refused new password is not shown
// again, and the checklist then describes the empty field, not the
// refused password.
func TestPasswordBadClearsChecklist(t *testing.T) {
	app := newApp(t, storetest.SQLite)
	b := app.Browser()
	b.Post("/register", registration("bad@example.com"))
	b.Get(app.LastLink("bad@example.com", "/activate"))
	p := b.Post("/password/set", url.Values{"password": {"short"}, "password_confirm": {"other"}})
	must(t, p, http.StatusUnprocessableEntity, "Strength: start typing")
	if strings.Contains(p.Body, `value="short"`) {
		t.Error("a refused password was sent back")
	}
}
