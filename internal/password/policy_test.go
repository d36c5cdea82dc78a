package password

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// defaultPolicy is the shipped setting: 15 to 256 code points.
var defaultPolicy = Policy{MinLength: 15, MaxLength: 256}

// Rule 14: length is counted in Unicode code points of the NFKC form, the
// minimum is enforced, and the maximum is an error, never truncation.
// Rule 15: no composition rules by default.
func TestPolicyLength(t *testing.T) {
	tests := []struct {
		name   string
		pw     string
		wantID string // "" means accepted
		data   map[string]any
	}{
		{"empty", "", "error.password.required", nil},
		{"14 ASCII", strings.Repeat("a", 14), "error.password.too_short", map[string]any{"Min": 15}},
		{"15 ASCII", "kq7#vmz2!pwlx9t", "", nil},
		{"15 lower-case letters only, no composition rule", "onlylowercaseok", "", nil},
		{"14 emoji (56 bytes)", varied('😀', 14), "error.password.too_short", map[string]any{"Min": 15}},
		{"15 emoji (60 bytes)", varied('😀', 15), "", nil},
		{"14 CJK (42 bytes)", varied('漢', 14), "error.password.too_short", map[string]any{"Min": 15}},
		{"15 CJK (45 bytes)", varied('漢', 15), "", nil},
		// 28 code points as typed, 14 after NFKC composes each letter + U+0301.
		{"14 decomposed accents", acute(14), "error.password.too_short", map[string]any{"Min": 15}},
		{"15 decomposed accents", acute(15), "", nil},
		{"15 spaces are 15 characters, and a pattern", strings.Repeat(" ", 15), "error.password.predictable", nil},
		{"spaces count", "k q 7 # v m z 2", "", nil},
		{"256 at the maximum", varied('一', 256), "", nil},
		{"257 over the maximum", strings.Repeat("a", 257), "error.password.too_long", map[string]any{"Max": 256}},
		{"257 emoji over the maximum", strings.Repeat("😀", 257), "error.password.too_long", map[string]any{"Max": 256}},
		{"very long input", strings.Repeat("a", 100000), "error.password.too_long", map[string]any{"Max": 256}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			probs := defaultPolicy.Check(tt.pw, tt.pw, Personal{})
			got, bad := probs["password"]
			if tt.wantID == "" {
				if probs != nil {
					t.Fatalf("Check refused a valid password: %+v", probs)
				}
				return
			}
			if !bad || got.ID != tt.wantID {
				t.Fatalf("Check problems = %+v, want password: %s", probs, tt.wantID)
			}
			for k, v := range tt.data {
				if got.Data[k] != v {
					t.Errorf("%s data %s = %v, want %v", got.ID, k, got.Data[k], v)
				}
			}
			if _, ok := probs["password_confirm"]; ok {
				t.Errorf("matching confirmation reported as a mismatch: %+v", probs)
			}
		})
	}
}

// Rule 14: the minimum is configurable (down to 8) and Check honours it.
func TestPolicyConfiguredMinimum(t *testing.T) {
	p := Policy{MinLength: 8, MaxLength: 64}
	if probs := p.Check("k8#Vq2!z", "k8#Vq2!z", Personal{}); probs != nil {
		t.Errorf("8 characters with MinLength 8 refused: %+v", probs)
	}
	if probs := p.Check("abcdefg", "abcdefg", Personal{}); probs["password"].ID != "error.password.too_short" {
		t.Errorf("7 characters with MinLength 8: %+v, want too_short", probs)
	}
	if probs := p.Check(strings.Repeat("a", 65), strings.Repeat("a", 65), Personal{}); probs["password"].ID != "error.password.too_long" {
		t.Errorf("65 characters with MaxLength 64: %+v, want too_long", probs)
	}
}

// Rule 18: the new password is entered twice; a mismatch is reported on
// the confirmation field.
func TestPolicyConfirmation(t *testing.T) {
	const pw = "correct horse battery staple"
	tests := []struct {
		name, pw, confirm string
		wantPassword      string
		wantConfirm       bool
	}{
		{"match", pw, pw, "", false},
		{"mismatch", pw, pw + "!", "", true},
		{"confirm empty", pw, "", "", true},
		{"trailing space is a mismatch", pw, pw + " ", "", true},
		{"case is a mismatch", pw, strings.ToUpper(pw), "", true},
		{"both problems", "short", "other", "error.password.too_short", true},
		{"empty both", "", "", "error.password.required", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			probs := defaultPolicy.Check(tt.pw, tt.confirm, Personal{})
			if got := probs["password"].ID; got != tt.wantPassword {
				t.Errorf("password problem = %q, want %q", got, tt.wantPassword)
			}
			m, ok := probs["password_confirm"]
			if ok != tt.wantConfirm || (ok && m.ID != "error.password.mismatch") {
				t.Errorf("password_confirm problem = %+v (present %v), want present %v with error.password.mismatch", m, ok, tt.wantConfirm)
			}
		})
	}
}

