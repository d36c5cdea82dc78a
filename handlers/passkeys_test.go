package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/account"
	"gatehouse/internal/handoff"
	"gatehouse/internal/mail"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
	"gatehouse/internal/testkit/softkey"
)

// The test app's BASE_URL is http://gatehouse.test: the relying party.
func newTestKey(synced bool) *softkey.Key {
	return softkey.New("gatehouse.test", "http://gatehouse.test", synced)
}

// postJSON posts a ceremony's JSON as passkeys.js does.
func (b *browser) postJSON(path string, body []byte) page {
	b.t.Helper()
	if body == nil {
		body = []byte("{}")
	}
	req, _ := http.NewRequest("POST", b.abs(path), bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	return b.do(req)
}

// passkeyAnswer is a ceremony endpoint's JSON.
func passkeyAnswer(t *testing.T, p page) (redirect, errText string) {
	t.Helper()
	var v struct{ Redirect, Error string }
	if err := json.Unmarshal([]byte(p.Body), &v); err != nil {
		t.Fatalf("%s %s: %d, not JSON: %v\n%s", p.Request.Method, p.Request.URL.Path, p.StatusCode, err, p.Body)
	}
	return v.Redirect, v.Error
}

// addTestPasskey registers k for the signed-in browser b.
func addTestPasskey(t *testing.T, b *browser, k *softkey.Key) {
	t.Helper()
	p := b.postJSON("/passkeys/register/options", nil)
	must(t, p, http.StatusOK, `"challenge"`)
	body, err := k.Create([]byte(p.Body))
	if err != nil {
		t.Fatal(err)
	}
	p = b.postJSON("/passkeys/register", body)
	must(t, p, http.StatusOK)
	if to, _ := passkeyAnswer(t, p); to != "/account?notice=passkey_added" {
		t.Fatalf("registration answered %q", to)
	}
}

// passkeySignIn runs a sign-in ceremony in b with k at counter n.
func passkeySignIn(t *testing.T, b *browser, k *softkey.Key, n uint32, query string) page {
	t.Helper()
	p := b.postJSON("/passkeys/login/options"+query, nil)
	must(t, p, http.StatusOK, `"challenge"`)
	body, err := k.Get([]byte(p.Body), n)
	if err != nil {
		t.Fatal(err)
	}
	return b.postJSON("/passkeys/login", body)
}

// TestPasskeyCeremoniesHTTP: the options come with a challenge cookie
// scoped to /passkeys, short-lived and HttpOnly, and no-store; adding
// needs a signed-in user; a passkey signs in with no address and no
// second step and follows return_to like password sign-in (local paths
// only).
func TestPasskeyCeremoniesHTTP(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		app.signUp("ada@example.com")
		b := app.signIn("ada@example.com", goodPassword)
		k := newTestKey(false)

		p := b.postJSON("/passkeys/register/options", nil)
		must(t, p, http.StatusOK)
		if cc := p.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("options Cache-Control %q", cc)
		}
		sc := p.Header.Get("Set-Cookie")
		for _, want := range []string{"gatehouse_passkey=", "Path=/passkeys", "Max-Age=300", "HttpOnly", "SameSite=Lax"} {
			if !strings.Contains(sc, want) {
				t.Errorf("challenge cookie %q lacks %s", sc, want)
			}
		}
		addTestPasskey(t, b, k)

		anon := app.Browser()
		must(t, anon.postJSON("/passkeys/register/options", nil), http.StatusUnauthorized, "Sign in again to add a passkey")
		must(t, anon.postJSON("/passkeys/register", []byte("{}")), http.StatusUnauthorized)

		for i, tc := range []struct{ query, to string }{
			{"", "/account"},
			{"?return_to=" + url.QueryEscape("/reports?q=1"), "/reports?q=1"},
			{"?return_to=" + url.QueryEscape("//evil.example/"), "/account"},
		} {
			nb := app.Browser()
			p := passkeySignIn(t, nb, k, uint32(i+1), tc.query)
			must(t, p, http.StatusOK)
			if to, _ := passkeyAnswer(t, p); to != tc.to {
				t.Errorf("sign-in with %q leads to %q, want %q", tc.query, to, tc.to)
			}
			if nb.Cookie("gatehouse_session") == "" {
				t.Fatal("no session cookie after a passkey sign-in")
			}
			must(t, nb.Get("/account"), http.StatusOK, "Your account")
		}
	})
}

