package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gatehouse/internal/store/storetest"
)

// The change of address over HTTP: the form asks for the password again;
// the link's GET changes nothing however often it is opened; the POST of
// the confirmation moves the account; the old address's link restores it,
// signs out everywhere and lands on the new-password form.
func TestEmailChangeOverHTTP(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		app.signUp("ada@example.com")
		b := app.signIn("ada@example.com", goodPassword)

		p := b.Post("/account/email", url.Values{"new_email": {"ada@example.org"}, "email_password": {"wrong password entirely"}})
		must(t, p, http.StatusUnprocessableEntity, "That isn&#39;t your current password.", `value="ada@example.org"`)
		mustRedirect(t, b.Post("/account/email", url.Values{"new_email": {"ada@example.org"}, "email_password": {goodPassword}}), "/account/email/sent")
		must(t, b.Get("/account/email/sent"), http.StatusOK, "ada@example.org", `name="code"`, "Back to your account")
		if p := b.Get("/account/email/sent"); p.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("sent page Cache-Control %q", p.Header.Get("Cache-Control"))
		}

		link := app.LastLink("ada@example.org", "/account/email/confirm")
		phone := app.Browser() // the mail is read on another device, not signed in
		for range 3 {
			mustRedirect(t, phone.Get(link), "/account/email/confirm")
		}
		must(t, phone.Get("/account/email/confirm"), http.StatusOK, "ada@example.com", "ada@example.org", "Confirm New Address")
		app.signIn("ada@example.com", goodPassword) // still the sign-in until confirmed
		mustRedirect(t, phone.Post("/account/email/confirm", nil), "/login?notice=email_changed")
		must(t, phone.Follow(phone.Get("/login?notice=email_changed")), http.StatusOK, `value="ada@example.org"`)
		must(t, b.Get("/account"), http.StatusOK, "ada@example.org")

		revert := app.LastLink("ada@example.com", "/account/email/revert")
		owner := app.Browser()
		mustRedirect(t, owner.Get(revert), "/account/email/revert")
		must(t, owner.Get("/account/email/revert"), http.StatusOK, "ada@example.org", "ada@example.com")
		mustRedirect(t, owner.Post("/account/email/revert", nil), "/password/reset?notice=email_restored")
		must(t, owner.Get("/password/reset?notice=email_restored"), http.StatusOK, "every device has been signed out")
		mustRedirect(t, b.Get("/account"), "/login")
		mustRedirect(t, owner.Post("/password/reset", url.Values{"password": {"tremendous purple giraffe umbrella"},
			"password_confirm": {"tremendous purple giraffe umbrella"}}), "/login?notice=password_reset")
		app.signIn("ada@example.com", "tremendous purple giraffe umbrella")
	})
}

// A change to an address that has an account answers exactly as one to a
// free address, and sends that address nothing it could use.
func TestEmailChangeTakenAnswersAlike(t *testing.T) {
	app := newApp(t, storetest.SQLite)
	app.signUp("ada@example.com")
	app.signUp("grace@example.com")
	b := app.signIn("ada@example.com", goodPassword)
	pages := map[string]string{}
	for _, to := range []string{"grace@example.com", "free@example.com"} {
		p := b.Post("/account/email", url.Values{"new_email": {to}, "email_password": {goodPassword}})
		mustRedirect(t, p, "/account/email/sent")
		pages[to] = strings.ReplaceAll(b.Get("/account/email/sent").Body, to, "ADDR")
	}
	if pages["grace@example.com"] != pages["free@example.com"] {
		t.Error("the page tells a taken address from a free one")
	}
	mails := app.Mail("grace@example.com")
	last := mails[len(mails)-1]
	if !strings.Contains(last.Text, "someone asked to move another Gatehouse account") || strings.Contains(last.Text, "/account/email/confirm") {
		t.Errorf("the owner of the taken address got:\n%s", last.Text)
	}
}

// Download my data: a POST answered with a JSON attachment that caches do
// not keep, without hashes or tokens; past the limit, the translated 429.
func TestExportOverHTTP(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		app.signUp("ada@example.com")
		b := app.signIn("ada@example.com", goodPassword)
		must(t, b.Get("/account/export"), http.StatusMethodNotAllowed)
		p := b.Post("/account/export", nil)
		must(t, p, http.StatusOK, `"email": "ada@example.com"`, `"kind": "activation"`)
		if cd := p.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="gatehouse-data-`) {
			t.Errorf("Content-Disposition %q", cd)
		}
		if cc := p.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control %q", cc)
		}
		if ct := p.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		var x map[string]any
		if err := json.Unmarshal([]byte(p.Body), &x); err != nil {
			t.Fatal(err)
		}
		u := secUser(t, app.Store, "ada@example.com")
		for _, secret := range []string{u.PasswordHash, b.Cookie("gatehouse_session"), "password_hash", "token"} {
			if strings.Contains(p.Body, secret) {
				t.Errorf("the export holds %q", secret)
			}
		}
		for range 4 {
			must(t, b.Post("/account/export", nil), http.StatusOK)
		}
		p = b.Post("/account/export", nil)
		must(t, p, http.StatusTooManyRequests, "Too many")
		if p.Header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
		de := app.signIn("ada@example.com", goodPassword)
		de.head = http.Header{"Accept-Language": {"de"}}
		if p := de.Post("/language", url.Values{"lang": {"de"}}); p.StatusCode >= 400 {
			t.Fatalf("language switch: %d", p.StatusCode)
		}
		must(t, de.Post("/account/export", nil), http.StatusTooManyRequests, `lang="de"`)
	})
}

