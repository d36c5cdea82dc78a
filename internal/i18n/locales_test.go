package i18n_test

import (
	"io/fs"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"

	"gatehouse/internal/i18n"
	"gatehouse/locales"
)

// shippedLanguages are the languages Gatehouse promises, English first.
var shippedLanguages = []string{"en", "de", "fr", "es", "pt-BR", "ja", "zh-Hans", "ar"}

// sameAsEnglish lists values that are rightly identical to the English
// ones; anything else identical looks untranslated.
var sameAsEnglish = map[string]bool{
	"*:app.name":              true, // the brand
	"fr:invite.section.title": true, // "Invitations" is French too
	"de:date.month.april":     true,
	"de:date.month.august":    true,
	"de:date.month.september": true,
	"de:date.month.november":  true,
	"es:page.error.status":    true, // "Error {{.Status}}" is Spanish too
	"pt-BR:page.error.status": true,
	"de:page.passkeys.title":  true, // German says "Passkeys" too
	// A time of day and its zone read alike in these languages.
	"de:date.clock":    true,
	"fr:date.clock":    true,
	"es:date.clock":    true,
	"pt-BR:date.clock": true,
	// "Organisation(s)" is the French and German word too.
	"de:page.admin.user.org":   true,
	"fr:page.admin.user.org":   true,
	"fr:page.admin.nav.orgs":   true,
	"fr:page.admin.orgs.title": true,
}

var placeholder = regexp.MustCompile(`{{\s*\.(\w+)\s*}}`)

func readLocale(t *testing.T, name string) map[string]any {
	t.Helper()
	data, err := fs.ReadFile(locales.FS, name)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]any{}
	if err := toml.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

// forms returns a message's text forms: one for a plain string, one per
// plural category for a plural.
func forms(v any) map[string]string {
	switch v := v.(type) {
	case string:
		return map[string]string{"other": v}
	case map[string]any:
		out := map[string]string{}
		for k, f := range v {
			// goi18n merge writes a table per message with a hash and,
			// sometimes, a description beside the text.
			if k == "hash" || k == "description" {
				continue
			}
			s, _ := f.(string)
			out[k] = s
		}
		return out
	}
	return nil
}

func placeholders(s string) []string {
	var out []string
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	sort.Strings(out)
	return out
}

// TestEveryLocaleComplete fails when a shipped locale lacks a key, has one
// English lacks, has an empty or untranslated-looking value, uses a
// placeholder English does not, or misses a plural form its language needs.
func TestEveryLocaleComplete(t *testing.T) {
	en := readLocale(t, "active.en.toml")
	for _, lang := range shippedLanguages[1:] {
		t.Run(lang, func(t *testing.T) {
			m := readLocale(t, "active."+lang+".toml")
			var problems []string
			for key, ev := range en {
				v, ok := m[key]
				if !ok {
					problems = append(problems, key+": missing")
					continue
				}
				enText := forms(ev)["other"]
				allowed := placeholders(enText)
				for cat, text := range forms(v) {
					switch {
					case strings.TrimSpace(text) == "":
						problems = append(problems, key+" ("+cat+"): empty")
					case text == enText && !sameAsEnglish["*:"+key] && !sameAsEnglish[lang+":"+key]:
						problems = append(problems, key+": same as English, looks untranslated: "+text)
					}
					for _, p := range placeholders(text) {
						if !slices.Contains(allowed, p) {
							problems = append(problems, key+": placeholder {{."+p+"}} that English lacks")
						}
					}
				}
				if len(forms(ev)) > 1 {
					for _, cat := range pluralCategories(language.MustParse(lang)) {
						if _, ok := forms(v)[cat]; !ok {
							problems = append(problems, key+": plural form "+cat+" missing")
						}
					}
				}
			}
			for key := range m {
				if _, ok := en[key]; !ok {
					problems = append(problems, key+": not in English (stale?)")
				}
			}
			sort.Strings(problems)
			if len(problems) > 0 {
				t.Errorf("active.%s.toml:\n  %s", lang, strings.Join(problems, "\n  "))
			}
		})
	}
}

// pluralCategories lists the CLDR categories integers take in a language.
func pluralCategories(tag language.Tag) []string {
	names := map[plural.Form]string{plural.Zero: "zero", plural.One: "one", plural.Two: "two", plural.Few: "few", plural.Many: "many", plural.Other: "other"}
	seen := map[string]bool{}
	for n := 0; n <= 1_000_000; n = next(n) {
		seen[names[plural.Cardinal.MatchPlural(tag, n, 0, 0, 0, 0)]] = true
	}
	var out []string
	for _, c := range []string{"zero", "one", "two", "few", "many", "other"} {
		if seen[c] {
			out = append(out, c)
		}
	}
	return out
}

func next(n int) int {
	if n < 200 {
		return n + 1
	}
	return n * 10
}

// TestShippedLanguagesLoad: the catalog offers exactly the shipped
// languages, and every message renders in each.
func TestShippedLanguagesLoad(t *testing.T) {
	c, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tag := range c.Languages() {
		got = append(got, tag.String())
	}
	sort.Strings(got)
	want := slices.Clone(shippedLanguages)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Fatalf("languages %v, want %v", got, want)
	}
	data := map[string]any{"Min": 15, "Max": 256, "Email": "ada@example.com", "Name": "Ada", "When": "x", "URL": "https://x/y",
		"Status": "404", "Level": "x", "Count": 3, "Step": 2, "Seconds": 30, "Month": "m", "Day": 2, "Year": 2030, "Time": "09:00", "Terms": "terms", "Privacy": "privacy", "Device": "Firefox · Linux", "IP": "192.0.2.1",
		"From": "ada@example.com", "To": "ada@example.org", "Zone": "UTC",
		"Domain": "acme.example", "Org": "Acme", "Actor": "Ada", "Subject": "Bob", "Detail": "x", "Role": "Admin", "Policy": "x", "Inviter": "Ada Lovelace", "Company": "Acme"}
	for _, tag := range c.Languages() {
		loc := c.Localizer(tag)
		for key := range readLocale(t, "active.en.toml") {
			if got := loc.T(key, data); got == key || strings.Contains(got, "<no value>") {
				t.Errorf("%s %s renders as %q", tag, key, got)
			}
		}
	}
}

// TestAcceptLanguageMatching: each shipped language is reached from a
// typical Accept-Language header, regional variants included.
func TestAcceptLanguageMatching(t *testing.T) {
	c, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for header, want := range map[string]string{
		"de-DE,de;q=0.9,en;q=0.8": "de", "fr-CA": "fr", "es-MX,es;q=0.9": "es", "pt-BR": "pt-BR", "pt-PT,pt;q=0.9": "pt-BR",
		"ja-JP": "ja", "zh-CN,zh;q=0.9": "zh-Hans", "zh": "zh-Hans", "ar-EG": "ar", "ar": "ar", "nl-NL": "en", "": "en",
	} {
		if got := c.Match(header).String(); got != want {
			t.Errorf("Accept-Language %q → %s, want %s", header, got, want)
		}
	}
	if got := c.Match("ja", "de-DE").String(); got != "ja" {
		t.Errorf("an explicit choice must beat Accept-Language, got %s", got)
	}
}
