package handlers_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"gatehouse/internal/store/storetest"
)

// TestBrowserHistory: after a step swapped in place, Back shows the
// previous step, Forward returns, and Reload keeps the current one.
func TestBrowserHistory(t *testing.T) {
	b := newUIBrowser(t)
	app := newApp(t, storetest.SQLite)
	u := b.open(t, app, uiOptions{JS: true, Width: uiDesktop})
	u.visit("/register")
	u.fill("#f-first_name", "Ada")
	u.fill("#f-last_name", "Lovelace")
	u.fill("#f-company", "Engines")
	u.fill("#f-email", "history@example.com")
	u.click("#f-accept_terms")
	u.clickText("Send Registration Email")
	u.expectHeading("Check your inbox")

	u.run("back", chromedp.NavigateBack())
	u.expectHeading("Create your account")
	if p := u.path(); p != "/register" {
		t.Fatalf("after Back the address is %s", p)
	}
	u.run("forward", chromedp.NavigateForward())
	u.expectHeading("Check your inbox")
	u.run("reload", chromedp.Reload())
	u.expectHeading("Check your inbox")
	if p := u.path(); p != "/register/sent" {
		t.Fatalf("after Reload the address is %s", p)
	}
	u.checkPage("history-reloaded")
}
