package handlers_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"gatehouse/handlers"
	"gatehouse/internal/store/storetest"
)

// TestBrowserSubmitErrorsStayInPage: with script on, a sign-up submit that
// fails with 413 (a body over the cap), 429 (the client's email limit) and 500
// (the database gone) leaves one document: the error shows in the page's
// error region, a live region screen readers announce, and the form below
// keeps everything typed. htmx 4 swaps error answers, so an error page
// swapped into #content would nest a second document and drop the form.
func TestBrowserSubmitErrorsStayInPage(t *testing.T) {
	b := newUIBrowser(t)
	app := newApp(t, storetest.SQLite, only("ip"))
	// Use up this client's email limit (the browser shares 127.0.0.1)
	// before the browser tries; a body over the cap is refused before any
	// limit is counted. Over an address's own limit the answer is the
	// usual one, so the per-IP limit is the 429 a person can meet.
	for i := range 6 {
		mustRedirect(t, app.Browser().Post("/register", registration(fmt.Sprintf("limited%d@example.com", i))), "/register/sent")
	}
	u := b.open(t, app, uiOptions{JS: true, Width: uiDesktop})
	u.visit("/register")
	uiEval[bool](u, `window.__noReload = true`)

	typed := map[string]string{"#f-first_name": "Ada", "#f-last_name": "Lovelace", "#f-company": "Engines", "#f-email": "ada@example.com"}
	for _, sel := range []string{"#f-first_name", "#f-last_name", "#f-company", "#f-email"} {
		u.fill(sel, typed[sel])
	}
	uiEval[bool](u, `(() => { const s = document.getElementById('f-country'); s.value = 'GB'; s.dispatchEvent(new Event('change', {bubbles: true})); return true })()`)
	u.waitLoaded()
	u.click("#f-accept_terms")
	u.waitLoaded()

	submit := func(what, want string) {
		t.Helper()
		u.clickText("Send Registration Email")
		u.waitFor(what+" shown", `(document.getElementById('page-error') || {textContent: ''}).textContent.includes(`+uiJSString(want)+`)`)
		u.waitLoaded()
		one := uiEval[string](u, `(() => {
			const n = (s) => document.querySelectorAll(s).length;
			const got = [n('html'), n('head'), n('body'), n('header'), n('main'), n('[id=content]'), n('[id=page-error]'), n('[id=announcer]'), n('form[action="/register"]')];
			return got.join(',');
		})()`)
		if one != "1,1,1,1,1,1,1,1,1" {
			t.Fatalf("%s: html,head,body,header,main,#content,#page-error,#announcer,form counts %s: not one document", what, one)
		}
		// Announced: the text sits in an assertive live region, which the
		// accessibility tree reports as an alert.
		live := uiEval[string](u, `(() => {
			const r = document.getElementById('page-error');
			const el = r.closest('[role=alert],[aria-live]');
			return el ? (el.getAttribute('role') || el.getAttribute('aria-live')) : '';
		})()`)
		if live != "alert" && live != "assertive" {
			t.Fatalf("%s: the error is not in a live region (%q)", what, live)
		}
		if got := u.text("#page-error"); !strings.Contains(got, want) {
			t.Fatalf("%s: #page-error reads %q", what, got)
		}
		if !uiEval[bool](u, `(() => { const r = document.getElementById('page-error').getBoundingClientRect(); return r.width > 0 && r.height > 0 })()`) {
			t.Fatalf("%s: the error is not visible", what)
		}
		for sel, v := range typed {
			if got := u.value(sel); got != v {
				t.Fatalf("%s: %s holds %q, typed %q", what, sel, got, v)
			}
		}
		if u.value("#f-country") != "GB" || !uiEval[bool](u, `document.getElementById('f-accept_terms').checked`) {
			t.Fatalf("%s: the country or the terms box was lost", what)
		}
		if !uiEval[bool](u, `window.__noReload === true`) {
			t.Fatalf("%s: the page was reloaded", what)
		}
		if !strings.HasSuffix(u.path(), "/register") {
			t.Fatalf("%s: the address moved to %s", what, u.path())
		}
	}

	// 413: a field the page does not have, too big for any form.
	uiEval[bool](u, `(() => { const i = document.createElement('input'); i.type = 'hidden'; i.name = 'pad'; i.id = 'pad';
		i.value = 'x'.repeat(`+itoa(handlers.MaxBodyBytes+1024)+`); document.querySelector('form[action="/register"]').append(i); return true })()`)
	submit("413", "Too much data")
	uiEval[bool](u, `(() => { document.getElementById('pad').remove(); return true })()`)
	u.checkPage("register-error-413")

	// 429: the client's limit is used up.
	submit("429", "Too many attempts")
	if strings.Contains(u.text("#page-error"), "Too much data") {
		t.Fatal("the 413 stayed beside the 429")
	}

	// 500: the database closes under the app.
	uiEval[bool](u, `(() => { document.getElementById('f-email').value = ''; return true })()`)
	u.fill("#f-email", "grace@example.com")
	typed["#f-email"] = "grace@example.com"
	u.waitLoaded()
	if err := app.Store.Close(); err != nil {
		t.Fatal(err)
	}
	submit("500", "Something went wrong")
}

func itoa(n int) string { return strconv.Itoa(n) }
