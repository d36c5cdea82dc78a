package handlers_test

import (
	"testing"

	"gatehouse/internal/store/storetest"
)

// TestBrowserTermsLinks: with terms configured the check box's label links
// both documents in the same tab and the page is accessible; without them
// there is no box, and the form is sent without it, with script and without.
func TestBrowserTermsLinks(t *testing.T) {
	b := newUIBrowser(t)
	with := newApp(t, storetest.SQLite)
	none := newApp(t, storetest.SQLite, noTerms)
	for _, js := range []bool{true, false} {
		u := b.open(t, with, uiOptions{JS: js, Width: uiPhone})
		u.visit("/register")
		links := uiEval[[]string](u, `[...document.querySelectorAll('label[for=f-accept_terms] a')].map(a => a.href + ' ' + (a.target || '-') + ' ' + a.textContent)`)
		want := []string{testTerms.TermsURL + " - terms of service", testTerms.PrivacyURL + " - privacy policy"}
		if len(links) != 2 || links[0] != want[0] || links[1] != want[1] {
			t.Errorf("js=%v: terms links %q, want %q", js, links, want)
		}
		if !uiEval[bool](u, `document.getElementById('f-accept_terms').required`) {
			t.Errorf("js=%v: the check box is not required", js)
		}
		u.checkPage("register-terms")

		u = b.open(t, none, uiOptions{JS: js, Width: uiPhone})
		u.visit("/register")
		if uiEval[bool](u, `!!document.getElementById('f-accept_terms')`) {
			t.Fatalf("js=%v: no terms configured, yet the form has the check box", js)
		}
		u.checkPage("register-no-terms")
		email := map[bool]string{true: "terms-js@example.com", false: "terms-nojs@example.com"}[js]
		u.fill("#f-first_name", "Ada")
		u.fill("#f-last_name", "Lovelace")
		u.fill("#f-company", "Engines")
		// The country guessed from the browser's language stays: changing
		// it without script asks to review the region list first.
		u.fill("#f-email", email)
		u.settle()
		u.click("#content form [type=submit]")
		u.waitFor("the check-your-inbox step", `location.pathname === '/register/sent'`)
		u.waitFor("the check-your-inbox step", `location.pathname === '/register/sent'`)
		if n := len(none.Mail(email)); n != 1 {
			t.Errorf("js=%v: %d emails, want 1", js, n)
		}
	}
}
