package handlers_test

import (
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"

	"gatehouse/internal/account"
	"gatehouse/internal/store/storetest"
)

// TestBrowserOrganisation: the owner's organisation page with a pending
// request, approving it in place (script on) or by a plain form post
// (script off), a role change, and a requester's waiting page; each page
// passes axe-core and the CSP.
func TestBrowserOrganisation(t *testing.T) {
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
			app.signUpAt("ada@acme.example", "Acme", account.NoticePasswordSet)
			ada := app.signIn("ada@acme.example", goodPassword)
			orgPost(t, ada, "/org/domains/claim", nil, 303)
			orgPost(t, ada, "/org/domains/policy", url.Values{"domain": {"acme.example"}, "policy": {"request"}}, 303)
			app.signUpAt("bob@acme.example", "Acme", account.NoticeOrgRequested)
			app.signUpAt("cy@acme.example", "Acme", account.NoticeOrgRequested)

			w := b.open(t, app, uiOptions{JS: c.js, Width: c.width})
			w.visit("/login")
			w.fill("#f-email", "cy@acme.example")
			w.fill("#f-password", goodPassword)
			w.clickText("Sign in")
			w.expectHeading("Waiting for approval")
			w.expectText("Acme is already on the platform: we've asked its admins to let you in.")
			w.checkPage("org-waiting")

			u := b.open(t, app, uiOptions{JS: c.js, Width: c.width})
			u.visit("/login")
			u.signIn("ada@acme.example", goodPassword)
			u.clickText("Your organisation")
			u.expectHeading("Acme")
			u.expectText("Requests to join")
			u.expectText("bob@acme.example")
			u.checkPage("org-owner")

			u.click(`[data-request] form[action="/org/requests/approve"] button`)
			u.expectText("The request was approved. We've emailed them.")
			if p := u.path(); p != "/org?notice=org_approved" {
				t.Fatalf("after approving: %s", p)
			}
			u.checkPage("org-approved")

			u.run("choose admin", chromedp.SetValue(chromedp.CSS(`[data-member] select[name=role]`), "admin"))
			u.click(`[data-member] form[action="/org/members/role"] button`)
			u.expectText("The role was changed.")
			u.expectText("changed the role of Ada Lovelace <bob@acme.example> to Admin.")
			u.checkPage("org-role-changed")

			// A refused rename comes back with its reason at the field.
			uiEval[bool](u, `(document.querySelector("#f-name").value = "") === ""`)
			u.clickText("Rename")
			u.expectText("Enter the organisation's name.")
			u.checkPage("org-rename-refused")
		})
	}
}
