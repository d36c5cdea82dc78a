// Command gen writes regions.json, the top-level ISO 3166-2 subdivisions of
// every country with their names in the languages Gatehouse translates,
// from Debian's iso-codes package (apt-get install iso-codes).
//
// Usage (from internal/geo, as go generate runs it):
//
//	go run ./gen [-out regions.json] [-iso-codes /usr/share/iso-codes/json] [-locale /usr/share/locale]
//
// Output: one JSON object, one country per line, countries and their
// subdivisions ordered by code, so that regenerating from the same
// iso-codes version gives no diff:
//
//	{"US":[{"code":"US-CA","name":"California","type":"State","names":{"de":"Kalifornien",…}},…],…}
//
// "names" holds a translation only where iso-codes has one that differs
// from the English name. Translation keys are BCP 47 tags: gettext's pt_BR
// becomes "pt-BR" and zh_CN becomes "zh-Hans" (the script, not the
// country, is what the text is written in, and it is what a zh-SG or
// plain zh reader needs too).
//
// iso-codes appends alternative names or old codes in square brackets to
// some names ("Wales [Cymru GB-CYM]", "Stockholms län [SE-01]"); they are
// dropped for display when the name stays unique within its country. Where
// two regions of a country share a name, their type is appended.
//
// Where iso-codes leaves a region untranslated into a language that is not
// written in Latin letters (Arabic, Japanese, Chinese), or translates it in
// another script, the name comes from CLDR's subdivision names (Debian's
// unicode-cldr-core package, -cldr) when CLDR has one in that language's
// script: an Arabic page shows Egypt's governorates in Arabic rather than
// in romanised English. Japanese prefectures take CLDR's name where it is
// iso-codes' with the 都/道/府/県 that iso-codes drops (青森 → 青森県).
package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
)

// languages maps gettext locale directories to the BCP 47 tags used as
// keys; cldr is the CLDR subdivisions file of the same language and script
// the names of a non-Latin script are completed from ("" for none).
var languages = []struct {
	dir, tag, cldr string
	script         *unicode.RangeTable
}{
	{"de", "de", "", nil},
	{"fr", "fr", "", nil},
	{"es", "es", "", nil},
	{"pt_BR", "pt-BR", "", nil},
	{"ja", "ja", "ja", nil},
	{"zh_CN", "zh-Hans", "zh", unicode.Han},
	{"ar", "ar", "ar", unicode.Arabic},
}

// japaneseScripts are the scripts Japanese names are written in.
var japaneseScripts = []*unicode.RangeTable{unicode.Han, unicode.Hiragana, unicode.Katakana}

