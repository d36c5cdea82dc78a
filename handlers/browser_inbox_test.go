package handlers_test

import (
	"strings"
	"testing"
	"time"

	"gatehouse/internal/store/storetest"
)

// uiPollCounter counts the status fragment's requests from the page.
const uiPollCounter = `(() => {
	if (window.__polls !== undefined) return;
	window.__polls = 0;
	document.addEventListener('htmx:before:request', e => {
		if (e.target && e.target.id === 'delivery-status') window.__polls++;
	}, true);
})()`

// TestBrowserInboxStatus: a person watching "check your inbox" sees the
// email go from queued to sent to delivered as the fake Resend reports it,
// and the page then stops asking; another whose address bounces sees the
// bounce text with the link to change the address; without JavaScript a
// reload (the Refresh link) shows the current state. axe-core finds
// nothing on any of the states.
func TestBrowserInboxStatus(t *testing.T) {
	b := newUIBrowser(t)
	app := newApp(t, storetest.SQLite, withResend)
	app.activeAccount("watcher@example.com")

	forgot := func(u *uiTab, addr string) {
		u.visit("/password/forgot")
		u.fill("#f-email", addr)
		u.clickText("Send Email")
		u.waitFor("check your inbox", `document.querySelector('[data-testid=delivery-status]')`)
		u.idle()
	}
	state := func(u *uiTab) string { return u.attr("#delivery-status", "data-state") }

	t.Run("delivered", func(t *testing.T) {
		u := b.open(t, app, uiOptions{JS: true, Width: uiDesktop})
		forgot(u, "watcher@example.com")
		uiEval[bool](u, uiPollCounter+`, true`)
		if got := state(u); got != "queued" {
			t.Fatalf("state %q before the worker ran, want queued", got)
		}
		u.checkPage("inbox-queued")
		app.drain()
		u.waitFor("sent", `document.querySelector('#delivery-status[data-state=sent]')`)
		app.event("watcher@example.com", "email.delivered")
		u.waitFor("delivered", `document.querySelector('#delivery-status[data-state=delivered]')`)
		u.expectText("Delivered: your mail provider has accepted the email.")
		if u.attr("#delivery-status", "hx-trigger") != "" {
			t.Error("the delivered status still carries its polling trigger")
		}
		before := uiEval[int](u, `window.__polls`)
		if before == 0 {
			t.Fatal("the page never asked for the status")
		}
		time.Sleep(4 * time.Second) // more than one polling interval
		if after := uiEval[int](u, `window.__polls`); after != before {
			t.Errorf("the page asked %d more times after delivered, want none", after-before)
		}
		u.checkPage("inbox-delivered")
	})

	t.Run("bounced", func(t *testing.T) {
		u := b.open(t, app, uiOptions{JS: true, Width: uiPhone})
		forgot(u, "gone@example.com") // no account: the notice bounces like any email
		app.drain()
		u.waitFor("sent", `document.querySelector('#delivery-status[data-state=sent]')`)
		app.event("gone@example.com", "email.bounced")
		u.waitFor("bounced", `document.querySelector('#delivery-status[data-state=bounced]')`)
		u.expectText("This address doesn't accept mail — check it or use another.")
		if href := u.attr("[data-testid=delivery-change-address]", "href"); href != "/password/forgot" {
			t.Errorf("change-address link %q, want /password/forgot", href)
		}
		u.checkPage("inbox-bounced")
		u.click("[data-testid=delivery-change-address]")
		u.waitFor("the form for another address", `location.pathname === '/password/forgot'`)
	})

	t.Run("no-js", func(t *testing.T) {
		u := b.open(t, app, uiOptions{JS: false, Width: uiDesktop})
		u.visit("/password/forgot")
		u.fill("#f-email", "plain@example.com")
		u.clickText("Send Email")
		u.waitFor("check your inbox", `document.querySelector('[data-testid=delivery-status]')`)
		if got := state(u); got != "queued" {
			t.Fatalf("state %q, want queued", got)
		}
		app.drain()
		u.click("[data-testid=delivery-refresh]")
		u.waitFor("sent after a reload", `document.querySelector('#delivery-status[data-state=sent]')`)
		app.event("plain@example.com", "email.delivered")
		u.click("[data-testid=delivery-refresh]")
		u.waitFor("delivered after a reload", `document.querySelector('#delivery-status[data-state=delivered]')`)
		if !strings.Contains(u.text("#delivery-status"), "Delivered") {
			t.Errorf("status reads %q", u.text("#delivery-status"))
		}
		u.checkPage("inbox-nojs-delivered")
	})
}