// TestPasskeySignInAnswersAlike: every refused passkey sign-in gets the
// same status and bytes: an unknown passkey, an answer sent from another
// browser (no challenge cookie), an expired challenge, a disabled account,
// a replayed answer (rule 21, SECURITY.md rule 49p).
func TestPasskeySignInAnswersAlike(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		app.signUp("ada@example.com")
		app.signUp("bob@example.com")
		k, bobKey := newTestKey(false), newTestKey(true)
		addTestPasskey(t, app.signIn("ada@example.com", goodPassword), k)
		addTestPasskey(t, app.signIn("bob@example.com", goodPassword), bobKey)
		var answers []page
		counter := uint32(1)
		next := func() uint32 { counter++; return counter }

		answers = append(answers, passkeySignIn(t, app.Browser(), newTestKey(false), 1, ""))

		x, y := app.Browser(), app.Browser()
		p := x.postJSON("/passkeys/login/options", nil)
		body, _ := k.Get([]byte(p.Body), next())
		answers = append(answers, y.postJSON("/passkeys/login", body))

		late := app.Browser()
		p = late.postJSON("/passkeys/login/options", nil)
		body, _ = k.Get([]byte(p.Body), next())
		app.Advance(account.PasskeyChallengeTTL + time.Second)
		answers = append(answers, late.postJSON("/passkeys/login", body))

		replay := app.Browser()
		p = replay.postJSON("/passkeys/login/options", nil)
		body, _ = k.Get([]byte(p.Body), next())
		must(t, replay.postJSON("/passkeys/login", body), http.StatusOK)
		answers = append(answers, replay.postJSON("/passkeys/login", body))

		if _, _, err := app.Account.DisableUser(context.Background(), "bob@example.com", account.Operator{Name: "test"}); err != nil {
			t.Fatal(err)
		}
		answers = append(answers, passkeySignIn(t, app.Browser(), bobKey, 5, ""))

		names := []string{"unknown passkey", "another browser's challenge", "expired challenge", "replayed answer", "disabled account"}
		for i, a := range answers {
			if a.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s: status %d, want 401\n%s", names[i], a.StatusCode, a.Body)
			}
			if a.Body != answers[0].Body {
				t.Errorf("%s answers %q, the unknown passkey %q", names[i], a.Body, answers[0].Body)
			}
		}
		if _, msg := passkeyAnswer(t, answers[0]); !strings.Contains(msg, "That passkey did not sign you in") {
			t.Errorf("refusal says %q", msg)
		}
	})
}

// TestPasskeySignInRateLimit: passkey sign-ins count against the per-IP
// sign-in limit together with passwords, and are refused past it with a
// 429 and Retry-After.
func TestPasskeySignInRateLimit(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend, only("login-ip"))
		app.signUp("ada@example.com")
		stranger := newTestKey(false)
		b := app.Browser()
		for i := range 12 {
			var p page
			if i%2 == 0 {
				p = passkeySignIn(t, b, stranger, 1, "")
			} else {
				p = b.Post("/login", url.Values{"email": {"ada@example.com"}, "password": {"not the password"}})
			}
			if p.StatusCode != http.StatusUnauthorized {
				t.Fatalf("attempt %d: %d, want 401 inside the limit", i+1, p.StatusCode)
			}
		}
		p := passkeySignIn(t, b, stranger, 1, "")
		if p.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("past the limit: %d, want 429\n%s", p.StatusCode, p.Body)
		}
		if s, err := strconv.Atoi(p.Header.Get("Retry-After")); err != nil || s < 1 {
			t.Errorf("Retry-After = %q", p.Header.Get("Retry-After"))
		}
		mustLimited(t, b.Post("/login", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}}))
	})
}

