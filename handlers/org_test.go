package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gatehouse/internal/account"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
	"gatehouse/internal/testkit/platform"
)

// signUpAt walks registration for email with company to the sign-in page
// and checks the notice activation ended on.
func (a *testApp) signUpAt(email, company string, notice account.Notice) {
	a.t.Helper()
	b := a.Browser()
	form := registration(email)
	form.Set("company", company)
	mustRedirect(a.t, b.Post("/register", form), "/register/sent")
	mustRedirect(a.t, b.Get(a.LastLink(email, "/activate")), "/password/set")
	p := b.Post("/password/set", url.Values{"password": {goodPassword}, "password_confirm": {goodPassword}})
	mustRedirect(a.t, p, "/login?notice="+string(notice))
}

// signInWaiting signs email in and checks it lands on the waiting page.
func (a *testApp) signInWaiting(email string) *browser {
	a.t.Helper()
	b := a.Browser()
	if p := b.Post("/login", url.Values{"email": {email}, "password": {goodPassword}}); p.StatusCode != http.StatusSeeOther {
		a.t.Fatalf("sign-in of %s: %d", email, p.StatusCode)
	}
	mustRedirect(a.t, b.Get("/account"), "/org/waiting")
	return b
}

func publicID(t *testing.T, app *testApp, email string) string {
	t.Helper()
	return secUser(t, app.Store, email).PublicID
}

// orgPost posts an organisation form; the answer must be status.
func orgPost(t *testing.T, b *browser, path string, form url.Values, status int) page {
	t.Helper()
	p := b.Post(path, form)
	if p.StatusCode != status {
		t.Fatalf("POST %s %v: %d, want %d\n%s", path, form, p.StatusCode, status, p.Body)
	}
	return p
}

