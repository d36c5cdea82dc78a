package handlers_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/pquerna/otp/totp"

	"gatehouse/internal/account"
	"gatehouse/internal/paths"
	"gatehouse/internal/store/storetest"
	"gatehouse/internal/testkit/platform"
)

// TestBrowserOrgSecondStep: in Chromium, in front of a platform, an
// owner requires a second step of Acme's members; a member without one
// signs in with the password alone and lands on the page that asks; the
// platform (and the rest of the account) stays closed to them, nothing
// reaching it, until they set up two-step verification (codes from the
// library, with the key read off the page; with script and without) or a
// passkey (the DevTools virtual authenticator), after which the platform
// answers them. The page that asks, and every page on the way, has no CSP
// violation and, with script, no axe violation.
func TestBrowserOrgSecondStep(t *testing.T) {
	b := newUIBrowser(t)
	for _, c := range []struct {
		name    string
		js      bool
		width   int64
		passkey bool
	}{
		{"js-on-totp", true, uiDesktop, false},
		{"js-off-totp", false, uiPhone, false},
		{"js-on-passkey", true, uiDesktop, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			plat := platform.Start()
			defer plat.Close()
			app := newApp(t, storetest.SQLite, onLocalhost, withPlatform(plat))
			app.signUpAt("ada@acme.example", "Acme", account.NoticePasswordSet)
			ada := app.signInTo("ada@acme.example", "/")
			orgPost(t, ada, "/org/domains/claim", nil, 303)
			orgPost(t, ada, "/org/domains/policy", url.Values{"domain": {"acme.example"}, "policy": {"auto"}}, 303)
			app.signUpAt("bob@acme.example", "Acme", account.NoticeOrgJoined)

			// The owner turns the rule on from the organisation page; it
			// holds her too, so she is asked next.
			o := b.open(t, app, uiOptions{JS: c.js, Width: c.width})
			o.visit(paths.Login)
			o.fill("#f-email", "ada@acme.example")
			o.fill("#f-password", goodPassword)
			o.clickText("Sign In")
			o.expectText("platform page /")
			o.visit(paths.Org)
			o.expectHeading("Acme")
			o.expectText("Members may sign in with a password alone.")
			o.clickText("Require a Passkey or Two-Step Verification")
			o.expectHeading("Set up a second step")
			if p := o.path(); p != paths.SecondStep {
				t.Errorf("the owner, after turning it on: %s", p)
			}

			// Bob signs in with his password alone, on his way to a page
			// of the platform: the page that asks comes first.
			u := b.open(t, app, uiOptions{JS: c.js, Width: c.width})
			auth := u.virtualAuthenticatorIf(c.passkey)
			u.visit("/reports/q3")
			u.expectHeading("Sign in")
			u.fill("#f-email", "bob@acme.example")
			u.fill("#f-password", goodPassword)
			u.clickText("Sign In")
			u.expectHeading("Set up a second step")
			u.expectText("Acme asks every member to use a passkey or two-step verification.")
			if p := u.path(); p != paths.SecondStep {
				t.Fatalf("after the password: %s", p)
			}
			if c.js {
				u.waitVisible(`[data-testid=second-step-passkey]`)
			} else {
				u.expectText("Adding a passkey needs JavaScript")
			}
			u.checkPage("second-step")

			// Neither the platform nor the account page: back to the
			// page that asks, and nothing of his reaches the platform.
			seen := len(plat.Requests())
			for _, p := range []string{"/reports/q3", paths.Account, paths.Org} {
				u.visit(p)
				u.expectHeading("Set up a second step")
				if got := u.path(); got != paths.SecondStep {
					t.Errorf("%s: at %s, want %s", p, got, paths.SecondStep)
				}
			}
			if n := len(plat.Requests()); n != seen {
				t.Fatalf("%d requests reached the platform before the second step was set up", n-seen)
			}

			var secret string
			if c.passkey {
				u.clickText("Add a Passkey")
				u.expectHeading("Your account")
				u.expectText("Your passkey has been added.")
				if n := len(u.credentials(auth)); n != 1 {
					t.Fatalf("the authenticator holds %d credentials", n)
				}
			} else {
				u.clickText("Set Up Two-Step Verification")
				u.expectHeading("Set up two-step verification")
				secret = stripSpaces(u.text("[data-testid=totp-secret]"))
				u.checkPage("second-step-totp-setup")
				code, err := totp.GenerateCode(secret, app.Now())
				if err != nil {
					t.Fatalf("the key on the page %q: %v", secret, err)
				}
				u.fill("#f-code", code)
				u.clickText("Turn On")
				u.expectHeading("Your recovery codes")
				u.checkPage("second-step-recovery-codes")
				u.clickText("I Have Saved My Recovery Codes")
				u.expectHeading("Your account")
			}
			u.checkPage("second-step-done")

			// Now the platform answers him, and is told who he is.
			u.visit("/reports/q3")
			u.expectText("platform page /reports/q3")
			u.expectText("email bob@acme.example")
			last, ok := plat.Last()
			if !ok || last.Path != "/reports/q3" || last.Header.Get("X-Gatehouse-Email") != "bob@acme.example" {
				t.Fatalf("the platform saw %+v", last)
			}
			if m := last.Header.Get("X-Gatehouse-Auth-Methods"); !strings.Contains(m, "pwd") {
				t.Errorf("auth methods of the sign-in the session began with: %q", m)
			}

			// Signing in again takes the second step he set up. (A
			// passkey's sign-in is the passkey tests'.)
			if !c.passkey {
				u.visit(paths.Account)
				u.clickText("Sign Out")
				u.expectHeading("Sign in")
				app.Advance(30 * time.Second)
				u.fill("#f-email", "bob@acme.example")
				u.fill("#f-password", goodPassword)
				u.clickText("Sign In")
				u.expectHeading("Two-step verification")
				code, err := totp.GenerateCode(secret, app.Now())
				if err != nil {
					t.Fatal(err)
				}
				u.fill("#f-code", code)
				u.clickText("Continue")
				u.expectText("platform page /")
				// The token the platform receives says how: password and
				// a one-time code.
				last, _ := plat.Last()
				_, claims := platformClaimsFrom(t, app, app.URL, last.Header.Get("X-Gatehouse-Token"))
				if strings.Join(claims.AMR, " ") != "pwd otp mfa" || claims.ACR != "urn:gatehouse:acr:mfa" {
					t.Errorf("the token says amr %v acr %q", claims.AMR, claims.ACR)
				}
				if m := last.Header.Get("X-Gatehouse-Auth-Methods"); m != "pwd,otp,mfa" {
					t.Errorf("X-Gatehouse-Auth-Methods %q", m)
				}
			}
		})
	}
}

// virtualAuthenticatorIf adds a virtual authenticator to the tab when on.
func (u *uiTab) virtualAuthenticatorIf(on bool) webauthn.AuthenticatorID {
	u.t.Helper()
	if on {
		return u.virtualAuthenticator()
	}
	return ""
}
