package handlers_test

import (
	"context"
	"encoding/csv"
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

// The console's organisations: the list (searchable by name or claimed
// domain) with its counts, an organisation's page with its members and
// their roles, its domains and join policy, the request waiting and the
// organisation's trail; the organisation and role beside each account in
// the account list and on the account's page.
func TestAdminOrganisations(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		op := adminOperator(t, app, "op@example.com")
		app.signUpAt("ada@acme.example", "Zürich Acme", account.NoticePasswordSet)
		ada := app.signIn("ada@acme.example", goodPassword)
		mustRedirect(t, orgPost(t, ada, "/org/domains/claim", nil, 303), "/org?notice=org_domain_claimed")
		mustRedirect(t, orgPost(t, ada, "/org/domains/policy", url.Values{"domain": {"acme.example"}, "policy": {"request"}}, 303),
			"/org?notice=org_policy_changed")
		app.signUpAt("bob@acme.example", "Acme", account.NoticeOrgRequested)

		m, err := app.Store.MembershipByUser(context.Background(), secUser(t, app.Store, "ada@acme.example").ID)
		if err != nil {
			t.Fatal(err)
		}
		orgURL := paths.AdminOrgURL(m.Organisation.PublicID)

		must(t, op.Get(paths.AdminOrgs), http.StatusOK, "Organisations", "Zürich Acme", `href="`+orgURL+`"`)
		must(t, op.Get(paths.AdminOrgs+"?q=acme.EXAMPLE"), http.StatusOK, "Zürich Acme")
		must(t, op.Get(paths.AdminOrgs+"?q=zürich"), http.StatusOK, "Zürich Acme")
		if p := op.Get(paths.AdminOrgs + "?q=nothing-like-it"); !strings.Contains(p.Body, "No organisation matches.") || strings.Contains(p.Body, "Zürich Acme") {
			t.Errorf("a search that matches nothing:\n%s", p.Body)
		}

		must(t, op.Get(orgURL), http.StatusOK, "Zürich Acme", "ada@acme.example", "Owner", "acme.example",
			"Request to join (an admin approves)", "Requests to join", "bob@acme.example",
			`href="`+paths.AdminUserURL(paths.AdminUser, publicID(t, app, "bob@acme.example"))+`"`)
		must(t, op.Get(paths.AdminOrgURL("org_nosuchorganisation")), http.StatusNotFound)

		must(t, op.Get(paths.AdminUsers+"?q=acme.example"), http.StatusOK, "Zürich Acme", "Owner", "Request to join waiting")
		must(t, op.Get(paths.AdminUserURL(paths.AdminUser, publicID(t, app, "ada@acme.example"))), http.StatusOK,
			`href="`+orgURL+`"`, "Zürich Acme", "Owner")
		must(t, op.Get(paths.AdminUserURL(paths.AdminUser, publicID(t, app, "bob@acme.example"))), http.StatusOK,
			"Request to join waiting")

		// An organisation's owner sees none of it.
		if p := ada.Get(orgURL); p.StatusCode != http.StatusNotFound {
			t.Errorf("the organisation's owner got %d from its console page", p.StatusCode)
		}
	})
}

// orgTrailNewest is the organisation's newest trail entry.
func orgTrailNewest(t *testing.T, app *testApp, orgID int64) store.OrgEventRow {
	t.Helper()
	rows, err := app.Store.OrgEvents(context.Background(), orgID, 1)
	if err != nil || len(rows) == 0 {
		t.Fatalf("no trail: %v", err)
	}
	return rows[0]
}

