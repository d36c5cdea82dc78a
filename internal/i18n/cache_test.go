package i18n

import (
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"golang.org/x/text/language"

	"gatehouse/locales"
)

// messageIDs lists every key of the English catalog, the source of all
// others, and which of them take template data.
func messageIDs(t *testing.T) (ids []string, templated map[string]bool) {
	t.Helper()
	data, err := fs.ReadFile(locales.FS, "active.en.toml")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]any{}
	if err := toml.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	templated = map[string]bool{}
	for id, v := range m {
		ids = append(ids, id)
		if strings.Contains(fmtValue(v), "{{") {
			templated[id] = true
		}
	}
	slices.Sort(ids)
	return ids, templated
}

// fmtValue joins a message and its plural forms, if any.
func fmtValue(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case map[string]any:
		var b strings.Builder
		for _, f := range v {
			b.WriteString(fmtValue(f))
		}
		return b.String()
	}
	return ""
}

// sampleData fills every placeholder the catalog uses; Count drives the
// plural form.
func sampleData(count int) map[string]any {
	return map[string]any{"Count": count, "Day": 3, "Email": "ada@example.com", "Level": "high", "Max": 100, "Min": count,
		"Month": "May", "Name": "Ada", "Placeholders": "{{.X}}", "Seconds": count, "Status": 404, "Step": 1, "Time": "10:00",
		"URL": "https://example.com/x", "When": "today", "Year": 2026}
}

// A cached translation is what go-i18n gives uncached, for every key in
// every language, the pseudo-locale and an unknown id included.
func TestCachedTranslationMatchesUncached(t *testing.T) {
	c, err := LoadWithPseudo()
	if err != nil {
		t.Fatal(err)
	}
	ids, _ := messageIDs(t)
	ids = append(ids, "no.such.message")
	for _, tag := range c.Languages() {
		l := c.Localizer(tag)
		for _, id := range ids {
			want, _ := c.Localizer(tag).localize(id, nil)
			for i := range 2 { // the first call fills the cache, the second reads it
				if got := l.T(id); got != want {
					t.Errorf("%s: T(%q) call %d = %q, uncached %q", tag, id, i+1, got, want)
				}
			}
		}
		if _, ok := l.plain.Get("no.such.message"); ok {
			t.Errorf("%s: an unknown id was cached", tag)
		}
	}
}

// Messages with template data or a plural count are rendered every time:
// asking without data first must not pin the answer.
func TestTemplateMessagesNotCached(t *testing.T) {
	c, err := LoadWithPseudo()
	if err != nil {
		t.Fatal(err)
	}
	ids, templated := messageIDs(t)
	if len(templated) == 0 {
		t.Fatal("no templated messages found")
	}
	for _, tag := range c.Languages() {
		l := c.Localizer(tag)
		for _, id := range ids {
			if !templated[id] {
				continue
			}
			l.T(id)
			l.T(id, nil)
			for _, n := range []int{0, 1, 2, 5, 21} {
				data := sampleData(n)
				want, _ := c.Localizer(tag).localize(id, data)
				if got := l.T(id, data); got != want {
					t.Errorf("%s: T(%q, Count %d) after T(%q) = %q, want %q", tag, id, n, id, got, want)
				}
			}
		}
	}
}

// BenchmarkT is one plain translation, as every label on a page is:
// "cached" is T, "uncached" what go-i18n costs without Localizer.plain.
func BenchmarkT(b *testing.B) {
	c, err := Load()
	if err != nil {
		b.Fatal(err)
	}
	l := c.Localizer(language.Japanese)
	b.Run("cached", func(b *testing.B) {
		for b.Loop() {
			l.T("page.register.title")
		}
	})
	b.Run("uncached", func(b *testing.B) {
		for b.Loop() {
			l.localize("page.register.title", nil)
		}
	})
}
