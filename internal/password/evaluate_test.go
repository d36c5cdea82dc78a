package password

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

var grace = Personal{
	Email:     "grace.hopper@navy.example",
	FirstName: "Grace",
	LastName:  "Hopper",
	Company:   "Remington Rand",
}

// Rule 15: the checklist shows each item separately, from the same policy
// code the server enforces.
func TestEvaluateFields(t *testing.T) {
	composed := Policy{MinLength: 15, MaxLength: 256, RequireComposition: true}
	type ev = Evaluation
	tests := []struct {
		name string
		p    Policy
		pw   string
		want Evaluation // Score is checked separately
	}{
		{"empty", defaultPolicy, "",
			ev{Length: 0, MinLength: 15, NotTooLong: true, NotCommon: true, NotPredictable: true, NotPersonal: true}},
		{"short, all classes", defaultPolicy, "aB3$",
			ev{Length: 4, MinLength: 15, NotTooLong: true, HasLower: true, HasUpper: true, HasDigit: true, HasSymbol: true, NotCommon: true, NotPredictable: true, NotPersonal: true}},
		{"passphrase", defaultPolicy, "correct horse battery staple",
			ev{Length: 28, MinLength: 15, LongEnough: true, NotTooLong: true, HasLower: true, HasSymbol: true, NotCommon: true, NotPredictable: true, NotPersonal: true, Acceptable: true}},
		{"passphrase, composition required", composed, "correct horse battery staple",
			ev{Length: 28, MinLength: 15, LongEnough: true, NotTooLong: true, HasLower: true, HasSymbol: true, NotCommon: true, NotPredictable: true, NotPersonal: true}},
		{"all classes, composition required", composed, "Correct horse battery staple 9",
			ev{Length: 30, MinLength: 15, LongEnough: true, NotTooLong: true, HasLower: true, HasUpper: true, HasDigit: true, HasSymbol: true, NotCommon: true, NotPredictable: true, NotPersonal: true, Acceptable: true}},
		{"common", defaultPolicy, "Password12345678",
			ev{Length: 16, MinLength: 15, LongEnough: true, NotTooLong: true, HasLower: true, HasUpper: true, HasDigit: true, NotPersonal: true}},
		{"personal", defaultPolicy, "grace.hopper1906!",
			ev{Length: 17, MinLength: 15, LongEnough: true, NotTooLong: true, HasLower: true, HasDigit: true, HasSymbol: true, NotCommon: true, NotPredictable: true}},
		{"too long", Policy{MinLength: 8, MaxLength: 64}, strings.Repeat("Ab1!", 17),
			ev{Length: 68, MinLength: 8, LongEnough: true, HasLower: true, HasUpper: true, HasDigit: true, HasSymbol: true, NotCommon: true, NotPredictable: true, NotPersonal: true}},
		{"decomposed é counts once", defaultPolicy, acute(15),
			ev{Length: 15, MinLength: 15, LongEnough: true, NotTooLong: true, HasLower: true, NotCommon: true, NotPredictable: true, NotPersonal: true, Acceptable: true}},
		{"full-width digits are digits", defaultPolicy, "ｐａｓｓ ｗｏｒｄ ｆｏｒ ｍｅ １２",
			ev{Length: 19, MinLength: 15, LongEnough: true, NotTooLong: true, HasLower: true, HasDigit: true, HasSymbol: true, NotCommon: true, NotPredictable: true, NotPersonal: true, Acceptable: true}},
		{"CJK has no case, emoji is a symbol", defaultPolicy, varied('漢', 14) + "😀",
			ev{Length: 15, MinLength: 15, LongEnough: true, NotTooLong: true, HasSymbol: true, NotCommon: true, NotPredictable: true, NotPersonal: true, Acceptable: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.p.Evaluate(tt.pw, grace)
			got.Score = 0
			tt.want.MaxLength = tt.p.MaxLength
			tt.want.CompositionRequired = tt.p.RequireComposition
			if got != tt.want {
				t.Errorf("Evaluate(%q)\n got %+v\nwant %+v", tt.pw, got, tt.want)
			}
		})
	}
}

