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
	MinLength, MaxLength                    int
	LongEnough                              bool
	NotTooLong                              bool
	HasLower, HasUpper, HasDigit, HasSymbol bool
	CompositionRequired                     bool // the four classes above are required, not advice
	NotCommon                               bool
	NotPredictable                          bool // not repeats, sequences, keyboard walks or zxcvbn's score 0
	NotPersonal                             bool
	Score                                   int  // zxcvbn 0..4, with the user's data as extra dictionary words
	Acceptable                              bool // Check would accept it (ignoring confirmation)
}

// Check returns the reasons pw is refused, or nil. The length checks come
// first and are cheap, so very long input never reaches the hasher; then
// the blocklist, patterns, the user's own data and, if required,
// composition.
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
	case p.isPredictable(s) || guessable(s, who):
		return i18n.Msg("error.password.predictable"), true
	case p.isPersonal(s, who):
		return i18n.Msg("error.password.personal"), true
	case p.RequireComposition && !composition(s).all():
		return i18n.Msg("error.password.composition"), true
	}
	return i18n.Message{}, false
}

// Evaluate reports, item by item, how pw fares against the policy, with a
// zxcvbn strength score, for the live checklist and strength meter. It
// accepts any input, however long or malformed, and its items are the very
// tests Check applies, so the checklist never promises what the server
// then refuses.
func (p Policy) Evaluate(pw string, who Personal) Evaluation {
	s := Normalize(pw)
	n := utf8.RuneCountInString(s)
	c := composition(s)
	sc := strength(s, who)
	e := Evaluation{
		Length:              n,
		MinLength:           p.MinLength,
		MaxLength:           p.MaxLength,
		LongEnough:          n > 0 && n >= p.MinLength,
		NotTooLong:          !p.TooLong(pw),
		HasLower:            c.lower,
		HasUpper:            c.upper,
		HasDigit:            c.digit,
		HasSymbol:           c.symbol,
		CompositionRequired: p.RequireComposition,
		NotCommon:           !isCommon(s),
		NotPredictable:      !p.isPredictable(s) && !guessable(s, who),
		NotPersonal:         !p.isPersonal(s, who),
	}
	e.Acceptable = pw != "" && e.LongEnough && e.NotTooLong && e.NotCommon && e.NotPredictable && e.NotPersonal &&
		(!p.RequireComposition || c.all())
	e.Score = sc
	if !e.NotCommon || !e.NotPredictable || !e.NotPersonal {
		e.Score = min(e.Score, 1)
	}
	return e
}

// zxcvbnMax bounds the code points given to zxcvbn. Its leet matching
// explodes on input packed with substitutable symbols (over a second at 100
// code points, a third of one at 50, a few milliseconds at 32); a longer
// password scores by its first zxcvbnMax code points, which is already
// more than a 4 needs, and zxcvbn's verdict only refuses passwords it saw
// whole.
const zxcvbnMax = 32

// zxcvbnSlots bounds how many zxcvbn runs share the CPU. Callers wait for
// a slot rather than fall back to a guess: the score is part of the
// policy, and the checklist must reach the same verdict as Check.
var zxcvbnSlots = make(chan struct{}, 2)

// guessable reports whether zxcvbn, seeing the whole NFKC form s, scores
// it 0 (fewer than a thousand guesses).
func guessable(s string, who Personal) bool {
	n := utf8.RuneCountInString(s)
	sc, ok := score(s, who)
	return ok && sc == 0 && n <= zxcvbnMax
}

// strength is the meter's 0..4 for the NFKC form s: zxcvbn's score, or a
// rough estimate where zxcvbn has none.
func strength(s string, who Personal) int {
	if sc, ok := score(s, who); ok {
		return sc
	}
	return estimate(s)
}

// score is zxcvbn's 0..4 for the NFKC form s, with the user's data as
// extra dictionary words. ok is false where zxcvbn has no real estimate:
// for some text in scripts other than Latin it reports zero guesses, and
// every password takes at least one.
func score(s string, who Personal) (sc int, ok bool) {
	if s == "" {
		return 0, false
	}
	zxcvbnSlots <- struct{}{}
	defer func() { <-zxcvbnSlots }()
	if utf8.RuneCountInString(s) > zxcvbnMax {
		i := 0
		for range zxcvbnMax {
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
		}
		s = s[:i]
	}
	r := zxcvbn.PasswordStrength(s, userWords(who))
	if r.Guesses < 1 {
		return 0, false
	}
	return min(max(r.Score, 0), 4), true
}

// estimate is a rough score from length and variety, for the text zxcvbn
// cannot score; the policy's own checks have judged it already.
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
