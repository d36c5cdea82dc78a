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
	}{
		{"ja-JP", "ja", "GET", nil, "JP", "日本"},
		{"ar-EG", "ar", "GET", nil, "EG", "مصر"},
		{"de-AT", "de", "GET", nil, "AT", "Österreich"},
		{"en", "en", "GET", nil, "US", "United States"}, // the likely region of plain English
		{"en-GB", "en", "GET", nil, "GB", "United Kingdom"},
		{"ja-JP", "ja", "POST", url.Values{"country": {"FR"}}, "FR", "フランス"},
		{"ar-EG", "ar", "POST", url.Values{"country": {"XX"}}, "", ""},
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
		got := selectedOption.FindAllStringSubmatch(sel, -1)
		switch {
		case tt.want == "" && len(got) != 0:
			t.Errorf("%s %s: %q selected, want none", tt.method, tt.accept, got)
		case tt.want != "" && (len(got) != 1 || got[0][1] != tt.want || got[0][2] != tt.name):
			t.Errorf("%s %s: %q selected, want %s %s", tt.method, tt.accept, got, tt.want, tt.name)
		}
	}
}
