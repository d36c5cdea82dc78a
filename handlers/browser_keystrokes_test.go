package handlers_test

import (
	"testing"
	"unicode/utf8"

	"github.com/chromedp/chromedp/kb"

	"gatehouse/internal/store/storetest"
)

// effort counts what a person presses on the way through sign-up: every
// key (a character, Tab, Space, Enter) and every click (a link in the
// page or in the email, a field, a button).
type effort struct {
	t            *testing.T
	u            *uiTab
	keys, clicks int
}

func (e *effort) typeText(s string) {
	e.t.Helper()
	e.u.press(s)
	e.keys += utf8.RuneCountInString(s)
	e.u.idle()
}
func (e *effort) key(k string)     { e.t.Helper(); e.u.press(k); e.keys++; e.u.idle() }
func (e *effort) click(sel string) { e.t.Helper(); e.u.click(sel); e.clicks++; e.u.idle() }
func (e *effort) clickText(s string) {
	e.t.Helper()
	e.u.clickText(s)
	e.clicks++
}

// tabTo presses Tab until want has the focus, counting each press: a
// stop on the way (a link, a toggle) costs what it costs a person.
func (e *effort) tabTo(want string) {
	e.t.Helper()
	for range 8 {
		e.key(kb.Tab)
		if e.u.focused() == want {
			return
		}
	}
	e.t.Fatalf("Tab never reached %s (focus on %s)", want, e.u.focused())
}

// Sign-up budget: what the whole journey below takes, measured. A change
// that makes a person press or click more fails here; the README reports
// the figures (section "Effort of a sign-up").
const (
	signUpKeysBudget   = 144
	signUpClicksBudget = 5
)

// TestBrowserSignUpKeystrokes walks the whole sign-up the way a keyboard
// user who keeps every suggestion does (the guessed country, no region,
// no phone), from the sign-in page to the account page, and counts the
// keys and clicks. Right after the password is set the sign-in form has
// the address filled in and the cursor in the password, so signing in is
// the password and Enter: no click, no address typed again.
func TestBrowserSignUpKeystrokes(t *testing.T) {
	b := newUIBrowser(t)
	app := newApp(t, storetest.SQLite)
	u := b.open(t, app, uiOptions{JS: true, Width: uiDesktop})
	e := &effort{t: t, u: u}
	const email = "ada@example.com"

	u.visit("/login")
	e.clickText("Don't have an account? Sign up")
	u.expectHeading("Create your account")
	e.click("#f-first_name")
	e.typeText("Ada")
	e.tabTo("#f-last_name")
	e.typeText("Lovelace")
	e.tabTo("#f-company")
	e.typeText("Analytical Engines Ltd")
	e.tabTo("#f-email") // past the guessed country and the optional region
	e.typeText(email)
	e.tabTo("#f-accept_terms") // past the optional phone
	e.key(" ")
	e.clickText("Send Registration Email")
	u.expectHeading("Check your inbox")
	details := *e

	// The link in the email is one click.
	u.visit(app.LastLink(email, "/activate"))
	e.clicks++
	u.expectHeading("Set password")
	e.click("#f-password")
	e.typeText(goodPassword)
	e.tabTo("#f-password_confirm")
	e.typeText(goodPassword)
	e.key(kb.Enter)
	u.expectHeading("Sign in")
	password := *e

	// Signing in: the address is there and the password has the focus.
	if got := u.value("#f-email"); got != email {
		t.Fatalf("sign-in form holds %q, want the address just used", got)
	}
	u.mustFocus("#f-password")
	e.typeText(goodPassword)
	e.key(kb.Enter)
	u.expectHeading("Your account")

	signInKeys, signInClicks := e.keys-password.keys, e.clicks-password.clicks
	t.Logf("sign-up effort: your details %d keys %d clicks; email and password %d keys %d clicks; sign-in %d keys %d clicks; total %d keys %d clicks",
		details.keys, details.clicks, password.keys-details.keys, password.clicks-details.clicks, signInKeys, signInClicks, e.keys, e.clicks)
	if want := utf8.RuneCountInString(goodPassword) + 1; signInKeys != want || signInClicks != 0 {
		t.Errorf("signing in after the password was set took %d keys and %d clicks, want %d keys (the password and Enter) and none", signInKeys, signInClicks, want)
	}
	if e.keys > signUpKeysBudget || e.clicks > signUpClicksBudget {
		t.Errorf("sign-up took %d keys and %d clicks, over the budget of %d and %d", e.keys, e.clicks, signUpKeysBudget, signUpClicksBudget)
	}
}
