package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"gatehouse/internal/store/storetest"
)

// TestRule01RegisterNoEnumeration checks SECURITY.md rule 1 (and rule 9 for
// the pending address): a new, an active and a pending address get the same
// answer; only the email differs, and the pending one's older link dies.
func TestRule01RegisterNoEnumeration(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		app.signUp("active@example.com")
		mustRedirect(t, app.Browser().Post("/register", registration("pending@example.com")), "/register/sent")
		oldLink := app.LastLink("pending@example.com", "/activate")
		activeMails := len(app.Mail("active@example.com"))

		cases := []struct{ name, email string }{
			{"new", "newbie@example.com"},
			{"active", "active@example.com"},
			{"pending", "pending@example.com"},
		}
		var wantHeaders, wantBody string
		for i, c := range cases {
			p := app.Browser().Post("/register", registration(c.email))
			mustRedirect(t, p, "/register/sent")
			if p.Header.Get("Set-Cookie") == "" {
				t.Fatalf("%s: no gatehouse_sent cookie", c.name)
			}
			headers := secHeaders(p.Header)
			if i == 0 {
				wantHeaders, wantBody = headers, p.Body
				continue
			}
			if headers != wantHeaders {
				t.Errorf("%s address: headers differ from new address:\n%s\nwant:\n%s", c.name, headers, wantHeaders)
			}
			if p.Body != wantBody {
				t.Errorf("%s address: body differs from new address:\n%q\nwant:\n%q", c.name, p.Body, wantBody)
			}
		}

		// The new address gets an activation link.
		app.LastLink("newbie@example.com", "/activate")

		// The active account is told it already exists, with no activation link.
		mails := app.Mail("active@example.com")
		if len(mails) != activeMails+1 {
			t.Fatalf("active address got %d new mails, want 1", len(mails)-activeMails)
		}
		last := mails[len(mails)-1]
		if last.Subject != "You already have a Gatehouse account" || len(secLinks(last.Text, "/activate")) != 0 {
			t.Fatalf("active address got %q:\n%s", last.Subject, last.Text)
		}
		if u := secUser(t, app.Store, "active@example.com"); u.Status != "active" || u.FirstName != "Ada" {
			t.Fatalf("registering again changed the active account: %+v", u)
		}

		// The pending account gets a fresh link; only the newest works.
		newLink := app.LastLink("pending@example.com", "/activate")
		if newLink == oldLink {
			t.Fatal("pending address got no fresh activation link")
		}
		b := app.Browser()
		must(t, b.Get(oldLink), http.StatusGone, "This link no longer works")
		mustRedirect(t, b.Get(newLink), "/password/set")
		p := b.Post("/password/set", url.Values{"password": {goodPassword}, "password_confirm": {goodPassword}})
		mustRedirect(t, p, "/login?notice=password_set")
	})
}

// TestRule01ConcurrentRegistrationsOneRow checks SECURITY.md rule 1: two
// registrations of one address racing each other both get the normal answer
// and leave exactly one row.
func TestRule01ConcurrentRegistrationsOneRow(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		const email = "racer@example.com"
		type result struct {
			status   int
			location string
			err      error
		}
		var results [2]result
		var wg sync.WaitGroup
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		start := make(chan struct{})
		for i := range results {
			wg.Go(func() {
				<-start
				resp, err := client.PostForm(app.URL+"/register", registration(email))
				if err != nil {
					results[i].err = err
					return
				}
				resp.Body.Close()
				results[i] = result{resp.StatusCode, resp.Header.Get("Location"), nil}
			})
		}
		close(start)
		wg.Wait()
		for i, r := range results {
			if r.err != nil || r.status != http.StatusSeeOther || r.location != "/register/sent" {
				t.Errorf("registration %d: %d to %q (%v), want 303 to /register/sent", i, r.status, r.location, r.err)
			}
		}
		if n := secCountUsers(t, app.Store, email); n != 1 {
			t.Fatalf("%d user rows for %s, want 1", n, email)
		}
		if u := secUser(t, app.Store, email); u.Status != "pending" {
			t.Fatalf("status %q, want pending", u.Status)
		}
	})
}

