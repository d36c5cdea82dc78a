package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gatehouse/internal/account"
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

		// Bob, signed in before: the account page (where the setup
		// flows are) stays open, nothing else does.
		before := len(plat.Requests())
		must(t, bob.Get("/org/second-step"), 200, "Set up a second step", "Acme asks every member to use a passkey or two-step verification.",
			"Set Up Two-Step Verification", `href="/account#passkeys-title"`)
		must(t, bob.Get("/account"), 200)
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
