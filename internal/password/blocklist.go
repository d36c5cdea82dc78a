package password

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

//go:generate go run ./gen -o common.txt

// commonText is the blocklist shipped with the binary (rule 16): the 47,023
// passwords of zxcvbn's "passwords" frequency list, most common first, one
// per line, lower-case. That list was counted by Dropbox's zxcvbn from Mark
// Burnett's 10 million passwords corpus (Xato, 2015); gen/main.go copies it
// from the github.com/trustelem/zxcvbn module and BLOCKLIST.md says more.
//
//go:embed common.txt
var commonText string

// blocklist is commonText as a set, built on first use. Its keys are slices
// of commonText, so the set costs no copy of the text.
type blocklist struct {
	set     map[string]struct{}
	maxLen  int // longest entry in bytes
	entries int
}

var loadBlocklist = sync.OnceValue(func() *blocklist {
	b := &blocklist{set: make(map[string]struct{}, strings.Count(commonText, "\n")+1)}
	for line := range strings.Lines(commonText) {
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			continue
		}
		b.set[line] = struct{}{}
		b.maxLen = max(b.maxLen, len(line))
	}
	b.entries = len(b.set)
	return b
})

const (
	// variantMaxLen: a listed password with digits or symbols appended is
	// refused only while the whole is shorter than this many code points.
	variantMaxLen = 20
	// variantMinCore: the listed part of such a variant has at least this
	// many code points, so "abc" + digits is not refused for "abc" alone.
	variantMinCore = 4
)

// famous are passphrases that have been printed as examples of strong
// passwords or are quoted everywhere, so they are among the first long
// guesses: too long for the frequency list (its entries stop at 20
// characters) but no better for that. They are compared as written here,
// joined, ignoring case, width, leetspeak, punctuation and digits or
// symbols stuck on the end; white space is kept, so a phrase typed with
// spaces between its words is a different password.
var famous = map[string]struct{}{
	"correcthorsebatterystaple":           {}, // xkcd 936, "Password Strength" (2011)
	"thequickbrownfoxjumpsoverthelazydog": {}, // the English pangram
	"loremipsumdolorsitamet":              {}, // placeholder text
	"tobeornottobethatisthequestion":      {}, // Hamlet
	"maytheforcebewithyou":                {}, // Star Wars
	"allyourbasearebelongtous":            {}, // Zero Wing
	"supercalifragilisticexpialidocious":  {}, // Mary Poppins
	"thisismypassword":                    {},
}

// isCommon reports whether the NFKC form s of a password is on the
// blocklist (isListed) or is a famous passphrase.
func isCommon(s string) bool {
	return isListed(s) || isFamous(s)
}

// maxListedBytes bounds the input that isListed examines: a listed
// password repeated until it fills a maximum-length password still is one,
// but the repeat search costs the square of the length.
const maxListedBytes = 1024

// isListed reports whether the NFKC form s is a blocklisted password in
// any of the disguises people use: in another case; with spaces or
// punctuation inside ("pass word"); in leetspeak between its first and
// last letter ("P@ssw0rd!"); backwards; repeated ("passwordpassword",
// "dragondragon2024"); or with digits and symbols appended while shorter
// than variantMaxLen code points ("Password123!", "dragon2024",
// "123456789012345").
func isListed(s string) bool {
	if len(s) > maxListedBytes {
		return false
	}
	lower := strings.ToLower(s)
	joined := string(skeleton(s))
	for _, form := range []string{lower, joined, deleet(joined, 0, false), deleet(joined, 1, false), deleet(joined, 0, true)} {
		if listedForm(form) {
			return true
		}
		if d := derepeat(form); d != form && listedForm(d) {
			return true
		}
	}
	return false
}

// isFamous reports whether the NFKC form s is a famous passphrase, with
// the allowances the famous list describes.
func isFamous(s string) bool {
	if len(s) > maxListedBytes {
		return false
	}
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if !separator(r) || unicode.IsSpace(r) {
			b.WriteRune(r)
		}
	}
	f := b.String()
	for _, form := range []string{f, deleet(f, 0, false), deleet(f, 1, false), deleet(f, 0, true)} {
		for core := range cores(form, 0) {
			if _, ok := famous[core]; ok {
				return true
			}
		}
	}
	return false
}

// listedForm reports whether key, one lower-case reading of a password, is
// listed as it is, backwards, or with digits and symbols appended.
func listedForm(key string) bool {
	b := loadBlocklist()
	if b.has(key) || b.has(reverse(key)) {
		return true
	}
	if utf8.RuneCountInString(key) >= variantMaxLen {
		return false
	}
	for core := range cores(key, variantMinCore) {
		if b.has(core) {
			return true
		}
	}
	return false
}

// cores yields key and then key without one, two, … of its trailing digits
// and symbols, while at least minCore code points remain.
func cores(key string, minCore int) func(func(string) bool) {
	return func(yield func(string) bool) {
		if !yield(key) {
			return
		}
		n := utf8.RuneCountInString(key)
		for end := len(key); end > 0; {
			r, size := utf8.DecodeLastRuneInString(key[:end])
			if c := classOf(r); c != classDigit && c != classSymbol {
				return
			}
			end -= size
			n--
			if n < minCore || !yield(key[:end]) {
				return
			}
		}
	}
}

// deleet reads the leetspeak stand-ins between the first and the last
// letter of s as letters, taking the alt-th reading where there are two
// ('1' is i or l); digits and symbols outside that span stay, so that
// "p@ssw0rd123" reads "password123", unless all is set ("st4pl3" is
// "staple").
func deleet(s string, alt int, all bool) string {
	r := []rune(s)
	first, last := -1, -1
	for i, c := range r {
		if unicode.IsLetter(c) {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if all {
		first, last = -1, len(r)
	}
	for i := first + 1; i < last; i++ {
		if l := leet[r[i]]; l != "" {
			r[i] = rune(l[min(alt, len(l)-1)])
		}
	}
	return string(r)
}

// derepeat is s without the stretches of at least minPatternLen code
// points that repeat an earlier one: "dragondragon2024" is "dragon2024".
func derepeat(s string) string {
	r := []rune(s)
	out := make([]rune, 0, len(r))
	for i := 0; i < len(r); {
		if l := repeatLen(r, i); l >= minPatternLen {
			i += l
			continue
		}
		out = append(out, r[i])
		i++
	}
	return string(out)
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

func (b *blocklist) has(s string) bool {
	if len(s) > b.maxLen {
		return false
	}
	_, ok := b.set[s]
	return ok
}
