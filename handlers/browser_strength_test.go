package handlers_test

import (
	"testing"

	"gatehouse/internal/store/storetest"
)

// TestBrowserStrengthWithoutScript: the strength line follows typing only
// with script; without it, it says when the password is checked instead
// of "start typing", which nothing would ever change.
func TestBrowserStrengthWithoutScript(t *testing.T) {
	b := newUIBrowser(t)
	app := newApp(t, storetest.SQLite)
	for _, js := range []bool{false, true} {
		addr := map[bool]string{false: "strength-off@example.com", true: "strength-on@example.com"}[js]
		app.Browser().Post("/register", registration(addr))
		u := b.open(t, app, uiOptions{JS: js, Width: uiPhone})
		u.visit(app.LastLink(addr, "/activate"))
		u.expectHeading("Set password")
		got := uiEval[string](u, `document.getElementById('password-strength').innerText.trim()`)
		want := map[bool]string{false: "Strength is checked when you send the form.", true: "Strength: start typing"}[js]
		if got != want {
			t.Errorf("js=%v: strength line reads %q, want %q", js, got, want)
		}
		if js {
			u.fill("#f-password", goodPassword)
			u.waitFor("the strength", `document.getElementById('password-strength').innerText.includes('strong')`)
			// htmx settles a swapped element's attributes a moment after
			// its content, so the colour (its class) may follow the words:
			// waited for, not read at once.
			u.waitFor("a strong password's strength in green-700",
				`getComputedStyle(document.getElementById('password-strength')).color === 'rgb(21, 128, 61)'`)
			u.checkPage("set-password-strength")
		}
	}
}