// TestPasskeyOffer: right after the password is set, the sign-in page of
// that browser (only) offers a passkey; adding one with the offer (not
// signed in) ends it and leads to sign-in with the deep link; "Not now"
// ends it too.
func TestPasskeyOffer(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		setPassword := func(email string) *browser {
			b := app.Browser()
			mustRedirect(t, b.Post("/register?return_to="+url.QueryEscape("/reports"), registration(email)), "/register/sent")
			mustRedirect(t, b.Get(app.LastLink(email, "/activate")), "/password/set")
			mustRedirect(t, b.Post("/password/set", url.Values{"password": {goodPassword}, "password_confirm": {goodPassword}}),
				"/login?notice=password_set&return_to="+url.QueryEscape("/reports"))
			return b
		}
		const offer = "Add a passkey for faster sign-in"

		b := setPassword("ada@example.com")
		must(t, b.Get("/login?notice=password_set"), http.StatusOK, offer)
		if p := app.Browser().Get("/login"); strings.Contains(p.Body, offer) {
			t.Error("another browser is offered a passkey")
		}
		k := newTestKey(false)
		p := b.postJSON("/passkeys/register/options", nil)
		must(t, p, http.StatusOK)
		body, _ := k.Create([]byte(p.Body))
		p = b.postJSON("/passkeys/register", body)
		must(t, p, http.StatusOK)
		if to, _ := passkeyAnswer(t, p); to != "/login?notice=passkey_added&return_to="+url.QueryEscape("/reports") {
			t.Errorf("adding from the offer leads to %q", to)
		}
		if strings.Contains(b.Get("/login").Body, offer) {
			t.Error("the offer is still there after a passkey was added")
		}
		must(t, b.postJSON("/passkeys/register/options", nil), http.StatusUnauthorized)
		p = passkeySignIn(t, b, k, 1, "?return_to="+url.QueryEscape("/reports"))
		if to, _ := passkeyAnswer(t, p); to != "/reports" {
			t.Errorf("the new passkey signs in to %q", to)
		}

		c := setPassword("bob@example.com")
		mustRedirect(t, c.Post("/passkeys/offer/end", url.Values{"return_to": {"/reports"}}), "/login?return_to="+url.QueryEscape("/reports"))
		if strings.Contains(c.Get("/login").Body, offer) {
			t.Error("the offer is still there after Not now")
		}
		must(t, c.postJSON("/passkeys/register/options", nil), http.StatusUnauthorized)

		// The offer lasts fifteen minutes.
		d := setPassword("cy@example.com")
		app.Advance(account.PasskeyEnrolTTL + time.Second)
		if strings.Contains(d.Get("/login").Body, offer) {
			t.Error("the offer outlived its fifteen minutes")
		}
	})
}

// TestPasskeyManageHTTP: rename and remove are the owner's only (404 for
// anyone else's id), answer with POST-redirect-GET, and a bad name comes
// back with the name as typed and the problem.
func TestPasskeyManageHTTP(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		app.signUp("ada@example.com")
		app.signUp("bob@example.com")
		ada := app.signIn("ada@example.com", goodPassword)
		bob := app.signIn("bob@example.com", goodPassword)
		addTestPasskey(t, ada, newTestKey(false))
		list, err := app.Account.Passkeys(context.Background(), account.User{ID: mustUserID(t, app, "ada@example.com")})
		if err != nil || len(list) != 1 {
			t.Fatalf("passkeys %v %v", list, err)
		}
		id := strconv.FormatInt(list[0].ID, 10)

		must(t, bob.Post("/account/passkeys/"+id+"/rename", url.Values{"name": {"mine now"}}), http.StatusNotFound)
		must(t, bob.Post("/account/passkeys/"+id+"/remove", nil), http.StatusNotFound)
		must(t, ada.Post("/account/passkeys/nope/remove", nil), http.StatusNotFound)
		mustRedirect(t, app.Browser().Post("/account/passkeys/"+id+"/remove", nil), "/login")

		long := strings.Repeat("é", account.MaxPasskeyName+1)
		must(t, ada.Post("/account/passkeys/"+id+"/rename", url.Values{"name": {long}}), http.StatusUnprocessableEntity,
			"Use at most 64 characters for the name.", `value="`+long+`"`, `aria-invalid="true"`)
		mustRedirect(t, ada.Post("/account/passkeys/"+id+"/rename", url.Values{"name": {"Work laptop"}}), "/account?notice=passkey_renamed#passkeys-title")
		must(t, ada.Get("/account"), http.StatusOK, "Work laptop")
		mustRedirect(t, ada.Post("/account/passkeys/"+id+"/remove", nil), "/account?notice=passkey_removed#passkeys-title")
		must(t, ada.Get("/account?notice=passkey_removed"), http.StatusOK, "The passkey has been removed.", "You have no passkeys yet.")
	})
}

