package handlers_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"gatehouse/internal/store/storetest"
)

// otherWidth is the width a tab does not browse at.
func uiOtherWidth(w int64) int64 {
	if w == uiPhone {
		return uiDesktop
	}
	return uiPhone
}

// TestBrowserSignUpAndRecovery walks sign-up and password recovery in
// Chromium the way a person does, with JavaScript on (desktop) and off
// (phone): every page must have no CSP violation, and with JavaScript on no
// axe-core (WCAG 2.2 AA) violation either.
func TestBrowserSignUpAndRecovery(t *testing.T) {
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
			email := "ada." + c.name + "@example.com"

			u.visit("/login")
			u.expectHeading("Sign in")
			u.checkPage("login")
			u.screenshot("login", uiOtherWidth(c.width))

			// Sign up.
			u.clickText("Don't have an account? Sign up")
			u.expectHeading("Create your account")
			if p := u.path(); p != "/register" {
				t.Fatalf("the sign-up link led to %s", p)
			}
			u.checkPage("register")
			u.screenshot("register", uiOtherWidth(c.width))

			u.fill("#f-first_name", "Ada")
			u.fill("#f-last_name", "Lovelace")
			u.fill("#f-company", "Analytical Engines Ltd")
			u.choose("#f-country", "GB")
			u.fill("#f-email", email)
			u.click("#f-accept_terms")
			if !uiEval[bool](u, `document.getElementById('f-accept_terms').checked`) {
				t.Fatal("clicking the terms checkbox did not tick it")
			}
			u.clickText("Send Registration Email")
			if !c.js {
				// Without script the region list was still the guessed
				// country's: the form comes back with Britain's regions
				// before it is accepted.
				u.expectText("The region list now shows the regions of the country you chose.")
				u.clickText("Send Registration Email")
			}
			u.expectHeading("Check your inbox")
			u.expectText(email)
			u.checkPage("register-sent")

			// The activation email.
			u.visit(app.LastLink(email, "/activate"))
			u.expectHeading("Set password")
			if p := u.path(); strings.Contains(p, "token") {
				t.Fatalf("token left in the address bar: %s", p)
			}
			u.checkPage("set-password")
			u.fill("#f-password", goodPassword)
			u.fill("#f-password_confirm", goodPassword)
			u.clickText("Set Password")
			u.expectText("Your password is set.")
			u.expectHeading("Sign in")
			u.checkPage("login-password-set")

			u.signIn(email, goodPassword)
			u.checkPage("account")
			u.clickText("Sign Out")
			u.expectText("You have signed out.")
			u.expectHeading("Sign in")
			u.checkPage("login-signed-out")

			// Recovery.
			u.clickText("Forgot password?")
			u.expectHeading("Forgot password?")
			u.checkPage("forgot")
			u.fill("#f-email", email)
			u.clickText("Send Email")
			u.expectHeading("Check your inbox")
			u.checkPage("forgot-sent")

			u.visit(app.LastLink(email, "/password/reset"))
			u.expectHeading("Reset password")
			if p := u.path(); strings.Contains(p, "token") {
				t.Fatalf("token left in the address bar: %s", p)
			}
			u.checkPage("reset-password")
			newPassword := "a different, longer passphrase"
			u.fill("#f-password", newPassword)
			u.fill("#f-password_confirm", newPassword)
			u.clickText("Reset Password")
			u.expectText("Your password has been reset.")
			u.expectHeading("Sign in")
			u.checkPage("login-password-reset")

			u.signIn(email, newPassword)
			u.checkPage("account-after-reset")
		})
	}
}

// signIn fills the sign-in form on the current page, submits it and expects
// the account page greeting Ada Lovelace.
func (u *uiTab) signIn(email, password string) {
	u.t.Helper()
	// Right after a password is set the form comes with the address in it.
	if got := u.value("#f-email"); got != email {
		if got != "" {
			u.t.Fatalf("the sign-in form holds %q, want %q or nothing", got, email)
		}
		u.fill("#f-email", email)
	}
	u.fill("#f-password", password)
	u.clickText("Sign In")
	u.expectHeading("Your account")
	if got := u.text("[data-testid=account-name]"); got != "Welcome, Ada Lovelace." {
		u.t.Fatalf("account greeting %q", got)
	}
}

// choose picks an option of a select as a pointer user does: the native
// picker is not part of the page, so it cannot be clicked; focusing the
// select, setting the option and firing input and change is what picking
// does. (TestBrowserKeyboardOnly chooses with the keyboard instead.)
func (u *uiTab) choose(sel, want string) {
	u.t.Helper()
	u.run("focus "+sel, chromedp.Focus(chromedp.CSS(sel)))
	uiEval[chromedp.Void](u, `(() => { const s = document.querySelector(`+uiJSString(sel)+`);
		s.value = `+uiJSString(want)+`;
		s.dispatchEvent(new Event('input', {bubbles: true}));
		s.dispatchEvent(new Event('change', {bubbles: true})); })()`)
	u.idle()
	if got := u.value(sel); got != want {
		u.t.Fatalf("%s holds %q after choosing %q", sel, got, want)
	}
}

