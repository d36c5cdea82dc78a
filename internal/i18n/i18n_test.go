package i18n_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"text/template"

	"github.com/BurntSushi/toml"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"gatehouse/internal/i18n"
	"gatehouse/locales"
)

// root is the module root, seen from this package.
const root = "../.."

// keyLiteral is a message ID written as a full string literal; the style
// guide forbids building keys by concatenation, so this finds every use.
var keyLiteral = regexp.MustCompile(`"((?:app|nav|page|form|error|action|notice|event|email|stepper|password|date)\.[a-z_.]+)"`)

// englishKeys parses locales/active.en.toml.
func englishKeys(t *testing.T) map[string]any {
	t.Helper()
	data, err := fs.ReadFile(locales.FS, "active.en.toml")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]any{}
	if err := toml.Unmarshal(data, &m); err != nil {
		t.Fatalf("active.en.toml: %v", err)
	}
	return m
}

// usedKeys scans the hand-written Go and templ sources (not generated
// *_templ.go, not tests) for message ID literals; it maps each to the
// first file using it.
func usedKeys(t *testing.T) map[string]string {
	t.Helper()
	used := map[string]string{}
	files := 0
	for _, dir := range []string{"components", "handlers", "internal", "cmd"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			if d.IsDir() || strings.HasSuffix(name, "_templ.go") || strings.HasSuffix(name, "_test.go") ||
				!(strings.HasSuffix(name, ".go") || strings.HasSuffix(name, ".templ")) {
				return nil
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			files++
			for _, m := range keyLiteral.FindAllStringSubmatch(string(src), -1) {
				if _, seen := used[m[1]]; !seen {
					used[m[1]] = filepath.ToSlash(strings.TrimPrefix(path, root+string(filepath.Separator)))
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("scan %s: %v", dir, err)
		}
	}
	if files < 10 || len(used) < 50 {
		t.Fatalf("scanned %d files and found %d keys: is the module root %s?", files, len(used), root)
	}
	return used
}

// Every message ID in the code exists in English, and every English key
// is used somewhere, so the file holds no dead copy for translators.
func TestKeysMatchCode(t *testing.T) {
	keys := englishKeys(t)
	used := usedKeys(t)
	var missing, unused []string
	for k, file := range used {
		if _, ok := keys[k]; !ok {
			missing = append(missing, k+" (in "+file+")")
		}
	}
	for k := range keys {
		if _, ok := used[k]; !ok {
			unused = append(unused, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(unused)
	if len(missing) > 0 {
		t.Errorf("message IDs used in code but missing from locales/active.en.toml:\n  %s", strings.Join(missing, "\n  "))
	}
	if len(unused) > 0 {
		t.Errorf("keys in locales/active.en.toml used nowhere in code:\n  %s", strings.Join(unused, "\n  "))
	}
}

// Every English message is a non-empty string whose placeholders parse as
// a Go template and render with data; none is a dotted-key table by mistake.
func TestMessagesWellFormed(t *testing.T) {
	catalog, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	loc := catalog.Localizer(language.English)
	data := map[string]any{"Min": 15, "Max": 256, "Email": "ada@example.com", "Name": "Ada", "When": "2030-01-02 09:00 UTC", "URL": "https://gatehouse.example/password/forgot", "Status": "404", "Level": "good", "Count": 2, "Step": 1, "Seconds": 30, "Month": "January", "Day": 2, "Year": 2030, "Time": "09:00", "Terms": "terms", "Privacy": "privacy", "Device": "Firefox · Linux", "IP": "192.0.2.1", "From": "ada@example.com", "To": "ada@example.org", "Zone": "UTC",
		"Domain": "acme.example", "Org": "Acme", "Actor": "Ada", "Subject": "Bob", "Detail": "x", "Role": "Admin", "Policy": "x"}
	var bad []string
	for k, v := range englishKeys(t) {
		forms := map[string]any{"other": v}
		if m, ok := v.(map[string]any); ok {
			// A plural: CLDR categories only, "other" required.
			forms = m
			if _, ok := m["other"]; !ok {
				bad = append(bad, k+": plural without an \"other\" form")
			}
			for cat := range m {
				if !slices.Contains([]string{"zero", "one", "two", "few", "many", "other"}, cat) {
					bad = append(bad, k+": not a string or plural (use a quoted dotted key); has "+cat)
				}
			}
		}
		for _, form := range forms {
			bad = append(bad, checkMessage(k, form, data, loc)...)
		}
	}
	sort.Strings(bad)
	if len(bad) > 0 {
		t.Errorf("bad messages in locales/active.en.toml:\n  %s", strings.Join(bad, "\n  "))
	}
}

// checkMessage checks one form of one message.
func checkMessage(k string, v any, data map[string]any, loc *i18n.Localizer) []string {
	var bad []string
	s, ok := v.(string)
	switch {
	case !ok:
		return []string{k + ": not a string (use a quoted dotted key)"}
	case strings.TrimSpace(s) == "":
		return []string{k + ": empty"}
	}
	{
		tmpl, err := template.New(k).Option("missingkey=error").Parse(s)
		if err != nil {
			return append(bad, k+": "+err.Error())
		}
		if err := tmpl.Execute(&strings.Builder{}, data); err != nil {
			bad = append(bad, k+": "+err.Error())
		}
		if got := loc.T(k, data); got == k || strings.Contains(got, "{{") || strings.Contains(got, "<no value>") {
			bad = append(bad, k+": renders as "+got)
		}
	}
	return bad
}

// A missing message renders as its ID (visible, and caught above), and T
// without a localizer in the context does the same.
func TestMissingMessage(t *testing.T) {
	catalog, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	ctx := i18n.With(context.Background(), catalog.Localizer(language.English))
	if got := i18n.T(ctx, "page.nope.title"); got != "page.nope.title" {
		t.Errorf("T(missing) = %q", got)
	}
	if got := i18n.T(ctx, "page.login.title"); got != "Sign in" {
		t.Errorf("T(page.login.title) = %q", got)
	}
	if got := i18n.T(context.Background(), "page.login.title"); got != "page.login.title" {
		t.Errorf("T without localizer = %q", got)
	}
	if got := i18n.TM(ctx, i18n.Message{ID: "error.password.too_short", Data: map[string]any{"Min": 15}}); got != "Use at least 15 characters." {
		t.Errorf("TM = %q", got)
	}
}

// testCatalog has English, German and French, so Match has a choice.
func testCatalog(t *testing.T) *i18n.Catalog {
	t.Helper()
	en, err := fs.ReadFile(locales.FS, "active.en.toml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := i18n.LoadFS(fstest.MapFS{
		"active.en.toml": {Data: en},
		"active.de.toml": {Data: []byte(`"page.login.title" = "Anmelden"` + "\n")},
		"active.fr.toml": {Data: []byte(`"page.login.title" = "Se connecter"` + "\n")},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Match prefers the explicit choice, then Accept-Language, then English.
func TestMatch(t *testing.T) {
	c := testCatalog(t)
	if got := c.Languages(); len(got) != 3 || got[0] != language.English {
		t.Fatalf("Languages = %v, want English first of three", got)
	}
	tests := []struct {
		name  string
		prefs []string
		want  language.Tag
	}{
		{"nothing", nil, language.English},
		{"empty strings", []string{"", ""}, language.English},
		{"Accept-Language only", []string{"", "de-DE,de;q=0.9,en;q=0.5"}, language.German},
		{"explicit choice wins", []string{"fr", "de-DE,de;q=0.9"}, language.French},
		{"explicit regional choice", []string{"fr-CA", "de"}, language.French},
		{"unsupported choice falls through", []string{"ja", "de"}, language.German},
		{"garbage choice falls through", []string{";;;q=x", "fr"}, language.French},
		{"unsupported everything", []string{"ja", "zh-CN,ko;q=0.8"}, language.English},
		{"English region", []string{"", "en-GB"}, language.English},
		{"weights honoured", []string{"", "de;q=0.3,fr;q=0.9"}, language.French},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.Match(tt.prefs...); got != tt.want {
				t.Errorf("Match(%q) = %v, want %v", tt.prefs, got, tt.want)
			}
		})
	}
	if got := c.Localizer(c.Match("de")).T("page.login.title"); got != "Anmelden" {
		t.Errorf("German page.login.title = %q", got)
	}
}

// A message a translation lacks shows in English, never as its raw ID:
// translators add languages a few keys at a time.
func TestPartialTranslationFallsBackToEnglish(t *testing.T) {
	c := testCatalog(t)
	got := c.Localizer(language.German).T("page.register.title")
	if got != "Create your account" {
		t.Errorf("a message missing in German rendered as %q, want the English text", got)
	}
}

// Lang and Dir feed <html lang dir>.
func TestLangDir(t *testing.T) {
	c := testCatalog(t)
	tests := []struct {
		tag       language.Tag
		lang, dir string
	}{
		{language.English, "en", "ltr"},
		{language.German, "de", "ltr"},
		{language.Arabic, "ar", "rtl"},
		{language.Hebrew, "he", "rtl"},
	}
	for _, tt := range tests {
		ctx := i18n.With(context.Background(), c.Localizer(tt.tag))
		if got := i18n.Lang(ctx); got != tt.lang {
			t.Errorf("Lang(%v) = %q", tt.tag, got)
		}
		if got := i18n.Dir(ctx); got != tt.dir {
			t.Errorf("Dir(%v) = %q, want %q", tt.tag, got, tt.dir)
		}
	}
	if i18n.Lang(context.Background()) != "en" || i18n.Dir(context.Background()) != "ltr" {
		t.Error("no localizer: want en, ltr")
	}
}

// The country list offers every country once, by name, in the reader's
// collation order; the validator accepts exactly those codes.
func TestCountries(t *testing.T) {
	list := i18n.Countries(language.English)
	if len(list) < 240 {
		t.Fatalf("Countries(en) has %d entries, want more than 240", len(list))
	}
	idx := map[string]int{}
	names := map[string]string{}
	for i, c := range list {
		if _, dup := idx[c.Code]; dup {
			t.Errorf("%s listed twice", c.Code)
		}
		if c.Name == "" || c.Name == c.Code {
			t.Errorf("%s has no name (%q)", c.Code, c.Name)
		}
		if !i18n.IsCountry(c.Code) {
			t.Errorf("Countries lists %s but IsCountry refuses it", c.Code)
		}
		idx[c.Code], names[c.Code] = i, c.Name
	}
	for code, name := range map[string]string{"GB": "United Kingdom", "DE": "Germany", "AX": "Åland Islands", "CI": "Côte d’Ivoire", "US": "United States"} {
		if names[code] != name {
			t.Errorf("Countries(en)[%s] = %q, want %q", code, names[code], name)
		}
	}
	for _, code := range []string{"ZZ", "EU", "QO", "UK", "RH"} {
		if _, ok := idx[code]; ok {
			t.Errorf("Countries lists non-country %s", code)
		}
	}
	// Collation, not byte order: Å sorts with A, Ô with O, É with E.
	order := [][2]string{
		{"AF", "AX"}, // Afghanistan < Åland Islands
		{"AX", "AL"}, // Åland Islands < Albania
		{"CR", "CI"}, // Costa Rica < Côte d’Ivoire
		{"CI", "HR"}, // Côte d’Ivoire < Croatia
		{"EG", "SV"}, // Egypt < El Salvador
		{"YE", "ZM"}, // Yemen < Zambia
	}
	for _, p := range order {
		if idx[p[0]] >= idx[p[1]] {
			t.Errorf("%s (%d) should sort before %s (%d)", names[p[0]], idx[p[0]], names[p[1]], idx[p[1]])
		}
	}
	if last := list[len(list)-1].Name; strings.HasPrefix(last, "Å") || !strings.HasPrefix(last, "Z") {
		t.Errorf("last country is %q, want a Z…", last)
	}
	if first := list[0].Name; !strings.HasPrefix(first, "A") {
		t.Errorf("first country is %q, want an A…", first)
	}
	col := collate.New(language.English)
	if !slices.IsSortedFunc(list, func(a, b i18n.Country) int { return col.CompareString(a.Name, b.Name) }) {
		t.Error("Countries(en) is not in English collation order")
	}

	// Another language, another order and other names.
	de := i18n.Countries(language.German)
	deNames := map[string]string{}
	for _, c := range de {
		deNames[c.Code] = c.Name
	}
	if deNames["DE"] != "Deutschland" || deNames["GB"] != "Vereinigtes Königreich" {
		t.Errorf("German names: DE %q GB %q", deNames["DE"], deNames["GB"])
	}
	if got := i18n.CountryName(language.English, "GB"); got != "United Kingdom" {
		t.Errorf("CountryName(en, GB) = %q", got)
	}
	if got := i18n.CountryName(language.English, "not a code"); got != "not a code" {
		t.Errorf("CountryName(bad) = %q", got)
	}
}

// Rule 4 support: the validator's country check.
func TestIsCountry(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		{"GB", true}, {"DE", true}, {"US", true}, {"AX", true}, {"CI", true},
		{"ZZ", false}, {"EU", false}, {"RH", false}, {"XX", false}, {"QO", false},
		{"UK", false}, {"gb", false}, {"GBR", false}, {"826", false}, {"", false}, {"G", false},
	}
	for _, tt := range tests {
		if got := i18n.IsCountry(tt.code); got != tt.want {
			t.Errorf("IsCountry(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

// Groupings that are not countries (ISO 3166-1 has no numeric code for
// them) are neither offered nor accepted.
func TestNotCountries(t *testing.T) {
	var listed []string
	for _, code := range []string{"EZ", "UN"} { // Eurozone, United Nations
		if i18n.IsCountry(code) {
			listed = append(listed, code)
		}
	}
	if len(listed) > 0 {
		t.Errorf("groupings offered as countries: %v", listed)
	}
}

// LikelyCountry preselects the country from Accept-Language.
func TestLikelyCountry(t *testing.T) {
	tests := []struct{ header, want string }{
		{"en-GB,en;q=0.8", "GB"},
		{"de-CH, de;q=0.9", "CH"},
		{"fr-CA", "CA"},
		{"es-419", ""}, // Latin America is a region, not a country
		{"", ""},
		{";;;", ""},
	}
	for _, tt := range tests {
		if got := i18n.LikelyCountry(tt.header); got != tt.want {
			t.Errorf("LikelyCountry(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}
