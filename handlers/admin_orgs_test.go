package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gatehouse/internal/account"
	"gatehouse/internal/paths"
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
