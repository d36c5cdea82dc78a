package components

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/a-h/templ"
	"golang.org/x/text/language"

	"gatehouse/internal/i18n"
)

// TestOptionListMatchesSelect renders the country select both ways, the
// options cached by OptionList (ListSelect) and rendered afresh (Select),
// in several languages, with nothing, a country or an unknown value
// selected: the cache must never change a byte of the page.
func TestOptionListMatchesSelect(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	field := Field{Name: "country", Label: "form.country", Autocomplete: "country", Required: true, Validate: "/register/validate?field=country"}
	for _, lang := range []string{"en", "ar", "ja", "de", "zh-Hans", "pt-BR"} {
		tag := language.MustParse(lang)
		ctx := i18n.With(context.Background(), cat.Localizer(tag))
		var opts []Option
		for _, c := range i18n.Countries(tag) {
			opts = append(opts, Option{Value: c.Code, Label: c.Name})
		}
		list := NewOptionList(opts)
		if list.Len() != len(opts) || len(opts) < 200 {
			t.Fatalf("%s: %d options cached of %d", lang, list.Len(), len(opts))
		}
		for _, sel := range []string{"", "JP", "EG", "DE", opts[0].Value, opts[len(opts)-1].Value, "XX", `"><script>`} {
			form := Form{Values: map[string]string{"country": sel}}
			want := renderString(t, ctx, Select(field, form, opts))
			got := renderString(t, ctx, ListSelect(field, form, list))
			if got != want {
				t.Errorf("%s, %q selected: cached select differs\n got %.300s\nwant %.300s", lang, sel, diffFrom(got, want), diffFrom(want, got))
			}
			if n := strings.Count(got, " selected"); (sel == "JP" || sel == "EG" || sel == "DE") && n != 1 {
				t.Errorf("%s: %q selected %d times", lang, sel, n)
			}
		}
	}
}

// TestOptionListEdges covers what countries never have: markup to escape,
// an empty value, and one value on several options.
func TestOptionListEdges(t *testing.T) {
	opts := []Option{
		{Value: "", Label: "none"},
		{Value: `a"b`, Label: `<b>&amp;</b>`},
		{Value: "x", Label: "first x"},
		{Value: "y", Label: "why"},
		{Value: "x", Label: "second x"},
	}
	list := NewOptionList(opts)
	ctx := context.Background()
	for _, sel := range []string{"", `a"b`, "x", "y", "z"} {
		want := renderString(t, ctx, optionTags(opts, sel))
		if got := renderString(t, ctx, list.Selecting(sel)); got != want {
			t.Errorf("%q selected:\n got %s\nwant %s", sel, got, want)
		}
	}
	if got := renderString(t, ctx, (*OptionList)(nil).Selecting("x")); got != "" {
		t.Errorf("nil list rendered %q", got)
	}
	if got := renderString(t, ctx, NewOptionList(nil).Selecting("")); got != "" {
		t.Errorf("empty list rendered %q", got)
	}
}

func renderString(t *testing.T, ctx context.Context, c templ.Component) string {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Render(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// diffFrom is a from where it first differs from b, for a readable failure.
func diffFrom(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return a[max(i-40, 0):]
}
