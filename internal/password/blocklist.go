package password

import (
	_ "embed"
	"strings"
	"sync"
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

// isCommon reports whether the NFKC form s of a password is on the
// blocklist, ignoring case, or is a listed password of at least
// variantMinCore code points followed by digits and symbols only
// ("Password123!", "dragon2024", "123456789012345") and shorter than
// variantMaxLen code points.
func isCommon(s string) bool {
	b := loadBlocklist()
	if len(s) > b.maxLen*utf8.UTFMax {
		return false // longer than any entry, even if lower-casing shrinks it
	}
	key := strings.ToLower(s)
	if b.has(key) {
		return true
	}
	n := utf8.RuneCountInString(key)
	if n >= variantMaxLen {
		return false
	}
	// Drop trailing digits and symbols one at a time and look up each core.
	for end := len(key); end > 0; {
		r, size := utf8.DecodeLastRuneInString(key[:end])
		if c := classOf(r); c != classDigit && c != classSymbol {
			break
		}
		end -= size
		n--
		if n < variantMinCore {
			break
		}
		if b.has(key[:end]) {
			return true
		}
	}
	return false
}

func (b *blocklist) has(s string) bool {
	if len(s) > b.maxLen {
		return false
	}
	_, ok := b.set[s]
	return ok
}
