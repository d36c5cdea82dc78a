package handlers_test

import (
	"context"
	"testing"
	"time"

	"gatehouse/internal/paths"
	"gatehouse/internal/store/storetest"
)

// TestBrowserAdminResetTwoStep: in Chromium, with script and without, an
// operator opens the page of a person who lost their authenticator app,
// sees their two-step verification, unfolds the removal with its warning,
// confirms their own password (typed more than 15 minutes ago) and removes
// it; the page then says it is off and no longer offers the removal, and
// the person's next sign-in asks only for the password. Every page passes
// the CSP and, with script, axe.
func TestBrowserAdminResetTwoStep(t *testing.T) {
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
			app := newApp(t, storetest.SQLite)
			secSignUpDirect(t, app, "op@example.com")
			if _, err := app.Account.GrantOperator(context.Background(), "op@example.com", adminCLI); err != nil {
				t.Fatal(err)
			}
			secSignUpDirect(t, app, "ada@example.com")
			app.turnOnTwoStep(app.signIn("ada@example.com", goodPassword))
			ada := secUser(t, app.Store, "ada@example.com")

			u := b.open(t, app, uiOptions{JS: c.js, Width: c.width})
			u.visit("/login")
			u.signIn("op@example.com", goodPassword)
			u.visit(paths.AdminUserURL(paths.AdminUser, ada.PublicID))
			u.expectHeading("ada@example.com")
			u.expectText("On since")
			u.checkPage("admin-user-two-step-on")

			app.Advance(16 * time.Minute)
			u.click(`[data-testid=reset-two-step] summary`)
			u.expectText("Make sure it is really them asking")
			u.checkPage("admin-user-two-step-remove")
			u.clickText("Remove Two-Step Verification")
			u.expectHeading("Confirm it is you")
			u.checkPage("admin-reauth-two-step")
			u.fill("#f-reauth_password", goodPassword)
			u.clickText("Confirm and Continue")
			u.expectText("Two-step verification is removed; the person is told by email.")
			if got := u.text("[data-testid=two-step]"); got != "Off" {
				t.Errorf("after the removal the page says %q", got)
			}
			if n := uiEval[int](u, `document.querySelectorAll('[data-testid=reset-two-step]').length`); n != 0 {
				t.Error("the removal is still offered")
			}
			u.expectText("Two-step verification removed by an administrator")
			u.checkPage("admin-user-two-step-removed")

			w := b.open(t, app, uiOptions{JS: c.js, Width: c.width})
			w.visit("/login")
			w.fill("#f-email", "ada@example.com")
			w.fill("#f-password", goodPassword)
			w.clickText("Sign In")
			w.expectHeading("Your account")
			if p := w.path(); p != paths.Account {
				t.Errorf("after the password alone: %s", p)
			}
		})
	}
}
