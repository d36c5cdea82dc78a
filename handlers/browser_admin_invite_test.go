package handlers_test

import (
	"context"
	"strings"
	"testing"

	"gatehouse/internal/account"
	"gatehouse/internal/paths"
	"gatehouse/internal/store/storetest"
)

// TestBrowserAdminInvitesOwner: with sign-up by invitation only, an
// operator brings a new company in from the console, with script and
// without: creates its organisation (empty), invites its first owner from
// the organisation's page; the invitee opens the email from the dev
// mailbox, which says an administrator invited them, joins, signs in and
// lands on the organisation's page as its owner. Every page passes the
// CSP and, with script, axe.
func TestBrowserAdminInvitesOwner(t *testing.T) {
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
			app := newApp(t, storetest.SQLite, func(o *appOptions) { o.signupMode = account.SignupInvite })
			seedOwner(t, app, "op@example.com")
			if _, err := app.Account.GrantOperator(context.Background(), "op@example.com", adminCLI); err != nil {
				t.Fatal(err)
			}
			grace := "grace." + c.name + "@initech.example"

			u := b.open(t, app, uiOptions{JS: c.js, Width: c.width})
			u.visit("/login")
			u.signIn("op@example.com", goodPassword)
			u.visit(paths.AdminOrgs)
			u.expectHeading("Organisations")
			u.checkPage("admin-orgs-new")
			u.fill("#f-name", "Initech")
			u.clickText("Create Organisation")
			u.expectText("The organisation was created. Invite its first owner.")
			u.expectHeading("Initech")
			u.expectText("No members yet: invite the first owner below.")
			u.checkPage("admin-org-created")

			u.fill("#f-emails", grace)
			u.choose("#f-role", "owner")
			u.clickText("Send Invitations")
			u.expectText("Invitations sent.")
			u.expectText("invited by an administrator (Ada Lovelace)")
			u.checkPage("admin-org-invited")
			u.visit(paths.Account)
			u.clickText("Sign Out")
			u.expectHeading("Sign in")

			app.Mail(grace) // deliver the outbox to the dev mailbox
			u.visit("/dev/mailbox")
			u.expectText("An administrator invited you to join Initech")
			u.visit(u.attr(`a[href*="/invite?token="]`, "href"))
			u.expectHeading("Join Initech")
			u.expectText("An administrator invited you to join Initech as Owner.")
			u.checkPage("admin-invite")
			u.fill("#f-first_name", "Grace")
			u.fill("#f-last_name", "Hopper")
			u.fill("#f-password", goodPassword)
			u.fill("#f-password_confirm", goodPassword)
			u.clickText("Join Initech")
			u.expectText("You've joined the organisation.")
			if got := u.value("#f-email"); got != grace {
				u.fill("#f-email", grace)
			}
			u.fill("#f-password", goodPassword)
			u.clickText("Sign In")
			u.expectHeading("Your account")
			u.visit(paths.Org)
			u.expectText("Grace Hopper")
			u.expectText("An administrator invited " + grace)
			u.waitVisible("[data-testid=org-invitations]") // an owner's page: she invites from here on
			if got := u.text("[data-testid=org-trail]"); strings.Contains(got, "Lovelace") || strings.Contains(got, "op@example.com") {
				t.Errorf("the owner's trail names the operator: %s", got)
			}
			u.checkPage("admin-invite-owner")
		})
	}
}
