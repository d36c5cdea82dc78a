package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gatehouse/handlers"
	"gatehouse/internal/account"
	"gatehouse/internal/i18n"
	"gatehouse/internal/paths"
	"gatehouse/internal/store/storetest"
	"gatehouse/internal/testkit/platform"
)

// An owner requires a second step of the organisation's members: an admin
// or a member may not; a member without a passkey or an authenticator app
// is then sent to the page that asks, at sign-in and on every signed-in
// page but the account page's setup, and reaches neither the platform nor
// forward auth nor /auth/session until two-step verification is on.
func TestOrgRequiresSecondFactor(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		plat := platform.Start()
		defer plat.Close()
		app := newApp(t, backend, withPlatform(plat))
		app.signUpAt("ada@acme.example", "Acme", account.NoticePasswordSet)
		ada := app.signInTo("ada@acme.example", "/")
		orgPost(t, ada, "/org/domains/claim", nil, 303)
		orgPost(t, ada, "/org/domains/policy", url.Values{"domain": {"acme.example"}, "policy": {"auto"}}, 303)
		app.signUpAt("bob@acme.example", "Acme", account.NoticeOrgJoined)
		app.signUpAt("cy@acme.example", "Acme", account.NoticeOrgJoined)
		bob := app.signInTo("bob@acme.example", "/")
		cy := app.signInTo("cy@acme.example", "/")
		orgPost(t, ada, "/org/members/role", url.Values{"member": {publicID(t, app, "cy@acme.example")}, "role": {"admin"}}, 303)

		// Only the owner sees the switch, and only the owner may use it.
		must(t, ada.Get("/org"), 200, "Second step for members", "Members may sign in with a password alone.", "Require a Passkey or Two-Step Verification")
		if p := cy.Get("/org"); strings.Contains(p.Body, `action="/org/second-factor"`) {
			t.Fatal("an admin is offered the switch")
		}
		for _, b := range []*browser{bob, cy} {
			orgPost(t, b, "/org/second-factor", url.Values{"require": {"on"}}, http.StatusForbidden)
		}
		must(t, bob.getWith("/app", nil), 200)

		mustRedirect(t, orgPost(t, ada, "/org/second-factor", url.Values{"require": {"on"}}, 303), "/org?notice=org_second_factor_on")
		// The owner has no second step either: the rule holds for her too.
		mustRedirect(t, ada.Get("/org?notice=org_second_factor_on"), "/org/second-step")

		// Bob, signed in before: the page that asks (with both ways to
		// set one up) is open, the account page and the rest are not.
		before := len(plat.Requests())
		must(t, bob.Get("/org/second-step"), 200, "Set up a second step", "Acme asks every member to use a passkey or two-step verification.",
			"Set Up Two-Step Verification", `data-passkey-add="/passkeys/register/options"`, "Add a Passkey")
		mustRedirect(t, bob.Get("/account"), "/org/second-step")
		mustRedirect(t, bob.Get("/org"), "/org/second-step")
		mustRedirect(t, bob.getWith("/app", nil), "http://gatehouse.test/org/second-step")
		if p := bob.Get("/api/things"); p.StatusCode != http.StatusForbidden || !strings.Contains(p.Body, "second_factor_required") {
			t.Fatalf("an API call without a second step: %d %s", p.StatusCode, p.Body)
		}
		if p := bob.Get("/auth/verify"); p.StatusCode != http.StatusForbidden || p.Header.Get("X-Gatehouse-User-Id") != "" {
			t.Fatalf("forward auth without a second step: %d %v", p.StatusCode, p.Header)
		}
		if p := bob.Get("/auth/session"); p.StatusCode != http.StatusForbidden {
			t.Fatalf("/auth/session without a second step: %d", p.StatusCode)
		}
		if len(plat.Requests()) != before {
			t.Fatal("a member without a second step reached the platform")
		}

		// Cy signs in afresh: the sign-in leads to the page that asks.
		cy = app.Browser()
		mustRedirect(t, cy.Post("/login", url.Values{"email": {"cy@acme.example"}, "password": {goodPassword}}), "/org/second-step")

		// Bob turns two-step verification on: in.
		app.turnOnTwoStep(bob)
		must(t, bob.getWith("/app", nil), 200)
		if p := bob.Get("/auth/verify"); p.StatusCode != 200 || p.Header.Get("X-Gatehouse-Org-Role") != "member" {
			t.Fatalf("forward auth with a second step: %d %v", p.StatusCode, p.Header)
		}
		must(t, bob.Get("/auth/session"), 200)
		mustRedirect(t, bob.Get("/org/second-step"), "/account")
		must(t, bob.Get("/org"), 200, "Every member must use a passkey or two-step verification to reach the platform.")

		// The trail says who turned it on; turned off, cy is in again.
		app.turnOnTwoStep(ada)
		must(t, ada.Get("/org"), 200, "&lt;ada@acme.example&gt; required every member to use a passkey or two-step verification.", "Stop Requiring a Second Step")
		mustRedirect(t, orgPost(t, ada, "/org/second-factor", url.Values{"require": {"off"}}, 303), "/org?notice=org_second_factor_off")
		must(t, ada.Get("/org?notice=org_second_factor_off"), 200, "Members no longer need a second step.", "stopped requiring a second step of members.")
		must(t, cy.getWith("/app", nil), 200)
	})
}