func mustUserID(t *testing.T, app *testApp, email string) int64 {
	t.Helper()
	u, err := app.Store.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// TestPasskeyBeginRateLimit: beginning passkey sign-ins (each leaves a
// challenge row) is limited per IP to four times the sign-in limit.
func TestPasskeyBeginRateLimit(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend, only("login-ip"))
		b := app.Browser()
		for i := range 4 * 12 {
			if p := b.postJSON("/passkeys/login/options?mediation=conditional", nil); p.StatusCode != http.StatusOK {
				t.Fatalf("begin %d: %d", i+1, p.StatusCode)
			}
		}
		p := b.postJSON("/passkeys/login/options", nil)
		if p.StatusCode != http.StatusTooManyRequests || p.Header.Get("Retry-After") == "" {
			t.Fatalf("past the limit: %d, Retry-After %q", p.StatusCode, p.Header.Get("Retry-After"))
		}
		if n := countChallenges(t, app, "login"); n != 4*12 {
			t.Errorf("%d challenges stored, want %d", n, 4*12)
		}
	})
}

// TestPasskeyWebhooks: the platform hears of a passkey added, a sign-in
// with it, and its removal, signed and in order, like every other event.
func TestPasskeyWebhooks(t *testing.T) {
	rc := &receiver{ids: map[string]int{}}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	app := newApp(t, storetest.SQLite, func(o *appOptions) { o.webhooks = true })
	sender, err := handoff.NewWebhookSender(srv.URL, testWebhookSecret, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	hooks := mail.NewWorker(store.Webhooks{Store: app.Store}, sender, handoff.RenderWebhook, "")
	hooks.Now, hooks.Log = app.Now, slog.New(slog.NewTextHandler(app.Logs, nil))

	app.signUp("ada@example.com")
	b := app.signIn("ada@example.com", goodPassword)
	k := newTestKey(true)
	addTestPasskey(t, b, k)
	must(t, passkeySignIn(t, app.Browser(), k, 0, ""), http.StatusOK)
	list, _ := app.Account.Passkeys(context.Background(), account.User{ID: mustUserID(t, app, "ada@example.com")})
	mustRedirect(t, b.Post("/account/passkeys/"+strconv.FormatInt(list[0].ID, 10)+"/remove", nil), "/account?notice=passkey_removed#passkeys-title")
	for range 20 {
		if n, err := hooks.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		} else if n == 0 {
			break
		}
	}
	want := "user.registered/ user.activated/ org.created/ org.member_joined/ user.signed_in/ user.passkey_added/ user.signed_in/ user.passkey_removed/"
	if got := strings.Join(rc.types(), " "); got != want {
		t.Errorf("events %s, want %s", got, want)
	}
	if rc.bad != 0 {
		t.Errorf("%d deliveries failed verification", rc.bad)
	}
}

// TestPasskeySignInWithoutOrgAccess: a passkey signs in a person whose
// join request waits exactly as their password does: the session opens,
// and every signed-in page, the platform and forward auth send them to
// the waiting page.
func TestPasskeySignInWithoutOrgAccess(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		app.signUpAt("ada@acme.example", "Acme", account.NoticePasswordSet)
		ada := app.signInTo("ada@acme.example", "/account")
		mustRedirect(t, orgPost(t, ada, "/org/domains/claim", nil, 303), "/org?notice=org_domain_claimed")
		mustRedirect(t, orgPost(t, ada, "/org/domains/policy", url.Values{"domain": {"acme.example"}, "policy": {"request"}}, 303),
			"/org?notice=org_policy_changed")

		app.signUpAt("bob@acme.example", "Acme", account.NoticeOrgRequested)
		bob := app.signInWaiting("bob@acme.example")
		k := newTestKey(false)
		p := bob.postJSON("/passkeys/register/options", nil)
		must(t, p, http.StatusOK, `"challenge"`)
		body, err := k.Create([]byte(p.Body))
		if err != nil {
			t.Fatal(err)
		}
		must(t, bob.postJSON("/passkeys/register", body), http.StatusOK)

		nb := app.Browser()
		p = passkeySignIn(t, nb, k, 1, "")
		must(t, p, http.StatusOK)
		if to, _ := passkeyAnswer(t, p); to != "/account" {
			t.Errorf("passkey sign-in leads to %q, want /account as a password's", to)
		}
		if nb.Cookie("gatehouse_session") == "" {
			t.Fatal("no session cookie after a passkey sign-in")
		}
		mustRedirect(t, nb.Get("/account"), "/org/waiting")
		must(t, nb.Get("/org/waiting"), http.StatusOK, `data-testid="org-waiting"`, "Acme is already on the platform")
		if p := nb.Get("/auth/verify"); p.StatusCode != http.StatusForbidden || p.Header.Get("X-Gatehouse-User-Id") != "" {
			t.Errorf("forward auth after a passkey sign-in without access: %d %v", p.StatusCode, p.Header)
		}
	})
}
