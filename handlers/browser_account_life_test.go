package handlers_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"gatehouse/internal/store/storetest"
)

var withAwait = chromedp.EvalAwaitPromise

func registrationLogin(email, pw string) url.Values {
	return url.Values{"email": {email}, "password": {pw}}
}

// TestBrowserEmailChange: the address changes by the emailed link (script
// on, desktop) and by the code typed into the browser that asked (script
// off, phone); the old address's "this wasn't me" link then restores it
// and leads on to a new password. axe-core finds nothing on any of it.
func TestBrowserEmailChange(t *testing.T) {
	b := newUIBrowser(t)
	for _, c := range []struct {
		name  string
		js    bool
		width int64
		code  bool
	}{
		{"link-js", true, uiDesktop, false},
		{"code-nojs", false, uiPhone, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			app := newApp(t, storetest.SQLite)
			old, next := "ada."+c.name+"@example.com", "ada."+c.name+"@example.org"
			app.signUp(old)
			u := b.open(t, app, uiOptions{JS: c.js, Width: c.width})
			u.visit("/login")
			u.signIn(old, goodPassword)
			u.fill("#f-new_email", next)
			u.fill("#f-email_password", "not my password at all")
			u.clickText("Send Confirmation Email")
			u.expectText("That isn't your current password.")
			if got := u.value("#f-new_email"); got != next {
				t.Errorf("the refused form lost the new address: %q", got)
			}
			u.checkPage("email-change-refused")
			u.fill("#f-email_password", goodPassword)
			u.clickText("Send Confirmation Email")
			u.expectHeading("Check your new inbox")
			u.expectText(next)
			u.checkPage("email-sent")
			if c.code {
				u.fill("#f-code", app.lastCode(next))
				u.clickText("Continue")
			} else {
				u.visit(app.LastLink(next, "/account/email/confirm"))
			}
			u.expectHeading("Confirm your new email address")
			u.expectText(old)
			u.checkPage("email-confirm")
			u.clickText("Confirm New Address")
			u.expectText("Your email address has been changed.")
			u.expectText(next)

			u.visit(app.LastLink(old, "/account/email/revert"))
			u.expectHeading("Undo the change of email address")
			u.checkPage("email-revert")
			u.clickText("Restore My Address and Sign Out Everywhere")
			u.expectText("Your previous email address is back")
			u.checkPage("email-restored")
			u.fill("#f-password", "tremendous purple giraffe umbrella")
			u.fill("#f-password_confirm", "tremendous purple giraffe umbrella")
			u.clickText("Reset Password")
			u.expectHeading("Sign in")
			u.signIn(old, "tremendous purple giraffe umbrella")
		})
	}
}

// TestBrowserDeleteAccount: from the account page to the confirmation
// page, a wrong password refused there, then the account is gone and the
// sign-in page says so.
func TestBrowserDeleteAccount(t *testing.T) {
	b := newUIBrowser(t)
	for _, js := range []bool{true, false} {
		name := map[bool]string{true: "js-on", false: "js-off"}[js]
		t.Run(name, func(t *testing.T) {
			app := newApp(t, storetest.SQLite)
			email := "ada." + name + "@example.com"
			app.signUp(email)
			u := b.open(t, app, uiOptions{JS: js, Width: uiPhone})
			u.visit("/login")
			u.signIn(email, goodPassword)
			u.click("[data-testid=delete-link]")
			u.expectHeading("Delete your account")
			u.checkPage("delete")
			u.fill("#f-current_password", "not my password at all")
			u.click("[data-testid=delete-confirm]")
			u.expectText("That isn't your current password.")
			u.checkPage("delete-refused")
			u.fill("#f-current_password", goodPassword)
			u.click("[data-testid=delete-confirm]")
			u.expectText("Your account has been deleted.")
			if p := u.path(); !strings.HasPrefix(p, "/login") {
				t.Errorf("after deletion at %s", p)
			}
			u.checkPage("deleted")
			secNoUser(t, app.Store, email)
		})
	}
}

// TestBrowserExport: "Download my data" answers a JSON attachment, checked
// here with the page's own fetch, which carries the session cookie.
func TestBrowserExport(t *testing.T) {
	b := newUIBrowser(t)
	app := newApp(t, storetest.SQLite)
	app.signUp("ada@example.com")
	u := b.open(t, app, uiOptions{JS: true, Width: uiDesktop})
	u.visit("/login")
	u.signIn("ada@example.com", goodPassword)
	type answer struct {
		Status      int    `json:"status"`
		Disposition string `json:"disposition"`
		Cache       string `json:"cache"`
		Type        string `json:"type"`
		Email       string `json:"email"`
		Sessions    int    `json:"sessions"`
		Body        string `json:"body"`
	}
	got := uiEval[answer](u, `fetch('/account/export', {method: 'POST', credentials: 'same-origin'}).then(async r => {
		const body = await r.text(); const x = JSON.parse(body);
		return {status: r.status, disposition: r.headers.get('content-disposition'), cache: r.headers.get('cache-control'),
			type: r.headers.get('content-type'), email: x.profile.email, sessions: x.sessions.length, body};
	})`, withAwait)
	if got.Status != 200 || !strings.HasPrefix(got.Disposition, "attachment;") || got.Cache != "no-store" ||
		got.Type != "application/json; charset=utf-8" || got.Email != "ada@example.com" || got.Sessions != 1 {
		t.Errorf("export answered %+v", got)
	}
	if strings.Contains(got.Body, "argon2") || strings.Contains(got.Body, "hash") {
		t.Errorf("the export holds a hash: %s", got.Body)
	}
	// The button is a plain form: clicking it downloads and leaves the page be.
	if n := uiEval[int](u, `document.querySelectorAll('form[action="/account/export"][hx-post]').length`); n != 0 {
		t.Error("the export form posts through htmx, which would swap the file into the page")
	}
}

