package handlers_test

import (
	"fmt"
	"strings"
	"testing"

	"gatehouse/internal/store/storetest"
)

// uiStepperWraps lists the stepper's visible labels that break inside a
// word or overflow their box. A word is a run between spaces (a Chinese or
// Japanese label, unspaced, is one): split across lines its text has more
// than one client rect.
const uiStepperWraps = `(() => {
	const bad = [];
	const labels = [...new Set(document.querySelectorAll('nav [data-step-label], nav li > span:last-child'))].filter(e => e.getClientRects().length > 0);
	if (labels.length === 0) bad.push('no visible step label');
	for (const el of labels) {
		if (el.scrollWidth > el.clientWidth + 1) bad.push(el.textContent.trim() + ' overflows');
		const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
		for (let n = walker.nextNode(); n; n = walker.nextNode()) {
			const re = /\S+/g;
			for (let m = re.exec(n.data); m; m = re.exec(n.data)) {
				const r = document.createRange();
				r.setStart(n, m.index);
				r.setEnd(n, m.index + m[0].length);
				const lines = new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.top)));
				if (lines.size > 1) bad.push(m[0] + ' is broken over ' + lines.size + ' lines');
			}
		}
	}
	return bad;
})()`

// TestBrowserStepperNeverBreaksWords: at 390 px and 1280 px, in German,
// French, Arabic and Japanese (the longest labels, right to left, unspaced
// script), no step label is broken inside a word or overflows; a phone
// shows the position and the current step by name ("Step 2 of 4 · …");
// once the password is set the sign-in page shows signing in as the
// current step, not "done".
func TestBrowserStepperNeverBreaksWords(t *testing.T) {
	b := newUIBrowser(t)
	app := newApp(t, storetest.SQLite)
	for _, lang := range []string{"de", "fr", "ar", "ja", "en"} {
		for _, width := range []int64{uiPhone, uiDesktop} {
			t.Run(fmt.Sprintf("%s-%d", lang, width), func(t *testing.T) {
				u := b.open(t, app, uiOptions{JS: true, Width: width})
				for _, page := range []string{"/register", "/login?notice=password_set"} {
					u.visit(page + map[bool]string{true: "&", false: "?"}[strings.Contains(page, "?")] + "lang=" + lang)
					if bad := uiEval[[]string](u, uiStepperWraps); len(bad) > 0 {
						t.Errorf("%s: %s", page, strings.Join(bad, "; "))
					}
					current := uiEval[string](u, `[...document.querySelectorAll('nav [aria-current=step]')].filter(e => e.getClientRects().length > 0).map(e => e.textContent.trim()).join('|')`)
					if lang == "en" {
						want := map[string]string{"/register": "Your details", "/login?notice=password_set": "Sign in"}[page]
						if current != want {
							t.Errorf("%s: current step %q, want %q", page, current, want)
						}
						if width == uiPhone {
							pos := map[string]string{"/register": "Step 1 of 4", "/login?notice=password_set": "Step 4 of 4"}[page]
							if got := u.text("nav[aria-label='Sign-up progress']"); !strings.HasPrefix(got, pos+" · ") {
								t.Errorf("%s: phone stepper reads %q, want %q · …", page, got, pos)
							}
						}
					}
					u.checkPage(lang + strings.NewReplacer("/", "-", "?notice=", "-").Replace(page))
				}
			})
		}
	}
}
