package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gatehouse/internal/account"
	"gatehouse/internal/store/storetest"
)

var inviteIDRE = regexp.MustCompile(`name="id" value="([^"]+)"`)

// inviteFrom has b (an owner or admin) invite email with role and returns
// the invitation link mailed.
func inviteFrom(t *testing.T, app *testApp, b *browser, email, role string) string {
	t.Helper()
	mustRedirect(t, b.Post("/org/invitations", url.Values{"emails": {email}, "role": {role}}), "/org/invitations?notice=invited")
	return app.LastLink(email, "/invite")
}

// joinBy opens an invitation link in a fresh browser and joins with names
// and goodPassword; it returns the browser and the final answer.
func joinBy(t *testing.T, app *testApp, link string) (*browser, page) {
	t.Helper()
	b := app.Browser()
	mustRedirect(t, b.Get(link), "/invite")
	return b, b.Post("/invite", url.Values{"first_name": {"Grace"}, "last_name": {"Hopper"}, "password": {goodPassword}, "password_confirm": {goodPassword}})
}

// The whole journey over HTTP: the owner's form, the email, the link
// (opened three times, as scanners do, changing nothing), the short
// sign-up, the sign-in; then the link is dead.
func TestInvitationJourney(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		app.signUp("ada@acme.example")
		owner := app.signIn("ada@acme.example", goodPassword)
		must(t, owner.Get("/org/invitations"), http.StatusOK, `name="emails"`, `name="role"`)
		p := owner.Post("/org/invitations", url.Values{"emails": {"grace@example.com, linus@example.com"}, "role": {"member"}})
		mustRedirect(t, p, "/org/invitations?notice=invited")
		must(t, owner.Get("/org/invitations?notice=invited"), http.StatusOK, "grace@example.com", "linus@example.com")
		mails := app.Mail("grace@example.com")
		if len(mails) != 1 || !strings.Contains(mails[0].Subject, "Ada Lovelace invited you to join Analytical Engines Ltd") {
			t.Fatalf("invitation email %+v", mails)
		}
		if !strings.Contains(mails[0].HTML, "Accept Invitation") || !strings.Contains(mails[0].Text, "Accept Invitation") {
			t.Fatalf("invitation parts:\n%s\n%s", mails[0].HTML, mails[0].Text)
		}
		link := app.LastLink("grace@example.com", "/invite")
		scanner := app.Browser()
		for range 3 {
			mustRedirect(t, scanner.Get(link), "/invite")
		}
		b := app.Browser()
		mustRedirect(t, b.Get(link), "/invite")
		form := b.Get("/invite")
		must(t, form, http.StatusOK, "Join Analytical Engines Ltd", "grace@example.com", `name="first_name"`, `name="password"`)
		if strings.Contains(form.Body, `name="company"`) || strings.Contains(form.Body, `name="email"`) {
			t.Fatal("the short sign-up asks for the company or the address")
		}
		// A bad form keeps what was typed and says what is wrong.
		bad := b.Post("/invite", url.Values{"first_name": {""}, "last_name": {"Hopper"}, "password": {"short"}, "password_confirm": {"short"}})
		must(t, bad, http.StatusUnprocessableEntity, "Hopper", "error-summary")
		p = b.Post("/invite", url.Values{"first_name": {"Grace"}, "last_name": {"Hopper"}, "password": {goodPassword}, "password_confirm": {goodPassword}})
		mustRedirect(t, p, "/login?notice=joined")
		app.signIn("grace@example.com", goodPassword)
		// Used: the link and the form both show the dead-link page.
		must(t, app.Browser().Follow(app.Browser().Get(link)), http.StatusGone, `data-testid="invite-invalid"`)
		must(t, b.Post("/invite", url.Values{"first_name": {"Grace"}, "last_name": {"Hopper"}, "password": {goodPassword}, "password_confirm": {goodPassword}}),
			http.StatusGone, `data-testid="invite-invalid"`)
		must(t, owner.Get("/org/invitations"), http.StatusOK, "linus@example.com")
		if strings.Contains(owner.Get("/org/invitations").Body, "grace@example.com") {
			t.Fatal("an accepted invitation is still listed")
		}
	})
}