// Deleting asks for the password on its own page, signs out, and the
// account is gone; the last email arrives.
func TestDeleteOverHTTP(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		app.signUp("ada@example.com")
		b := app.signIn("ada@example.com", goodPassword)
		must(t, b.Get("/account/delete"), http.StatusOK, "Delete my account permanently", "ada@example.com")
		must(t, b.Post("/account/delete", url.Values{"current_password": {"not the password at all"}}), http.StatusUnprocessableEntity,
			"That isn&#39;t your current password.")
		mustRedirect(t, b.Post("/account/delete", url.Values{"current_password": {goodPassword}}), "/login?notice=account_deleted")
		must(t, b.Get("/login?notice=account_deleted"), http.StatusOK, "Your account has been deleted.")
		mustRedirect(t, b.Get("/account"), "/login")
		secNoUser(t, app.Store, "ada@example.com")
		mails := app.Mail("ada@example.com")
		if n := len(mails); n != 1 || !strings.Contains(mails[0].Text, "was deleted") {
			t.Errorf("mail to the erased address: %d, last %+v", n, mails)
		}
		must(t, app.Browser().Post("/login", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}}), http.StatusUnauthorized)
	})
}

// Each session row signs out its own session; another account's id does
// nothing; the profile form saves with the sign-up checks.
func TestSessionsAndProfileOverHTTP(t *testing.T) {
	app := newApp(t, storetest.SQLite)
	app.signUp("ada@example.com")
	app.signUp("grace@example.com")
	b := app.signIn("ada@example.com", goodPassword)
	other := app.signIn("ada@example.com", goodPassword)
	must(t, b.Get("/account"), http.StatusOK, `name="session"`)
	ids := sessionIDs(t, b.Get("/account").Body)
	if len(ids) != 2 {
		t.Fatalf("session ids %v", ids)
	}
	grace := app.signIn("grace@example.com", goodPassword)
	graceIDs := sessionIDs(t, grace.Get("/account").Body)
	mustRedirect(t, b.Post("/account/sessions/end", url.Values{"session": {graceIDs[0]}}), "/account#sessions-title")
	must(t, grace.Get("/account"), http.StatusOK) // still signed in
	// The row of the other session (not this browser's, which is marked).
	body := b.Get("/account").Body
	cur := body[strings.Index(body, `data-testid="current-session"`):]
	mine := sessionIDs(t, cur)[0]
	otherID := ids[0]
	if otherID == mine {
		otherID = ids[1]
	}
	mustRedirect(t, b.Post("/account/sessions/end", url.Values{"session": {otherID}}), "/account?notice=session_ended#sessions-title")
	gone := 0
	for _, br := range []*browser{b, other} {
		if br.Get("/account").StatusCode != http.StatusOK {
			gone++
		}
	}
	if gone != 1 || other.Get("/account").StatusCode == http.StatusOK {
		t.Errorf("%d sessions ended, want the other one", gone)
	}
	// This browser's own row signs out here.
	mustRedirect(t, b.Post("/account/sessions/end", url.Values{"session": {mine}}), "/login?notice=signed_out")

	c := app.signIn("ada@example.com", goodPassword)
	p := c.Post("/account/profile", url.Values{"first_name": {""}, "last_name": {"Lovelace"}, "company": {"AE"}, "country": {"GB"}, "phone": {"nope"}})
	must(t, p, http.StatusUnprocessableEntity, "open", `value="nope"`)
	mustRedirect(t, c.Post("/account/profile", url.Values{"first_name": {"Augusta"}, "last_name": {"King"}, "company": {"AE"},
		"country": {"GB"}, "phone": {"020 7946 0958"}}), "/account?notice=profile_saved#profile-title")
	must(t, c.Get("/account?notice=profile_saved"), http.StatusOK, "Welcome, Augusta King.", "+44 20 7946 0958", "Your profile has been saved.")
	p = c.Post("/account/profile/validate?field=phone", url.Values{"country": {"GB"}, "phone": {"12"}})
	must(t, p, http.StatusOK, `id="field-phone"`, "aria-invalid=\"true\"")
	must(t, c.Post("/account/profile/validate?field=email", url.Values{"email": {"x"}}), http.StatusNotFound)
}

func sessionIDs(t *testing.T, body string) []string {
	t.Helper()
	var out []string
	for _, part := range strings.Split(body, `name="session" value="`)[1:] {
		out = append(out, part[:strings.Index(part, `"`)])
	}
	return out
}
