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

// TestBrowserRegionFollowsCountryWithoutScript: without script the region
// list cannot follow a change of country. Choosing France after the list
// showed US states, with a state picked or "Choose…" left, is not accepted
// with a US state or silently without a region: the form comes back with
// France's regions and says why; sent again as it is, it is accepted (the
// region is optional, and labelled so). With script the list follows the
// country and the form goes through at once.
func TestBrowserRegionFollowsCountryWithoutScript(t *testing.T) {
	b := newUIBrowser(t)
	for _, js := range []bool{false, true} {
		name := map[bool]string{false: "js-off", true: "js-on"}[js]
		t.Run(name, func(t *testing.T) {
			app := newApp(t, storetest.SQLite)
			u := b.open(t, app, uiOptions{JS: js, Width: uiPhone})
			u.visit("/register")
			if got := u.text("label[for=f-region]"); got != "Region/state (optional)" {
				t.Errorf("region label %q, want it marked optional", got)
			}
			u.fill("#f-first_name", "Ada")
			u.fill("#f-last_name", "Lovelace")
			u.fill("#f-company", "Engines")
			u.fill("#f-email", name+"@example.com")
			u.click("#f-accept_terms")
			uiEval[bool](u, `(() => { const s = document.getElementById('f-country'); s.value = 'US'; s.dispatchEvent(new Event('change', {bubbles: true})); return true })()`)
			u.waitFor("the US states", `document.querySelector('#f-region option[value="US-CA"]')`)
			u.idle()
			uiEval[bool](u, `(() => { const s = document.getElementById('f-region'); s.value = 'US-CA'; s.dispatchEvent(new Event('change', {bubbles: true})); return true })()`)
			u.idle()
			// Without script nothing listens to change: the list stays.
			uiEval[bool](u, `(() => { const s = document.getElementById('f-country'); s.value = 'FR'; s.dispatchEvent(new Event('change', {bubbles: true})); return true })()`)
			u.idle()
			u.clickText("Send Registration Email")
			if js {
				u.expectHeading("Check your inbox")
				return
			}
			u.waitFor("the form again", `document.getElementById('error-summary')`)
			u.expectText("The region list now shows the regions of the country you chose.")
			if u.value("#f-country") != "FR" || u.value("#f-region") != "" {
				t.Fatalf("country %q region %q, want FR and none chosen", u.value("#f-country"), u.value("#f-region"))
			}
			if n := uiEval[int](u, `[...document.querySelectorAll('#f-region option')].filter(o => o.value && !o.value.startsWith('FR-')).length`); n != 0 {
				t.Fatalf("the region list still holds %d regions of another country", n)
			}
			if len(app.Mail(name+"@example.com")) != 0 {
				t.Fatal("the form was accepted with the old country's region")
			}
			u.checkPage("register-region-review")
			u.clickText("Send Registration Email")
			u.expectHeading("Check your inbox")
		})
	}
}