// secondStepOpen are the signed-in routes under /account a member held by
// the organisation's rule may use: setting up two-step verification. (A
// passkey is added from /org/second-step through /passkeys/…; signing
// out and the language are open to anyone.)
var secondStepOpen = map[string]bool{
	paths.AccountTwoStep: true, paths.AccountTwoStepStart: true, paths.AccountTwoStepConfirm: true,
}

// A member held by the rule can set up a second factor, sign out and
// change the language, and nothing else of the account: every other form
// under /account (taken from the router, so a form added later is held
// too) and the account page itself send them to the page that asks, and
// change nothing. Once two-step verification is on, the account is theirs
// again.
func TestSecondStepHoldsTheAccount(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		ctx := context.Background()
		app.signUpAt("ada@acme.example", "Acme", account.NoticePasswordSet)
		ada := app.signIn("ada@acme.example", goodPassword)
		orgPost(t, ada, "/org/domains/claim", nil, 303)
		orgPost(t, ada, "/org/domains/policy", url.Values{"domain": {"acme.example"}, "policy": {"auto"}}, 303)
		app.signUpAt("bob@acme.example", "Acme", account.NoticeOrgJoined)
		bob := app.signIn("bob@acme.example", goodPassword)
		other := app.signIn("bob@acme.example", goodPassword) // a second session of his
		orgPost(t, ada, "/org/second-factor", url.Values{"require": {"on"}}, 303)
		bobID := secUser(t, app.Store, "bob@acme.example").ID

		catalog, err := i18n.Load()
		if err != nil {
			t.Fatal(err)
		}
		form := url.Values{"first_name": {"Mallory"}, "last_name": {"Mallory"}, "company": {"Evil"}, "country": {"GB"},
			"email": {"mallory@evil.example"}, "current_password": {goodPassword}, "password": {"a brand new password 123"},
			"password_confirm": {"a brand new password 123"}, "session": {"1"}, "name": {"x"}, "code": {"123456"}, "confirm": {"delete"}}
		held := 0
		for _, r := range handlers.Routes(handlers.Deps{Catalog: catalog}) {
			if !strings.HasPrefix(r.Path, paths.Account) || r.Path == paths.EmailConfirm || r.Path == paths.EmailRevert || r.Path == paths.EmailSentStatus {
				// The email links' pages need no session at all: they
				// work in any browser, signed in or not; the "check your
				// inbox" page's poll changes nothing and sends a browser
				// on to that page, which is held.
				continue
			}
			path := strings.ReplaceAll(r.Path, ":id", "1")
			var p page
			switch r.Method {
			case http.MethodGet:
				p = bob.Get(path)
			case http.MethodPost:
				p = bob.Post(path, form)
			default:
				continue
			}
			sent := p.StatusCode == http.StatusSeeOther && p.Header.Get("Location") == paths.SecondStep
			switch {
			case secondStepOpen[r.Path] && sent:
				t.Errorf("%s %s: held back, but it is how the member sets up a second step", r.Method, r.Path)
			case !secondStepOpen[r.Path] && !sent:
				t.Errorf("%s %s by a member the rule holds: %d %q, want 303 to %s", r.Method, r.Path, p.StatusCode, p.Header.Get("Location"), paths.SecondStep)
			case sent:
				held++
			}
		}
		if held < 12 {
			t.Fatalf("only %d routes under /account checked", held)
		}
		// Nothing changed: the profile, the address, the password, his
		// other session, the account itself.
		u := secUser(t, app.Store, "bob@acme.example")
		if u.FirstName == "Mallory" || u.Email != "bob@acme.example" {
			t.Errorf("the account changed while held: %+v", u)
		}
		must(t, other.Get("/org/second-step"), 200)
		mustRedirect(t, app.Browser().Post(paths.Login, url.Values{"email": {"bob@acme.example"}, "password": {goodPassword}}), paths.SecondStep)

		// Signing out and the language stay his.
		mustRedirect(t, bob.Post(paths.Language, url.Values{"lang": {"de"}, "back": {paths.SecondStep}}), paths.SecondStep)
		must(t, bob.Get(paths.SecondStep), 200, "Zweite")
		if got, err := app.Store.UserByID(ctx, bobID); err != nil || got.Locale != "de" {
			t.Errorf("the language was not kept: %v %v", got, err)
		}
		mustRedirect(t, bob.Post(paths.Language, url.Values{"lang": {"en"}, "back": {paths.SecondStep}}), paths.SecondStep)
		// A passkey's ceremony starts (the virtual authenticator's part
		// is the browser test's).
		if p := bob.Post(paths.PasskeyRegisterOptions, nil); p.StatusCode != http.StatusOK || !strings.Contains(p.Body, "challenge") {
			t.Errorf("a held member cannot start adding a passkey: %d %s", p.StatusCode, p.Body)
		}
		// Two-step verification on: the account is his again.
		app.turnOnTwoStep(bob)
		mustRedirect(t, bob.Post(paths.AccountProfile, form), "/account?notice=profile_saved#profile-title")
		mustRedirect(t, other.Post(paths.Logout, nil), "/login?notice=signed_out")
	})
}