// Rule 16: passwords built from the user's own data (name, company, email)
// are refused with the reason; a long passphrase that merely contains a
// short name is fine.
func TestPolicyPersonal(t *testing.T) {
	who := Personal{
		Email:     "grace.hopper@navy.example",
		FirstName: "Maximiliane",
		LastName:  "Hopper",
		Company:   "Remington Rand",
	}
	tests := []struct {
		name    string
		pw      string
		refused bool
	}{
		{"email local part plus digits", "grace.hopper1906", true},
		{"email local part upper case", "GRACE.HOPPER1906!", true},
		{"company plus a few", "Remington Rand 42", true},
		{"company repeated", "remington randremington rand", true},
		{"first name plus a few", "Maximiliane2024!", true},
		{"first name repeated", "MaximilianeMaximiliane", true},
		{"full-width company (NFKC)", "\uff32emington \uff32and!!", true},
		{"passphrase containing the last name", "correct hopper horse battery staple", false},
		{"passphrase containing the company", "the remington rand typewriter clacks all night long", false},
		{"unrelated", "correct horse battery staple", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			probs := defaultPolicy.Check(tt.pw, tt.pw, who)
			if tt.refused {
				if probs["password"].ID != "error.password.personal" {
					t.Errorf("Check(%q) = %+v, want error.password.personal", tt.pw, probs)
				}
				return
			}
			if probs != nil {
				t.Errorf("Check(%q) = %+v, want accepted", tt.pw, probs)
			}
		})
	}
}

// Rule 16 with rule 17: the user's data is compared in the same NFKC form as
// the password, so a name stored decomposed (as some keyboards send it)
// still matches a password typed precomposed.
func TestPolicyPersonalNormalised(t *testing.T) {
	who := Personal{Company: "Cafe\u0301 Ame\u0301lie Paris"} // decomposed é
	pw := "caf\u00e9 am\u00e9lie paris!"                      // precomposed é
	probs := defaultPolicy.Check(pw, pw, who)
	if probs["password"].ID != "error.password.personal" {
		t.Errorf("a password built from the decomposed company name was accepted: %v", probs)
	}
}

// BenchmarkEvaluatePathological measures the meter on input built to slow
// zxcvbn down (its leet matching); zxcvbnMax keeps it to milliseconds.
func BenchmarkEvaluatePathological(b *testing.B) {
	pw := strings.Repeat("4@8({[<369!|$", 20)
	for b.Loop() {
		defaultPolicy.Evaluate(pw, Personal{})
	}
}

// Rules 14 and 17: TooLong, which sign-in and password change apply before
// hashing, counts exactly as Check does when a password is set, so no
// password can be accepted that sign-in then refuses as too long (or the
// other way round). The cases differ in length as typed and after NFKC.
func TestTooLongAgreesWithCheck(t *testing.T) {
	p := Policy{MinLength: 15, MaxLength: 64}
	tests := []struct {
		name string
		pw   string
		over bool
	}{
		{"64 ASCII", strings.Repeat("abcdefgh", 8), false},
		{"65 ASCII", strings.Repeat("abcdefgh", 8) + "x", true},
		// Longer as typed than after NFKC: each e + U+0301 composes to é.
		{"120 typed, 60 after NFKC", strings.Repeat("e\u0301", 60), false},
		{"128 typed, 64 after NFKC", strings.Repeat("e\u0301", 64), false},
		{"130 typed, 65 after NFKC", strings.Repeat("e\u0301", 65), true},
		{"ᾂ decomposed: 4 typed, 1 after NFKC", strings.Repeat("\u03b1\u0313\u0300\u0345", 64), false},
		// Shorter as typed than after NFKC: ligatures and squared words expand.
		{"40 ﬀ typed, 80 after NFKC", strings.Repeat("\ufb00", 40), true},
		{"32 ﬀ typed, 64 after NFKC", strings.Repeat("\ufb00", 32), false},
		{"22 ㍻ typed, 44 after NFKC", strings.Repeat("\u337b", 22), false},
		{"33 ㍻ typed, 66 after NFKC", strings.Repeat("\u337b", 33), true},
		{"4 ﷺ typed, 72 after NFKC", strings.Repeat("\ufdfa", 4), true},
		{"huge", strings.Repeat("x", 1<<20), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.TooLong(tt.pw); got != tt.over {
				t.Errorf("TooLong = %v, want %v (%d code points after NFKC)", got, tt.over, utf8.RuneCountInString(Normalize(tt.pw)))
			}
			refused := p.Check(tt.pw, tt.pw, Personal{})["password"].ID == "error.password.too_long"
			if refused != tt.over {
				t.Errorf("Check refused as too long = %v, want %v", refused, tt.over)
			}
			if e := p.Evaluate(tt.pw, Personal{}); e.NotTooLong == tt.over {
				t.Errorf("Evaluate NotTooLong = %v, want %v", e.NotTooLong, !tt.over)
			}
		})
	}
}

// TooLong refuses input by its size alone when it is more bytes than any
// password of MaxLength code points could be typed in. That holds only if
// NFKC composes no more than maxComposed code points into one: check every
// code point's canonical decomposition.
func TestMaxComposed(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		if n := utf8.RuneCountInString(norm.NFD.String(string(r))); n > maxComposed {
			t.Fatalf("%U decomposes to %d code points, more than maxComposed %d", r, n, maxComposed)
		}
	}
}

// Normalize is NFKC and nothing else: no trim, no case fold.
func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		" Ab\u00a0":       " Ab ",
		"e\u0301":         "\u00e9",
		"\ufb00":          "ff",
		"\uff30\uff37":    "PW",
		"\u337b":          "平成",
		"correct horse  ": "correct horse  ",
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

// varied is n code points from base on, in an order with no runs,
// sequences or repeats for the pattern check to find.
func varied(base rune, n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteRune(base + rune(i*7%31+i/31*37))
	}
	return b.String()
}

// acute is n letters, each typed as a base letter and a combining acute
// accent: 2n code points as typed, n after NFKC.
func acute(n int) string {
	const bases = "aeiouycnszgklmprw" // all have a precomposed acute form
	var b strings.Builder
	for i := range n {
		b.WriteByte(bases[i*5%len(bases)])
		b.WriteRune('\u0301')
	}
	return b.String()
}
