package handlers_test

import (
	"testing"

	"gatehouse/internal/store/storetest"
)

// TestBrowserCardOnPhones: on a phone the card is the page, without a
// border or shadow boxing it into the narrow screen; on wider screens it
// keeps both. The footer's text never touches the screen's edges.
func TestBrowserCardOnPhones(t *testing.T) {
	b := newUIBrowser(t)
	app := newApp(t, storetest.SQLite)
	type look struct {
		Border           string
		Shadow           string
		FooterL, FooterR float64
	}
	for _, width := range []int64{320, uiPhone, uiDesktop} {
		u := b.open(t, app, uiOptions{JS: true, Width: width})
		// French: the footer's longest line.
		u.visit("/register?lang=fr")
		l := uiEval[look](u, `(() => {
			const c = getComputedStyle(document.querySelector('.card'));
			const f = document.querySelector('footer');
			const r = document.createRange(); r.selectNodeContents(f);
			const box = r.getBoundingClientRect();
			return {Border: c.borderTopWidth, Shadow: c.boxShadow, FooterL: box.left, FooterR: document.documentElement.clientWidth - box.right};
		})()`)
		phone := width < 640
		if got := l.Border == "0px" && l.Shadow == "none"; got != phone {
			t.Errorf("width %d: card border %s, shadow %s; want them %s", width, l.Border, l.Shadow, map[bool]string{true: "gone", false: "kept"}[phone])
		}
		if l.FooterL < 16 || l.FooterR < 16 {
			t.Errorf("width %d: footer text %.0f px from the left edge and %.0f from the right, want at least 16", width, l.FooterL, l.FooterR)
		}
		u.checkPage("register-card")
	}
}
