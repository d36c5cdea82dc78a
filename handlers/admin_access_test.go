package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"gatehouse/handlers"
	"gatehouse/internal/account"
	"gatehouse/internal/i18n"
	"gatehouse/internal/paths"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// adminCLI is how the tests act as the command line does.
var adminCLI = account.Operator{Name: "cli test"}

// adminOperator makes an active account and grants it the operator role
// with the function `gatehouse operators add` calls; it returns a browser
// signed in as it.
func adminOperator(t *testing.T, app *testApp, email string) *browser {
	t.Helper()
	secSignUpDirect(t, app, email)
	if changed, err := app.Account.GrantOperator(context.Background(), email, adminCLI); err != nil || !changed {
		t.Fatalf("grant operator %s: %v %v", email, changed, err)
	}
	return app.signIn(email, goodPassword)
}

// adminRoutes are the console's routes as the router registers them, with
// the ids of a real account, email and organisation filled in, so a check can
// reach the handler; derived from the router, a route added later is
// checked without anyone remembering to.
func adminRoutes(t *testing.T, publicID string, mailID int64, orgID string) []handlers.Route {
	t.Helper()
	catalog, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	var out []handlers.Route
	for _, r := range handlers.Routes(handlers.Deps{Catalog: catalog}) {
		if !paths.IsAdmin(r.Path) || strings.HasSuffix(r.Path, "/") {
			continue // the spellings with a slash are checked with their route
		}
		id := publicID
		switch {
		case strings.HasPrefix(r.Path, paths.AdminMail+"/"):
			id = strconv.FormatInt(mailID, 10)
		case strings.HasPrefix(r.Path, paths.AdminOrgs+"/"):
			id = orgID
		}
		out = append(out, handlers.Route{Method: r.Method, Path: strings.ReplaceAll(r.Path, ":id", id)})
	}
	if len(out) < 15 {
		t.Fatalf("only %d console routes found: %v", len(out), out)
	}
	return out
}

// adminAnswer is a response reduced to what must not differ from an
// unknown path's: status, headers (Date and the request id masked) and body.
func adminAnswer(p page) string {
	return strconv.Itoa(p.StatusCode) + "\n" + secHeaders(p.Header) + "\n" + p.Body
}

