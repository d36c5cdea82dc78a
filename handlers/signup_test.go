package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/text/language"

	"gatehouse/internal/i18n"
	"gatehouse/internal/store/storetest"
)

var selectedOption = regexp.MustCompile(`<option value="([A-Z]*)" selected>([^<]*)</option>`)

// TestRegisterCountrySelect: the country list is rendered once per
// language and cached; each page still lists every country in its own
// language and selects the likely or submitted country, and only that one.
func TestRegisterCountrySelect(t *testing.T) {
	app := newApp(t, storetest.SQLite)
	tests := []struct {
		accept, lang string
		method       string
		form         url.Values
		want, name   string // the selected country and its name; none when empty
		regions      int    // options of the region select, 0 for none
	}{
		{"ja-JP", "ja", "GET", nil, "JP", "日本", 47},
		{"ar-EG", "ar", "GET", nil, "EG", "مصر", 27},
		{"de-AT", "de", "GET", nil, "AT", "Österreich", 9},
		{"en", "en", "GET", nil, "US", "United States", 57}, // the likely region of plain English
		{"en-GB", "en", "GET", nil, "GB", "United Kingdom", 4},
		{"ja-JP", "ja", "POST", url.Values{"country": {"FR"}}, "FR", "フランス", 26},
		{"ar-EG", "ar", "POST", url.Values{"country": {"XX"}}, "", "", 0},
	}
	for _, tt := range tests {
		b := app.Browser()
		b.head.Set("Accept-Language", tt.accept)
		var p page
		if tt.method == "GET" {
			p = b.Get("/register")
			must(t, p, http.StatusOK)
		} else {
			p = b.Post("/register", tt.form)
			must(t, p, http.StatusUnprocessableEntity)
		}
		countries := i18n.Countries(language.MustParse(tt.lang))
		sel := p.Body[strings.Index(p.Body, `<select id="f-country"`):]
		sel = sel[:strings.Index(sel, "</select>")]
		if n := strings.Count(sel, "<option "); n != len(countries)+1 {
			t.Errorf("%s %s: %d options, want %d", tt.method, tt.accept, n, len(countries)+1)
		}
		if n := regionOptions(p.Body); n != tt.regions {
			t.Errorf("%s %s: %d regions, want %d", tt.method, tt.accept, n, tt.regions)
		}
		got := selectedOption.FindAllStringSubmatch(sel, -1)
		switch {
		case tt.want == "" && len(got) != 0:
			t.Errorf("%s %s: %q selected, want none", tt.method, tt.accept, got)
		case tt.want != "" && (len(got) != 1 || got[0][1] != tt.want || got[0][2] != tt.name):
			t.Errorf("%s %s: %q selected, want %s %s", tt.method, tt.accept, got, tt.want, tt.name)
		}
	}
}

// regionOptions counts the region select's choices, the empty one aside.
func regionOptions(body string) int {
	i := strings.Index(body, `<select id="f-region"`)
	if i < 0 {
		return 0
	}
	sel := body[i:]
	return strings.Count(sel[:strings.Index(sel, "</select>")], "<option ") - 1
}

// The sign-up form as sent comes back to the browser that sent it (Back,
// "Wrong address? Change it") and to no one else, and goes once the
// account's password is set.
func TestSignUpDraftIsThisBrowsers(t *testing.T) {
	app := newApp(t, storetest.SQLite)
	b := app.Browser()
	mustRedirect(t, b.Post("/register", registration("draft@example.com")), "/register/sent")
	must(t, b.Get("/register/sent"), http.StatusOK, `href="/register"`, "Wrong address? Change it")
	must(t, b.Get("/register"), http.StatusOK, `value="draft@example.com"`, `value="Analytical Engines Ltd"`)
	if p := app.Browser().Get("/register"); strings.Contains(p.Body, "draft@example.com") {
		t.Fatal("another visitor's sign-up form shows the address")
	}
	mustRedirect(t, b.Get(app.LastLink("draft@example.com", "/activate")), "/password/set")
	mustRedirect(t, b.Post("/password/set", url.Values{"password": {goodPassword}, "password_confirm": {goodPassword}}), "/login?notice=password_set")
	if p := b.Get("/register"); strings.Contains(p.Body, "draft@example.com") {
		t.Fatal("the sign-up form still shows the address after the account was set up")
	}
}
