package handlers_test

import (
	"strings"
	"testing"

	"gatehouse/internal/account"
	"gatehouse/internal/paths"
	"gatehouse/internal/store/storetest"
)

// TestBrowserAdminApprovals: in approval mode an operator opens the queue
// from the console's navigation and approves a waiting sign-up, with and
// without script; the queue passes the CSP and, with script, axe.
func TestBrowserAdminApprovals(t *testing.T) {
	b := newUIBrowser(t)
	for _, c := range []struct {
		name  string
		js    bool
		width int64
	}{
		{"js-on", true, uiDesktop},
		{"js-off", false, uiPhone},
	} {
		t.Run(c.name, func(t *testing.T) {
			app := newApp(t, storetest.SQLite, func(o *appOptions) { o.signupMode = account.SignupApproval })
			approvalOperator(t, app, "op@example.com")
			adminWaiting(t, app, "ada@acme.example")

			u := b.open(t, app, uiOptions{JS: c.js, Width: c.width})
			u.visit("/login")
			u.signIn("op@example.com", goodPassword)
			u.visit(paths.Admin)
			u.clickText("Approvals (1)")
			u.expectHeading("Sign-ups to approve")
			u.expectText("ada@acme.example")
			u.checkPage("admin-approvals")
			u.clickText("Approve")
			u.expectText("The sign-up is approved; the person is told by email.")
			u.expectText("No sign-up is waiting for approval.")
			if a := secUser(t, app.Store, "ada@acme.example"); a.Approval != "" {
				t.Errorf("still waiting: %q", a.Approval)
			}
		})
	}
}

// TestBrowserAdminApprovalsKeepPage: approving on the queue's second page,
// with and without script, comes back to the second page.
func TestBrowserAdminApprovalsKeepPage(t *testing.T) {
	b := newUIBrowser(t)
	for _, c := range []struct {
		name string
		js   bool
	}{{"js-on", true}, {"js-off", false}} {
		t.Run(c.name, func(t *testing.T) {
			app := newApp(t, storetest.SQLite, func(o *appOptions) { o.signupMode = account.SignupApproval })
			approvalOperator(t, app, "op@example.com")
			queueWaiting(t, app, 52, 2)
			u := b.open(t, app, uiOptions{JS: c.js, Width: uiDesktop})
			u.visit("/login")
			u.signIn("op@example.com", goodPassword)
			u.visit(paths.AdminApprovals)
			u.clickText("Next page")
			u.expectText("wait50@example.com")
			u.clickText("Approve")
			u.expectText("The sign-up is approved; the person is told by email.")
			u.expectText("wait51@example.com")
			if body := u.bodyText(); strings.Contains(body, "wait50@example.com") || strings.Contains(body, "wait00@example.com") {
				t.Errorf("after approving on page 2 the page shows another page's rows:\n%s", body)
			}
			if a := secUser(t, app.Store, "wait50@example.com"); a.Approval != "" {
				t.Errorf("still waiting: %q", a.Approval)
			}
		})
	}
}