// TestAdminHiddenFromEveryoneElse: every console route (and its spelling
// with a trailing slash, and every other method) answers a visitor, a
// person signed in without the role, the owner and an admin of the
// organisation a route names, an operator whose account is
// disabled and one whose role was removed exactly as an unknown path does,
// and changes nothing; an operator gets the page.
func TestAdminHiddenFromEveryoneElse(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		ctx := context.Background()
		op := adminOperator(t, app, "op@example.com")
		secSignUpDirect(t, app, "target@example.com")
		target := secUser(t, app.Store, "target@example.com")
		mails, err := app.Store.ListOutbox(ctx, "", 1)
		if err != nil || len(mails) == 0 {
			t.Fatalf("no outbox row: %v", err)
		}
		// Every account that signs up alone owns an organisation: the
		// target is the owner (a role above admin) of the one whose
		// console page is among the routes.
		m, err := app.Store.MembershipByUser(ctx, target.ID)
		if err != nil || m.Role != store.RoleOwner {
			t.Fatalf("the target owns no organisation: %+v %v", m, err)
		}
		routes := adminRoutes(t, target.PublicID, mails[0].ID, m.Organisation.PublicID)
		owner := app.signIn("target@example.com", goodPassword)
		// An admin of that organisation, who joined through its domain.
		orgPost(t, owner, paths.OrgDomainClaim, nil, http.StatusSeeOther)
		orgPost(t, owner, paths.OrgDomainPolicy, url.Values{"domain": {"example.com"}, "policy": {"auto"}}, http.StatusSeeOther)
		secSignUpDirect(t, app, "orgadmin@example.com")
		orgPost(t, owner, paths.OrgRole, url.Values{"member": {publicID(t, app, "orgadmin@example.com")}, "role": {"admin"}}, http.StatusSeeOther)
		orgAdmin := app.signIn("orgadmin@example.com", goodPassword)
		if am, err := app.Store.MembershipByUser(ctx, secUser(t, app.Store, "orgadmin@example.com").ID); err != nil || am.OrgID != m.OrgID || am.Role != store.RoleAdmin {
			t.Fatalf("no admin of the target's organisation: %+v %v", am, err)
		}

		// An open invitation of that organisation, for the console's
		// invitation routes to name.
		mustRedirect(t, owner.Post(paths.OrgInvitations, url.Values{"emails": {"invited@example.com"}, "role": {"member"}}), paths.OrgInvitations+"?notice=invited")
		open, err := app.Store.PendingInvitations(ctx, m.OrgID)
		if err != nil || len(open) != 1 {
			t.Fatalf("the owner's invitation: %v %v", open, err)
		}

		anonymous := app.Browser()
		secSignUpDirect(t, app, "someone@example.com")
		someone := app.signIn("someone@example.com", goodPassword)
		disabled := adminOperator(t, app, "disabled-op@example.com")
		// As if the account were disabled between two requests, with its
		// session still there: the status alone must shut the console.
		dop := secUser(t, app.Store, "disabled-op@example.com")
		if err := app.Store.SetUserStatus(ctx, dop.ID, store.UserActive, store.UserDisabled, app.Now()); err != nil {
			t.Fatal(err)
		}
		revoked := adminOperator(t, app, "revoked-op@example.com")
		if _, err := app.Account.RevokeOperator(ctx, "revoked-op@example.com", adminCLI); err != nil {
			t.Fatal(err)
		}

		send := func(b *browser, method, path string) page {
			t.Helper()
			if method == http.MethodGet {
				return b.Get(path)
			}
			if method == http.MethodPost {
				return b.Post(path, url.Values{"address": {"target@example.com"}, "since": {"2026-01-01"}, "name": {"Taken over"},
					"emails": {"intruder@example.com"}, "role": {"owner"}, "id": {open[0].PublicID}})
			}
			return secRequest(b, method, path)
		}
		for _, who := range []struct {
			name string
			b    *browser
		}{{"anonymous", anonymous}, {"non-operator", someone}, {"organisation owner", owner}, {"organisation admin", orgAdmin}, {"disabled operator", disabled}, {"revoked operator", revoked}} {
			t.Run(who.name, func(t *testing.T) {
				for _, r := range routes {
					for _, variant := range []struct{ method, path string }{
						{r.Method, r.Path}, {r.Method, r.Path + "/"}, {http.MethodPut, r.Path}, {http.MethodDelete, r.Path},
					} {
						want := adminAnswer(send(who.b, variant.method, "/no-such-page"+strings.TrimPrefix(variant.path, paths.Admin)))
						got := send(who.b, variant.method, variant.path)
						if adminAnswer(got) != strings.Replace(want, "/no-such-page", "/admin", -1) && adminAnswer(got) != want {
							t.Errorf("%s %s as %s: answer differs from an unknown path's:\n%s\n--- unknown path:\n%s",
								variant.method, variant.path, who.name, adminAnswer(got), want)
						}
						if got.StatusCode != http.StatusNotFound {
							t.Errorf("%s %s as %s: %d, want 404", variant.method, variant.path, who.name, got.StatusCode)
						}
					}
				}
			})
		}
		// Nothing the attempts posted took effect.
		if u := secUser(t, app.Store, "target@example.com"); u.Status != store.UserActive {
			t.Errorf("target is %s after non-operators posted every action", u.Status)
		}
		if list, err := app.Store.PendingInvitations(ctx, m.OrgID); err != nil || len(list) != 1 || list[0].PublicID != open[0].PublicID || list[0].SentAt != open[0].SentAt {
			t.Errorf("the organisation's invitations changed after non-operators posted every action: %+v %v", list, err)
		}
		if n := len(app.Mail("intruder@example.com")); n != 0 {
			t.Errorf("%d emails to the address non-operators invited", n)
		}
		if named, err := app.Store.OrganisationsNamed(ctx, "Taken over", 5); err != nil || len(named) != 0 {
			t.Errorf("organisations named by non-operators' posts: %+v %v", named, err)
		}
		events, err := app.Store.ListAuditEvents(ctx, 200)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			if strings.HasSuffix(e.Kind, "_by_operator") || e.Kind == string(account.EventAuditExported) {
				t.Errorf("audit has %s after only non-operators acted", e.Kind)
			}
		}

		// The operator reaches every GET page.
		for _, r := range routes {
			if r.Method != http.MethodGet {
				continue
			}
			p := op.Get(r.Path)
			must(t, p, http.StatusOK)
			if p.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("GET %s: Cache-Control %q", r.Path, p.Header.Get("Cache-Control"))
			}
			secMustHardeningHeaders(t, p)
			if strings.Contains(p.Body, " style=") {
				t.Errorf("GET %s has an inline style attribute, which the CSP refuses", r.Path)
			}
		}
		// A wrong method tells an operator the truth.
		if p := secRequest(op, http.MethodPut, paths.AdminUsers); p.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("PUT %s as operator: %d, want 405", paths.AdminUsers, p.StatusCode)
		}
		_ = time.Second
	})
}
