package i18n_test

import (
	"slices"
	"testing"

	"golang.org/x/text/language"

	"gatehouse/internal/i18n"
)

// acceptLanguageSeeds are headers browsers send, and ones they do not.
var acceptLanguageSeeds = []string{
	"", "en", "de-DE,de;q=0.9,en;q=0.5", "fr-CA", "pt-PT,pt;q=0.9", "pt-BR", "zh-Hant-TW", "ja", "*", "en-GB;q=0",
	";;;q=x", "de;q=0.3,fr;q=0.9", "x-klingon", "sr-Latn-RS-u-rg-gbzzzz", "und", "en-US-u-ca-buddhist-nu-thai",
	"de-DE-1996-x-private", "a-b-c-d-e-f-g-h", "\x00", "\xff\xfe", "en;q=1.0000000001", "qaa-Qaaa-QM",
}

// Locale selection: whatever the lang query, cookie or Accept-Language
// header says, Match never panics and picks one of the loaded languages.
func FuzzMatch(f *testing.F) {
	catalog, err := i18n.Load()
	if err != nil {
		f.Fatal(err)
	}
	langs := catalog.Languages()
	for _, explicit := range []string{"", "de", "fr-CA", "garbage"} {
		for _, header := range acceptLanguageSeeds {
			f.Add(explicit, header)
		}
	}
	f.Fuzz(func(t *testing.T, explicit, acceptLanguage string) {
		for _, got := range []language.Tag{catalog.Match(explicit, acceptLanguage), catalog.Match(acceptLanguage), catalog.Match(explicit)} {
			if !slices.Contains(langs, got) {
				t.Fatalf("Match(%q, %q) = %v, not one of %v", explicit, acceptLanguage, got, langs)
			}
		}
	})
}

// LikelyCountry guesses a country the sign-up form lists, or nothing.
func FuzzLikelyCountry(f *testing.F) {
	for _, s := range acceptLanguageSeeds {
		f.Add(s)
	}
	f.Add("en-001")
	f.Add("es-419")
	f.Add("en-AQ")
	f.Add("en-XK")
	f.Add("en-ZZ")
	f.Add("es-IC")
	f.Add("en-EZ")
	f.Fuzz(func(t *testing.T, acceptLanguage string) {
		if got := i18n.LikelyCountry(acceptLanguage); got != "" && !i18n.IsCountry(got) {
			// Found by this fuzzer (testdata/fuzz/FuzzLikelyCountry): remove
			// the skip once LikelyCountry checks IsCountry instead of
			// Region.IsCountry, which also takes AC, CP, CQ, DG, EA, EZ,
			// FQ, IC, PC, TA and UN.
			t.Fatalf("LikelyCountry(%q) = %q, which the country list lacks", acceptLanguage, got)
		}
	})
}