// TestRule03OnlyNamedFieldsBind checks SECURITY.md rule 3: fields the form
// does not have change nothing, and there is no login before the password
// is set through the emailed link.
func TestRule03OnlyNamedFieldsBind(t *testing.T) {
	hash, err := hasher.Hash(context.Background(), goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		extra url.Values
	}{
		{"status", url.Values{"status": {"active"}, "Status": {"active"}}},
		{"password", url.Values{"password": {goodPassword}, "password_confirm": {goodPassword}}},
		{"role", url.Values{"role": {"admin"}, "is_admin": {"true"}}},
		{"password_hash", url.Values{"password_hash": {hash}, "activated_at": {"2024-01-01T00:00:00Z"}}},
		{"everything", url.Values{"status": {"active"}, "password": {goodPassword}, "role": {"admin"},
			"password_hash": {hash}, "id": {"1"}}},
	}
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				email := "mallory-" + strings.ReplaceAll(c.name, "_", "-") + "@example.com"
				form := registration(email)
				for k, v := range c.extra {
					form[k] = v
				}
				mustRedirect(t, app.Browser().Post("/register", form), "/register/sent")
				u := secUser(t, app.Store, email)
				if u.Status != "pending" || u.PasswordHash != "" || u.ActivatedAt != nil {
					t.Fatalf("extra fields bound: status %q, hash %q, activated %v", u.Status, u.PasswordHash, u.ActivatedAt)
				}
				p := app.Browser().Post("/login", url.Values{"email": {email}, "password": {goodPassword}})
				must(t, p, http.StatusUnauthorized)
				if c := secSessionCookie(p, "gatehouse_session"); c != nil && c.Value != "" {
					t.Fatal("a pending account got a session")
				}
			})
		}
	})
}

// TestRule13LinksUseBaseURL checks SECURITY.md rule 13: a forged Host or
// X-Forwarded-Host never reaches the links in emails.
func TestRule13LinksUseBaseURL(t *testing.T) {
	forged := map[string]string{"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https",
		"Forwarded": "host=evil.example;proto=https", "X-Host": "evil.example"}
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		app.signUp("active@example.com")
		mustRedirect(t, app.Browser().Post("/register", registration("pending@example.com")), "/register/sent")
		cases := []struct {
			name, path, email, redirect string
			form                        url.Values
			wantLink                    string
		}{
			{"register new", "/register", "new@example.com", "/register/sent", registration("new@example.com"), "/activate"},
			{"register active", "/register", "active@example.com", "/register/sent", registration("active@example.com"), "/login"},
			{"forgot active", "/password/forgot", "active@example.com", "/password/forgot/sent", url.Values{"email": {"active@example.com"}}, "/password/reset"},
			{"forgot pending", "/password/forgot", "pending@example.com", "/password/forgot/sent", url.Values{"email": {"pending@example.com"}}, "/activate"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := len(app.Mail(c.email))
				mustRedirect(t, secPost(app.Browser(), c.path, c.form, forged, "evil.example"), c.redirect)
				mails := app.Mail(c.email)
				if len(mails) != before+1 {
					t.Fatalf("%d new mails, want 1", len(mails)-before)
				}
				m := mails[len(mails)-1]
				if len(secLinks(m.Text, c.wantLink)) == 0 {
					t.Fatalf("no %s link in:\n%s", c.wantLink, m.Text)
				}
				for _, part := range []string{m.Text, m.HTML} {
					if strings.Contains(part, "evil.example") {
						t.Fatalf("forged host in email:\n%s", part)
					}
					for _, l := range linkRE.FindAllString(part, -1) {
						if !strings.HasPrefix(l, "http://gatehouse.test/") {
							t.Errorf("link %q not built from BASE_URL", l)
						}
					}
				}
			})
		}
	})
}