// TestAdminOrganisationActions: an operator does on the console's page of
// an organisation what its owners do on theirs — rename, claim a member's
// domain, set its join policy, approve and decline requests, change roles,
// remove members, switch the second-step rule, release the domain — with
// the owners' rules (the last owner stays one), the password asked again
// before the destructive ones, each action in the organisation's trail
// (which its owners read as "an administrator") and in the audit trail
// with the operator as actor.
func TestAdminOrganisationActions(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		ctx := context.Background()
		op := adminOperator(t, app, "op@example.com")
		opID := secUser(t, app.Store, "op@example.com").ID
		app.signUpAt("ada@acme.example", "Acme", account.NoticePasswordSet)
		ada := app.signIn("ada@acme.example", goodPassword)
		adaID := publicID(t, app, "ada@acme.example")
		m, err := app.Store.MembershipByUser(ctx, secUser(t, app.Store, "ada@acme.example").ID)
		if err != nil {
			t.Fatal(err)
		}
		org := m.Organisation
		orgURL := paths.AdminOrgURL(org.PublicID)
		act := func(route string) string { return paths.AdminOrgAction(route, org.PublicID) }
		done := func(n account.Notice) string { return orgURL + "?notice=" + string(n) }

		// The domain of a member's address is offered, and claimed.
		must(t, op.Get(orgURL), http.StatusOK, "Claim acme.example", `value="Acme"`)
		mustRedirect(t, op.Post(act(paths.AdminOrgDomainClaim), url.Values{"domain": {"acme.example"}}), done(account.NoticeOrgDomainClaimed))
		if d, err := app.Store.OrgDomainByName(ctx, "acme.example"); err != nil || d.OrgID != org.ID {
			t.Fatalf("acme.example not claimed: %+v %v", d, err)
		}
		// A domain no member has an address at, or everyone's, is not.
		for _, d := range []string{"globex.example", "gmail.com"} {
			p := op.Post(act(paths.AdminOrgDomainClaim), url.Values{"domain": {d}})
			must(t, p, http.StatusUnprocessableEntity, "No member of the organisation has an address at "+d)
		}
		mustRedirect(t, op.Post(act(paths.AdminOrgDomainPolicy), url.Values{"domain": {"acme.example"}, "policy": {"request"}}),
			done(account.NoticeOrgPolicyChanged))
		app.signUpAt("bob@acme.example", "Acme", account.NoticeOrgRequested)
		app.signUpAt("cy@acme.example", "Acme", account.NoticeOrgRequested)
		bobID, cyID := publicID(t, app, "bob@acme.example"), publicID(t, app, "cy@acme.example")
		must(t, op.Get(orgURL), http.StatusOK, "Approve", "bob@acme.example", "The only owner")

		mustRedirect(t, op.Post(act(paths.AdminOrgApprove), url.Values{"member": {bobID}}), done(account.NoticeOrgApproved))
		if mm, err := app.Store.MembershipByUser(ctx, secUser(t, app.Store, "bob@acme.example").ID); err != nil || mm.Status != store.MemberActive {
			t.Fatalf("bob not approved: %+v %v", mm, err)
		}
		if e := orgTrailNewest(t, app, org.ID); e.Kind != string(account.OrgEventApproved) || !e.ByOperator || e.ActorID == nil || *e.ActorID != opID {
			t.Errorf("trail entry of the approval: %+v", e)
		}
		adminMustActor(t, app.Store, account.EventOrgChangedByOperator, opID)
		if ev := adminEvents(t, app.Store, account.EventOrgChangedByOperator)[0]; ev.UserID == nil || *ev.UserID != secUser(t, app.Store, "bob@acme.example").ID || ev.Actor != "op@example.com" {
			t.Errorf("audit event of the approval: %+v", ev)
		}
		// Ada is now the only owner of an organisation with someone else
		// in it: the console will not delete her, says why and leads to
		// the organisation's page.
		must(t, op.Post(paths.AdminUserURL(paths.AdminUserDelete, adaID), nil), http.StatusConflict,
			"This account is the only owner of Acme, which has other members.")
		must(t, op.Get(paths.AdminUserURL(paths.AdminUser, adaID)), http.StatusOK, `data-testid="last-owner"`,
			`href="`+orgURL+`">Make another owner on the organisation&#39;s page`)
		if _, err := app.Store.UserByEmail(ctx, "ada@acme.example"); err != nil {
			t.Fatalf("the last owner was deleted: %v", err)
		}
		mustRedirect(t, op.Post(act(paths.AdminOrgDecline), url.Values{"member": {cyID}}), done(account.NoticeOrgDeclined))
		if _, err := app.Store.MembershipByUser(ctx, secUser(t, app.Store, "cy@acme.example").ID); err == nil {
			t.Error("cy's request is still there")
		}

		p := op.Post(act(paths.AdminOrgRename), url.Values{"name": {""}})
		must(t, p, http.StatusUnprocessableEntity, "Enter the organisation&#39;s name.")
		mustRedirect(t, op.Post(act(paths.AdminOrgRename), url.Values{"name": {"Acme Works"}}), done(account.NoticeOrgRenamed))
		must(t, op.Get(done(account.NoticeOrgRenamed)), http.StatusOK, "Acme Works", "An administrator (Ada Lovelace &lt;op@example.com&gt;) renamed the organisation")

		// The last owner stays one, for an operator too.
		p = op.Post(act(paths.AdminOrgRole), url.Values{"member": {adaID}, "role": {"member"}})
		must(t, p, http.StatusUnprocessableEntity, "An organisation needs an owner")
		p = op.Post(act(paths.AdminOrgRemove), url.Values{"member": {adaID}})
		must(t, p, http.StatusUnprocessableEntity, "An organisation needs an owner")
		mustRedirect(t, op.Post(act(paths.AdminOrgRole), url.Values{"member": {bobID}, "role": {"owner"}}), done(account.NoticeOrgRoleChanged))
		if mm, _ := app.Store.MembershipByUser(ctx, secUser(t, app.Store, "bob@acme.example").ID); mm.Role != store.RoleOwner {
			t.Fatalf("bob is %s, want owner", mm.Role)
		}
		// The owners read that an administrator acted, not who.
		bob := app.signIn("bob@acme.example", goodPassword)
		p = bob.Get("/org")
		if strings.Contains(p.Body, "op@example.com") || !strings.Contains(p.Body, "An administrator renamed the organisation") {
			t.Errorf("the owners' trail:\n%s", p.Body)
		}
		mustRedirect(t, op.Post(act(paths.AdminOrgRemove), url.Values{"member": {adaID}}), done(account.NoticeOrgRemoved))
		if _, err := app.Store.MembershipByUser(ctx, secUser(t, app.Store, "ada@acme.example").ID); err == nil {
			t.Error("ada is still a member")
		}
		mustRedirect(t, ada.Get("/account"), "/login") // removal ends her sessions, as on the owners' page

		// Members and domains of another organisation, and unknown ones,
		// are a 404, as on the owners' page.
		app.signUpAt("hank@globex.example", "Globex", account.NoticePasswordSet)
		hankID := publicID(t, app, "hank@globex.example")
		must(t, op.Post(act(paths.AdminOrgRemove), url.Values{"member": {hankID}}), http.StatusNotFound)
		must(t, op.Post(act(paths.AdminOrgDomainPolicy), url.Values{"domain": {"globex.example"}, "policy": {"auto"}}), http.StatusNotFound)
		must(t, op.Post(paths.AdminOrgAction(paths.AdminOrgRename, "org_nosuchorganisation"), url.Values{"name": {"X"}}), http.StatusNotFound)

		// Destructive actions ask for the password again after 15 minutes.
		app.Advance(16 * time.Minute)
		for _, a := range []struct {
			route string
			form  url.Values
		}{
			{paths.AdminOrgSecondFactor, url.Values{"require": {"on"}}},
			{paths.AdminOrgDomainRelease, url.Values{"domain": {"acme.example"}}},
			{paths.AdminOrgRole, url.Values{"member": {bobID}, "role": {"admin"}}},
			{paths.AdminOrgRemove, url.Values{"member": {bobID}}},
			{paths.AdminOrgDecline, url.Values{"member": {bobID}}},
		} {
			must(t, op.Post(act(a.route), a.form), http.StatusOK, `name="reauth_password"`, `action="`+act(a.route)+`"`)
		}
		if o, _ := app.Store.OrganisationByID(ctx, org.ID); o.RequireSecondFactor {
			t.Fatal("the rule changed before the password was entered")
		}
		if _, err := app.Store.OrgDomainByName(ctx, "acme.example"); err != nil {
			t.Fatal("the domain went before the password was entered")
		}
		form := url.Values{"require": {"on"}, "reauth_password": {goodPassword}}
		mustRedirect(t, op.Post(act(paths.AdminOrgSecondFactor), form), done(account.NoticeOrgSecondFactorOn))
		if o, _ := app.Store.OrganisationByID(ctx, org.ID); !o.RequireSecondFactor {
			t.Fatal("the second-step rule is not on")
		}
		mustRedirect(t, op.Post(act(paths.AdminOrgDomainRelease), url.Values{"domain": {"acme.example"}}), done(account.NoticeOrgDomainRemoved))
		if _, err := app.Store.OrgDomainByName(ctx, "acme.example"); err == nil {
			t.Fatal("acme.example is still claimed")
		}

		// Every action is in the audit trail with the operator as actor.
		if n := len(adminEvents(t, app.Store, account.EventOrgChangedByOperator)); n != 9 {
			t.Errorf("%d org_changed_by_operator events, want 9", n)
		}
		for _, e := range adminEvents(t, app.Store, account.EventOrgChangedByOperator) {
			if e.ActorID == nil || *e.ActorID != opID || e.Actor != "op@example.com" || e.UserAgent != "" {
				t.Errorf("event %+v does not name the operator as actor", e)
			}
		}
	})
}

