package handlers_test

import (
	"strings"
	"testing"

	"golang.org/x/text/language"

	"gatehouse/internal/i18n"
	"gatehouse/internal/store/storetest"
)

// TestBrowserLanguages walks the sign-up in Arabic and in Japanese, picking
// the language with the switcher: <html lang dir> follows, axe passes on
// every page, the email arrives in that language, and the choice holds
// through the emailed link into the account page.
func TestBrowserLanguages(t *testing.T) {
	catalog, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	b := newUIBrowser(t)
	for _, c := range []struct {
		tag string
		dir string
	}{{"ar", "rtl"}, {"ja", "ltr"}} {
		t.Run(c.tag, func(t *testing.T) {
			loc := catalog.Localizer(language.MustParse(c.tag))
			tr := func(id string, data ...map[string]any) string { return strings.TrimSpace(loc.T(id, data...)) }
			app := newApp(t, storetest.SQLite)
			u := b.open(t, app, uiOptions{JS: true, Width: uiPhone})
			u.visit("/register")
			u.click("#language-switcher summary")
			u.click(`#language-switcher button[value="` + c.tag + `"]`)
			u.expectHeading(tr("page.register.title"))
			if got := u.attr("html", "lang"); got != c.tag {
				t.Fatalf("html lang = %q, want %s", got, c.tag)
			}
			if got := u.attr("html", "dir"); got != c.dir {
				t.Fatalf("html dir = %q, want %s", got, c.dir)
			}
			u.checkPage(c.tag + "-register")

			email := "lang-" + c.tag + "@example.com"
			u.fill("#f-first_name", "Ada")
			u.fill("#f-last_name", "Lovelace")
			u.fill("#f-company", "Engines")
			uiEval[bool](u, `(() => { const s = document.getElementById('f-country'); s.value = 'JP'; s.dispatchEvent(new Event('change', {bubbles: true})); return true })()`)
			u.waitLoaded()
			u.fill("#f-email", email)
			u.click("#f-accept_terms")
			u.clickText(tr("action.send_registration_email"))
			u.expectHeading(tr("page.register_sent.title"))
			u.checkPage(c.tag + "-register-sent")

			mails := app.Mail(email)
			if len(mails) == 0 || mails[0].Subject != tr("email.activation.subject") {
				t.Fatalf("activation email not in %s: %+v", c.tag, mails)
			}
			if !strings.Contains(mails[0].HTML, `dir="`+c.dir+`"`) {
				t.Fatalf("email HTML lacks dir=%s", c.dir)
			}

			// A fresh browser (the mail client's) still gets the language,
			// from the link itself.
			u2 := b.open(t, app, uiOptions{JS: true, Width: uiDesktop})
			u2.visit(app.LastLink(email, "/activate"))
			u2.expectHeading(tr("page.set_password.title"))
			if got := u2.attr("html", "lang"); got != c.tag {
				t.Fatalf("after the emailed link html lang = %q, want %s", got, c.tag)
			}
			u2.checkPage(c.tag + "-set-password")
			u2.fill("#f-password", goodPassword)
			u2.fill("#f-password_confirm", goodPassword)
			u2.clickText(tr("action.set_password"))
			u2.expectHeading(tr("page.login.title"))
			if got := u2.value("#f-email"); got != email {
				t.Fatalf("after setting the password the sign-in form holds %q, want it filled in", got)
			}
			u2.fill("#f-password", goodPassword)
			u2.enter()
			u2.waitFor("the account page", `document.querySelector('[data-testid=account-name]')`)
			u2.waitLoaded()
			u2.checkPage(c.tag + "-account")
		})
	}
}

// TestBrowserPseudoLocaleFits renders the main pages in the pseudo-locale
// (30 % longer text) on a phone: nothing may overflow sideways.
func TestBrowserPseudoLocaleFits(t *testing.T) {
	b := newUIBrowser(t)
	app := newApp(t, storetest.SQLite, func(o *appOptions) { o.pseudo = true })
	u := b.open(t, app, uiOptions{JS: true, Width: 320})
	for _, path := range []string{"/login", "/register", "/password/forgot"} {
		u.visit(path + "?lang=" + i18n.PseudoTag.String())
		u.waitFor("pseudo text", `document.body.textContent.includes('⟦')`)
		// A mobile layout viewport grows to fit what overflows, so compare
		// with the screen, not with innerWidth.
		if over := uiEval[int](u, `Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - screen.width`); over > 0 {
			t.Errorf("%s overflows a 320 px screen by %d px in the pseudo-locale", path, over)
		}
		u.screenshot("pseudo"+strings.ReplaceAll(path, "/", "-"), 320)
	}
}