// TestBrowserKeyboardOnly signs up with the keyboard alone: Tab and
// Shift+Tab to move, typing, Space for the checkbox, type-ahead in the
// select and Enter to follow links and submit. The only other input is
// opening the emailed links (the click in the mail client).
func TestBrowserKeyboardOnly(t *testing.T) {
	b := newUIBrowser(t)
	app := newApp(t, storetest.SQLite)
	u := b.open(t, app, uiOptions{JS: true, Width: uiDesktop})
	email := "ada.keyboard@example.com"

	u.visit("/login")
	u.expectHeading("Sign in")
	u.mustFocus("body")

	// The first Tab reaches the skip link, which shows itself and jumps
	// past the header to the content.
	u.tab()
	u.mustFocus(`a[href="#main"]`)
	u.mustShowFocus()
	u.screenshot("login-skip-link", uiDesktop)
	u.enter()
	u.tab()
	u.mustFocus("#f-email")
	u.mustShowFocus()

	u.tabTo(`a[href="/register"]`, false, 10)
	u.mustShowFocus()
	u.enter()
	u.expectHeading("Create your account")
	u.mustFocus("body")

	u.tabTo("#f-first_name", false, 8)
	u.mustShowFocus()
	u.typeText("Ada")
	u.tab()
	u.mustFocus("#f-last_name")
	u.typeText("Lovelace")
	u.tab()
	u.mustFocus("#f-company")
	u.typeText("Analytical Engines Ltd")
	u.tab()
	u.mustFocus("#f-country")
	u.mustShowFocus()
	u.chooseByKeyboard("#f-country", "Germany", "DE", "GB")
	u.tabTo("#f-email", false, 3)
	u.typeText(email)
	u.tab()
	u.mustFocus("#f-phone")
	u.shiftTab()
	u.mustFocus("#f-email")
	if got := u.value("#f-email"); got != email {
		t.Fatalf("email field holds %q", got)
	}
	u.tabTo("#f-accept_terms", false, 3)
	u.mustShowFocus()
	u.press(" ")
	if !uiEval[bool](u, `document.getElementById('f-accept_terms').checked`) {
		t.Fatal("Space did not tick the terms checkbox")
	}
	u.screenshot("register-filled", uiDesktop)
	u.tabTo("button:Send Registration Email", false, 3)
	u.mustShowFocus()
	u.enter()
	u.expectHeading("Check your inbox")
	u.checkCSP("register-sent")

	u.visit(app.LastLink(email, "/activate"))
	u.expectHeading("Set password")
	u.mustFocus("body")
	u.tabTo("#f-password", false, 8)
	u.typeText(goodPassword)
	u.tabTo("#f-password_confirm", false, 3)
	u.typeText(goodPassword)
	u.enter() // implicit submission from the text field
	u.expectText("Your password is set.")
	u.expectHeading("Sign in")

	// The address is filled in and the cursor is already in the password.
	if got := u.value("#f-email"); got != email {
		t.Fatalf("after setting the password the sign-in form holds %q, want it filled in", got)
	}
	u.mustFocus("#f-password")
	u.typeText(goodPassword)
	u.enter()
	u.expectHeading("Your account")
	if got := u.text("[data-testid=account-name]"); got != "Welcome, Ada Lovelace." {
		t.Fatalf("account greeting %q", got)
	}
	u.tabTo("button:Sign Out", false, 10)
	u.mustShowFocus()
	u.enter()
	u.expectText("You have signed out.")
	u.checkCSP("login-signed-out")
}

