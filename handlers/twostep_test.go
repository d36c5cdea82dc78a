package handlers_test

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"gatehouse/handlers"
	"gatehouse/internal/account"
	"gatehouse/internal/store/storetest"
)

var secretAttr = regexp.MustCompile(`data-secret="([A-Z2-7]+)"`)

// turnOnTwoStep turns two-step verification on from the account page of
// b, reading the secret off the page, and returns it with the recovery
// codes the page shows.
func (a *testApp) turnOnTwoStep(b *browser) (string, []string) {
	a.t.Helper()
	t := a.t
	mustRedirect(t, b.Post("/account/two-step/start", nil), "/account/two-step")
	p := b.Get("/account/two-step")
	must(t, p, 200, `src="data:image/png;base64,`, "Set up two-step verification")
	if p.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("setup page Cache-Control %q", p.Header.Get("Cache-Control"))
	}
	m := secretAttr.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no secret on the setup page:\n%s", p.Body)
	}
	must(t, b.Post("/account/two-step/confirm", url.Values{"code": {"000000"}}), 422, "That code isn")
	code, _ := totp.GenerateCode(m[1], a.Now())
	p = b.Post("/account/two-step/confirm", url.Values{"code": {code}})
	must(t, p, 200, "Your recovery codes", "They are shown only this once.")
	codes := regexp.MustCompile(`[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}`).FindAllString(p.Body, -1)
	if len(codes) != 10 {
		t.Fatalf("%d recovery codes on the page", len(codes))
	}
	must(t, b.Get("/account"), 200, "Turn Off Two-Step Verification", "10 recovery codes left.")
	return m[1], codes
}

// The whole journey over HTTP: turned on from the account page, then a
// sign-in stops at the code, with no session cookie, and lands after it;
// the platform learns both methods.
func TestTwoStepHTTP(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		app.signUp("ada@example.com")
		secret, codes := app.turnOnTwoStep(app.signIn("ada@example.com", goodPassword))

		b := app.Browser()
		p := b.Post("/login", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}, "return_to": {"/account?x=1"}})
		mustRedirect(t, p, "/login/code?return_to="+url.QueryEscape("/account?x=1"))
		if b.Cookie("gatehouse_session") != "" {
			t.Fatal("a session cookie before the code")
		}
		mustRedirect(t, b.Get("/account"), "/login")
		must(t, b.Get("/login/code"), 200, `autocomplete="one-time-code"`, "Use a recovery code")
		must(t, b.Get("/login/code?recovery=1"), 200, "Recovery code")
		must(t, b.Post("/login/code", url.Values{"code": {""}}), 422, "Enter the code from your authenticator app.")

		app.Advance(30 * time.Second)
		code, _ := totp.GenerateCode(secret, app.Now())
		mustRedirect(t, b.Post("/login/code", url.Values{"code": {code}, "return_to": {"/account?x=1"}}), "/account?x=1")
		must(t, b.Get("/account"), 200, "Two-step verification")
		var s handlers.SessionJSON
		json.Unmarshal([]byte(b.Get("/auth/session").Body), &s)
		if strings.Join(s.Session.AMR, " ") != "pwd otp mfa" || s.Session.ACR != account.ACRMultiFactor {
			t.Errorf("/auth/session after the code: %+v", s.Session)
		}
		// Without a pending step the code page leads back to the password.
		other := app.Browser()
		mustRedirect(t, other.Get("/login/code"), "/login?notice=sign_in_again")
		mustRedirect(t, other.Post("/login/code", url.Values{"code": {code}}), "/login?notice=sign_in_again")

		// A recovery code from its own form.
		r := app.Browser()
		mustRedirect(t, r.Post("/login", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}}), "/login/code")
		mustRedirect(t, r.Post("/login/code", url.Values{"code": {codes[0]}, "recovery": {"1"}}), "/account")

		// Rule 40: neither the secret, nor a code, nor the pending step's
		// token is ever logged.
		logs := app.Logs.String()
		for _, secretText := range append([]string{secret, code}, codes...) {
			if strings.Contains(logs, secretText) {
				t.Errorf("the logs hold %q", secretText)
			}
		}
		if strings.Contains(logs, "login_code=") {
			t.Error("the logs hold the pending step's cookie")
		}
	})
}

