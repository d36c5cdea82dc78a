package geo

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

func codes(rs []Region) []string {
	var c []string
	for _, r := range rs {
		c = append(c, r.Code)
	}
	return c
}

func indexOf(rs []Region, code string) int {
	return slices.IndexFunc(rs, func(r Region) bool { return r.Code == code })
}

func TestRegionsUS(t *testing.T) {
	rs := Regions("US", language.English)
	// 50 states, DC and the six outlying areas iso-codes lists at the top level.
	if len(rs) < 50 {
		t.Fatalf("US has %d regions, want 50+", len(rs))
	}
	if i := indexOf(rs, "US-CA"); i < 0 || rs[i].Name != "California" {
		t.Errorf("US-CA missing or misnamed in %v", rs)
	}
	if !ValidRegion("US", "US-CA") {
		t.Error("US-CA not valid")
	}
}

func TestRegionsGermany(t *testing.T) {
	if n := len(Regions("DE", language.German)); n != 16 {
		t.Errorf("DE has %d regions, want 16", n)
	}
	// iso-codes names German Länder by their German names, so English shows
	// "Bayern" too; French and Japanese have translations.
	for _, tt := range []struct {
		tag  language.Tag
		want string
	}{
		{language.German, "Bayern"},
		{language.English, "Bayern"},
		{language.French, "Bavière"},
		{language.Japanese, "バイエルン"},
		{language.MustParse("de-AT"), "Bayern"},
	} {
		if got := RegionName("DE", "DE-BY", tt.tag); got != tt.want {
			t.Errorf("RegionName(DE, DE-BY, %s) = %q, want %q", tt.tag, got, tt.want)
		}
	}
}

func TestRegionNameLanguages(t *testing.T) {
	for _, tt := range []struct {
		tag, want string
	}{
		{"en", "California"},
		{"en-GB", "California"},
		{"de", "Kalifornien"},
		{"fr", "Californie"},
		{"fr-CA", "Californie"},
		{"ja", "カリフォルニア"},
		{"zh", "加利福尼亚州"},
		{"zh-Hans-CN", "加利福尼亚州"},
		{"zh-TW", "加利福尼亚州"}, // only Simplified Chinese is available
		{"es", "California"},
		{"pt-PT", "California"},
		{"ar", "كاليفورنيا"}, // from CLDR: iso-codes has no Arabic ISO 3166-2 names
		{"sv", "California"},
		{"und", "California"},
	} {
		if got := RegionName("US", "US-CA", language.MustParse(tt.tag)); got != tt.want {
			t.Errorf("RegionName(US, US-CA, %s) = %q, want %q", tt.tag, got, tt.want)
		}
	}
	if got := RegionName("CA", "US-CA", language.English); got != "" {
		t.Errorf("RegionName of another country's code = %q", got)
	}
	if got := RegionName("ES", "ES-CT", language.Spanish); got != "Catalunya" {
		t.Errorf("ES-CT = %q, want the bracketed alternative dropped", got)
	}
}

func TestRegionsFrenchInFrench(t *testing.T) {
	rs := Regions("FR", language.French)
	if i := indexOf(rs, "FR-IDF"); i < 0 || rs[i].Name != "Île-de-France" {
		t.Fatalf("FR-IDF missing or misnamed: %v", rs)
	}
	if got := RegionName("FR", "FR-PDL", language.French); got != "Pays de la Loire" {
		t.Errorf("FR-PDL in French = %q", got)
	}
	// Paris is a department under Île-de-France, not a top-level region.
	if ValidRegion("FR", "FR-75") {
		t.Error("FR-75 is not top level")
	}
}

func TestNoRegions(t *testing.T) {
	for _, cc := range []string{"VA", "XK", "", "ZZ", "us"} {
		if rs := Regions(cc, language.English); rs != nil {
			t.Errorf("Regions(%q) = %v, want nil", cc, rs)
		}
		if ValidRegion(cc, cc+"-01") {
			t.Errorf("ValidRegion(%q) = true", cc)
		}
	}
}

