package handlers_test

import (
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"gatehouse/internal/account"
	"gatehouse/internal/store/storetest"
)

// TestBrowserTwoStep: two-step verification turned on from the account
// page, with the key read off the page as a person would type it into an
// app (the code is the library's), and a sign-in that asks for the code
// after the password and records both methods; a code used once is
// refused the second time, a forgotten password reset by email still
// leads to the code, and after wrong codes the throttle refuses even the
// right one with the same words; with and without script, each page
// axe-clean.
func TestBrowserTwoStep(t *testing.T) {
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
			email := "ada." + c.name + "@example.com"
			app.signUp(email)
			u := b.open(t, app, uiOptions{JS: c.js, Width: c.width})
			u.visit("/login")
			u.signIn(email, goodPassword)
			u.checkPage("account-two-step-off")

			u.clickText("Set Up Two-Step Verification")
			u.expectHeading("Set up two-step verification")
			u.waitFor("the QR code to load", `(() => { const i = document.querySelector('[data-testid=totp-qr]'); return i && i.complete && i.naturalWidth > 100; })()`)
			secret := u.text("[data-testid=totp-secret]")
			u.checkPage("two-step-setup")
			code := func(at time.Time) string {
				t.Helper()
				c, err := totp.GenerateCode(stripSpaces(secret), at)
				if err != nil {
					t.Fatalf("the key on the page %q: %v", secret, err)
				}
				return c
			}
			u.fill("#f-code", "000000")
			u.clickText("Turn On")
			u.expectText("That code isn't right.")
			u.checkPage("two-step-setup-wrong")
			u.fill("#f-code", code(app.Now()))
			u.clickText("Turn On")
			u.expectHeading("Your recovery codes")
			u.checkPage("two-step-recovery-codes")
			u.clickText("I Have Saved My Recovery Codes")
			u.expectHeading("Your account")
			u.expectText("10 recovery codes left.")
			u.checkPage("account-two-step-on")

			u.clickText("Sign Out")
			u.expectHeading("Sign in")
			u.fill("#f-email", email)
			u.fill("#f-password", goodPassword)
			u.clickText("Sign In")
			u.expectHeading("Two-step verification")
			if p := u.path(); p != "/login/code" {
				t.Fatalf("after the password: %s", p)
			}
			u.checkPage("login-code")
			u.fill("#f-code", "000000")
			u.clickText("Continue")
			u.expectText("That code didn't work.")
			u.checkPage("login-code-wrong")
			u.clickText("Use a recovery code")
			u.expectText("Enter one of the recovery codes you saved.")
			u.checkPage("login-recovery-code")
			u.clickText("Use a code from the authenticator app")
			u.expectText("Enter the 6-digit code your authenticator app shows")
			app.Advance(30 * time.Second)
			used := code(app.Now())
			u.fill("#f-code", used)
			u.clickText("Continue")
			u.expectHeading("Your account")
			// The session says how: password and a one-time code.
			if c.js {
				s := u.authSession()
				sess, _ := s["session"].(map[string]any)
				if amr, _ := sess["amr"].([]any); len(amr) != 3 || amr[0] != "pwd" || amr[1] != "otp" || sess["acr"] != "urn:gatehouse:acr:mfa" {
					t.Errorf("/auth/session after the code: %v", s)
				}
			}

			// The same code again, inside its window: refused, as a
			// wrong one is.
			signInAgain := func(pw string) {
				t.Helper()
				u.visit("/account")
				u.clickText("Sign Out")
				u.expectHeading("Sign in")
				u.fill("#f-email", email)
				u.fill("#f-password", pw)
				u.clickText("Sign In")
				u.expectHeading("Two-step verification")
			}
			signInAgain(goodPassword)
			u.fill("#f-code", used)
			u.clickText("Continue")
			u.expectText("That code didn't work.")
			u.checkPage("login-code-replayed")

			// A forgotten password, reset by email: the next sign-in
			// still asks for the code.
			u.visit("/account")
			u.expectHeading("Sign in")
			u.clickText("Forgot password?")
			u.expectHeading("Forgot password?")
			u.fill("#f-email", email)
			u.clickText("Send Email")
			u.expectHeading("Check your inbox")
			u.visit(app.LastLink(email, "/password/reset"))
			u.expectHeading("Reset password")
			newPassword := "a different, longer passphrase"
			u.fill("#f-password", newPassword)
			u.fill("#f-password_confirm", newPassword)
			u.clickText("Reset Password")
			u.expectText("Your password has been reset.")
			if u.value("#f-email") == "" {
				u.fill("#f-email", email)
			}
			u.fill("#f-password", newPassword)
			u.clickText("Sign In")
			u.expectHeading("Two-step verification")
			if p := u.path(); p != "/login/code" {
				t.Fatalf("after the reset password: %s", p)
			}
			u.checkPage("login-code-after-reset")

			// Wrong codes until the account is throttled: then even the
			// right code gets the same answer.
			// Each answer looks like the one before, so wait for the new
			// page (or, with script, the swapped content) to arrive.
			submit := func(c string) {
				t.Helper()
				u.settle()
				uiEval[bool](u, `!!((document.getElementById('content') || document.body).dataset.stale = '1')`)
				u.fill("#f-code", c)
				u.clickText("Continue")
				u.waitFor("the answer to the code", `document.readyState === 'complete' && !!document.getElementById('content') && !document.getElementById('content').dataset.stale`)
				u.expectText("That code didn't work.")
			}
			for range account.DefaultLimits.LoginFreeFailures + 1 {
				submit("000000")
			}
			// The clock stands still (the delay would pass otherwise):
			// the next step's code, still unused, is inside the window.
			submit(code(app.Now().Add(30 * time.Second)))
			if p := u.path(); p != "/login/code" {
				t.Fatalf("a throttled account got in: %s", p)
			}
			u.checkPage("login-code-throttled")
		})
	}
}

func stripSpaces(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' {
			out = append(out, s[i])
		}
	}
	return string(out)
}
