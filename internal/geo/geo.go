// Package geo knows each country's top-level ISO 3166-2 subdivisions
// (states, provinces, Länder, …) and their names in the languages Debian's
// iso-codes translates them into, completed from CLDR's subdivision names
// where iso-codes leaves a non-Latin language (Arabic, Japanese, Chinese)
// without a name in its script. The data is generated, never hand-typed:
// regions.json comes from `go generate ./internal/geo`, which needs the
// iso-codes and unicode-cldr-core packages installed
// (apt-get install -y iso-codes unicode-cldr-core).
package geo

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

//go:generate go run ./gen

//go:embed regions.json
var regionsJSON []byte

// Region is an ISO 3166-2 subdivision code ("US-CA") and its name in some language.
type Region struct {
	Code, Name string
}

// entry is one subdivision as the generator writes it.
type entry struct {
	Code  string            `json:"code"`
	Name  string            `json:"name"`
	Type  string            `json:"type"`
	Names map[string]string `json:"names"`
}

// table is regions.json decoded: subdivisions by country, in code order.
type table struct {
	countries map[string][]entry
	langs     map[string]bool // translation keys present in the data
}

var load = sync.OnceValue(func() table {
	t := table{langs: map[string]bool{}}
	if err := json.Unmarshal(regionsJSON, &t.countries); err != nil {
		// The file is embedded and checked by the tests, so this is a build defect.
		panic(fmt.Sprintf("geo: regions.json: %v", err))
	}
	for _, list := range t.countries {
		for _, e := range list {
			for k := range e.Names {
				t.langs[k] = true
			}
		}
	}
	return t
})

// collationBases are the languages collate has a plain tailoring for.
var collationBases = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, t := range collate.Supported() {
		if s := t.String(); !strings.Contains(s, "-") {
			m[s] = true
		}
	}
	return m
})

// namesKey picks the translation for tag by its base language; "" means the
// iso-codes name (English, or the romanised local name where English has none).
func namesKey(tag language.Tag) string {
	base, _ := tag.Base()
	key := base.String()
	switch key {
	case "pt":
		key = "pt-BR" // iso-codes has Brazilian Portuguese only
	case "zh":
		key = "zh-Hans" // from zh_CN; the only Chinese with full coverage
	}
	if !load().langs[key] {
		return ""
	}
	return key
}

// collationKey is the language whose collation sorts names for tag. It is
// limited to the languages collate tailors.
func collationKey(tag language.Tag) string {
	base, _ := tag.Base()
	if collationBases()[base.String()] {
		return base.String()
	}
	return "und"
}

// Regions lists country's top-level subdivisions with their names in tag's
// language (falling back to English), sorted by that language's collation;
// nil when the country has none. Japan's prefectures in Japanese keep their
// code order instead, which is JIS X 0401's (北海道, 青森県, … 沖縄県, north
// to south): the order every Japanese form lists them in and readers look
// for, where sorting kanji by reading would scatter them. It is made afresh each call: the one
// caller on the request path, the sign-up form, keeps the rendered list.
func Regions(country string, tag language.Tag) []Region {
	list := load().countries[country]
	if len(list) == 0 {
		return nil
	}
	names := namesKey(tag)
	regions := make([]Region, len(list))
	for i, e := range list {
		regions[i] = Region{Code: e.Code, Name: e.name(names)}
	}
	if country == "JP" && names == "ja" {
		return regions // JIS X 0401 order is code order
	}
	col := collate.New(language.Make(collationKey(tag)))
	slices.SortStableFunc(regions, func(a, b Region) int {
		if c := col.CompareString(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Code, b.Code)
	})
	return regions
}

func (e entry) name(key string) string {
	if n := e.Names[key]; n != "" {
		return n
	}
	return e.Name
}

// HasRegions reports whether country (ISO 3166-1 alpha-2) has subdivisions
// to choose from; the sign-up page asks before it caches a region list, so
// posted nonsense never makes an entry.
func HasRegions(country string) bool {
	return len(load().countries[country]) > 0
}

func find(country, code string) (entry, bool) {
	if !strings.HasPrefix(code, country+"-") {
		return entry{}, false
	}
	list := load().countries[country]
	i, ok := slices.BinarySearchFunc(list, code, func(e entry, code string) int { return strings.Compare(e.Code, code) })
	if !ok {
		return entry{}, false
	}
	return list[i], true
}

// ValidRegion reports whether code is a top-level subdivision of country.
func ValidRegion(country, code string) bool {
	_, ok := find(country, code)
	return ok
}

// RegionName is code's name in tag's language (falling back to English), or
// "" when code is not a top-level subdivision of country.
func RegionName(country, code string, tag language.Tag) string {
	e, ok := find(country, code)
	if !ok {
		return ""
	}
	return e.name(namesKey(tag))
}
