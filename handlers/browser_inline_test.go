package handlers_test

import (
	"strings"
	"testing"

	"gatehouse/internal/store/storetest"
)

// TestBrowserInlineValidation: leaving a field shows its error without a
// page load, announced in the live region; fixing it shows the valid state;
// a mistyped mail domain gets a suggestion; choosing a country swaps in its
// regions (and removes them for a country without). axe runs with the
// inline error showing.
func TestBrowserInlineValidation(t *testing.T) {
	b := newUIBrowser(t)
	app := newApp(t, storetest.SQLite)
	u := b.open(t, app, uiOptions{JS: true, Width: uiPhone})
	u.visit("/register")
	// A marker on the window survives swaps but not a page load.
	uiEval[bool](u, `window.__noReload = true`)

	// Leave the email field with something that is not an address.
	u.fill("#f-email", "ada.example.com")
	u.tab()
	u.waitFor("the inline email error", `document.getElementById('f-email-error')`)
	if got := u.attr("#f-email", "aria-invalid"); got != "true" {
		t.Fatalf("aria-invalid = %q after an inline error", got)
	}
	if d := u.attr("#f-email", "aria-describedby"); !strings.Contains(d, "f-email-error") {
		t.Fatalf("aria-describedby = %q does not name the error", d)
	}
	u.waitFor("the error announced", `document.getElementById('announcer').textContent.includes('name@example.com')`)
	u.checkPage("register-inline-error")

	u.fill("#f-first_name", "Ada")
	u.tab()
	u.waitFor("the valid state", `document.getElementById('f-first_name').classList.contains('input-valid')`)

	uiEval[bool](u, `(() => { document.getElementById('f-email').value = ''; return true })()`)
	u.fill("#f-email", "ada@gmial.com")
	u.tab()
	u.waitFor("the email error to clear", `!document.getElementById('f-email-error')`)
	u.waitFor("the typo suggestion", `(document.getElementById('f-email-note')||{}).innerText === 'Did you mean ada@gmail.com?'`)
	// The suggestion is a button that puts it in the field, which is then
	// checked again and the suggestion goes.
	u.waitVisible("#f-email-note button")
	u.checkPage("register-email-suggestion")
	u.click("#f-email-note button")
	u.waitFor("the suggestion taken", `!document.getElementById('f-email-note') && document.getElementById('f-email').classList.contains('input-valid')`)
	if got := u.value("#f-email"); got != "ada@gmail.com" {
		t.Fatalf("after taking the suggestion the field holds %q", got)
	}
	if got := u.focused(); got != "#f-email" {
		t.Errorf("after taking the suggestion focus is on %q, want the field", got)
	}

	// Country → region swap. Set the select as a person's choice would and
	// fire change (the native picker is outside the page).
	uiEval[bool](u, `(() => { const s = document.getElementById('f-country'); s.value = 'DE'; s.dispatchEvent(new Event('change', {bubbles: true})); return true })()`)
	u.waitFor("the German regions", `document.querySelector('#f-region option[value="DE-BY"]')`)
	uiEval[bool](u, `(() => { const s = document.getElementById('f-country'); s.value = 'VA'; s.dispatchEvent(new Event('change', {bubbles: true})); return true })()`)
	u.waitFor("the region field to go", `!document.getElementById('f-region')`)
	u.checkPage("register-inline-valid")

	if !uiEval[bool](u, `window.__noReload === true`) {
		t.Fatal("inline validation reloaded the page")
	}
}

// TestBrowserStepsSwapInPlace: with script on, "Send Registration Email"
// swaps the next step in without a page load and updates the URL; an
// error summary from a failed submit takes focus; the live checklist ticks
// as a password is typed.
func TestBrowserStepsSwapInPlace(t *testing.T) {
	b := newUIBrowser(t)
	app := newApp(t, storetest.SQLite)
	u := b.open(t, app, uiOptions{JS: true, Width: uiDesktop})
	u.visit("/register")
	uiEval[bool](u, `window.__noReload = true`)
	u.clickText("Send Registration Email")
	u.waitFor("the error summary to take focus", `document.activeElement && document.activeElement.id === 'error-summary'`)

	u.fill("#f-first_name", "Ada")
	u.fill("#f-last_name", "Lovelace")
	u.fill("#f-company", "Engines")
	uiEval[bool](u, `(() => { const s = document.getElementById('f-country'); s.value = 'GB'; s.dispatchEvent(new Event('change', {bubbles: true})); return true })()`)
	u.waitLoaded()
	u.fill("#f-email", "swap@example.com")
	u.click("#f-accept_terms")
	u.clickText("Send Registration Email")
	u.waitFor("the check-your-inbox step", `location.pathname === '/register/sent' && document.getElementById('page-title').textContent === 'Check your inbox'`)
	u.waitLoaded()
	if !uiEval[bool](u, `window.__noReload === true`) {
		t.Fatal("the step was a page load, not a swap")
	}
	if !uiEval[bool](u, `document.title.startsWith('Check your inbox')`) {
		t.Fatalf("title not updated: %q", uiEval[string](u, `document.title`))
	}
	u.checkPage("register-sent-swapped")

	u.visit(app.LastLink("swap@example.com", "/activate"))
	u.expectHeading("Set password")
	u.fill("#f-password", "correct horse battery staple")
	u.waitFor("the length tick", `document.querySelector('#password-checklist').textContent.includes('Met:')`)
	u.waitFor("the strength", `/Strength: (good|strong)/.test(document.getElementById('password-strength').textContent)`)
	u.fill("#f-password_confirm", "correct horse")
	u.waitFor("the mismatch note", `document.getElementById('confirm-match').textContent.includes("don't match")`)
	u.click("[data-toggle-password][aria-controls=f-password]")
	if got := u.attr("#f-password", "type"); got != "text" {
		t.Fatalf("show-password left type=%q", got)
	}
	u.checkPage("set-password-typing")
}
