package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gatehouse/internal/store/storetest"
)

// TestRule29And30ForgotAnswersAlike checks SECURITY.md rules 29 and 30:
// known, unknown and pending addresses get the same answer; only the mail
// differs; and a reset request changes nothing about the account.
func TestRule29And30ForgotAnswersAlike(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		app.signUp("active@example.com")
		mustRedirect(t, app.Browser().Post("/register", registration("pending@example.com")), "/register/sent")
		before := map[string]int{}
		for _, e := range []string{"active@example.com", "pending@example.com", "unknown@example.com"} {
			before[e] = len(app.Mail(e))
		}
		total := secMailTotal(app)

		cases := []struct{ name, email, wantPath, wantSubject string }{
			{"active", "active@example.com", "/password/reset", "Reset your Gatehouse password"},
			// A "no account here" notice, with a sign-up link and no token.
			{"unknown", "unknown@example.com", "/register", "No Gatehouse account for this address"},
			{"pending", "pending@example.com", "/activate", "Activate your Gatehouse account"},
		}
		var wantHeaders, wantBody string
		for i, c := range cases {
			p := app.Browser().Post("/password/forgot", url.Values{"email": {c.email}})
			mustRedirect(t, p, "/password/forgot/sent")
			headers := secHeaders(p.Header)
			if i == 0 {
				wantHeaders, wantBody = headers, p.Body
				continue
			}
			if headers != wantHeaders {
				t.Errorf("%s: headers differ from active:\n%s\nwant:\n%s", c.name, headers, wantHeaders)
			}
			if p.Body != wantBody {
				t.Errorf("%s: body differs from active:\n%q\nwant:\n%q", c.name, p.Body, wantBody)
			}
		}

		for _, c := range cases {
			mails := app.Mail(c.email)
			if len(mails) != before[c.email]+1 {
				t.Fatalf("%s address got %d mails, want 1", c.name, len(mails)-before[c.email])
			}
			m := mails[len(mails)-1]
			if m.Subject != c.wantSubject || len(secLinks(m.Text, c.wantPath)) != 1 {
				t.Errorf("%s address got %q:\n%s", c.name, m.Subject, m.Text)
			}
		}
		if n := secMailTotal(app); n != total+3 {
			t.Errorf("%d mails sent, want 3, one to each address", n-total)
		}
		if m := app.Mail("unknown@example.com"); strings.Contains(m[len(m)-1].Text, "token=") {
			t.Errorf("the no-account notice carries a token:\n%s", m[len(m)-1].Text)
		}

		// Rule 30: the request changed nothing; the old password still works.
		if u := secUser(t, app.Store, "active@example.com"); u.Status != "active" || u.PasswordHash == "" {
			t.Fatalf("reset request changed the account: %+v", u)
		}
		b := app.signIn("active@example.com", goodPassword)
		must(t, b.Get("/account"), http.StatusOK)
		// And the pending account is still pending.
		if u := secUser(t, app.Store, "pending@example.com"); u.Status != "pending" {
			t.Fatalf("pending account status %q", u.Status)
		}
	})
}

// TestRule31NoAutoSignInAndSafeChangedEmail checks SECURITY.md rule 31:
// neither setting nor resetting a password signs the browser in, and the
// "password changed" email carries no password, no token and no token link
// while telling the reader what to do if it was not them.
func TestRule31NoAutoSignInAndSafeChangedEmail(t *testing.T) {
	cases := []struct{ name, formPath, done string }{
		{"set", "/password/set", "/login?notice=password_set"},
		{"reset", "/password/reset", "/login?notice=password_reset"},
	}
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				app := newApp(t, backend)
				email := c.name + "@example.com"
				b := app.Browser()
				mustRedirect(t, b.Post("/register", registration(email)), "/register/sent")
				tokens := []string{secToken(t, app.LastLink(email, "/activate"))}
				secrets := []string{}
				pw := goodPassword
				if c.name == "reset" {
					mustRedirect(t, b.Get(app.LastLink(email, "/activate")), "/password/set")
					mustRedirect(t, b.Post("/password/set", url.Values{"password": {pw}, "password_confirm": {pw}}), "/login?notice=password_set")
					secrets = append(secrets, pw)
					app.Mail(email) // deliver the password-set mail first
					// Signed in when starting the reset, to show the reset
					// does not keep or renew that session either.
					b = app.signIn(email, pw)
					mustRedirect(t, b.Post("/password/forgot", url.Values{"email": {email}}), "/password/forgot/sent")
					tokens = append(tokens, secToken(t, app.LastLink(email, "/password/reset")))
					pw = "a completely new passphrase"
					mustRedirect(t, b.Get(app.LastLink(email, "/password/reset")), "/password/reset")
				} else {
					mustRedirect(t, b.Get(app.LastLink(email, "/activate")), "/password/set")
				}
				secrets = append(secrets, pw)

				p := b.Post(c.formPath, url.Values{"password": {pw}, "password_confirm": {pw}})
				mustRedirect(t, p, c.done)
				if ck := secSessionCookie(p, secSession); ck != nil && ck.Value != "" {
					t.Fatalf("a session cookie was issued: %q", p.Header.Values("Set-Cookie"))
				}
				if b.Cookie(secSession) != "" {
					t.Fatal("the browser holds a session cookie after the password change")
				}
				mustRedirect(t, b.Get("/account"), "/login")

				mails := app.Mail(email)
				m := mails[len(mails)-1]
				if !strings.Contains(m.Subject, "password was changed") && !strings.Contains(m.Subject, "account is ready") {
					t.Fatalf("newest mail is %q, want the password-changed email", m.Subject)
				}
				for part, body := range map[string]string{"HTML": m.HTML, "text": m.Text} {
					for _, s := range append(append([]string{"token="}, tokens...), secrets...) {
						if strings.Contains(body, s) {
							t.Errorf("%s part of %q contains %q", part, m.Subject, s)
						}
					}
					if !strings.Contains(body, "http://gatehouse.test/password/forgot") {
						t.Errorf("%s part of %q does not say how to recover:\n%s", part, m.Subject, body)
					}
				}
			})
		}
	})
}