// inScript reports whether name is written in the script of the language
// tagged tag: every letter in it (spaces, digits and punctuation aside).
func inScript(tag, name string) bool {
	letters := 0
	for _, r := range name {
		// Letters of no one script (the Katakana-Hiragana ー) go with any.
		if !unicode.IsLetter(r) || unicode.In(r, unicode.Common, unicode.Inherited) {
			continue
		}
		letters++
		ok := false
		for _, l := range languages {
			if l.tag != tag {
				continue
			}
			switch {
			case tag == "ja":
				ok = unicode.In(r, japaneseScripts...)
			case l.script != nil:
				ok = unicode.Is(l.script, r)
			default:
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return letters > 0
}

// prefectureSuffixes are what Japanese writes after a prefecture's name.
var prefectureSuffixes = []string{"都", "道", "府", "県"}

// fullPrefecture reports whether cldr is iso the prefecture with its suffix.
func fullPrefecture(iso, cldr string) bool {
	rest, ok := strings.CutPrefix(cldr, iso)
	return ok && slices.Contains(prefectureSuffixes, rest)
}

const hint = "install Debian's iso-codes package: apt-get install -y iso-codes"

type subdivision struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Type   string `json:"type"`
	Parent string `json:"parent,omitempty"`
}

type region struct {
	Code  string            `json:"code"`
	Name  string            `json:"name"`
	Type  string            `json:"type"`
	Names map[string]string `json:"names,omitempty"`
	// insteadOf is, per language whose name came from CLDR, what
	// iso-codes had ("" for nothing), for when CLDR's name is taken.
	insteadOf map[string]string
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("geo/gen: ")
	out := flag.String("out", "regions.json", "output file")
	jsonDir := flag.String("iso-codes", "/usr/share/iso-codes/json", "iso-codes JSON directory")
	localeDir := flag.String("locale", "/usr/share/locale", "gettext locale directory")
	cldrDir := flag.String("cldr", "/usr/share/unicode/cldr/common/subdivisions", "CLDR subdivision names directory (unicode-cldr-core)")
	flag.Parse()
	data, err := generate(*jsonDir, *localeDir, *cldrDir)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		log.Fatal(err)
	}
}

func generate(jsonDir, localeDir, cldrDir string) ([]byte, error) {
	src := filepath.Join(jsonDir, "iso_3166-2.json")
	raw, err := os.ReadFile(src)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s not found; %s", src, hint)
	}
	if err != nil {
		return nil, err
	}
	var doc struct {
		Subdivisions []subdivision `json:"3166-2"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", src, err)
	}
	if len(doc.Subdivisions) == 0 {
		return nil, fmt.Errorf("%s: no subdivisions", src)
	}

	catalogs := map[string]map[string]string{}
	for _, l := range languages {
		mo := filepath.Join(localeDir, l.dir, "LC_MESSAGES", "iso_3166-2.mo")
		b, err := os.ReadFile(mo)
		if errors.Is(err, fs.ErrNotExist) {
			// iso-codes does not translate ISO 3166-2 into every language
			// (4.15 has no Arabic); those names fall back to English.
			log.Printf("no %s translation (%s); skipped", l.tag, mo)
			continue
		}
		if err != nil {
			return nil, err
		}
		cat, err := parseMO(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", mo, err)
		}
		catalogs[l.tag] = cat
	}
	if len(catalogs) == 0 {
		return nil, fmt.Errorf("no iso_3166-2.mo under %s (is /usr/share/locale excluded from dpkg?); %s", localeDir, hint)
	}

	cldr := map[string]map[string]string{}
	for _, l := range languages {
		if l.cldr == "" {
			continue
		}
		src := filepath.Join(cldrDir, l.cldr+".xml")
		b, err := os.ReadFile(src)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s not found; install Debian's unicode-cldr-core package: apt-get install -y unicode-cldr-core", src)
		}
		if err != nil {
			return nil, err
		}
		names, err := parseCLDR(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", src, err)
		}
		cldr[l.tag] = names
	}

	byCountry := map[string][]region{}
	for _, s := range doc.Subdivisions {
		if s.Parent != "" {
			continue
		}
		cc, _, ok := strings.Cut(s.Code, "-")
		if !ok || len(cc) != 2 {
			return nil, fmt.Errorf("%s: odd code %q", src, s.Code)
		}
		r := region{Code: s.Code, Name: s.Name, Type: s.Type}
		for _, l := range languages {
			t := catalogs[l.tag][s.Name]
			if c := cldr[l.tag][cldrKey(s.Code)]; c != "" && inScript(l.tag, c) {
				if t == "" || !inScript(l.tag, t) || (cc == "JP" && fullPrefecture(t, c)) {
					if r.insteadOf == nil {
						r.insteadOf = map[string]string{}
					}
					r.insteadOf[l.tag] = t
					t = c
				}
			}
			if t != "" && t != s.Name {
				if r.Names == nil {
					r.Names = map[string]string{}
				}
				r.Names[l.tag] = t
			}
		}
		byCountry[cc] = append(byCountry[cc], r)
	}

	var buf bytes.Buffer
	buf.WriteString("{")
	for i, cc := range slices.Sorted(maps.Keys(byCountry)) {
		list := byCountry[cc]
		slices.SortFunc(list, func(a, b region) int { return strings.Compare(a.Code, b.Code) })
		keepCLDRUnique(list)
		dropBrackets(list)
		if err := disambiguate(list); err != nil {
			return nil, fmt.Errorf("%s: %w", cc, err)
		}
		if i > 0 {
			buf.WriteString(",")
		}
		buf.WriteString("\n")
		k, _ := json.Marshal(cc)
		v, err := marshal(list)
		if err != nil {
			return nil, err
		}
		buf.Write(k)
		buf.WriteString(":")
		buf.Write(v)
	}
	buf.WriteString("\n}\n")
	return buf.Bytes(), nil
}

// marshal encodes without HTML escaping, so names stay readable; map keys
// (the translation tags) come out sorted.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// keepCLDRUnique gives back iso-codes' name (or none) where a name taken
// from CLDR is another region's in the same language: CLDR names a few
// regions as iso-codes names their neighbours (a province and its capital
// city), and iso-codes' own names come first.
func keepCLDRUnique(list []region) {
	for _, lang := range tags() {
		count := map[string]int{}
		for _, r := range list {
			if n := r.Names[lang]; n != "" {
				count[n]++
			} else {
				count[r.Name]++
			}
		}
		for i := range list {
			iso, fromCLDR := list[i].insteadOf[lang]
			if !fromCLDR || count[list[i].Names[lang]] < 2 {
				continue
			}
			if iso == "" || iso == list[i].Name {
				delete(list[i].Names, lang)
			} else {
				list[i].Names[lang] = iso
			}
		}
	}
}

// dropBrackets removes a trailing " […]" annotation from every name of one
// country's list, unless two regions would then share a name.
func dropBrackets(list []region) {
	strip := func(s string) string {
		if i := strings.LastIndex(s, " ["); i > 0 && strings.HasSuffix(s, "]") {
			return s[:i]
		}
		return s
	}
	for _, lang := range append([]string{""}, tags()...) {
		name := func(r region) string {
			if lang == "" {
				return r.Name
			}
			return r.Names[lang]
		}
		seen := map[string]int{}
		for _, r := range list {
			if n := name(r); n != "" {
				seen[strip(n)]++
			}
		}
		for i := range list {
			n := name(list[i])
			if n == "" || seen[strip(n)] > 1 {
				continue
			}
			if lang == "" {
				list[i].Name = strip(n)
			} else {
				list[i].Names[lang] = strip(n)
			}
		}
	}
	// A translation that only differed by its annotation is no translation.
	for i := range list {
		for tag, n := range list[i].Names {
			if n == list[i].Name {
				delete(list[i].Names, tag)
			}
		}
		if len(list[i].Names) == 0 {
			list[i].Names = nil
		}
	}
}

// disambiguate makes names unique within a country in every language, so
// a select never offers two identical options. Where iso-codes gives two
// regions the same name (AZ has a municipality and a rayon both called
// Şəki) their type is appended; a translation that merges two regions with
// different names (a slip in the .po file) is dropped for English.
func disambiguate(list []region) error {
	original := make([]string, len(list))
	for i, r := range list {
		original[i] = r.Name
	}
	groups := func(name func(region) string) [][]int {
		at := map[string][]int{}
		for i, r := range list {
			at[name(r)] = append(at[name(r)], i)
		}
		var g [][]int
		for _, r := range list {
			if ix := at[name(r)]; len(ix) > 1 {
				g = append(g, ix)
				delete(at, name(r))
			}
		}
		return g
	}
	for _, g := range groups(func(r region) string { return r.Name }) {
		for _, i := range g {
			list[i].Name += " (" + list[i].Type + ")"
		}
	}
	for _, lang := range tags() {
		name := func(r region) string {
			if n := r.Names[lang]; n != "" {
				return n
			}
			return r.Name
		}
		for _, g := range groups(name) {
			same := true
			for _, i := range g {
				same = same && list[i].Names[lang] != "" && original[i] == original[g[0]]
			}
			for _, i := range g {
				if same {
					list[i].Names[lang] += " (" + list[i].Type + ")"
				} else {
					delete(list[i].Names, lang)
				}
			}
		}
		if g := groups(name); g != nil {
			return fmt.Errorf("%s: %s and others share the name %q", lang, list[g[0][0]].Code, name(list[g[0][0]]))
		}
	}
	if g := groups(func(r region) string { return r.Name }); g != nil {
		return fmt.Errorf("%s and others share the name %q", list[g[0][0]].Code, list[g[0][0]].Name)
	}
	for i := range list {
		if len(list[i].Names) == 0 {
			list[i].Names = nil
		}
	}
	return nil
}

func tags() []string {
	var t []string
	for _, l := range languages {
		t = append(t, l.tag)
	}
	return t
}

// cldrKey is the type CLDR names an ISO 3166-2 code by: "US-CA" → "usca".
func cldrKey(code string) string {
	return strings.ToLower(strings.ReplaceAll(code, "-", ""))
}

// parseCLDR reads a CLDR subdivisions file: type → name.
func parseCLDR(b []byte) (map[string]string, error) {
	var doc struct {
		Subdivisions []struct {
			Type string `xml:"type,attr"`
			Name string `xml:",chardata"`
		} `xml:"localeDisplayNames>subdivisions>subdivision"`
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = false // the DOCTYPE names a DTD that is not fetched
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	if len(doc.Subdivisions) == 0 {
		return nil, errors.New("no subdivisions")
	}
	names := make(map[string]string, len(doc.Subdivisions))
	for _, s := range doc.Subdivisions {
		if n := strings.TrimSpace(s.Name); n != "" {
			names[s.Type] = n
		}
	}
	return names, nil
}

// parseMO reads a GNU gettext .mo catalog: a header of 32-bit words (magic,
// revision, count, offset of the original strings' table, offset of the
// translations' table), then per table count (length, offset) pairs. It
// returns msgid → msgstr, skipping the header entry, plural forms and
// entries with a context, none of which iso-codes uses for names.
func parseMO(b []byte) (map[string]string, error) {
	if len(b) < 20 {
		return nil, errors.New("not a .mo file: too short")
	}
	var order binary.ByteOrder
	switch binary.LittleEndian.Uint32(b) {
	case 0x950412de:
		order = binary.LittleEndian
	case 0xde120495:
		order = binary.BigEndian
	default:
		return nil, errors.New("not a .mo file: bad magic")
	}
	if rev := order.Uint32(b[4:]) >> 16; rev > 1 {
		return nil, fmt.Errorf("unknown .mo major revision %d", rev)
	}
	n, origs, trans := order.Uint32(b[8:]), order.Uint32(b[12:]), order.Uint32(b[16:])
	str := func(table, i uint32) (string, error) {
		at := uint64(table) + 8*uint64(i)
		if at+8 > uint64(len(b)) {
			return "", errors.New("string table out of range")
		}
		l, off := uint64(order.Uint32(b[at:])), uint64(order.Uint32(b[at+4:]))
		if off+l > uint64(len(b)) {
			return "", errors.New("string out of range")
		}
		return string(b[off : off+l]), nil
	}
	cat := make(map[string]string, n)
	for i := range n {
		id, err := str(origs, i)
		if err != nil {
			return nil, err
		}
		s, err := str(trans, i)
		if err != nil {
			return nil, err
		}
		if id == "" {
			if !strings.Contains(strings.ToLower(s), "charset=utf-8") {
				return nil, errors.New("catalog is not UTF-8")
			}
			continue
		}
		if strings.ContainsAny(id, "\x00\x04") || s == "" {
			continue
		}
		cat[id] = s
	}
	return cat, nil
}
