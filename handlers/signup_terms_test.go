package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"gatehouse/internal/store/storetest"
)

// A deployment without TERMS_URL or PRIVACY_URL has nothing to accept: the
// form has no check box and sign-up goes through without it. With them the
// box links both and is required. The empty form is cached across servers,
// so the two must not see each other's page.
func TestSignUpTerms(t *testing.T) {
	none := newApp(t, storetest.SQLite, noTerms)
	with := newApp(t, storetest.SQLite)
	for range 2 { // the second round reads the cache
		p := none.Browser().Get("/register")
		must(t, p, http.StatusOK)
		if strings.Contains(p.Body, `name="accept_terms"`) || strings.Contains(p.Body, testTerms.TermsURL) {
			t.Fatalf("no terms configured, yet the form has the check box:\n%s", p.Body)
		}
		must(t, with.Browser().Get("/register"), http.StatusOK, `name="accept_terms"`,
			`<a class="link" href="`+testTerms.TermsURL+`">terms of service</a>`,
			`<a class="link" href="`+testTerms.PrivacyURL+`">privacy policy</a>`)
	}

	form := registration("ada@example.com")
	form.Del("accept_terms")
	mustRedirect(t, none.Browser().Post("/register", form), "/register/sent")
	if none.LastLink("ada@example.com", "/activate") == "" {
		t.Error("no activation email without terms to accept")
	}
	must(t, with.Browser().Post("/register", form), http.StatusUnprocessableEntity, "Accept the terms to create an account.")
}