// chooseByKeyboard works the focused select with the keyboard: first
// type-ahead, typing label at a person's pace (which should select
// typedValue), then want's first letter and the arrow keys until want is
// selected. Focus must stay
// on the select throughout, also when htmx re-renders it.
func (u *uiTab) chooseByKeyboard(sel, label, typedValue, want string) {
	u.t.Helper()
	for _, r := range label {
		u.press(string(r))
		time.Sleep(120 * time.Millisecond) // well within Chromium's 1 s type-ahead window
	}
	u.idle()
	u.mustFocus(sel)
	if got := u.value(sel); got != typedValue {
		const key = "select-typeahead@register"
		if _, ok := uiKnown[key]; ok {
			u.t.Logf("known issue %s: typing %q in %s selected %q, not %q", key, label, sel, got, typedValue)
			u.known[key] = true
		} else {
			u.t.Errorf("typing %q in %s selected %q, not %q", label, sel, got, typedValue)
		}
	}
	// Then as a person does when type-ahead lets them down: the first
	// letter of the label to get close, and the arrow keys from there.
	wantLabel := uiEval[string](u, `[...document.querySelector(`+uiJSString(sel)+`).options].find(o => o.value === `+uiJSString(want)+`).textContent.trim()`)
	u.press(strings.ToLower(wantLabel[:1]))
	u.idle()
	u.mustFocus(sel)
	idx := func() int { return uiEval[int](u, `document.querySelector(`+uiJSString(sel)+`).selectedIndex`) }
	target := uiEval[int](u, `[...document.querySelector(`+uiJSString(sel)+`).options].findIndex(o => o.value === `+uiJSString(want)+`)`)
	if target < 0 {
		u.t.Fatalf("%s has no option %q", sel, want)
	}
	for range 300 {
		i := idx()
		if i == target {
			break
		}
		if i < target {
			u.press(kb.ArrowDown)
		} else {
			u.press(kb.ArrowUp)
		}
		u.idle()
		u.mustFocus(sel)
	}
	if got := u.value(sel); got != want {
		u.t.Fatalf("the arrow keys left %s at %q, want %q", sel, got, want)
	}
}

// typeText types into whatever has the focus.
func (u *uiTab) typeText(s string) {
	u.t.Helper()
	u.press(s)
	u.idle()
}

// mustShowFocus asserts the focused element has a visible focus indicator
// (WCAG 2.4.7): an outline or a ring (box-shadow), and a non-empty box.
func (u *uiTab) mustShowFocus() {
	u.t.Helper()
	desc := uiEval[string](u, `(() => {
		const e = document.activeElement, s = getComputedStyle(e), r = e.getBoundingClientRect();
		const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
		const ring = s.boxShadow && s.boxShadow !== 'none';
		if (r.width < 2 || r.height < 2) return 'is not visible (' + r.width + 'x' + r.height + ')';
		return outline || ring ? '' : 'has no outline or ring';
	})()`)
	if desc != "" {
		u.t.Errorf("focused %s %s", u.focused(), desc)
	}
}

// TestBrowserErrorStates submits the empty sign-up form: the error summary
// lists every problem as a link to its field, the fields are marked
// invalid, and the page still passes axe (JavaScript on) and CSP.
func TestBrowserErrorStates(t *testing.T) {
	b := newUIBrowser(t)
	for _, c := range []struct {
		name string
		js   bool
	}{{"js-on", true}, {"js-off", false}} {
		t.Run(c.name, func(t *testing.T) {
			app := newApp(t, storetest.SQLite)
			u := b.open(t, app, uiOptions{JS: c.js, Width: uiDesktop})
			u.visit("/register")
			u.expectHeading("Create your account")
			// The country may come pre-selected from the browser's language.
			countryEmpty := u.value("#f-country") == ""
			u.clickText("Send Registration Email")
			u.waitVisible("#error-summary")
			u.waitLoaded()

			links := uiEval[[]string](u, `[...document.querySelectorAll('#error-summary a')].map(a => a.getAttribute('href'))`)
			required := []string{"first_name", "last_name", "company", "email", "accept_terms"}
			if countryEmpty {
				required = append(required, "country")
			}
			for _, name := range required {
				if !uiContains(links, "#f-"+name) {
					t.Errorf("error summary lacks a link to #f-%s; it has %v", name, links)
				}
			}
			// Every problem listed links to a field marked invalid and
			// described by its message.
			for _, l := range links {
				id := strings.TrimPrefix(l, "#")
				if got := u.attr("#"+id, "aria-invalid"); got != "true" {
					t.Errorf("#%s aria-invalid=%q, want true", id, got)
				}
				if got := u.text("#" + id + "-error"); got == "" {
					t.Errorf("#%s-error is empty", id)
				}
				if d := u.attr("#"+id, "aria-describedby"); !strings.Contains(" "+d+" ", " "+id+"-error ") {
					t.Errorf("#%s aria-describedby=%q does not name its error", id, d)
				}
			}
			for _, name := range []string{"region", "phone"} {
				if got := u.attr("#f-"+name, "aria-invalid"); got == "true" {
					t.Errorf("optional #f-%s is marked invalid when empty", name)
				}
			}
			u.checkPage("register-errors")
			u.screenshot("register-errors", uiOtherWidth(uiDesktop))

			// A summary link leads to its field.
			u.click(`#error-summary a[href="#f-first_name"]`)
			u.waitFor("focus on the first name field", `document.activeElement && document.activeElement.id === 'f-first_name'`)
		})
	}
}

func uiContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
