package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/account"
	"gatehouse/internal/paths"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// inviteOnlyOperator is, in a deployment whose sign-up is closed, an
// operator (Ada Lovelace, the owner of Acme) signed in.
func inviteOnlyOperator(t *testing.T, app *testApp, email string) *browser {
	t.Helper()
	seedOwner(t, app, email)
	if _, err := app.Account.GrantOperator(context.Background(), email, adminCLI); err != nil {
		t.Fatal(err)
	}
	return app.signIn(email, goodPassword)
}

// With SIGNUP_MODE=invite, the console's forms bring a company in: a new
// organisation (its name checked as a rename's), then on its page the
// owners' invitations section with the owner role offered, an invitation
// whose email names no one, a resend, and a withdrawal that asks for the
// password again; the invitee joins by the link as its owner and reads
// "an administrator" where the console names the operator.
func TestAdminOrganisationInvitations(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend, func(o *appOptions) { o.signupMode = account.SignupInvite })
		op := inviteOnlyOperator(t, app, "op@example.com")

		must(t, op.Get(paths.AdminOrgs), http.StatusOK, `data-testid="org-new"`, `action="/admin/orgs"`, "Create Organisation")
		must(t, op.Post(paths.AdminOrgs, url.Values{"name": {"  "}}), http.StatusUnprocessableEntity, "Enter the organisation&#39;s name.", `data-testid="org-new"`)
		p := op.Post(paths.AdminOrgs, url.Values{"name": {"Initech"}})
		if p.StatusCode != http.StatusSeeOther || !strings.HasPrefix(p.Header.Get("Location"), paths.AdminOrgs+"/org_") {
			t.Fatalf("create: %d to %q\n%s", p.StatusCode, p.Header.Get("Location"), p.Body)
		}
		created := p.Header.Get("Location")
		orgURL, _, _ := strings.Cut(created, "?")
		id := strings.TrimPrefix(orgURL, paths.AdminOrgs+"/")
		if created != orgURL+"?notice=org_created" {
			t.Fatalf("created: to %q", created)
		}
		act := func(route string) string { return paths.AdminOrgAction(route, id) }
		done := func(n account.Notice) string { return orgURL + "?notice=" + string(n) }
		must(t, op.Get(created), http.StatusOK, "The organisation was created.", `data-testid="org-no-members"`,
			`action="`+act(paths.AdminOrgInvite)+`"`, `<option value="owner"`, "without your name", "An administrator (Ada Lovelace &lt;op@example.com&gt;) created the organisation.")
		must(t, op.Get(paths.AdminOrgs+"?q=initech"), http.StatusOK, `href="`+orgURL+`"`)

		// A refused form is shown again in the section, as typed.
		must(t, op.Post(act(paths.AdminOrgInvite), url.Values{"emails": {"not an address"}, "role": {"owner"}}), http.StatusUnprocessableEntity,
			"not an address", `data-testid="invite-form"`)
		mustRedirect(t, op.Post(act(paths.AdminOrgInvite), url.Values{"emails": {"grace@initech.example"}, "role": {"owner"}}), done(account.NoticeInvited))
		mails := app.Mail("grace@initech.example")
		if len(mails) != 1 || mails[0].Subject != "An administrator invited you to join Initech" {
			t.Fatalf("the invitation: %+v", mails)
		}
		for _, part := range []string{mails[0].Subject, mails[0].Text, mails[0].HTML} {
			if strings.Contains(part, "Ada") || strings.Contains(part, "Lovelace") || strings.Contains(part, "op@example.com") {
				t.Errorf("the invitation names the operator:\n%s", part)
			}
		}
		page := op.Get(orgURL)
		must(t, page, http.StatusOK, "grace@initech.example", "invited by an administrator (Ada Lovelace)")
		invID := inviteIDRE.FindStringSubmatch(page.Body)
		if invID == nil {
			t.Fatal("no invitation id on the page")
		}
		mustRedirect(t, op.Post(act(paths.AdminOrgInviteResend), url.Values{"id": {invID[1]}}), done(account.NoticeInviteResent))
		if n := len(app.Mail("grace@initech.example")); n != 2 {
			t.Fatalf("%d invitation emails after the resend, want 2", n)
		}
		link := app.LastLink("grace@initech.example", "/invite")
		// Another organisation's invitation, or none, is a 404.
		must(t, op.Post(paths.AdminOrgAction(paths.AdminOrgInviteResend, "org_nosuchorganisation"), url.Values{"id": {invID[1]}}), http.StatusNotFound)
		must(t, op.Post(act(paths.AdminOrgInviteResend), url.Values{"id": {"inv_nosuchinvitation"}}), http.StatusNotFound)

		// Withdrawing asks for the password again after 15 minutes.
		mustRedirect(t, op.Post(act(paths.AdminOrgInvite), url.Values{"emails": {"linus@initech.example"}, "role": {"member"}}), done(account.NoticeInvited))
		linus := app.LastLink("linus@initech.example", "/invite")
		ids := inviteIDRE.FindAllStringSubmatch(op.Get(orgURL).Body, -1)
		app.Advance(16 * time.Minute)
		must(t, op.Post(act(paths.AdminOrgInviteRevoke), url.Values{"id": {ids[0][1]}}), http.StatusOK, `name="reauth_password"`)
		mustRedirect(t, op.Post(act(paths.AdminOrgInviteRevoke), url.Values{"id": {ids[0][1]}, "reauth_password": {goodPassword}}), done(account.NoticeInviteRevoked))
		must(t, app.Browser().Follow(app.Browser().Get(linus)), http.StatusGone, `data-testid="invite-invalid"`)

		// Grace joins, though sign-up is closed, as the owner.
		b := app.Browser()
		mustRedirect(t, b.Get(link), "/invite")
		inv := b.Get("/invite")
		must(t, inv, http.StatusOK, "An administrator invited you to join Initech as Owner.")
		if strings.Contains(inv.Body, "Lovelace") {
			t.Error("the invitation's page names the operator")
		}
		p = b.Post("/invite", url.Values{"first_name": {"Grace"}, "last_name": {"Hopper"}, "password": {goodPassword}, "password_confirm": {goodPassword}})
		mustRedirect(t, p, "/login?notice=joined")
		grace := app.signIn("grace@initech.example", goodPassword)
		if m, err := app.Store.MembershipByUser(context.Background(), secUser(t, app.Store, "grace@initech.example").ID); err != nil ||
			m.Organisation.PublicID != id || m.Role != store.RoleOwner || m.Status != store.MemberActive {
			t.Fatalf("grace's membership: %+v %v", m, err)
		}
		// Her page lists the operator's next invitation as an
		// administrator's, and the trail too.
		mustRedirect(t, op.Post(act(paths.AdminOrgInvite), url.Values{"emails": {"ken@initech.example"}, "role": {"member"}}), done(account.NoticeInvited))
		own := grace.Get(paths.Org)
		must(t, own, http.StatusOK, "ken@initech.example", "invited by an administrator", "An administrator invited ken@initech.example")
		if strings.Contains(own.Body, "Lovelace") || strings.Contains(own.Body, "op@example.com") {
			t.Errorf("the owners' page names the operator:\n%s", own.Body)
		}
		must(t, op.Get(orgURL), http.StatusOK, "grace@initech.example", "Owner", "ken@initech.example")
		// A member already is left out and named, once.
		mustRedirect(t, op.Post(act(paths.AdminOrgInvite), url.Values{"emails": {"grace@initech.example"}, "role": {"member"}}), orgURL)
		must(t, op.Get(orgURL), http.StatusOK, `data-testid="invite-skipped"`)
		if strings.Contains(op.Get(orgURL).Body, `data-testid="invite-skipped"`) {
			t.Error("the addresses left out are shown twice")
		}

		// Someone with an account reads the same on the link's page and
		// in their own invitations.
		seedOwner(t, app, "hank@globex.example")
		mustRedirect(t, op.Post(act(paths.AdminOrgInvite), url.Values{"emails": {"hank@globex.example"}, "role": {"member"}}), done(account.NoticeInvited))
		hb := app.Browser()
		mustRedirect(t, hb.Get(app.LastLink("hank@globex.example", "/invite")), "/invite")
		must(t, hb.Get("/invite"), http.StatusOK, "An administrator invited hank@globex.example to join Initech as Member.")
		hank := app.signIn("hank@globex.example", goodPassword)
		must(t, hank.Get(paths.MyInvitations), http.StatusOK, "An administrator invited you to join Initech as Member.")
	})
}
