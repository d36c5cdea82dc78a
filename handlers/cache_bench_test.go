package handlers

import (
	"testing"

	"golang.org/x/text/language"

	"gatehouse/components"
	"gatehouse/internal/geo"
	"gatehouse/internal/i18n"
)

// BenchmarkCountryOptions is the sign-up form's country select in
// Japanese: "cached" is what countryLists answers, "uncached" what every
// request would pay without it.
func BenchmarkCountryOptions(b *testing.B) {
	tag := language.Japanese
	b.Run("cached", func(b *testing.B) {
		for b.Loop() {
			countryOptions(tag)
		}
	})
	b.Run("uncached", func(b *testing.B) {
		for b.Loop() {
			list := i18n.Countries(tag)
			opts := make([]components.Option, len(list))
			for i, ct := range list {
				opts[i] = components.Option{Value: ct.Code, Label: ct.Name}
			}
			components.NewOptionList(opts)
		}
	})
}

// BenchmarkRegionOptions is Germany's region select in Japanese, as the
// form shows it after a country change: cached in regionLists, and not.
func BenchmarkRegionOptions(b *testing.B) {
	tag := language.Japanese
	b.Run("cached", func(b *testing.B) {
		for b.Loop() {
			regionOptions("DE", tag)
		}
	})
	b.Run("uncached", func(b *testing.B) {
		for b.Loop() {
			list := geo.Regions("DE", tag)
			opts := make([]components.Option, len(list))
			for i, r := range list {
				opts[i] = components.Option{Value: r.Code, Label: r.Name}
			}
			components.NewOptionList(opts)
		}
	})
}