// The meter's score: zxcvbn, with the user's data as dictionary words, and
// never above 1 for a password the policy refuses as common or personal.
func TestEvaluateScore(t *testing.T) {
	tests := []struct {
		name     string
		pw       string
		min, max int
	}{
		{"random 20 characters", "k8#Vq2!zR7mW@x4Lp9$T", 4, 4},
		{"another random 20", "x7Kp!2vQz#9mLw$4hT6e", 4, 4},
		{"long passphrase", "correct horse battery staple", 3, 4},
		{"repeated letter", "aaaaaaaaaaaaaaa", 0, 1},
		{"sequence", "abcdefghijklmnop", 0, 1},
		{"keyboard walk", "qwertyuiopasdfgh", 0, 2},
		{"common, forced down", "Password12345678", 0, 1},
		{"personal, forced down", "grace.hopper1906!", 0, 1},
		{"company as a dictionary word", "RemingtonRand2024", 0, 2},
		{"empty", "", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := defaultPolicy.Evaluate(tt.pw, grace).Score
			if got < tt.min || got > tt.max {
				t.Errorf("Score(%q) = %d, want %d..%d", tt.pw, got, tt.min, tt.max)
			}
		})
	}
	// The user's data lowers the score of a password built around it.
	if with, without := defaultPolicy.Evaluate("RemingtonRand2024", grace).Score,
		defaultPolicy.Evaluate("RemingtonRand2024", Personal{}).Score; with >= without {
		t.Errorf("score with the user's data %d, want below %d without it", with, without)
	}
}

// zxcvbn sees at most 100 code points, so huge input stays fast, and
// Evaluate still reports the true length.
func TestEvaluateLongInput(t *testing.T) {
	for _, pw := range []string{
		strings.Repeat("a", 100000),
		strings.Repeat("k8#Vq2!zR7mW@x4Lp9$T", 5000),
		strings.Repeat("😀", 20000),
		strings.Repeat("e\u0301", 20000),
	} {
		start := time.Now()
		e := defaultPolicy.Evaluate(pw, grace)
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("Evaluate of %d bytes took %v", len(pw), took)
		}
		if want := utf8.RuneCountInString(norm.NFKC.String(pw)); e.Length != want {
			t.Errorf("Length = %d, want %d", e.Length, want)
		}
		if e.NotTooLong || e.Acceptable {
			t.Errorf("Evaluate of %d code points: NotTooLong %v Acceptable %v, want false", e.Length, e.NotTooLong, e.Acceptable)
		}
	}
}

// Evaluate and Check agree: Acceptable is exactly "Check has nothing to say
// about the password field".
func TestEvaluateAgreesWithCheck(t *testing.T) {
	pws := []string{"", "short", "password", "Password12345678", "correct horse battery staple",
		"Correct horse battery staple 9", "grace.hopper1906!", strings.Repeat("a", 257), "aaaaaaaaaaaaaaa"}
	for _, p := range []Policy{defaultPolicy, {MinLength: 8, MaxLength: 64, RequireComposition: true}} {
		for _, pw := range pws {
			checkEvaluate(t, p, pw, grace)
		}
	}
}

func checkEvaluate(t *testing.T, p Policy, pw string, who Personal) {
	t.Helper()
	e := p.Evaluate(pw, who)
	_, refused := p.Check(pw, pw, who)["password"]
	if e.Acceptable == refused {
		t.Errorf("Evaluate(%q).Acceptable = %v but Check refused = %v (policy %+v)", pw, e.Acceptable, refused, p)
	}
	if e.Score < 0 || e.Score > 4 {
		t.Errorf("Evaluate(%q).Score = %d, want 0..4", pw, e.Score)
	}
	if (!e.NotCommon || !e.NotPersonal) && e.Score > 1 {
		t.Errorf("Evaluate(%q).Score = %d for a common or personal password, want ≤ 1", pw, e.Score)
	}
	if e.Acceptable && (!e.LongEnough || !e.NotTooLong || !e.NotCommon || !e.NotPersonal) {
		t.Errorf("Evaluate(%q) = %+v: acceptable with a failed item", pw, e)
	}
	if e.Length != utf8.RuneCountInString(norm.NFKC.String(pw)) || e.MinLength != p.MinLength {
		t.Errorf("Evaluate(%q) = %+v: wrong Length or MinLength", pw, e)
	}
}

