package components_test

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"golang.org/x/text/language"

	"gatehouse/components"
	"gatehouse/internal/i18n"
)

// BenchmarkRenderPage renders each full page (layout, header, language
// switcher, form) into a buffer, as the handlers do, in English. The page
// set is pages(), the one the layout tests check, plus the sign-up form as
// served, with every country in the select.
//
//	go test -bench RenderPage -benchmem ./components/
func BenchmarkRenderPage(b *testing.B) {
	c, err := i18n.Load()
	if err != nil {
		b.Fatal(err)
	}
	ctx := i18n.With(context.Background(), c.Localizer(language.English))
	all := pages()
	var countries []components.Option
	for _, ct := range i18n.Countries(language.English) {
		countries = append(countries, components.Option{Value: ct.Code, Label: ct.Name})
	}
	all["register (every country)"] = components.RegisterPage(components.RegisterView{Countries: components.NewOptionList(countries)})
	names := make([]string, 0, len(all))
	for name := range all {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		page := all[name]
		b.Run(name, func(b *testing.B) {
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				if err := page.Render(ctx, &buf); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(buf.Len()))
		})
	}
}
