package handlers_test

import (
	"testing"

	"gatehouse/internal/store/storetest"
)

// TestBrowserInvitation: an owner invites a colleague from the
// organisation page; the colleague opens the invitation from the dev
// mailbox and joins in three steps (open the link, names and password,
// sign in), with JavaScript on (desktop) and off (phone). Every page has
// no CSP violation and, with JavaScript on, no axe-core violation.
func TestBrowserInvitation(t *testing.T) {
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
			owner := "ada." + c.name + "@acme.example"
			colleague := "grace." + c.name + "@example.com"
			app.signUp(owner)
			u := b.open(t, app, uiOptions{JS: c.js, Width: c.width})

			// The owner invites.
			u.visit("/login")
			u.signIn(owner, goodPassword)
			u.visit("/org")
			u.waitVisible("[data-testid=org-invitations]")
			u.checkPage("org")
			u.fill("#f-emails", colleague)
			u.clickText("Send Invitations")
			u.expectText("Invitations sent.")
			u.expectText(colleague)
			u.checkPage("org-invited")
			u.visit("/account")
			u.clickText("Sign Out")
			u.expectHeading("Sign in")

			// Step 1: the colleague opens the invitation from the mailbox.
			app.Mail(colleague) // deliver the outbox to the dev mailbox
			u.visit("/dev/mailbox")
			u.expectText("Ada Lovelace invited you to join Analytical Engines Ltd")
			// The mailbox shows the link as BASE_URL built it; the test
			// server listens elsewhere, so the link is followed there.
			u.visit(u.attr(`a[href*="/invite?token="]`, "href"))
			u.expectHeading("Join Analytical Engines Ltd")
			if p := u.path(); p != "/invite" {
				t.Fatalf("the invitation page is at %s (the token must leave the address bar)", p)
			}
			u.expectText(colleague)
			u.checkPage("invite")

			// Step 2: names and a password; nothing else is asked.
			if n := uiEval[int](u, `document.querySelectorAll('#content input:not([type=hidden]):not(.hidden)').length`); n != 4 {
				t.Fatalf("the short sign-up has %d fields, want 4 (names, password twice)", n)
			}
			u.fill("#f-first_name", "Grace")
			u.fill("#f-last_name", "Hopper")
			u.fill("#f-password", goodPassword)
			u.fill("#f-password_confirm", goodPassword)
			u.clickText("Join Analytical Engines Ltd")
			u.expectText("You've joined the organisation.")
			u.expectHeading("Sign in")
			u.checkPage("login-joined")

			// Step 3: sign in, and she is a member.
			if got := u.value("#f-email"); got != colleague {
				u.fill("#f-email", colleague)
			}
			u.fill("#f-password", goodPassword)
			u.clickText("Sign In")
			u.expectHeading("Your account")
			u.visit("/org")
			u.expectText("Grace Hopper")
			u.checkPage("org-member")
			if n := uiEval[int](u, `document.querySelectorAll('[data-testid=org-invitations]').length`); n != 0 {
				t.Fatal("a member sees the invitations section")
			}
		})
	}
}