// Rule 46 over HTTP: a member posting the form gets 403 and nothing is
// sent; another organisation's owner gets 404 for Acme's invitation ids
// and changes nothing; anyone signed out is sent to sign in.
func TestInvitationRolesHTTP(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		app.signUp("ada@acme.example")
		app.signUp("hank@globex.example")
		owner := app.signIn("ada@acme.example", goodPassword)
		_, p := joinBy(t, app, inviteFrom(t, app, owner, "member@example.com", "member"))
		mustRedirect(t, p, "/login?notice=joined")
		member := app.signIn("member@example.com", goodPassword)
		inviteFrom(t, app, owner, "grace@example.com", "member")
		id := inviteIDRE.FindStringSubmatch(owner.Get("/org/invitations").Body)[1]
		before := secMailTotal(app)

		must(t, member.Get("/org/invitations"), http.StatusForbidden)
		must(t, member.Post("/org/invitations", url.Values{"emails": {"x@example.com"}, "role": {"member"}}), http.StatusForbidden)
		must(t, member.Post("/org/invitations/resend", url.Values{"id": {id}}), http.StatusForbidden)
		must(t, member.Post("/org/invitations/revoke", url.Values{"id": {id}}), http.StatusForbidden)
		// Only owners invite owners: an owner's own form offers it.
		must(t, owner.Get("/org/invitations"), http.StatusOK, `value="owner"`)

		globex := app.signIn("hank@globex.example", goodPassword)
		for _, guess := range []string{id, "inv_aaaaaaaaaaaaaaaaaaaaaaaaaa", ""} {
			must(t, globex.Post("/org/invitations/resend", url.Values{"id": {guess}}), http.StatusNotFound)
			must(t, globex.Post("/org/invitations/revoke", url.Values{"id": {guess}}), http.StatusNotFound)
		}
		if strings.Contains(globex.Get("/org/invitations").Body, "grace@example.com") {
			t.Fatal("globex sees acme's invitations")
		}
		if n := secMailTotal(app); n != before {
			t.Fatalf("%d emails sent by refused actions", n-before)
		}
		mustRedirect(t, app.Browser().Get("/org/invitations"), "/login")
		// Acme's invitation is untouched: it still opens.
		mustRedirect(t, app.Browser().Get(app.LastLink("grace@example.com", "/invite")), "/invite")
	})
}

// Revoked, expired and replaced links all show the one dead-link page,
// and a resend's new link works.
func TestInvitationDeadLinksHTTP(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		app.signUp("ada@acme.example")
		owner := app.signIn("ada@acme.example", goodPassword)
		revoked := inviteFrom(t, app, owner, "linus@example.com", "member")
		id := inviteIDRE.FindStringSubmatch(owner.Get("/org/invitations").Body)[1]
		mustRedirect(t, owner.Post("/org/invitations/revoke", url.Values{"id": {id}}), "/org/invitations?notice=invite_revoked")
		dead := app.Browser().Get(revoked)
		must(t, dead, http.StatusGone, `data-testid="invite-invalid"`)
		if dead.Header.Get("Referrer-Policy") == "" {
			t.Errorf("Referrer-Policy %q", dead.Header.Get("Referrer-Policy"))
		}

		old := inviteFrom(t, app, owner, "grace@example.com", "member")
		id = inviteIDRE.FindStringSubmatch(owner.Get("/org/invitations").Body)[1]
		mustRedirect(t, owner.Post("/org/invitations/resend", url.Values{"id": {id}}), "/org/invitations?notice=invite_resent")
		fresh := app.LastLink("grace@example.com", "/invite")
		must(t, app.Browser().Get(old), http.StatusGone, `data-testid="invite-invalid"`)

		app.Advance(account.DefaultInviteTTL + time.Minute)
		must(t, app.Browser().Get(fresh), http.StatusGone, `data-testid="invite-invalid"`)
		// Listed as expired, and a resend brings it back.
		owner = app.signIn("ada@acme.example", goodPassword)
		must(t, owner.Get("/org/invitations"), http.StatusOK, "expired")
		mustRedirect(t, owner.Post("/org/invitations/resend", url.Values{"id": {id}}), "/org/invitations?notice=invite_resent")
		_, p := joinBy(t, app, app.LastLink("grace@example.com", "/invite"))
		mustRedirect(t, p, "/login?notice=joined")
	})
}