// Request to join, without JavaScript: the owner claims the domain and
// asks for requests; a colleague signs up, waits with nothing but sign-out
// (no account page, no platform, no forward auth), the owner approves and
// the colleague is in, with the organisation in every handoff.
func TestOrgJoinByRequest(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		plat := platform.Start()
		defer plat.Close()
		app := newApp(t, backend, withPlatform(plat))
		app.signUpAt("ada@acme.example", "Zürich Acme", account.NoticePasswordSet)
		ada := app.signInTo("ada@acme.example", "/")
		must(t, ada.Get("/account"), 200, "Zürich Acme", `href="/org"`)
		must(t, ada.Get("/org"), 200, "Zürich Acme", "ada@acme.example", "Claim acme.example")
		mustRedirect(t, orgPost(t, ada, "/org/domains/claim", nil, 303), "/org?notice=org_domain_claimed")
		mustRedirect(t, orgPost(t, ada, "/org/domains/policy", url.Values{"domain": {"acme.example"}, "policy": {"request"}}, 303),
			"/org?notice=org_policy_changed")
		must(t, ada.Get("/org?notice=org_policy_changed"), 200, "The join policy was saved.", `<option value="request" selected>`)

		app.signUpAt("bob@acme.example", "Acme", account.NoticeOrgRequested)
		bob := app.signInWaiting("bob@acme.example")
		must(t, bob.Get("/org/waiting"), 200, "Zürich Acme is already on the platform: we&#39;ve asked its admins to let you in.", "Sign out")
		mustRedirect(t, bob.Get("/org"), "/org/waiting")
		mustRedirect(t, bob.Post("/account/password", url.Values{"current_password": {goodPassword}, "password": {"a whole new password here"},
			"password_confirm": {"a whole new password here"}}), "/org/waiting")
		before := len(plat.Requests())
		mustRedirect(t, bob.getWith("/app", nil), "http://gatehouse.test/org/waiting")
		if p := bob.Get("/api/things"); p.StatusCode != http.StatusForbidden {
			t.Fatalf("an API call of a pending member: %d", p.StatusCode)
		}
		if len(plat.Requests()) != before {
			t.Fatal("a pending member reached the platform")
		}
		if p := bob.Get("/auth/verify"); p.StatusCode != http.StatusForbidden || p.Header.Get("X-Gatehouse-User-Id") != "" {
			t.Fatalf("forward auth of a pending member: %d %v", p.StatusCode, p.Header)
		}
		if p := bob.Get("/auth/session"); p.StatusCode != http.StatusForbidden {
			t.Fatalf("/auth/session of a pending member: %d", p.StatusCode)
		}

		mail := app.Mail("ada@acme.example")
		if last := mail[len(mail)-1]; !strings.Contains(last.Subject, "asks to join Zürich Acme") || !strings.Contains(last.Text, "http://gatehouse.test/org") {
			t.Fatalf("join request email %q\n%s", last.Subject, last.Text)
		}
		must(t, ada.Get("/org"), 200, "Requests to join", "bob@acme.example")
		mustRedirect(t, orgPost(t, ada, "/org/requests/approve", url.Values{"member": {publicID(t, app, "bob@acme.example")}}, 303),
			"/org?notice=org_approved")
		if m := app.Mail("bob@acme.example"); !strings.Contains(m[len(m)-1].Subject, "You've joined Zürich Acme") {
			t.Fatalf("approval email %q", m[len(m)-1].Subject)
		}

		// Approved: the same session now reaches everything.
		must(t, bob.Get("/account"), 200, "Zürich Acme")
		must(t, bob.getWith("/app", nil), 200)
		got, _ := plat.Last()
		if got.Header.Get("X-Gatehouse-Org-Name") != "Z%C3%BCrich%20Acme" || got.Header.Get("X-Gatehouse-Org-Role") != "member" ||
			!strings.HasPrefix(got.Header.Get("X-Gatehouse-Org-Id"), "org_") {
			t.Fatalf("org headers %v", got.Header)
		}
		_, claims := platformClaims(t, app, got.Header.Get("X-Gatehouse-Token"))
		if claims.OrgID != got.Header.Get("X-Gatehouse-Org-Id") || claims.OrgName != "Zürich Acme" || claims.OrgRole != "member" {
			t.Fatalf("token claims %+v", claims)
		}
		p := bob.Get("/auth/session")
		must(t, p, 200, `"org_id":"`+claims.OrgID+`"`, `"org_name":"Zürich Acme"`, `"org_role":"member"`)
		if v := bob.Get("/auth/verify"); v.StatusCode != 200 || v.Header.Get("X-Gatehouse-Org-Role") != "member" {
			t.Fatalf("forward auth after approval: %d %v", v.StatusCode, v.Header)
		}
	})
}

