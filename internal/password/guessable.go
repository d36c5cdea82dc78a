package password

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Patterns (rule 16, NIST's "repetitive or sequential characters"): a run
// of one character, an alphabetical or numerical sequence, a keyboard walk
// and a repeat of an earlier stretch each take an attacker about one guess
// more than their first character, so a password is judged by how many
// such tokens it is made of rather than by its length.

// minPatternLen is the shortest run, sequence, walk or repeat counted as
// one token; shorter ones are too common inside ordinary words to matter.
const minPatternLen = 3

// maxTokens is the most tokens required of a password however long the
// minimum length is; half the minimum length, rounded up, otherwise.
const maxTokens = 8

// minTokens is how many tokens a password must be made of to pass: at least
// half of the minimum length must be something other than patterns.
func (p Policy) minTokens() int {
	return max(1, min(maxTokens, (p.MinLength+1)/2))
}

// isPredictable reports whether the NFKC form s is made of too few tokens,
// read straight through or as two interleaved halves ("a1b2c3d4…"): fewer
// than minTokens, and fewer than its length.
func (p Policy) isPredictable(s string) bool {
	r := []rune(strings.ToLower(s))
	if lim := max(p.MaxLength, 64); len(r) > lim {
		r = r[:lim] // the length check refuses the rest; keep the scan bounded
	}
	// Short input without patterns is merely short, which the length
	// check reports; only a pattern makes it predictable.
	want := min(p.minTokens(), len(r))
	if tokens(r) < want {
		return true
	}
	if len(r) >= 2*minPatternLen {
		even, odd := make([]rune, 0, len(r)/2+1), make([]rune, 0, len(r)/2)
		for i, c := range r {
			if i%2 == 0 {
				even = append(even, c)
			} else {
				odd = append(odd, c)
			}
		}
		if tokens(even)+tokens(odd) < want {
			return true
		}
	}
	return false
}

// tokens counts r as a person would type it from patterns: a doubled
// character adds nothing ("aabbcc" is "abc"), and each run, sequence,
// keyboard walk or repeat of an earlier stretch counts once, as does each
// other character.
func tokens(r []rune) int {
	c := make([]rune, 0, len(r))
	for i, x := range r {
		if i == 0 || x != r[i-1] {
			c = append(c, x)
		}
	}
	n := 0
	for i := 0; i < len(c); n++ {
		l := max(sequenceLen(c, i), walkLen(c, i), repeatLen(c, i))
		if l < minPatternLen {
			l = 1
		}
		i += l
	}
	return n
}

// step is how b follows a in an alphabetical or numerical sequence: ±1 or
// ±2, wrapping around 9→0 and z→a, or 0 if it does not.
func step(a, b rune) int {
	var d int
	switch {
	case a >= '0' && a <= '9' && b >= '0' && b <= '9':
		d = (int(b-a) + 10) % 10
		if d > 5 {
			d -= 10
		}
	case a >= 'a' && a <= 'z' && b >= 'a' && b <= 'z':
		d = (int(b-a) + 26) % 26
		if d > 13 {
			d -= 26
		}
	default:
		d = int(b - a) // other scripts in code point order: "αβγδ", "あいうえ" (a step of 2)
	}
	if d == 0 || d < -2 || d > 2 {
		return 0
	}
	return d
}

// sequenceLen is the length of the sequence starting at c[i] ("abcd",
// "97531", "7890123"), or 1.
func sequenceLen(c []rune, i int) int {
	if i+1 >= len(c) {
		return 1
	}
	d := step(c[i], c[i+1])
	if d == 0 {
		return 1
	}
	k := i + 1
	for k+1 < len(c) && step(c[k], c[k+1]) == d {
		k++
	}
	return k - i + 1
}

// walkLen is the length of the keyboard walk starting at c[i], each key
// next to the one before on one and the same layout (on a keypad, also in
// one and the same direction), or 1.
func walkLen(c []rune, i int) int {
	adj := loadAdjacency()
	mask := ^uint32(0)
	k := i
	for k+1 < len(c) {
		m := mask & adj[[2]rune{c[k], c[k+1]}]
		if m == 0 {
			break
		}
		mask = m
		k++
	}
	return k - i + 1
}

// repeatLen is the length of the longest stretch starting at c[i] that
// repeats one starting earlier (it may overlap it: "abababab"), or 0.
func repeatLen(c []rune, i int) int {
	best := 0
	for j := 0; j < i; j++ {
		l := 0
		for i+l < len(c) && c[j+l] == c[i+l] {
			l++
		}
		best = max(best, l)
	}
	return best
}

// keyboards are the layouts whose walks are refused, row by row from the
// digits down, each key listing the characters it types (lower-cased).
// Staggered rows: a key touches the two keys above it at its own column
// and the next, and a walk may turn any way. The last two are keypads,
// where a key touches all eight around it; ten keys that close together
// make most digit pairs neighbours, so there only a straight line
// ("789", "147", "159") is a walk.
var keyboards = []struct {
	rows []string
	grid bool
}{
	{rows: []string{"1! 2@ 3# 4$ 5% 6^ 7& 8* 9( 0) -_ =+", "q w e r t y u i o p [{ ]}", "a s d f g h j k l ;: '\"", "z x c v b n m ,< .> /?"}},    // US QWERTY
	{rows: []string{"1! 2\" 3§ 4$ 5% 6& 7/ 8( 9) 0= ß? ´`", "q w e r t z u i o p ü +*", "a s d f g h j k l ö ä #'", "y x c v b n m ,; .: -_"}},    // German QWERTZ
	{rows: []string{"&1 é2 \"3 '4 (5 -6 è7 _8 ç9 à0 )° =+", "a z e r t y u i o p ^¨ $£", "q s d f g h j k l m ù% *µ", "w x c v b n ,? ;. :/ !§"}}, // French AZERTY
	{rows: []string{"1! 2@ 3# 4$ 5% 6^ 7& 8* 9( 0) [{ ]}", "'\" ,< .> p y f g c r l /? =+", "a o e u i d h t n s -_", ";: q j k x b m w v z"}},    // Dvorak
	{rows: []string{"/ * -", "7 8 9 +", "4 5 6 +", "1 2 3", "0 0 ."}, grid: true},                                                                 // number pad
	{rows: []string{"1 2 3", "4 5 6", "7 8 9", "* 0 #"}, grid: true},                                                                              // phone keypad
}

// loadAdjacency maps each ordered pair of neighbouring characters to where
// they are neighbours: one bit per staggered layout, and on a keypad one
// bit per keypad and direction, so that a walk's mask pins both.
var loadAdjacency = sync.OnceValue(func() map[[2]rune]uint32 {
	adj := map[[2]rune]uint32{}
	var next uint // next free bit
	for _, kb := range keyboards {
		rows := make([][]string, len(kb.rows))
		for i, r := range kb.rows {
			rows[i] = strings.Fields(r)
		}
		at := func(r, c int) string {
			if r < 0 || r >= len(rows) || c < 0 || c >= len(rows[r]) {
				return ""
			}
			return rows[r][c]
		}
		link := func(a, b string, bit uint32) {
			for _, x := range a {
				for _, y := range b {
					if x != y {
						adj[[2]rune{x, y}] |= bit
					}
				}
			}
		}
		if !kb.grid {
			bit := uint32(1) << next
			next++
			for r := range rows {
				for c, key := range rows[r] {
					for _, n := range []string{at(r, c-1), at(r, c+1), at(r-1, c), at(r-1, c+1), at(r+1, c-1), at(r+1, c)} {
						link(key, n, bit)
					}
				}
			}
			continue
		}
		for dr := -1; dr <= 1; dr++ {
			for dc := -1; dc <= 1; dc++ {
				if dr == 0 && dc == 0 {
					continue
				}
				bit := uint32(1) << next
				next++
				for r := range rows {
					for c, key := range rows[r] {
						link(key, at(r+dr, c+dc), bit)
					}
				}
			}
		}
	}
	return adj
})

// leet is what a digit or symbol may stand for in a word, as zxcvbn reads
// it ("p@ssw0rd", "h0pp3r").
var leet = map[rune]string{
	'4': "a", '@': "a", '8': "b", '(': "c", '{': "c", '[': "c", '<': "c",
	'3': "e", '6': "g", '9': "g", '#': "h", '1': "il", '!': "il", '|': "il",
	'0': "o", '$': "s", '5': "s", '7': "lt", '+': "t", '%': "x", '2': "z",
}

// separator reports whether r only separates words: white space and
// punctuation that does not stand for a letter.
func separator(r rune) bool {
	if _, ok := leet[r]; ok {
		return false
	}
	return unicode.IsSpace(r) || unicode.IsPunct(r) || (unicode.IsSymbol(r) && r < utf8.RuneSelf)
}

// skeleton is the lower-cased s without separators or accents: what is
// left when spacing, punctuation and diacritics are ignored ("Grace.Hopper
// 1906" is "gracehopper1906", "José" is "jose").
func skeleton(s string) []rune {
	out := make([]rune, 0, len(s))
	for _, r := range strings.ToLower(unaccent(s)) {
		if !separator(r) {
			out = append(out, r)
		}
	}
	return out
}

// unaccent is s without its combining marks ("Amélie" is "Amelie"), for
// people who type their name without its accents, or a listed password
// with some.
func unaccent(s string) string {
	d := norm.NFD.String(s)
	var b strings.Builder
	b.Grow(len(d))
	for _, r := range d {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return norm.NFC.String(b.String())
}

// personalWords is the user's data as lower-case words of at least two
// letters: each field's letter runs ("grace", "hopper", "remington"), its
// letters-and-digits runs ("ghopper1906") and the field joined without
// separators ("remingtonrand"), from the names, the company and the
// email address (its local part and its domain without the last label).
func personalWords(who Personal) [][]rune {
	local, domain, _ := strings.Cut(who.Email, "@")
	if i := strings.LastIndexByte(domain, '.'); i >= 0 {
		domain = domain[:i]
	}
	var out [][]rune
	seen := map[string]bool{}
	add := func(w string) {
		if utf8.RuneCountInString(w) >= 2 && !seen[w] {
			seen[w] = true
			out = append(out, []rune(w))
		}
	}
	for _, f := range []string{who.FirstName, who.LastName, who.Company, local, domain} {
		f = strings.ToLower(unaccent(Normalize(f)))
		add(string(skeleton(f)))
		for _, w := range strings.FieldsFunc(f, func(r rune) bool { return !unicode.IsLetter(r) }) {
			add(w)
		}
		for _, w := range strings.FieldsFunc(f, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			add(w)
		}
	}
	return out
}

// minRest is the fewest characters a password must have besides the user's
// own data.
const minRest = 8

// isPersonal reports whether the NFKC form s is built from the user's own
// data: once separators are ignored and every occurrence of their words
// (forwards or backwards, in any case, leetspeak allowed) is taken out,
// what is left is short, made of patterns, or a common password
// ("gracehopper12345", "Margaret Hamilton 1936", "R3m1ngt0n R4nd 2024",
// "Grace is my name").
// A long passphrase that merely contains a name is not.
func (p Policy) isPersonal(s string, who Personal) bool {
	sk := skeleton(s)
	if lim := max(p.MaxLength, 64); len(sk) > lim {
		return false // too long to be a password anyway; keep the scan bounded
	}
	covered := make([]bool, len(sk))
	found := false
	for _, w := range personalWords(who) {
		rev := make([]rune, len(w))
		for i, r := range w {
			rev[len(w)-1-i] = r
		}
		for _, w := range [][]rune{w, rev} {
			for i := 0; i+len(w) <= len(sk); i++ {
				if matchesWord(sk[i:i+len(w)], w) {
					found = true
					for k := i; k < i+len(w); k++ {
						covered[k] = true
					}
				}
			}
		}
	}
	if !found {
		return false
	}
	rest := make([]rune, 0, len(sk))
	for i, r := range sk {
		if !covered[i] {
			rest = append(rest, r)
		}
	}
	return len(rest) < minRest || tokens(rest) < p.minTokens() || isListed(string(rest)) || restGuessable(string(rest), who)
}

// restGuessable reports whether zxcvbn, seeing all of what is left besides
// the user's words, rates it at most 1 (under a million guesses): a few
// dictionary words or a date ("ismyname", "loveshorses", "09121906").
func restGuessable(rest string, who Personal) bool {
	if utf8.RuneCountInString(rest) > zxcvbnMax {
		return false
	}
	sc, ok := score(rest, who)
	return ok && sc <= 1
}

// matchesWord reports whether typed spells w, each character as itself or
// as a leetspeak stand-in for it.
func matchesWord(typed, w []rune) bool {
	for i, r := range typed {
		if r != w[i] && !strings.ContainsRune(leet[r], w[i]) {
			return false
		}
	}
	return true
}