// Rule 7 over HTTP: one link posted from ten tabs at once joins once.
func TestInvitationJoinRaceHTTP(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		app.signUp("ada@acme.example")
		owner := app.signIn("ada@acme.example", goodPassword)
		link := inviteFrom(t, app, owner, "grace@example.com", "member")
		b := app.Browser()
		mustRedirect(t, b.Get(link), "/invite")
		var joined atomic.Int32
		var wg sync.WaitGroup
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				p := b.Post("/invite", url.Values{"first_name": {"Grace"}, "last_name": {"Hopper"}, "password": {goodPassword}, "password_confirm": {goodPassword}})
				if p.StatusCode == http.StatusSeeOther && p.Header.Get("Location") == "/login?notice=joined" {
					joined.Add(1)
				}
			}()
		}
		wg.Wait()
		if joined.Load() != 1 {
			t.Fatalf("%d joins, want 1", joined.Load())
		}
		if n := secCountUsers(t, app.Store, "grace@example.com"); n != 1 {
			t.Fatalf("%d accounts", n)
		}
	})
}

// An address with an account is sent to sign in, and accepts from its list.
func TestInvitationExistingAccountHTTP(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		app.signUp("ada@acme.example")
		app.signUp("hank@globex.example")
		owner := app.signIn("ada@acme.example", goodPassword)
		link := inviteFrom(t, app, owner, "hank@globex.example", "member")
		b := app.Browser()
		mustRedirect(t, b.Get(link), "/invite")
		must(t, b.Get("/invite"), http.StatusOK, `data-testid="sign-in-to-accept"`, "/login?return_to=/invite/mine")
		hank := app.signIn("hank@globex.example", goodPassword)
		list := hank.Get("/invite/mine")
		must(t, list, http.StatusOK, "Analytical Engines Ltd", `data-testid="my-invitation"`)
		id := inviteIDRE.FindStringSubmatch(list.Body)[1]
		// Hank owns Globex already: one organisation per person.
		must(t, hank.Post("/invite/accept", url.Values{"id": {id}}), http.StatusConflict)
		// Nobody else can decline it for him.
		must(t, owner.Post("/invite/decline", url.Values{"id": {id}}), http.StatusNotFound)
		mustRedirect(t, hank.Post("/invite/decline", url.Values{"id": {id}}), "/invite/mine?notice=invite_declined")
		must(t, hank.Get("/invite/mine"), http.StatusOK, "no open invitations")
	})
}

// The section on /org: its forms lead back to /org, a refused form is
// shown there with its problem, and no log line carries the link's token
// (rule 40).
func TestInvitationsOnOrgPage(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		app.signUp("ada@acme.example")
		owner := app.signIn("ada@acme.example", goodPassword)
		must(t, owner.Get("/org"), http.StatusOK, `data-testid="org-invitations"`, `name="from" value="org"`)
		p := owner.Post("/org/invitations", url.Values{"emails": {"grace@example.com"}, "role": {"member"}, "from": {"org"}})
		mustRedirect(t, p, "/org?notice=invited")
		must(t, owner.Get("/org?notice=invited"), http.StatusOK, "Invitations sent.", "grace@example.com")
		bad := owner.Post("/org/invitations", url.Values{"emails": {"nope"}, "role": {"member"}, "from": {"org"}})
		must(t, bad, http.StatusUnprocessableEntity, `data-testid="org-invitations"`, "is not an email address")
		// A member is left out and named.
		mustRedirect(t, owner.Post("/org/invitations", url.Values{"emails": {"ada@acme.example"}, "role": {"member"}, "from": {"org"}}), "/org")
		must(t, owner.Get("/org"), http.StatusOK, `data-testid="invite-skipped"`)

		link := app.LastLink("grace@example.com", "/invite")
		raw := secToken(t, link)
		_, p = joinBy(t, app, link)
		mustRedirect(t, p, "/login?notice=joined")
		if strings.Contains(app.Logs.String(), raw) {
			t.Fatal("a log line carries the invitation's token")
		}
	})
}
