package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"gatehouse/internal/account"
	"gatehouse/internal/paths"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// TestBrowserAdminSupport: an operator made with the command line's
// function handles support in Chromium, with script and without: finds a
// person by a part of their company's name, sees that their activation
// email bounced, lets mail go to the address again and resends it; once
// the person has activated and signed in, disables them (entering the
// password again, as it was typed more than 15 minutes ago), and they are
// signed out and can no longer sign in; on the page of an organisation
// renames it and switches its second-step rule on, as its owner would,
// and follows its link to the export of its events. Every console page
// passes the CSP and, with script, axe.
func TestBrowserAdminSupport(t *testing.T) {
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
			ctx := context.Background()
			secSignUpDirect(t, app, "op@example.com")
			if _, err := app.Account.GrantOperator(ctx, "op@example.com", adminCLI); err != nil {
				t.Fatal(err)
			}
			adminPending(t, app, "grace@example.com", "Navy Yard Research")
			app.Mail("grace@example.com")
			rows, err := app.Store.OutboxTo(ctx, "grace@example.com", 1)
			if err != nil || len(rows) != 1 {
				t.Fatalf("grace's email: %v", err)
			}
			if err := app.Store.MarkOutboxSentWithIDs(ctx, []int64{rows[0].ID}, []string{"msg_grace"}, app.Now()); err != nil {
				t.Fatal(err)
			}
			if _, err := app.Store.RecordMailEvent(ctx, store.MailEvent{ID: "evt_grace", Type: store.DeliveryBounced, MessageID: "msg_grace",
				To: []string{"grace@example.com"}, At: app.Now(), Suppress: store.SuppressedBounce, Detail: "550 no such user"}); err != nil {
				t.Fatal(err)
			}

			u := b.open(t, app, uiOptions{JS: c.js, Width: c.width})
			u.visit("/login")
			u.signIn("op@example.com", goodPassword)
			u.visit(paths.Admin)
			u.expectHeading("Overview")
			u.checkPage("admin-overview")

			u.visit(paths.AdminUsers)
			u.fill("#f-q", "yard RES")
			u.clickText("Find")
			// The unfiltered list shows grace too: wait for the search's own
			// answer (in the address, with htmx's pushed URL as without
			// script), which leaves the operator out.
			u.waitFor("the search result", `location.search.includes('q=') && document.readyState === 'complete' &&
				(t => t.includes('grace@example.com') && !t.includes('op@example.com'))((document.querySelector('[data-testid=accounts]') || {}).textContent || '')`)
			u.checkPage("admin-users-search")
			u.clickText("grace@example.com")
			u.expectHeading("grace@example.com")
			u.expectText("Bounced")
			u.expectText("Mail stopped: the address bounced")
			u.checkPage("admin-user")
			// The owner has fixed the mailbox: mail goes to it again, and
			// the activation email is sent anew.
			u.clickText("Send Mail Again")
			u.expectText("Mail goes to that address again.")
			u.clickText("Resend Activation Email")
			u.expectText("A new activation email is on its way.")
			link := app.LastLink("grace@example.com", "/activate")
			if err := app.Account.Complete(ctx, account.Activation, secToken(t, link), goodPassword, goodPassword, account.Meta{Locale: "en"}); err != nil {
				t.Fatal(err)
			}
			grace := b.open(t, app, uiOptions{JS: c.js, Width: c.width})
			grace.visit("/login")
			grace.signIn("grace@example.com", goodPassword)

			u.visit(paths.AdminUsers + "?q=" + "navy")
			u.clickText("grace@example.com")
			u.expectHeading("grace@example.com")
			u.expectText("Active")
			app.Advance(16 * time.Minute)
			u.clickText("Disable")
			u.expectHeading("Confirm it is you")
			u.checkPage("admin-reauth")
			u.fill("#f-reauth_password", goodPassword)
			u.clickText("Confirm and Continue")
			u.expectText("The account is disabled and every session has ended.")
			if got := u.text("[data-testid=status]"); got != "Disabled" {
				t.Errorf("status shows %q", got)
			}
			// Grace's open session is over, and signing in again fails
			// as a wrong password would.
			grace.visit(paths.Account)
			grace.expectHeading("Sign in")
			grace.fill("#f-email", "grace@example.com")
			grace.fill("#f-password", goodPassword)
			grace.clickText("Sign In")
			grace.expectText("That email address and password don't match an active account.")
			if p := grace.path(); p == paths.Account {
				t.Error("a disabled account signed in")
			}
			u.visit(paths.AdminMail)
			u.expectText("No address is suppressed.")
			u.checkPage("admin-mail")
			u.visit(paths.AdminAudit)
			u.checkPage("admin-audit")
			if c.js {
				// The form as it stands (a month back, CSV) posted by the
				// browser itself: the file is the month's trail, with the
				// disable just done and its operator.
				got := uiEval[string](u, `(async () => {
					const f = document.querySelector('form[action="`+paths.AdminAuditExport+`"]');
					const r = await fetch(f.action, {method: 'POST', body: new URLSearchParams(new FormData(f))});
					return r.status + ' ' + r.headers.get('content-disposition') + '\n' + await r.text();
				})()`, chromedp.EvalAwaitPromise)
				if !strings.HasPrefix(got, "200 attachment;") || !strings.Contains(got, "id,at,kind,email,actor,ip,user_agent") ||
					!strings.Contains(got, "disabled_by_operator,grace@example.com,op@example.com") {
					t.Errorf("the month's CSV from the browser:\n%.2000s", got)
				}
			}
			// The organisations: the operator's own (each sign-up alone
			// makes one) in the list, and its page.
			u.visit(paths.AdminOrgs)
			u.expectHeading("Organisations")
			u.checkPage("admin-orgs")
			u.clickText("Navy Yard Research")
			u.expectText("Members")
			u.checkPage("admin-org")
			// An owner's actions, taken by the operator: grace is the only
			// owner, so her role stays; the organisation is renamed and
			// its second-step rule switched on (the password was entered
			// again a moment ago, so it is not asked for).
			u.expectText("The only owner: make someone else an owner first.")
			u.run("clear the name", chromedp.Clear("#f-name"))
			u.fill("#f-name", "Navy Yard Labs")
			u.clickText("Rename")
			u.expectText("The organisation was renamed.")
			u.expectHeading("Navy Yard Labs")
			u.clickText("Require a Passkey or Two-Step Verification")
			u.expectText("Members must now use a passkey or two-step verification.")
			u.expectText("renamed the organisation to “Navy Yard Labs”.")
			u.checkPage("admin-org-actions")
			// The export of the organisation's events, linked from its page.
			u.clickText("Export the audit events of its people")
			u.expectHeading("Audit export")
			if got := u.value("#f-org"); got == "" {
				t.Error("the export form does not name the organisation")
			}
			u.checkPage("admin-audit-org")

		})
	}
}
