package handlers_test

import (
	"context"
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
			ctx := context.Background()
			secSignUpDirect(t, app, "op@example.com")
			if err := app.Account.ApproveSignup(ctx, "op@example.com", adminCLI); err != nil {
				t.Fatal(err)
			}
			if _, err := app.Account.GrantOperator(ctx, "op@example.com", adminCLI); err != nil {
				t.Fatal(err)
			}
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
