package handlers_test

import (
	"testing"

	"gatehouse/internal/store/storetest"
)

// TestBrowserCountryTypeAhead: typing "Germ" quickly into the focused
// country select moves it through Gabon and Georgia to Germany, one change
// (and one validation request) per key. The regions shown must always be
// those of the country finally selected, whatever order the answers
// arrive in, and choosing one of them is not refused. Done several times,
// as the race it guards against lost about every other run.
func TestBrowserCountryTypeAhead(t *testing.T) {
	b := newUIBrowser(t)
	app := newApp(t, storetest.SQLite)
	var u *uiTab
	for i := range 6 {
		// A tab of its own each time: the select's type-ahead would
		// otherwise go on from the last run's letters.
		u = b.open(t, app, uiOptions{JS: true, Width: uiDesktop})
		u.visit("/register")
		// Start from a country with regions of its own, away from G.
		uiEval[bool](u, `(() => { const s = document.getElementById('f-country'); s.value = 'US'; s.dispatchEvent(new Event('change', {bubbles: true})); return true })()`)
		u.waitFor("the US states", `document.querySelector('#f-region option[value="US-CA"]')`)
		u.waitLoaded()
		uiEval[bool](u, `(document.getElementById('f-country').focus(), true)`)
		u.press("Germ")
		u.waitLoaded()
		if got := u.value("#f-country"); got != "DE" {
			t.Fatalf("run %d: type-ahead selected %q, want DE", i, got)
		}
		u.waitFor("the German regions", `document.querySelector('#f-region option[value="DE-BY"]')`)
		if n := uiEval[int](u, `[...document.querySelectorAll('#f-region option')].filter(o => o.value && !o.value.startsWith('DE-')).length`); n != 0 {
			t.Fatalf("run %d: the region list holds %d regions of another country", i, n)
		}
		// Choosing a region of the list is accepted.
		uiEval[bool](u, `(() => { const s = document.getElementById('f-region'); s.value = 'DE-BY'; s.dispatchEvent(new Event('change', {bubbles: true})); return true })()`)
		u.waitLoaded()
		if u.attr("#f-region", "aria-invalid") == "true" {
			t.Fatalf("run %d: a German region was refused for Germany: %s", i, u.text("#field-region"))
		}
	}
	u.checkPage("register-country-typed-ahead")
}
