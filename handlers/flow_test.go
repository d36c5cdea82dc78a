package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/store/storetest"
)

var codeRE = regexp.MustCompile(`\b(\d{6})\b`)

// lastCode returns the verification code from the newest mail to addr.
func (a *testApp) lastCode(addr string) string {
	a.t.Helper()
	mails := a.Mail(addr)
	if len(mails) == 0 {
		a.t.Fatalf("no mail to %s", addr)
	}
	m := codeRE.FindStringSubmatch(mails[len(mails)-1].Text)
	if m == nil {
		a.t.Fatalf("no code in mail to %s:\n%s", addr, mails[len(mails)-1].Text)
	}
	return m[1]
}

// TestSignUpWithCode: the person reads mail on another device and types the
// code into the browser that registered; that continues to "Set Password".
func TestSignUpWithCode(t *testing.T) {
	for _, backend := range []storetest.Backend{storetest.SQLite, storetest.Postgres} {
		t.Run(string(backend), func(t *testing.T) {
			app := newApp(t, backend)
			b := app.Browser()
			mustRedirect(t, b.Post("/register", registration("code@example.com")), "/register/sent")
			must(t, b.Get("/register/sent"), http.StatusOK, `name="code"`, `autocomplete="one-time-code"`, "Send the Email Again")
			code := app.lastCode("code@example.com")

			// Another browser cannot use the code: it is bound to this one.
			other := app.Browser()
			other.Post("/register", registration("someone-else@example.com"))
			must(t, other.Post("/register/verify", url.Values{"code": {code}}), http.StatusUnprocessableEntity)

			wrong := "000000"
			if code == wrong {
				wrong = "111111"
			}
			must(t, b.Post("/register/verify", url.Values{"code": {wrong}}), http.StatusUnprocessableEntity, "4 tries left")
			p := b.Post("/register/verify", url.Values{"code": {code[:3] + " " + code[3:]}})
			mustRedirect(t, p, "/password/set")
			must(t, b.Get("/password/set"), http.StatusOK, "code@example.com")
			mustRedirect(t, b.Post("/password/set", url.Values{"password": {goodPassword}, "password_confirm": {goodPassword}}), "/login?notice=password_set")
			mustRedirect(t, b.Post("/login", url.Values{"email": {"code@example.com"}, "password": {goodPassword}}), "/account")

			// Used once: the same code does nothing more.
			must(t, b.Post("/register/verify", url.Values{"code": {code}}), http.StatusUnprocessableEntity, "no longer works")
		})
	}
}

// TestCodeTriesAreLimited: five wrong tries use a code up; the right code
// then fails and a new email is needed.
func TestCodeTriesAreLimited(t *testing.T) {
	app := newApp(t, storetest.SQLite)
	b := app.Browser()
	b.Post("/register", registration("tries@example.com"))
	code := app.lastCode("tries@example.com")
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	for i := range 5 {
		p := b.Post("/register/verify", url.Values{"code": {wrong}})
		if p.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("try %d: status %d", i+1, p.StatusCode)
		}
	}
	must(t, b.Post("/register/verify", url.Values{"code": {code}}), http.StatusUnprocessableEntity, "no longer works")

	// Send again: a new code works, the old link no longer does.
	oldLink := app.LastLink("tries@example.com", "/activate")
	app.Advance(61 * time.Second)
	p := b.Post("/register/resend", nil)
	mustRedirect(t, p, "/register/sent?notice=resent")
	must(t, b.Follow(p), http.StatusOK, "We&#39;ve sent a new email.")
	mustRedirect(t, b.Post("/register/verify", url.Values{"code": {app.lastCode("tries@example.com")}}), "/password/set")
	must(t, app.Browser().Get(oldLink), http.StatusGone)
}

// TestResendCooldown: the cooldown the button counts down holds without
// script too. A resend within a minute of the email (the first one
// included) sends nothing and says how many seconds are left; after it, one
// resend goes out and the cooldown starts again.
func TestResendCooldown(t *testing.T) {
	app := newApp(t, storetest.SQLite)
	b := app.Browser()
	b.Post("/register", registration("wait@example.com"))
	before := len(app.Mail("wait@example.com"))
	app.Advance(20 * time.Second)
	p := b.Post("/register/resend", nil)
	mustRedirect(t, p, "/register/sent?notice=wait&wait=40")
	must(t, b.Follow(p), http.StatusOK, "Please wait 40 seconds before asking for another.", "data-cooldown-until=")
	if got := len(app.Mail("wait@example.com")); got != before {
		t.Fatalf("%d emails after a resend inside the cooldown, want %d", got, before)
	}
	app.Advance(41 * time.Second)
	mustRedirect(t, b.Post("/register/resend", nil), "/register/sent?notice=resent")
	mustRedirect(t, b.Post("/register/resend", nil), "/register/sent?notice=wait&wait=60")
	if got := len(app.Mail("wait@example.com")); got != before+1 {
		t.Fatalf("%d emails after two quick resends, want %d", got, before+1)
	}
	// The seconds come from the address of the page: only a plausible
	// number is shown.
	must(t, b.Get("/register/sent?notice=wait&wait=1"), http.StatusOK, "Please wait 1 second before")
	must(t, b.Get("/register/sent?notice=wait&wait=junk"), http.StatusOK, "Please wait a minute")
}

// TestVerificationMethodLink: with VERIFICATION_METHOD=link the email has
// no code and the page no code form.
func TestVerificationMethodLink(t *testing.T) {
	app := newApp(t, storetest.SQLite, func(o *appOptions) { o.verification = "link" })
	b := app.Browser()
	b.Post("/register", registration("link@example.com"))
	if p := b.Get("/register/sent"); strings.Contains(p.Body, `name="code"`) {
		t.Fatal("code form shown with VERIFICATION_METHOD=link")
	}
	if m := app.Mail("link@example.com"); codeRE.MatchString(m[0].Text) {
		t.Fatalf("code in a link-only email:\n%s", m[0].Text)
	}
}

// TestVerificationMethodCode: with VERIFICATION_METHOD=code the email has a
// code and no link.
func TestVerificationMethodCode(t *testing.T) {
	app := newApp(t, storetest.SQLite, func(o *appOptions) { o.verification = "code" })
	b := app.Browser()
	b.Post("/register", registration("onlycode@example.com"))
	m := app.Mail("onlycode@example.com")
	if strings.Contains(m[0].Text, "/activate?token=") || !codeRE.MatchString(m[0].Text) {
		t.Fatalf("code-only email:\n%s", m[0].Text)
	}
	mustRedirect(t, b.Post("/register/verify", url.Values{"code": {app.lastCode("onlycode@example.com")}}), "/password/set")
}

// TestResetWithCode: the forgot-password email's code works the same way.
func TestResetWithCode(t *testing.T) {
	app := newApp(t, storetest.SQLite)
	app.signUp("reset-code@example.com")
	b := app.Browser()
	mustRedirect(t, b.Post("/password/forgot", url.Values{"email": {"reset-code@example.com"}}), "/password/forgot/sent")
	mustRedirect(t, b.Post("/password/forgot/verify", url.Values{"code": {app.lastCode("reset-code@example.com")}}), "/password/reset")
	newPassword := "another long passphrase here"
	mustRedirect(t, b.Post("/password/reset", url.Values{"password": {newPassword}, "password_confirm": {newPassword}}), "/login?notice=password_reset")
	mustRedirect(t, app.Browser().Post("/login", url.Values{"email": {"reset-code@example.com"}, "password": {newPassword}}), "/account")
}
