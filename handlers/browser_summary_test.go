package handlers_test

import (
	"testing"

	"gatehouse/internal/store/storetest"
)

// TestBrowserErrorSummaryAligned: the list of problems above a refused form
// lines up with its heading, one problem to a line whose wrapped lines
// start where its first does, on a phone and in a right-to-left language.
func TestBrowserErrorSummaryAligned(t *testing.T) {
	b := newUIBrowser(t)
	app := newApp(t, storetest.SQLite)
	for _, lang := range []string{"en", "ar"} {
		u := b.open(t, app, uiOptions{JS: true, Width: uiPhone})
		u.visit("/register?lang=" + lang)
		u.click("#content form [type=submit]")
		u.waitFor("the error summary", `document.getElementById('error-summary')`)
		bad := uiEval[[]string](u, `(() => {
			const rtl = document.documentElement.dir === 'rtl';
			const edge = (el) => { const r = el.getBoundingClientRect(); return Math.round(rtl ? r.right : r.left); };
			const h = edge(document.getElementById('error-summary-title'));
			const links = [...document.querySelectorAll('#error-summary li a')];
			if (links.length < 4) return ['only ' + links.length + ' problems listed'];
			return links.filter(a => edge(a) !== h || getComputedStyle(a).display !== 'block')
				.map(a => a.textContent + ': edge ' + edge(a) + ' vs heading ' + h + ', display ' + getComputedStyle(a).display);
		})()`)
		if len(bad) > 0 {
			t.Errorf("%s: summary links out of line: %q", lang, bad)
		}
		u.checkPage("register-error-summary-" + lang)
	}
}