// TestAdminAuditExportOrg: the console's export narrowed to one
// organisation (by name or id, as its page links it) holds its people's
// events and nobody else's; an unknown organisation is a field error.
func TestAdminAuditExportOrg(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		op := adminOperator(t, app, "op@example.com")
		app.signUpAt("ada@acme.example", "Acme", account.NoticePasswordSet)
		app.signUpAt("hank@globex.example", "Globex", account.NoticePasswordSet)
		app.signIn("ada@acme.example", goodPassword)
		app.signIn("hank@globex.example", goodPassword)
		m, err := app.Store.MembershipByUser(context.Background(), secUser(t, app.Store, "ada@acme.example").ID)
		if err != nil {
			t.Fatal(err)
		}
		id := m.Organisation.PublicID
		must(t, op.Get(paths.AdminOrgURL(id)), http.StatusOK, `href="/admin/audit?org=`+id+`"`)
		must(t, op.Get(paths.AdminAudit+"?org="+id), http.StatusOK, `name="org"`, `value="`+id+`"`)
		since := app.Now().AddDate(0, 0, -1).Format(time.DateOnly)
		// A claimed domain names it too, as on the command line.
		must(t, op.Post(paths.AdminOrgAction(paths.AdminOrgDomainClaim, id), url.Values{"domain": {"acme.example"}}), http.StatusSeeOther)
		for _, ref := range []string{id, "acme", "ACME.example"} {
			p := op.Post(paths.AdminAuditExport, url.Values{"since": {since}, "org": {ref}, "format": {"csv"}})
			must(t, p, http.StatusOK, "ada@acme.example", "login_ok", "org_changed_by_operator")
			rows, err := csv.NewReader(strings.NewReader(p.Body)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			// The operator's claim of the domain is the organisation's;
			// the operator's own events (the email column) are not.
			for _, r := range rows[1:] {
				if r[3] == "hank@globex.example" || r[3] == "op@example.com" {
					t.Errorf("export of %s holds someone else's events:\n%s", ref, p.Body)
				}
			}
		}
		p := op.Post(paths.AdminAuditExport, url.Values{"since": {since}, "org": {"Initech"}, "format": {"csv"}})
		must(t, p, http.StatusUnprocessableEntity, "No organisation has this name, id or domain.")
	})
}