// TestBrowserAccountPage: the account page in two columns on a desktop and
// one on a phone (down to 320 px, without sideways scrolling), mirrored in
// Arabic; each session signs out on its own; the profile is edited with
// the sign-up fields' inline validation; activity is grouped by day and a
// run of failures reads as one line. axe-core finds nothing.
func TestBrowserAccountPage(t *testing.T) {
	b := newUIBrowser(t)
	app := newApp(t, storetest.SQLite)
	app.signUp("ada@example.com")
	for range 3 {
		app.Browser().Post("/login", registrationLogin("ada@example.com", "a wrong password for sure"))
	}
	other := app.signIn("ada@example.com", goodPassword)
	u := b.open(t, app, uiOptions{JS: true, Width: uiDesktop})
	u.visit("/login")
	u.signIn("ada@example.com", goodPassword)
	type box struct{ Top, Left, Right, Bottom float64 }
	rect := func(sel string) box {
		return uiEval[box](u, `(() => { const r = document.querySelector(`+uiJSString(sel)+`).getBoundingClientRect();
			return {top: r.top, left: r.left, right: r.right, bottom: r.bottom}; })()`)
	}
	person, activity := rect("[data-testid=account-column-person]"), rect("[data-testid=account-column-activity]")
	if person.Top != activity.Top || activity.Left <= person.Right-1 {
		t.Errorf("desktop: columns at %+v and %+v, want side by side", person, activity)
	}
	if n := uiEval[int](u, `document.querySelectorAll('[data-testid=activity-item]').length`); n == 0 {
		t.Error("no activity")
	}
	u.expectText("Failed sign-in attempt")
	u.expectText("3 times, last at")
	if got := u.text("[data-testid=account-phone]"); got != "+44 20 7946 0958" {
		t.Errorf("phone shown as %q", got)
	}
	u.checkPage("account-desktop")
	u.screenshot("account-phone", uiPhone)

	// One column on a phone, and nothing wider than 320 px.
	u.run("phone", u.viewport(uiPhone))
	person, activity = rect("[data-testid=account-column-person]"), rect("[data-testid=account-column-activity]")
	if activity.Top < person.Bottom {
		t.Errorf("phone: columns at %+v and %+v, want one under the other", person, activity)
	}
	u.run("320", u.viewport(320))
	if w := uiEval[int](u, `document.documentElement.scrollWidth`); w > 320 {
		t.Errorf("at 320 px the page is %d px wide", w)
	}
	u.run("desktop", u.viewport(uiDesktop))

	// The other session signs out by its own button.
	if n := uiEval[int](u, `document.querySelectorAll('[data-testid=session]').length`); n != 2 {
		t.Fatalf("%d sessions listed, want 2", n)
	}
	u.click(`[data-testid=session]:not(:has([data-testid=current-session])) button`)
	u.expectText("That device has been signed out.")
	if n := uiEval[int](u, `document.querySelectorAll('[data-testid=session]').length`); n != 1 {
		t.Errorf("%d sessions listed after signing one out", n)
	}
	if p := other.Get("/account"); p.StatusCode == 200 {
		t.Error("the signed-out session still opens the account")
	}

	// The profile, with inline validation as on sign-up.
	u.click("#profile-title + dl + details > summary")
	uiEval[bool](u, `(() => { document.querySelector("#f-phone").value = ""; return true })()`)
	u.fill("#f-phone", "12")
	u.press("\t")
	u.waitFor("the phone refused inline", `document.querySelector('#f-phone[aria-invalid=true]')`)
	u.checkPage("account-profile-invalid")
	uiEval[bool](u, `(() => { document.querySelector("#f-phone").value = ""; return true })()`)
	u.fill("#f-phone", "020 7946 0000")
	uiEval[bool](u, `(() => { document.querySelector("#f-first_name").value = ""; return true })()`)
	u.fill("#f-first_name", "Augusta")
	if got := u.value("#f-phone"); got != "020 7946 0000" {
		t.Fatalf("phone field holds %q", got)
	}
	u.clickText("Save Profile")
	u.expectText("Your profile has been saved.")
	u.expectText("Welcome, Augusta Lovelace.")
	u.expectText("+44 20 7946 0000")

	// Arabic: the same page mirrored, person column on the right.
	u.visit("/account?lang=ar")
	if dir := uiEval[string](u, `document.documentElement.dir`); dir != "rtl" {
		t.Fatalf("dir %q", dir)
	}
	person, activity = rect("[data-testid=account-column-person]"), rect("[data-testid=account-column-activity]")
	if person.Left <= activity.Right-1 {
		t.Errorf("rtl: person column at %+v, activity at %+v: not mirrored", person, activity)
	}
	u.checkPage("account-ar")
}