func TestValidRegion(t *testing.T) {
	for _, tt := range []struct {
		country, code string
		want          bool
	}{
		{"US", "US-CA", true},
		{"US", "US-DC", true},
		{"GB", "GB-ENG", true},
		{"GB", "GB-LND", false}, // London is under England
		{"US", "CA-ON", false},
		{"CA", "CA-ON", true},
		{"US", "US-ZZ", false},
		{"US", "us-ca", false},
		{"US", "CA", false},
		{"US", "", false},
		{"US", "US-", false},
		{"", "US-CA", false},
	} {
		if got := ValidRegion(tt.country, tt.code); got != tt.want {
			t.Errorf("ValidRegion(%q, %q) = %v", tt.country, tt.code, got)
		}
	}
}

// Accented initials sort by their letter under each language's collation,
// not after Z as byte order would put them; Swedish puts Ö after Z.
func TestRegionsCollation(t *testing.T) {
	before := func(rs []Region, a, b string) bool {
		i, j := indexOf(rs, a), indexOf(rs, b)
		return i >= 0 && j >= 0 && i < j
	}
	for _, tag := range []language.Tag{language.French, language.Spanish, language.German, language.English} {
		rs := Regions("FR", tag)
		if !before(rs, "FR-HDF", "FR-IDF") || !before(rs, "FR-IDF", "FR-MQ") {
			t.Errorf("%s: Île-de-France not between Hauts-de-France and Martinique: %v", tag, rs)
		}
		col := collate.New(tag)
		if !slices.IsSortedFunc(rs, func(a, b Region) int { return col.CompareString(a.Name, b.Name) }) {
			t.Errorf("%s: FR not sorted: %v", tag, rs)
		}
	}
	// Czech "Ústecký kraj" in Spanish sorts under U: after Středočeský, before Zlínský.
	if rs := Regions("CZ", language.Spanish); !before(rs, "CZ-20", "CZ-42") || !before(rs, "CZ-42", "CZ-72") {
		t.Errorf("es: Ústecký kraj not between S and Z: %v", rs)
	}
	// Örebro (SE-T) and Skåne (SE-M): German sorts Ö as O, Swedish after Z.
	if de := Regions("SE", language.German); !before(de, "SE-T", "SE-M") {
		t.Errorf("de: Örebro not before Skåne: %v", de)
	}
	if sv := Regions("SE", language.Swedish); !before(sv, "SE-M", "SE-T") || !before(sv, "SE-Y", "SE-T") {
		t.Errorf("sv: Örebro not after Skåne and Västernorrland: %v", sv)
	}
	// Chinese sorts by pinyin: 北京 (Beijing) before 上海 (Shanghai).
	if zh := Regions("CN", language.Chinese); !before(zh, "CN-BJ", "CN-SH") {
		t.Errorf("zh: Beijing not before Shanghai: %v", zh)
	}
}

func TestRegionsCacheIsNotShared(t *testing.T) {
	a := Regions("DE", language.German)
	a[0].Name = "changed"
	if b := Regions("DE", language.German); b[0].Name == "changed" {
		t.Error("Regions returned the cached slice itself")
	}
}

// Every country's regions have unique names in every language, so a
// select never shows two identical options (iso-codes has a Şəki city and
// a Şəki rayon in AZ).
func TestRegionNamesUnique(t *testing.T) {
	if got := RegionName("AZ", "AZ-SA", language.English); got != "Şəki (Municipality)" {
		t.Errorf("AZ-SA = %q", got)
	}
	for country, list := range load().countries {
		if !slices.IsSortedFunc(list, func(a, b entry) int { return strings.Compare(a.Code, b.Code) }) {
			t.Errorf("%s not in code order; lookups would fail", country)
		}
		for _, tag := range []string{"en", "de", "fr", "es", "pt", "ja", "zh", "ar"} {
			rs := Regions(country, language.MustParse(tag))
			seen := map[string]string{}
			for _, r := range rs {
				if other, dup := seen[r.Name]; dup {
					t.Errorf("%s in %s: %s and %s are both %q", country, tag, other, r.Code, r.Name)
				}
				seen[r.Name] = r.Code
				if !strings.HasPrefix(r.Code, country+"-") || r.Name == "" {
					t.Errorf("%s: bad region %+v", country, r)
				}
			}
		}
	}
	// GB's top level is its four nations.
	if got := strings.Join(codes(Regions("GB", language.English)), " "); got != "GB-ENG GB-NIR GB-SCT GB-WLS" {
		t.Errorf("GB regions = %s", got)
	}
}

