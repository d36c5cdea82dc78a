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

// TestLanguagesLinks checks the switcher's buttons and the page it
// returns to: the current one, less its language and any token, and
// never another host.
func TestLanguagesLinks(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	loc := cat.Localizer(language.Japanese)
	for raw, want := range map[string]string{
		"/register":                    "/register",
		"/login?notice=signed_out":     "/login?notice=signed_out",
		"/activate?token=abc&x=1":      "/activate?x=1",
		"/register?lang=de":            "/register",
		"/password/reset?token=secret": "/password/reset",
		"//evil.example/x?a=%20b":      "/x?a=+b",
		"/a?b":                         "/a?b=",
	} {
		u, _ := url.Parse(raw)
		ctx := WithURL(i18n.With(context.Background(), loc), u)
		var tags []Language
		for _, tag := range loc.Languages() {
			tags = append(tags, Language{Tag: tag.String(), Name: display.Self.Name(tag), Current: tag == language.Japanese})
		}
		if got := languages(ctx); !slices.Equal(got, tags) {
			t.Errorf("%s:\n got %v\nwant %v", raw, got, tags)
		}
		if got := switcherReturn(ctx); got != want {
			t.Errorf("%s: returns to %q, want %q", raw, got, want)
		}
	}
	if got := switcherReturn(i18n.With(context.Background(), loc)); got != "/" {
		t.Errorf("without a URL: returns to %q", got)
	}
}
