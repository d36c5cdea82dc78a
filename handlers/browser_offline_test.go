package handlers_test

import (
	"context"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"gatehouse/internal/store/storetest"
)

// offline cuts the tab's network, the service worker's included, or
// brings it back.
func (u *uiTab) offline(off bool) {
	u.t.Helper()
	u.run("network offline="+map[bool]string{true: "on", false: "off"}[off], chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		sw := off
		if _, err := cdp.Call(ctx, tg, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			EmulateOfflineServiceWorker: &sw,
			MatchedNetworkConditions:    []*network.Conditions{{Offline: off, DownloadThroughput: -1, UploadThroughput: -1}},
		}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: off, DownloadThroughput: -1, UploadThroughput: -1})
		return err
	}))
}

// TestBrowserOffline: a form sent with no network says so, in the page's
// language, and keeps what was typed (issue: nothing happened but a
// console error); an emailed link opened with no network shows the
// offline page, whose "Try again" opens that link, not the start page.
func TestBrowserOffline(t *testing.T) {
	b := newUIBrowser(t)
	app := newApp(t, storetest.SQLite)
	u := b.open(t, app, uiOptions{JS: true, Width: uiPhone})

	u.visit("/register")
	u.waitFor("the service worker to control the page", `navigator.serviceWorker && navigator.serviceWorker.controller`)
	u.fill("#f-first_name", "Ada")
	u.fill("#f-email", "ada@example.com")
	u.offline(true)
	u.clickText("Send Registration Email")
	u.waitFor("the offline notice", `document.querySelector('#page-error [data-testid=offline-notice]')`)
	u.expectText("You're offline — we'll keep what you typed.")
	if got := u.value("#f-first_name"); got != "Ada" {
		t.Fatalf("first name %q after the offline submit", got)
	}
	u.checkPage("register-offline")
	u.offline(false)

	mustRedirect(t, app.Browser().Post("/register", registration("train@example.com")), "/register/sent")
	link := app.LastLink("train@example.com", "/activate")
	// The page's emulated offline does not reach the service worker's
	// own fetch in headless Chromium, so the server is made unreachable too.
	u.offline(true)
	app.Unreachable.Store(true)
	u.visit(link)
	u.expectHeading("You're offline")
	u.checkPage("offline-page")
	app.Unreachable.Store(false)
	u.offline(false)
	u.click("[data-testid=try-again]")
	u.expectHeading("Set password")
}
