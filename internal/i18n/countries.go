package i18n

import (
	"sort"
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// Country is an ISO 3166-1 alpha-2 code and its name in some language.
type Country struct {
	Code, Name string
}

var (
	codesOnce sync.Once
	codes     []language.Region
)

// countryCodes lists every CLDR territory that is a country (the ISO
// 3166-1 countries plus Kosovo), once.
func countryCodes() []language.Region {
	codesOnce.Do(func() {
		for a := 'A'; a <= 'Z'; a++ {
			for b := 'A'; b <= 'Z'; b++ {
				code := string([]rune{a, b})
				r, err := language.ParseRegion(code)
				// M49 numbers exclude groupings such as EZ (Eurozone) and UN, and
				// the exceptional reservations (AC, CP, DG, EA, IC, TA).
				if err == nil && r.IsCountry() && r.String() == code && r.Canonicalize() == r && r.M49() != 0 {
					codes = append(codes, r)
				}
			}
		}
	})
	return codes
}

// Countries lists every country by its name in tag's language, sorted by
// that language's collation. It is made afresh each call: the one caller on
// the request path, the sign-up form, keeps the rendered list instead.
func Countries(tag language.Tag) []Country {
	namer := display.Regions(tag)
	var list []Country
	for _, r := range countryCodes() {
		name := namer.Name(r)
		if name == "" {
			name = display.English.Regions().Name(r)
		}
		if name == "" {
			continue
		}
		list = append(list, Country{Code: r.String(), Name: name})
	}
	col := collate.New(tag)
	sort.SliceStable(list, func(i, j int) bool { return col.CompareString(list[i].Name, list[j].Name) < 0 })
	return list
}

// CountryName is code's name in tag's language, or code itself.
func CountryName(tag language.Tag, code string) string {
	r, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	if n := display.Regions(tag).Name(r); n != "" {
		return n
	}
	return code
}

// LikelyCountry guesses the visitor's country from Accept-Language
// ("en-GB" → GB, "de" → DE); empty when there is no guess.
func LikelyCountry(acceptLanguage string) string {
	tags := parseAcceptLanguage(acceptLanguage)
	if len(tags) == 0 {
		return ""
	}
	r, conf := tags[0].Region()
	if conf == language.No || !IsCountry(r.String()) {
		return ""
	}
	return r.String()
}

// IsCountry reports whether code is one of the countries Countries lists.
func IsCountry(code string) bool {
	for _, r := range countryCodes() {
		if r.String() == code {
			return true
		}
	}
	return false
}