// Evaluate runs on whatever the browser sends: it must never panic, and it
// must agree with Check. The seeds run as part of go test.
func FuzzEvaluate(f *testing.F) {
	for _, s := range []struct{ pw, email, name string }{
		{"", "", ""},
		{"correct horse battery staple", "grace.hopper@navy.example", "Remington Rand"},
		{"Password12345678", "a@b", "Grace"},
		{"grace.hopper1906!", "grace.hopper@navy.example", "Hopper"},
		{"\xff\xfe invalid utf-8 \xc3", "\xff@\xfe", "\xc3"},
		{"e\u0301e\u0301e\u0301e\u0301e\u0301e\u0301e\u0301e\u0301", "café@x", "Ame\u0301lie"},
		{"\u0130stanbul nights 1453!", "\u0130stanbul@x", "\u0130"},
		{"ﬁﬁﬁﬁﬁﬁﬁﬁﬁﬁﬁﬁﬁﬁﬁ", "ﬁ@ﬁ", "ﬁ"},
		{"😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀1", "😀@😀", "😀"},
		{"ǅemal Ǆ ǆ titlecase 12", "", ""},
		{"4p@$$w0rd|!1l7+(", "", ""},
		{"19/12/1906 01-01-2000 2019", "", ""},
		{strings.Repeat("z", 300), "", ""},
		{"\x00\x01\t\n\r password", "", ""},
	} {
		f.Add(s.pw, s.email, s.name)
	}
	policies := []Policy{defaultPolicy, {MinLength: 8, MaxLength: 64, RequireComposition: true}}
	f.Fuzz(func(t *testing.T, pw, email, name string) {
		who := Personal{Email: email, FirstName: name, LastName: name, Company: name}
		for _, p := range policies {
			checkEvaluate(t, p, pw, who)
		}
	})
}

// Rule 15: composition is not required by default; when an operator turns
// it on, each missing class is refused with error.password.composition.
func TestPolicyComposition(t *testing.T) {
	on := Policy{MinLength: 15, MaxLength: 256, RequireComposition: true}
	tests := []struct {
		name, pw string
		ok       bool
	}{
		{"all four", "Correct horse battery staple 9", true},
		{"symbol is punctuation", "Tremendouspurplegiraffe9!", true},
		{"symbol is an emoji", "Tremendouspurplegiraffe9😀", true},
		{"no lower-case", "CORRECT HORSE BATTERY STAPLE 9", false},
		{"no upper-case", "correct horse battery staple 9", false},
		{"no digit", "Correct horse battery staple!", false},
		{"no symbol", "TremendousPurpleGiraffe9", false},
		{"full-width digit counts (NFKC)", "Correct horse battery staple ９", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if probs := defaultPolicy.Check(tt.pw, tt.pw, Personal{}); probs != nil {
				t.Errorf("composition off: Check(%q) = %+v, want accepted", tt.pw, probs)
			}
			probs := on.Check(tt.pw, tt.pw, Personal{})
			if tt.ok && probs != nil {
				t.Errorf("composition on: Check(%q) = %+v, want accepted", tt.pw, probs)
			}
			if !tt.ok && probs["password"].ID != "error.password.composition" {
				t.Errorf("composition on: Check(%q) = %+v, want error.password.composition", tt.pw, probs)
			}
		})
	}
}

// Check reports one problem for the password field, in a fixed order:
// required / too short / too long, then common, personal, composition.
func TestPolicyOrder(t *testing.T) {
	p := Policy{MinLength: 15, MaxLength: 30, RequireComposition: true}
	who := Personal{FirstName: "Password", Company: "Sunshine Works"}
	tests := []struct{ name, pw, want string }{
		{"short beats common", "password", "error.password.too_short"},
		{"long beats everything", strings.Repeat("password", 4), "error.password.too_long"},
		{"common beats personal and composition", "password12345678", "error.password.common"},
		{"personal beats composition", "sunshine works 12", "error.password.personal"},
		{"composition last", "correct horse battery staple", "error.password.composition"},
	}
	for _, tt := range tests {
		if got := p.Check(tt.pw, tt.pw, who)["password"].ID; got != tt.want {
			t.Errorf("%s: Check(%q) = %q, want %q", tt.name, tt.pw, got, tt.want)
		}
	}
}

// BenchmarkEvaluate is one keystroke's worth of checklist work on a typical
// password, zxcvbn included.
func BenchmarkEvaluate(b *testing.B) {
	loadBlocklist()
	b.ReportAllocs()
	for b.Loop() {
		defaultPolicy.Evaluate("correct horse battery staple", grace)
	}
}
