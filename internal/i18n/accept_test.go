package i18n

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/language"
)

// A remembered Accept-Language parses as language.ParseAcceptLanguage does,
// on the first call and the next.
func TestParseAcceptLanguageCached(t *testing.T) {
	for _, h := range []string{"", "en", "ja-JP,ja;q=0.9,en;q=0.8", "de-CH, fr;q=0.5, *;q=0.1", "pt-BR", "zh-Hant-TW",
		"x", "en;q=2", "!!", "en-GB;q=0", "ar-EG,ar;q=0.9", strings.Repeat("en,", 200) + "fr"} {
		want, _, err := language.ParseAcceptLanguage(h)
		if err != nil || len(want) == 0 {
			want = nil
		}
		for i := range 2 {
			if got := parseAcceptLanguage(h); !slices.Equal(got, want) {
				t.Errorf("parseAcceptLanguage(%q) call %d = %v, want %v", h, i+1, got, want)
			}
		}
	}
}

// Endless distinct headers do not grow the cache past its bound.
func TestParseAcceptLanguageBounded(t *testing.T) {
	for i := range maxAcceptEntries + 100 {
		parseAcceptLanguage(fmt.Sprintf("en-x-%d", i))
	}
	if n := acceptCache.Len(); n > maxAcceptEntries {
		t.Errorf("cache holds %d entries, bound %d", n, maxAcceptEntries)
	}
	// Still right once full.
	if got := parseAcceptLanguage("fr-CA,fr;q=0.8"); len(got) != 2 || got[0] != language.MustParse("fr-CA") {
		t.Errorf("parse with a full cache = %v", got)
	}
}

// BenchmarkParseAcceptLanguage is the per-request parse of a browser's
// header, which acceptCache answers; "uncached" is what it saves.
func BenchmarkParseAcceptLanguage(b *testing.B) {
	const h = "ja-JP,ja;q=0.9,en-US;q=0.8,en;q=0.7"
	b.Run("cached", func(b *testing.B) {
		for b.Loop() {
			parseAcceptLanguage(h)
		}
	})
	b.Run("uncached", func(b *testing.B) {
		for b.Loop() {
			language.ParseAcceptLanguage(h)
		}
	})
}
