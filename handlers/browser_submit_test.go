package handlers_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"

	"gatehouse/internal/store/storetest"
)

// TestBrowserDoubleClickSendsOnce: with script on, a double click on "Send
// Registration Email" posts once (the button is disabled and marked busy
// while the request runs) and one email goes out. The test app has the
// server's repeat guard off, so this is the page's own doing.
func TestBrowserDoubleClickSendsOnce(t *testing.T) {
	b := newUIBrowser(t)
	app := newApp(t, storetest.SQLite)
	u := b.open(t, app, uiOptions{JS: true, Width: uiDesktop})
	u.visit("/register")
	u.fill("#f-first_name", "Ada")
	u.fill("#f-last_name", "Lovelace")
	u.fill("#f-company", "Engines")
	uiEval[bool](u, `(() => { const s = document.getElementById('f-country'); s.value = 'GB'; s.dispatchEvent(new Event('change', {bubbles: true})); return true })()`)
	u.waitLoaded()
	u.fill("#f-email", "double@example.com")
	u.click("#f-accept_terms")
	u.settle()
	// Record whether the button was ever disabled and busy while a post ran.
	uiEval[bool](u, `(() => {
		const btn = document.querySelector('#content form [type=submit]');
		window.__busySeen = false;
		new MutationObserver(() => { if (btn.disabled && btn.getAttribute('aria-busy') === 'true') window.__busySeen = true; })
			.observe(btn, {attributes: true});
		return true; })()`)
	type point struct{ X, Y float64 }
	p := uiEval[point](u, `(() => { const r = document.querySelector('#content form [type=submit]').getBoundingClientRect();
		return {X: r.x + r.width / 2, Y: r.y + r.height / 2}; })()`)
	u.run("double click", chromedp.MouseClickXY(p.X, p.Y), chromedp.MouseClickXY(p.X, p.Y, chromedp.ClickCount(2)))
	u.waitFor("the check-your-inbox step", `location.pathname === '/register/sent'`)
	u.waitLoaded()
	if n := len(app.Mail("double@example.com")); n != 1 {
		t.Fatalf("a double click sent %d emails, want 1", n)
	}
	if !uiEval[bool](u, `window.__busySeen`) {
		t.Error("the button was not disabled and busy while the request ran")
	}
	u.checkPage("register-sent-after-double-click")
}

// TestDoubleSubmitWithoutScript: without script a double click posts the
// form twice. The second post, within a few seconds from the same client,
// answers exactly as the first (same redirect, same cookies) and sends
// nothing new.
func TestDoubleSubmitWithoutScript(t *testing.T) {
	app := newApp(t, storetest.SQLite, func(o *appOptions) { o.repeats = true })
	for _, tc := range []struct {
		path string
		form url.Values
		addr string
	}{
		{"/register", registration("twice@example.com"), "twice@example.com"},
		{"/password/forgot", url.Values{"email": {"twice@example.com"}}, "twice@example.com"},
		{"/password/forgot", url.Values{"email": {"nobody@example.com"}}, "nobody@example.com"},
	} {
		b := app.Browser()
		before := len(app.Mail(tc.addr))
		first := b.Post(tc.path, tc.form)
		second := b.Post(tc.path, tc.form)
		if first.StatusCode != http.StatusSeeOther || second.StatusCode != first.StatusCode ||
			second.Header.Get("Location") != first.Header.Get("Location") {
			t.Fatalf("%s %s: %d → %q then %d → %q", tc.path, tc.addr, first.StatusCode, first.Header.Get("Location"),
				second.StatusCode, second.Header.Get("Location"))
		}
		if a, b := first.Header.Values("Set-Cookie"), second.Header.Values("Set-Cookie"); len(a) == 0 || len(a) != len(b) || a[0] != b[0] || a[1] != b[1] {
			t.Errorf("%s %s: cookies differ:\n%q\n%q", tc.path, tc.addr, a, b)
		}
		if tc.addr != "nobody@example.com" {
			if n := len(app.Mail(tc.addr)) - before; n != 1 {
				t.Errorf("%s %s: a double submit sent %d emails, want 1", tc.path, tc.addr, n)
			}
		}
	}
}
