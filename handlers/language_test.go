package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gatehouse/internal/store/storetest"
)

// Rule 32 (issue 12 item 12): a GET never changes state. A signed-in
// visitor following a ?lang= link, which anyone can send them, sees the
// page in that language but keeps the language their emails are written
// in; only the switcher's POST (same-origin, so cross-site forms are
// refused) stores it on the account.
func TestLanguageStoredOnlyByPost(t *testing.T) {
	app := newApp(t, storetest.SQLite)
	app.signUp("lang@example.com")
	b := app.signIn("lang@example.com", goodPassword)

	must(t, b.Get("/account?lang=de"), http.StatusOK, `lang="de"`)
	if got := secUser(t, app.Store, "lang@example.com").Locale; got != "en" {
		t.Fatalf("a GET ?lang=de stored the account's language as %q", got)
	}

	p := b.Post("/language", url.Values{"lang": {"fr"}, "back": {"/account"}})
	mustRedirect(t, p, "/account")
	if got := secUser(t, app.Store, "lang@example.com").Locale; got != "fr" {
		t.Fatalf("the switcher's POST left the account's language %q, want fr", got)
	}
	must(t, b.Get("/account"), http.StatusOK, `lang="fr"`)

	// Cross-site, the same POST is refused and changes nothing.
	p = secPost(b, "/language", url.Values{"lang": {"ja"}}, map[string]string{"Sec-Fetch-Site": "cross-site"}, "")
	must(t, p, http.StatusForbidden)
	if got := secUser(t, app.Store, "lang@example.com").Locale; got != "fr" {
		t.Fatalf("a cross-site POST changed the language to %q", got)
	}
}

// The switcher goes back where it was, and only to a local page.
func TestLanguageReturnsHome(t *testing.T) {
	app := newApp(t, storetest.SQLite)
	b := app.Browser()
	for to, want := range map[string]string{
		"/login?notice=signed_out&lang=en": "/login?notice=signed_out",
		"/password/reset?token=secret":     "/password/reset",
		"//evil.example/x":                 "/",
		"/\\evil.example":                  "/",
		"https://evil.example/":            "/",
		"":                                 "/",
	} {
		mustRedirect(t, b.Post("/language", url.Values{"lang": {"de"}, "back": {to}}), want)
	}
}

// Switching language keeps a half-filled sign-up form: its values travel
// with the switch (the switcher's buttons submit the form they belong to)
// and the form comes back filled, in the new language, to this browser
// only; the empty form others get stays the cached one.
func TestLanguageKeepsSignUpDraft(t *testing.T) {
	app := newApp(t, storetest.SQLite)
	b := app.Browser()
	must(t, b.Get("/register"), http.StatusOK, `formaction="/language?back=%2Fregister"`)
	form := url.Values{"lang": {"de"}, "first_name": {"Ada"}, "last_name": {"Lovelace"}, "company": {"Analytical Engines Ltd"},
		"country": {"GB"}, "email": {"ada@example.com"},
		// The page's own return_to (where to land after sign-in) is not
		// where the switch goes back to.
		"return_to": {"/elsewhere"}}
	mustRedirect(t, b.Post("/language?back=%2Fregister", form), "/register")
	must(t, b.Get("/register"), http.StatusOK, `lang="de"`, `value="Ada"`, `value="Lovelace"`, `value="Analytical Engines Ltd"`, `value="ada@example.com"`)

	other := app.Browser()
	p := other.Get("/register?lang=de")
	for _, v := range []string{`value="Ada"`, `value="ada@example.com"`} {
		if strings.Contains(p.Body, v) {
			t.Fatalf("another visitor's sign-up form shows %s", v)
		}
	}
}