// regions.json must be what the generator makes from the installed
// iso-codes, so nobody edits it by hand and an upgrade shows as a diff.
func TestRegionsJSONIsCurrent(t *testing.T) {
	for _, src := range []string{"/usr/share/iso-codes/json/iso_3166-2.json", "/usr/share/unicode/cldr/common/subdivisions/ar.xml"} {
		if _, err := os.Stat(src); err != nil {
			if os.Getenv("GATEHOUSE_REQUIRE_ISO_CODES") == "1" {
				t.Fatalf("%s: %v (apt-get install -y iso-codes unicode-cldr-core)", src, err)
			}
			t.Skipf("%s missing; cannot check regions.json is current (apt-get install -y iso-codes unicode-cldr-core)", src)
		}
	}
	out := filepath.Join(t.TempDir(), "regions.json")
	cmd := exec.Command("go", "run", "./gen", "-out", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run ./gen: %v\n%s", err, b)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, regionsJSON) {
		t.Errorf("regions.json is stale or hand-edited; run `go generate ./internal/geo` (it is %d bytes, the generator makes %d)", len(regionsJSON), len(got))
	}
}

// Japanese lists the prefectures in JIS X 0401 order (the code order),
// each with its 都/道/府/県, which iso-codes drops and CLDR keeps.
func TestJapanesePrefectures(t *testing.T) {
	rs := Regions("JP", language.Japanese)
	if len(rs) != 47 {
		t.Fatalf("JP has %d prefectures, want 47", len(rs))
	}
	for i, r := range rs {
		if want := fmt.Sprintf("JP-%02d", i+1); r.Code != want {
			t.Fatalf("prefecture %d is %s, want %s (JIS X 0401 order): %v", i+1, r.Code, want, rs)
		}
		if !strings.HasSuffix(r.Name, "都") && !strings.HasSuffix(r.Name, "道") && !strings.HasSuffix(r.Name, "府") && !strings.HasSuffix(r.Name, "県") {
			t.Errorf("%s = %q, without 都/道/府/県", r.Code, r.Name)
		}
	}
	for code, want := range map[string]string{"JP-01": "北海道", "JP-13": "東京都", "JP-26": "京都府", "JP-27": "大阪府", "JP-47": "沖縄県"} {
		if got := RegionName("JP", code, language.Japanese); got != want {
			t.Errorf("%s = %q, want %q", code, got, want)
		}
	}
	// Other languages sort them by their own collation.
	en := Regions("JP", language.English)
	if en[0].Code != "JP-23" || en[0].Name != "Aichi" {
		t.Errorf("English starts with %v, want Aichi", en[0])
	}
}

// A page shows region names in its own script where the data has them:
// Egypt's governorates in Arabic on an Arabic page (from CLDR, iso-codes
// has no Arabic), in kana on a Japanese one.
func TestRegionNamesInPageScript(t *testing.T) {
	arabic := func(s string) bool {
		for _, r := range s {
			if unicode.IsLetter(r) && !unicode.Is(unicode.Arabic, r) {
				return false
			}
		}
		return true
	}
	for _, r := range Regions("EG", language.Arabic) {
		if !arabic(r.Name) {
			t.Errorf("EG in Arabic: %s = %q, not Arabic script", r.Code, r.Name)
		}
	}
	if got := RegionName("EG", "EG-ALX", language.Arabic); got != "الإسكندرية" {
		t.Errorf("EG-ALX in Arabic = %q", got)
	}
	if got := RegionName("EG", "EG-C", language.Japanese); got != "カイロ県" {
		t.Errorf("EG-C in Japanese = %q", got)
	}
	// iso-codes' own translation comes first where it is in the script.
	if got := RegionName("DE", "DE-BY", language.Japanese); got != "バイエルン" {
		t.Errorf("DE-BY in Japanese = %q", got)
	}
}
