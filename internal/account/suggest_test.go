package account

import (
	"strings"
	"testing"
)

func TestSuggestEmail(t *testing.T) {
	for in, want := range map[string]string{
		"ada@gmial.com":      "ada@gmail.com",
		"ada@gmail.con":      "ada@gmail.com",
		"Ada@Hotmial.com":    "ada@hotmail.com",
		"ada@outlok.com":     "ada@outlook.com",
		"ada@yaho.com":       "ada@yahoo.com",
		"ada@gmail.com":      "",
		"ada@example.com":    "",
		"ada@acme-corp.io":   "",
		"ada@gmx.de":         "",
		"ada@gmx.fr":         "",
		"not an address":     "",
		"ada@protonmial.com": "ada@protonmail.com",
	} {
		if got := SuggestEmail(in); got != want {
			t.Errorf("SuggestEmail(%q) = %q, want %q", in, got, want)
		}
	}
}

// referenceDistance is the plain full-table optimal string alignment
// distance that editDistance replaced; the bounded one must agree with it.
func referenceDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// The fixed rows in editDistance rely on every common domain being ASCII
// and short.
func TestCommonDomainsFit(t *testing.T) {
	for _, d := range commonDomains {
		if len(d) > maxCommonDomainLen {
			t.Errorf("%q is longer than maxCommonDomainLen (%d)", d, maxCommonDomainLen)
		}
		for i := 0; i < len(d); i++ {
			if d[i] >= 0x80 {
				t.Errorf("%q is not ASCII", d)
			}
		}
	}
}

func TestEditDistanceMatchesReference(t *testing.T) {
	inputs := []string{
		"", "g", "gmail.com", "gmial.com", "gmail.con", "gmal.com", "gmaill.com", "mgail.com", "gamil.cmo",
		"hotmial.com", "hotmai.lcom", "yahooo.co.uk", "ýahoo.com", "gmäil.com", "\xffmail.com", "outlok.com",
		"protonmial.com", "example.com", "acme-corp.io", "qq.cm", "163.co", "a-very-long-domain.example",
	}
	for _, a := range inputs {
		for _, b := range commonDomains {
			want := referenceDistance(a, b)
			for limit := 0; limit <= 3; limit++ {
				got := editDistance([]rune(a), b, limit)
				if w := min(want, limit+1); got != w {
					t.Errorf("editDistance(%q, %q, %d) = %d, want %d", a, b, limit, got, w)
				}
			}
		}
	}
}

// SuggestEmail runs on every inline validation; without a suggestion it
// must not allocate.
func TestSuggestEmailAllocations(t *testing.T) {
	for _, in := range []string{"ada@example.com", "ada@gmail.com", "ada@a-very-long-domain-name.example"} {
		if n := testing.AllocsPerRun(100, func() { SuggestEmail(in) }); n != 0 {
			t.Errorf("SuggestEmail(%q) allocates %v times, want 0", in, n)
		}
	}
}

// referenceSuggest is SuggestEmail as it was before the bounded distance:
// every common domain, full tables.
func referenceSuggest(email string) string {
	local, domain, ok := strings.Cut(strings.ToLower(strings.TrimSpace(email)), "@")
	if !ok || local == "" || domain == "" {
		return ""
	}
	best, bestDist := "", 3
	for _, d := range commonDomains {
		if d == domain {
			return ""
		}
		if dist := referenceDistance(domain, d); dist < bestDist {
			best, bestDist = d, dist
		}
	}
	if best == "" || (bestDist == 2 && len(domain) < 9) {
		return ""
	}
	return local + "@" + best
}

// FuzzSuggestEmailReference: the bounded search suggests exactly what the
// full one did.
func FuzzSuggestEmailReference(f *testing.F) {
	for _, s := range []string{"ada@gmial.com", "ada@gmail.con", "ada@hotmial.co.uk", "ada@yahoo.co", "ada@gmx.fr",
		"ada@me.co", "ada@qq.cm", "ada@ɡmail.com", "ada@gmaıl.com", "ada@@gmail.com", "ada@protonmail.co",
		"x@googlemail.cmo", "x@hotmail.fr.", "x@163.con", "x@verizon.nett", "x@aol.co"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if got, want := SuggestEmail(in), referenceSuggest(in); got != want {
			t.Fatalf("SuggestEmail(%q) = %q, reference %q", in, got, want)
		}
	})
}