// orgState is everything about an organisation an action could change.
func orgState(t *testing.T, st *store.Store, email string) string {
	t.Helper()
	ctx := context.Background()
	u, err := st.UserByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	m, err := st.MembershipByUser(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(m.Organisation.Name + "|")
	for _, status := range []string{store.MemberActive, store.MemberPending} {
		rows, _ := st.Members(ctx, m.OrgID, status, "login_ok")
		for _, r := range rows {
			b.WriteString(r.Email + ":" + r.Role + ":" + r.Status + ",")
		}
	}
	ds, _ := st.DomainsByOrg(ctx, m.OrgID)
	for _, d := range ds {
		b.WriteString(d.Domain + ":" + d.JoinPolicy + ",")
	}
	ev, _ := st.OrgEvents(ctx, m.OrgID, 1000)
	b.WriteString("|" + string(rune('0'+len(ev))))
	return b.String()
}

// Rules 46 and 47: every organisation route checks the actor's role on
// the server, and an admin of one organisation reaches nothing of
// another's, whatever id is guessed; free-mail domains are never claimed.
func TestRule46OrganisationsApart(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		app.signUpAt("ada@acme.example", "Acme", account.NoticePasswordSet)
		ada := app.signIn("ada@acme.example", goodPassword)
		orgPost(t, ada, "/org/domains/claim", nil, 303)
		orgPost(t, ada, "/org/domains/policy", url.Values{"domain": {"acme.example"}, "policy": {"auto"}}, 303)
		app.signUpAt("cy@acme.example", "Acme", account.NoticeOrgJoined)
		orgPost(t, ada, "/org/domains/policy", url.Values{"domain": {"acme.example"}, "policy": {"request"}}, 303)
		app.signUpAt("bob@acme.example", "Acme", account.NoticeOrgRequested)
		app.signUpAt("hank@globex.example", "Globex", account.NoticePasswordSet)
		hank := app.signIn("hank@globex.example", goodPassword)
		orgPost(t, hank, "/org/domains/claim", nil, 303)
		cy := app.signIn("cy@acme.example", goodPassword)

		adaID, bobID, cyID := publicID(t, app, "ada@acme.example"), publicID(t, app, "bob@acme.example"), publicID(t, app, "cy@acme.example")
		acme, globex := orgState(t, app.Store, "ada@acme.example"), orgState(t, app.Store, "hank@globex.example")

		// Globex's owner, with every id of Acme's it could guess or learn.
		guesses := []struct {
			path string
			form url.Values
		}{
			{"/org/requests/approve", url.Values{"member": {bobID}}},
			{"/org/requests/decline", url.Values{"member": {bobID}}},
			{"/org/members/role", url.Values{"member": {cyID}, "role": {"admin"}}},
			{"/org/members/role", url.Values{"member": {adaID}, "role": {"member"}}},
			{"/org/members/remove", url.Values{"member": {cyID}}},
			{"/org/members/remove", url.Values{"member": {adaID}}},
			{"/org/domains/policy", url.Values{"domain": {"acme.example"}, "policy": {"auto"}}},
			{"/org/domains/policy", url.Values{"domain": {"ACME.example."}, "policy": {"auto"}}},
			{"/org/domains/release", url.Values{"domain": {"acme.example"}}},
			{"/org/members/remove", url.Values{"member": {"1"}}},
			{"/org/requests/approve", url.Values{"member": {"2"}}},
			{"/org/members/remove", url.Values{"member": {""}}},
		}
		for _, g := range guesses {
			orgPost(t, hank, g.path, g.form, http.StatusNotFound)
		}
		p := hank.Get("/org")
		for _, leak := range []string{"acme.example", "Acme", bobID, cyID, adaID} {
			if strings.Contains(p.Body, leak) {
				t.Errorf("Globex's page shows %q", leak)
			}
		}

		// Acme's member posting the admins' forms: 403.
		admin := []struct {
			path string
			form url.Values
		}{
			{"/org/requests/approve", url.Values{"member": {bobID}}},
			{"/org/requests/decline", url.Values{"member": {bobID}}},
			{"/org/members/role", url.Values{"member": {cyID}, "role": {"owner"}}},
			{"/org/members/role", url.Values{"member": {adaID}, "role": {"member"}}},
			{"/org/members/remove", url.Values{"member": {adaID}}},
			{"/org/name", url.Values{"name": {"Pwned"}}},
			{"/org/domains/claim", nil},
			{"/org/domains/policy", url.Values{"domain": {"acme.example"}, "policy": {"auto"}}},
			{"/org/domains/release", url.Values{"domain": {"acme.example"}}},
		}
		for _, a := range admin {
			orgPost(t, cy, a.path, a.form, http.StatusForbidden)
		}
		cyPage := cy.Get("/org")
		must(t, cyPage, 200, "Members")
		if strings.Contains(cyPage.Body, bobID) || strings.Contains(cyPage.Body, "Requests to join") || strings.Contains(cyPage.Body, `action="/org/members/role"`) ||
			strings.Contains(cyPage.Body, "Last sign-in") || strings.Contains(cyPage.Body, "Activity") {
			t.Error("a member's page shows requests or admin forms")
		}

		// The pending requester posting any of them: sent to wait.
		bob := app.signInWaiting("bob@acme.example")
		for _, a := range admin {
			mustRedirect(t, bob.Post(a.path, a.form), "/org/waiting")
		}
		mustRedirect(t, bob.Post("/org/requests/approve", url.Values{"member": {bobID}}), "/org/waiting")

		// Signed out: sign in first, nothing else.
		anon := app.Browser()
		for _, a := range admin {
			mustRedirect(t, anon.Post(a.path, a.form), "/login")
		}
		// A form posted from another site (CSRF) is refused before any rule runs.
		for _, a := range admin {
			p := secPost(ada, a.path, a.form, map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}, "")
			if p.StatusCode != http.StatusForbidden {
				t.Errorf("cross-site POST %s: %d", a.path, p.StatusCode)
			}
		}
		// A GET never changes anything.
		for _, a := range admin {
			if p := ada.Get(a.path); p.StatusCode != http.StatusMethodNotAllowed && p.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s: %d", a.path, p.StatusCode)
			}
		}

		if got := orgState(t, app.Store, "ada@acme.example"); got != acme {
			t.Errorf("Acme changed:\n %s\n %s", acme, got)
		}
		if got := orgState(t, app.Store, "hank@globex.example"); got != globex {
			t.Errorf("Globex changed:\n %s\n %s", globex, got)
		}

		// The rules an admin is held to: the last owner stays.
		p = orgPost(t, ada, "/org/members/role", url.Values{"member": {adaID}, "role": {"admin"}}, http.StatusUnprocessableEntity)
		must(t, p, 422, "An organisation needs an owner")
		orgPost(t, ada, "/org/leave", nil, http.StatusUnprocessableEntity)

		// gmail.com can never be claimed.
		app.signUpAt("gina@gmail.com", "Gina's shop", account.NoticePasswordSet)
		gina := app.signIn("gina@gmail.com", goodPassword)
		must(t, gina.Get("/org"), 200, "gmail.com belongs to a free email provider")
		p = orgPost(t, gina, "/org/domains/claim", nil, http.StatusUnprocessableEntity)
		must(t, p, 422, "gmail.com belongs to a free email provider")
		if _, err := app.Store.OrgDomainByName(context.Background(), "gmail.com"); err == nil {
			t.Fatal("gmail.com was claimed")
		}
	})
}

