package handlers_test

import (
	"context"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"gatehouse/internal/store/storetest"
)

// TestBrowserCodeField: the emailed code goes in one field that a phone
// can fill (one-time-code, a numeric keyboard), takes the code pasted with
// the email's space or without, shows it in two groups, and sends itself
// once complete; the hint says plainly it works only in this browser.
func TestBrowserCodeField(t *testing.T) {
	b := newUIBrowser(t)
	app := newApp(t, storetest.SQLite)
	u := b.open(t, app, uiOptions{JS: true, Width: uiPhone})
	u.visit("/register")
	u.fill("#f-first_name", "Ada")
	u.fill("#f-last_name", "Lovelace")
	u.fill("#f-company", "Engines")
	u.fill("#f-email", "code@example.com")
	u.click("#f-accept_terms")
	u.clickText("Send Registration Email")
	u.expectHeading("Check your inbox")
	if n := uiEval[int](u, `document.querySelectorAll('#content input[name=code]').length`); n != 1 {
		t.Fatalf("%d code inputs, want one field", n)
	}
	if got := u.attr("#f-code", "autocomplete"); got != "one-time-code" {
		t.Errorf("autocomplete %q", got)
	}
	if got := u.attr("#f-code", "inputmode"); got != "numeric" {
		t.Errorf("inputmode %q", got)
	}
	u.expectText("It works only in this browser, the one that asked for the email")

	// paste puts text in the field as a paste from the clipboard would.
	paste := func(text string) {
		t.Helper()
		uiEval[bool](u, `(() => { const f = document.getElementById('f-code'); f.focus(); f.select(); return true })()`)
		u.run("paste "+text, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, input.InsertText, input.InsertTextParams{Text: text})
			return err
		}))
	}
	code := app.lastCode("code@example.com")
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	paste(wrong[:3] + " " + wrong[3:])
	u.waitFor("the wrong code refused", `(document.getElementById('f-code-error') || {}).textContent`)
	u.waitLoaded()
	u.checkPage("register-sent-code-wrong")
	paste(code[:5])
	if got := u.value("#f-code"); got != code[:3]+" "+code[3:5] {
		t.Errorf("five digits show as %q, want them spaced", got)
	}
	paste(code)
	u.expectHeading("Set password")
}
