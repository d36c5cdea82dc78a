package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"gatehouse/internal/store/storetest"
)

var invitationRowRE = regexp.MustCompile(`(?s)<li class="py-3" data-testid="invitation">.*?</li>`)

// Rule 64: inviting tells the inviter nothing about the address. An
// address nobody has, one that signed up and never activated, and one with
// an account and an organisation elsewhere get the same answer and the
// same row in the list, byte for byte but for the address and the
// invitation's id.
func TestRule64InvitingRevealsNoAccount(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		app.signUp("ada@acme.example")
		app.signUp("hank@globex.example")
		mustRedirect(t, app.Browser().Post("/register", registration("pending@example.net")), "/register/sent")
		owner := app.signIn("ada@acme.example", goodPassword)
		addrs := []string{"nobody@example.net", "pending@example.net", "hank@globex.example"}
		var answers, rows []string
		for _, addr := range addrs {
			p := owner.Post("/org/invitations", url.Values{"emails": {addr}, "role": {"member"}})
			answers = append(answers, p.Status+"\n"+secHeaders(p.Header)+secMaskEmail(p.Body, addr))
			list := owner.Get("/org/invitations").Body
			var row string
			for _, r := range invitationRowRE.FindAllString(list, -1) {
				if strings.Contains(r, addr) {
					row = inviteIDRE.ReplaceAllString(secMaskEmail(r, addr), "ID")
				}
			}
			if row == "" {
				t.Fatalf("%s is not listed:\n%s", addr, list)
			}
			rows = append(rows, row)
		}
		for i := range addrs[1:] {
			if answers[i+1] != answers[0] {
				t.Errorf("inviting %s answers\n%s\nwhere %s gets\n%s", addrs[i+1], answers[i+1], addrs[0], answers[0])
			}
			if rows[i+1] != rows[0] {
				t.Errorf("%s is listed as\n%s\nwhere %s is\n%s", addrs[i+1], rows[i+1], addrs[0], rows[0])
			}
		}
	})
}

// Rule 64: an invitation is bound to the address it was sent to. The
// short sign-up creates the account at that address whatever the form
// says; someone else signed in cannot accept or decline it by its id; and
// an address that has an account is sent to sign in, never given a new
// password through the link.
func TestRule64InvitationBoundToItsAddress(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		app.signUp("ada@acme.example")
		app.signUp("hank@globex.example")
		owner := app.signIn("ada@acme.example", goodPassword)

		b := app.Browser()
		mustRedirect(t, b.Get(inviteFrom(t, app, owner, "grace@example.com", "member")), "/invite")
		p := b.Post("/invite", url.Values{"first_name": {"Grace"}, "last_name": {"Hopper"}, "password": {goodPassword}, "password_confirm": {goodPassword},
			"email": {"mallory@example.com"}, "role": {"owner"}})
		mustRedirect(t, p, "/login?notice=joined")
		if n := secCountUsers(t, app.Store, "mallory@example.com"); n != 0 {
			t.Errorf("the form's email field made %d accounts", n)
		}
		grace := app.signIn("grace@example.com", goodPassword)
		if body := grace.Get("/org").Body; strings.Contains(body, `name="emails"`) {
			t.Error("the form's role field made the invitee an owner or admin")
		}

		// Hank's invitation, by its id, is his alone.
		link := inviteFrom(t, app, owner, "hank@globex.example", "member")
		hank := app.signIn("hank@globex.example", goodPassword)
		id := inviteIDRE.FindStringSubmatch(hank.Get("/invite/mine").Body)[1]
		for _, other := range []*browser{grace, owner} {
			must(t, other.Post("/invite/accept", url.Values{"id": {id}}), http.StatusNotFound)
			must(t, other.Post("/invite/decline", url.Values{"id": {id}}), http.StatusNotFound)
		}
		if strings.Contains(grace.Get("/invite/mine").Body, "my-invitation") {
			t.Error("another person's invitation is listed for grace")
		}
		// The link of an address with an account sets no password: it
		// sends the holder to sign in, and the old password still works.
		c := app.Browser()
		mustRedirect(t, c.Get(link), "/invite")
		must(t, c.Get("/invite"), http.StatusOK, `data-testid="sign-in-to-accept"`)
		p = c.Post("/invite", url.Values{"first_name": {"Mal"}, "last_name": {"Lory"}, "password": {"another " + goodPassword}, "password_confirm": {"another " + goodPassword}})
		if p.StatusCode == http.StatusSeeOther && p.Header.Get("Location") == "/login?notice=joined" {
			t.Error("the link of an address with an account set a password")
		}
		app.signIn("hank@globex.example", goodPassword)
		must(t, hank.Get("/invite/mine"), http.StatusOK, `data-testid="my-invitation"`)
	})
}
