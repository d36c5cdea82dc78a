package password

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
	"golang.org/x/text/unicode/norm"

	"gatehouse/internal/i18n"
)

// Policy is what a new password must satisfy. Lengths count Unicode code
// points of the NFKC form; nothing else is changed (no trim, no case fold).
type Policy struct {
	MinLength int
	MaxLength int
	// RequireComposition demands a lower-case letter, an upper-case letter,
	// a digit and a symbol. Off by default (rule 15): the checklist only
	// advises them unless an operator turns this on.
	RequireComposition bool
}

// Personal is the user's own data a password must not be built from.
type Personal struct {
	Email, FirstName, LastName, Company string
}

// Problems maps the form field concerned ("password", "password_confirm")
// to why it is refused.
type Problems map[string]i18n.Message

// Evaluation is what the live checklist and strength meter show.
type Evaluation struct {
	Length                                  int // code points after NFKC
	MinLength                               int
	LongEnough                              bool
	NotTooLong                              bool
	HasLower, HasUpper, HasDigit, HasSymbol bool
	NotCommon                               bool
	NotPersonal                             bool
	Score                                   int  // zxcvbn 0..4, with the user's data as extra dictionary words
	Acceptable                              bool // Check would accept it (ignoring confirmation)
}

// Check returns the reasons pw is refused, or nil. The length checks come
// first and are cheap, so very long input never reaches the hasher; then
// the blocklist, the user's own data and, if required, composition.
func (p Policy) Check(pw, confirm string, who Personal) Problems {
	out := Problems{}
	if m, bad := p.problem(pw, who); bad {
		out["password"] = m
	}
	if pw != confirm {
		out["password_confirm"] = i18n.Msg("error.password.mismatch")
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// Normalize is the one form of a password that is counted, checked, hashed
// and verified (rule 17): NFKC, and nothing else (no trim, no case fold).
// Counting one form and hashing another would let a password be set that
// can never sign in.
func Normalize(pw string) string { return norm.NFKC.String(pw) }

// maxComposed is the most code points that NFKC composes into one (U+1F82,
// ᾂ, is four as NFD): a string of more than maxComposed*MaxLength code
// points, or maxComposed*UTFMax*MaxLength bytes, is over MaxLength in any
// form, so TooLong can refuse it without normalising.
const maxComposed = 4

// TooLong reports whether pw is over MaxLength code points in its
// normalised form, the same count Check applies when a password is set.
// Sign-in and password change call it before hashing: no stored password
// can be longer, and very long input never reaches argon2id.
func (p Policy) TooLong(pw string) bool {
	_, _, over := p.measure(pw)
	return over
}

// measure is pw's normalised form, its length in code points and whether
// that is over MaxLength; very long input is judged by its size alone and
// comes back without its form.
func (p Policy) measure(pw string) (s string, n int, over bool) {
	if len(pw) > maxComposed*utf8.UTFMax*p.MaxLength {
		return "", 0, true
	}
	s = Normalize(pw)
	n = utf8.RuneCountInString(s)
	return s, n, n > p.MaxLength
}

// problem is the first reason pw is refused, in Check's order.
func (p Policy) problem(pw string, who Personal) (i18n.Message, bool) {
	if pw == "" {
		return i18n.Msg("error.password.required"), true
	}
	s, n, over := p.measure(pw)
	switch {
	case over:
		return i18n.Message{ID: "error.password.too_long", Data: map[string]any{"Max": p.MaxLength}}, true
	case n < p.MinLength:
		return i18n.Message{ID: "error.password.too_short", Data: map[string]any{"Min": p.MinLength}}, true
	case isCommon(s):
		return i18n.Msg("error.password.common"), true
	case personalPart(s, who) != "":
		return i18n.Msg("error.password.personal"), true
	case p.RequireComposition && !composition(s).all():
		return i18n.Msg("error.password.composition"), true
	}
	return i18n.Message{}, false
}

// Evaluate reports, item by item, how pw fares against the policy, with a
// zxcvbn strength score, for the live checklist and strength meter. It
// accepts any input, however long or malformed.
func (p Policy) Evaluate(pw string, who Personal) Evaluation {
	s := Normalize(pw)
	n := utf8.RuneCountInString(s)
	c := composition(s)
	e := Evaluation{
		Length:      n,
		MinLength:   p.MinLength,
		LongEnough:  n > 0 && n >= p.MinLength,
		NotTooLong:  n <= p.MaxLength,
		HasLower:    c.lower,
		HasUpper:    c.upper,
		HasDigit:    c.digit,
		HasSymbol:   c.symbol,
		NotCommon:   !isCommon(s),
		NotPersonal: personalPart(s, who) == "",
	}
	e.Acceptable = pw != "" && e.LongEnough && e.NotTooLong && e.NotCommon && e.NotPersonal &&
		(!p.RequireComposition || c.all())
	e.Score = score(s, who)
	if !e.NotCommon || !e.NotPersonal {
		e.Score = min(e.Score, 1)
	}
	return e
}

// zxcvbnMax bounds the code points given to zxcvbn. Its leet matching
// explodes on input packed with substitutable symbols (over a second at 100
// code points, a third of one at 50), and the meter runs as people type; a
// longer password scores by its first zxcvbnMax code points, which is
// already more than a 4 needs.
const zxcvbnMax = 32

// zxcvbnSlots bounds how many zxcvbn runs share the CPU; a caller that
// finds none free gets a cheap estimate instead of queueing.
var zxcvbnSlots = make(chan struct{}, 2)

// score is zxcvbn's 0..4 for the NFKC form s, with the user's data as
// extra dictionary words.
func score(s string, who Personal) int {
	if s == "" {
		return 0
	}
	select {
	case zxcvbnSlots <- struct{}{}:
		defer func() { <-zxcvbnSlots }()
	default:
		return estimate(s)
	}
	if utf8.RuneCountInString(s) > zxcvbnMax {
		i := 0
		for range zxcvbnMax {
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
		}
		s = s[:i]
	}
	return min(max(zxcvbn.PasswordStrength(s, userWords(who)).Score, 0), 4)
}

// estimate is a rough score from length and variety, for when zxcvbn is
// busy; the caller has already ruled out common and personal passwords.
func estimate(s string) int {
	c := composition(s)
	kinds := 0
	for _, b := range []bool{c.lower, c.upper, c.digit, c.symbol} {
		if b {
			kinds++
		}
	}
	n := utf8.RuneCountInString(s)
	switch {
	case n >= 20 || (n >= 15 && kinds >= 3):
		return 4
	case n >= 15:
		return 3
	case n >= 12:
		return 2
	case n >= 8:
		return 1
	}
	return 0
}

// userWords is the user's data as zxcvbn dictionary words: each field
// whole, and its words (the pieces of "grace.hopper", "Remington Rand").
func userWords(who Personal) []string {
	local, domain, _ := strings.Cut(who.Email, "@")
	var out []string
	seen := map[string]bool{}
	add := func(w string) {
		w = strings.ToLower(norm.NFKC.String(strings.TrimSpace(w)))
		if w != "" && !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	for _, f := range []string{who.Email, local, domain, who.FirstName, who.LastName, who.Company} {
		words := strings.FieldsFunc(f, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		add(f)
		add(strings.Join(words, "")) // "remingtonrand"
		for _, w := range words {
			add(w)
		}
	}
	return out
}

// personalPart returns the piece of the user's own data that pw is built
// around, if any: the password minus that piece would be short.
func personalPart(pw string, who Personal) string {
	lower := strings.ToLower(norm.NFKC.String(pw))
	local, _, _ := strings.Cut(who.Email, "@")
	for _, part := range []string{local, who.FirstName, who.LastName, who.Company} {
		part = strings.ToLower(norm.NFKC.String(strings.TrimSpace(part)))
		if utf8.RuneCountInString(part) < 4 || !strings.Contains(lower, part) {
			continue
		}
		rest := strings.ReplaceAll(lower, part, "")
		if utf8.RuneCountInString(rest) < 8 {
			return part
		}
	}
	return ""
}

// Character classes for the composition checklist and for stripping the
// digits and symbols appended to a common password.
type class uint8

const (
	classOther  class = iota // control characters, marks, letters without case
	classLower               // a lower-case letter
	classUpper               // an upper-case or title-case letter
	classDigit               // a decimal digit
	classSymbol              // anything else printable: punctuation, symbols, spaces, emoji
)

func classOf(r rune) class {
	switch {
	case unicode.IsLower(r):
		return classLower
	case unicode.IsUpper(r), unicode.IsTitle(r):
		return classUpper
	case unicode.IsDigit(r):
		return classDigit
	case unicode.IsLetter(r), unicode.IsMark(r), unicode.IsControl(r):
		return classOther
	}
	return classSymbol
}

type classes struct{ lower, upper, digit, symbol bool }

func (c classes) all() bool { return c.lower && c.upper && c.digit && c.symbol }

func composition(s string) classes {
	var c classes
	for _, r := range s {
		switch classOf(r) {
		case classLower:
			c.lower = true
		case classUpper:
			c.upper = true
		case classDigit:
			c.digit = true
		case classSymbol:
			c.symbol = true
		}
		if c.all() {
			break
		}
	}
	return c
}