// A wrong code, a replayed code and a throttled account get byte for byte
// the same answer.
func TestTwoStepAnswersIdentical(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		app.signUp("ada@example.com")
		secret, _ := app.turnOnTwoStep(app.signIn("ada@example.com", goodPassword))
		app.Advance(30 * time.Second)
		used, _ := totp.GenerateCode(secret, app.Now())
		first := app.Browser()
		mustRedirect(t, first.Post("/login", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}}), "/login/code")
		mustRedirect(t, first.Post("/login/code", url.Values{"code": {used}}), "/account")

		b := app.Browser()
		mustRedirect(t, b.Post("/login", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}}), "/login/code")
		try := func(code string) page {
			t.Helper()
			p := b.Post("/login/code", url.Values{"code": {code}})
			must(t, p, 401, "That code didn")
			return p
		}
		wrong := try("000000")
		replayed := try(used)
		for range account.DefaultLimits.LoginFreeFailures {
			try("000001")
		}
		right, _ := totp.GenerateCode(secret, app.Now().Add(30*time.Second))
		throttled := try(right)
		for name, p := range map[string]page{"replayed": replayed, "throttled": throttled} {
			if p.Body != wrong.Body {
				t.Errorf("the %s answer differs from the wrong code's", name)
			}
			for _, h := range []string{"Content-Type", "Cache-Control", "Content-Length", "Set-Cookie"} {
				if p.Header.Get(h) != wrong.Header.Get(h) {
					t.Errorf("%s: header %s %q, want %q", name, h, p.Header.Get(h), wrong.Header.Get(h))
				}
			}
		}
	})
}

// A password reset leaves two-step verification on: the new password
// still leads to the code.
func TestTwoStepSurvivesReset(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		app.signUp("ada@example.com")
		app.turnOnTwoStep(app.signIn("ada@example.com", goodPassword))
		b := app.Browser()
		b.Post("/password/forgot", url.Values{"email": {"ada@example.com"}})
		p := b.Get(app.LastLink("ada@example.com", "/password/reset"))
		p = b.Follow(p)
		const newPassword = "tremendous purple giraffe umbrella"
		p = b.Post("/password/reset", url.Values{"password": {newPassword}, "password_confirm": {newPassword}})
		if p.StatusCode != 303 {
			t.Fatalf("reset: %d %s", p.StatusCode, p.Body)
		}
		mustRedirect(t, app.Browser().Post("/login", url.Values{"email": {"ada@example.com"}, "password": {newPassword}}), "/login/code")
	})
}

// Turning it off takes the password and a code, from the account page.
func TestTwoStepOffHTTP(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		app.signUp("ada@example.com")
		b := app.signIn("ada@example.com", goodPassword)
		secret, _ := app.turnOnTwoStep(b)
		app.Advance(30 * time.Second)
		code, _ := totp.GenerateCode(secret, app.Now())
		mustRedirect(t, b.Post("/account/two-step/off", url.Values{"current_password": {"wrong password entirely"}, "code": {code}}), "/account#twostep-title")
		must(t, b.Get("/account"), 200, "The password or the code isn", "Turn Off Two-Step Verification")
		p := b.Post("/account/two-step/recovery-codes", url.Values{"current_password": {goodPassword}, "code": {code}})
		must(t, p, 200, "New recovery codes are ready")
		fresh := regexp.MustCompile(`[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}`).FindAllString(p.Body, -1)
		if len(fresh) != 10 {
			t.Fatalf("%d new recovery codes", len(fresh))
		}
		mustRedirect(t, b.Post("/account/two-step/off", url.Values{"current_password": {goodPassword}, "code": {fresh[0]}}), "/account?notice=two_step_off")
		must(t, b.Get("/account?notice=two_step_off"), 200, "Two-step verification is off.", "Set Up Two-Step Verification")
		app.signIn("ada@example.com", goodPassword)
	})
}

// max_age: a sign-in older than max_age seconds is asked for the password
// again instead of passing through, and the token's auth_time is then the
// new one.
func TestMaxAgeAsksAgain(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		app.signUp("ada@example.com")
		b := app.signIn("ada@example.com", goodPassword)
		if p := b.Get("/login?return_to=/account&max_age=300"); p.StatusCode != 302 || p.Header.Get("Location") != "/account" {
			t.Fatalf("a fresh sign-in: %d %q", p.StatusCode, p.Header.Get("Location"))
		}
		var before handlers.SessionJSON
		json.Unmarshal([]byte(b.Get("/auth/session").Body), &before)
		app.Advance(10 * time.Minute)
		p := b.Get("/login?return_to=/account&max_age=300")
		must(t, p, 200, "Please sign in again to continue.", `value="ada@example.com"`)
		for _, bad := range []string{"abc", "-1", ""} {
			if p := b.Get("/login?return_to=/account&max_age=" + bad); p.StatusCode != 302 {
				t.Errorf("max_age=%q: %d, want it ignored", bad, p.StatusCode)
			}
		}
		mustRedirect(t, b.Post("/login", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}, "return_to": {"/account"}}), "/account")
		var after handlers.SessionJSON
		json.Unmarshal([]byte(b.Get("/auth/session").Body), &after)
		if after.Session.AuthTime.Sub(before.Session.AuthTime) < 10*time.Minute {
			t.Errorf("auth_time %s after signing in again, was %s", after.Session.AuthTime, before.Session.AuthTime)
		}
		if p := b.Get("/login?return_to=/account&max_age=300"); p.StatusCode != 302 {
			t.Errorf("just signed in again: %d", p.StatusCode)
		}
	})
}
