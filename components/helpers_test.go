package components

import (
	"context"
	"net/url"
	"slices"
	"testing"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"gatehouse/internal/i18n"
)

// TestLanguagesLinks checks the switcher's links, built with the query
// parsed once, against the plain way of building each from the URL.
func TestLanguagesLinks(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	loc := cat.Localizer(language.Japanese)
	for _, raw := range []string{"/register", "/login?notice=signed_out", "/activate?token=abc&x=1", "/register?lang=de",
		"/password/reset?token=secret", "//evil.example/x?a=%20b", "/a?b"} {
		u, _ := url.Parse(raw)
		ctx := WithURL(i18n.With(context.Background(), loc), u)
		var want []Language
		for _, tag := range loc.Languages() {
			q := u.Query()
			q.Set("lang", tag.String())
			q.Del("token")
			want = append(want, Language{Tag: tag.String(), Name: display.Self.Name(tag), Href: localPath(u.Path) + "?" + q.Encode(), Current: tag == language.Japanese})
		}
		if got := languages(ctx); !slices.Equal(got, want) {
			t.Errorf("%s:\n got %v\nwant %v", raw, got, want)
		}
	}
	if got := languages(i18n.With(context.Background(), loc)); got[0].Href != "?lang=en" {
		t.Errorf("without a URL: %v", got)
	}
}