// Removing a member ends their sessions at once and tells them; the
// trail names who did it.
func TestOrgRemoveMember(t *testing.T) {
	app := newApp(t, storetest.SQLite)
	app.signUpAt("ada@acme.example", "Acme", account.NoticePasswordSet)
	ada := app.signIn("ada@acme.example", goodPassword)
	orgPost(t, ada, "/org/domains/claim", nil, 303)
	orgPost(t, ada, "/org/domains/policy", url.Values{"domain": {"acme.example"}, "policy": {"auto"}}, 303)
	app.signUpAt("cy@acme.example", "Acme", account.NoticeOrgJoined)
	cy := app.signIn("cy@acme.example", goodPassword)
	must(t, cy.Get("/account"), 200)
	mustRedirect(t, orgPost(t, ada, "/org/members/role", url.Values{"member": {publicID(t, app, "cy@acme.example")}, "role": {"admin"}}, 303),
		"/org?notice=org_role_changed")
	mustRedirect(t, orgPost(t, ada, "/org/members/remove", url.Values{"member": {publicID(t, app, "cy@acme.example")}}, 303),
		"/org?notice=org_removed")
	mustRedirect(t, cy.Get("/account"), "/login")
	if m := app.Mail("cy@acme.example"); !strings.Contains(m[len(m)-1].Subject, "removed from Acme") {
		t.Fatalf("removal email %q", m[len(m)-1].Subject)
	}
	must(t, ada.Get("/org"), 200, "Ada Lovelace &lt;ada@acme.example&gt; removed Ada Lovelace &lt;cy@acme.example&gt;.",
		"changed the role of Ada Lovelace &lt;cy@acme.example&gt; to Admin.")
	mustRedirect(t, orgPost(t, ada, "/org/name", url.Values{"name": {"Acme Corp"}}, 303), "/org?notice=org_renamed")
	must(t, ada.Get("/account"), 200, "Acme Corp")

	// htmx: the same form answers with a location to follow in place.
	req, _ := http.NewRequest("POST", app.URL+"/org/name", strings.NewReader(url.Values{"name": {""}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	p := ada.do(req)
	must(t, p, 422, "Enter the organisation&#39;s name.", `id="content"`)
}
