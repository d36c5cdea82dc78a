package password

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// Rule 16: the blocklist ships with the binary, holds at least the 10,000
// most common passwords in rank order, and is stored lower-case in NFKC.
func TestBlocklistShipped(t *testing.T) {
	b := loadBlocklist()
	if b.entries < 10000 {
		t.Fatalf("blocklist has %d entries, want at least 10,000", b.entries)
	}
	lines := strings.Split(strings.TrimSuffix(commonText, "\n"), "\n")
	if len(lines) != b.entries {
		t.Errorf("common.txt has %d lines but %d distinct entries", len(lines), b.entries)
	}
	for i, want := range []string{"123456", "password", "12345678", "qwerty", "123456789"} {
		if lines[i] != want {
			t.Errorf("common.txt line %d = %q, want %q (rank order)", i+1, lines[i], want)
		}
	}
	for i, l := range lines {
		if l == "" || l != strings.ToLower(norm.NFKC.String(l)) || strings.ContainsAny(l, " \t\r") {
			t.Fatalf("common.txt line %d = %q: want one lower-case NFKC password", i+1, l)
		}
	}
}

// The committed list is exactly what the committed generator makes from the
// source in the module cache, so nobody edits one without the other.
func TestBlocklistGeneratorCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command:", err)
	}
	out := filepath.Join(t.TempDir(), "common.txt")
	cmd := exec.Command(goCmd, "run", "./gen", "-o", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run ./gen: %v\n%s", err, msg)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, []byte(commonText)) {
		t.Errorf("common.txt is stale: the generator now writes %d bytes, the committed file has %d; run go generate ./internal/password",
			len(got), len(commonText))
	}
}

// Rule 16: common passwords are refused whatever their case or width, and so
// are listed passwords with digits and symbols stuck on the end while the
// whole stays shorter than 20 code points.
func TestIsCommon(t *testing.T) {
	tests := []struct {
		pw     string
		common bool
	}{
		{"password", true},
		{"Password", true},
		{"PASSWORD", true},
		{"Password1", true},
		{"qwerty123", true},
		{"password123!", true},          // "password123" is listed
		{"Password!!!!", true},          // core "password"
		{"dragon2024", true},            // core "dragon"
		{"Dragon 2024!", true},          // space counts as a symbol
		{"monkey123456789!", true},      // 16 code points
		{"123456789012345", true},       // core "1234567890"
		{"1qaz2wsx3edc4rfv", true},      // a listed 16-character password
		{"123456789987654321", true},    // a listed 18-character password
		{"qwertyuiop12345", true},       // a listed 15-character password
		{"ｐａｓｓｗｏｒｄ１２３", true},           // full-width, NFKC makes it password123
		{"password12345678901", true},   // 19 code points
		{"password123456789012", false}, // 20 code points: long enough to pass
		{"passwordxyzq", false},         // letters appended, not digits or symbols
		{"xpassword1", false},           // only the end is stripped
		{"correct horse battery staple", false},
		{"onlylowercaseok", false},
		{"aaaaaaaaaaaaaaa", false}, // not listed (zxcvbn scores it instead)
		{"", false},
		{strings.Repeat("password", 1000), false},
	}
	for _, tt := range tests {
		if got := isCommon(norm.NFKC.String(tt.pw)); got != tt.common {
			t.Errorf("isCommon(%q) = %v, want %v", tt.pw, got, tt.common)
		}
	}
}

// A listed password shorter than four code points does not make everything
// that starts with it common.
func TestIsCommonMinimumCore(t *testing.T) {
	b := loadBlocklist()
	if !b.has("dog") {
		t.Fatal(`"dog" is no longer listed; pick another three-letter entry`)
	}
	pw := "dog" + strings.Repeat("8", 13)
	for i := len("dog") + 1; i <= len(pw); i++ {
		if b.has(pw[:i]) {
			t.Fatalf("%q is listed; pick another example", pw[:i])
		}
	}
	if isCommon(pw) {
		t.Errorf("isCommon(%q) = true, want false: a three-letter core is too short to count", pw)
	}
}

func TestPolicyCommon(t *testing.T) {
	short := Policy{MinLength: 8, MaxLength: 64}
	tests := []struct {
		name string
		p    Policy
		pw   string
	}{
		{"password", short, "password"},
		{"Password1", short, "Password1"},
		{"qwerty123", short, "qwerty123"},
		{"password123!", short, "password123!"},
		{"full-width password", short, "ｐａｓｓｗｏｒｄ"},
		{"15 digits", defaultPolicy, "123456789012345"},
		{"listed 16 characters", defaultPolicy, "1qaz2wsx3edc4rfv"},
		{"listed word with a long tail", defaultPolicy, "Password12345678"},
		{"symbols only after the word", defaultPolicy, "sunshine!!!!!!!!"},
		{"listed variant repeated", defaultPolicy, "password123!password123!"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			probs := tt.p.Check(tt.pw, tt.pw, Personal{})
			if probs["password"].ID != "error.password.common" {
				t.Errorf("Check(%q) = %+v, want error.password.common", tt.pw, probs)
			}
		})
	}
	for _, pw := range []string{
		"correct horse battery staple",
		"Tr0ub4dor&3 is not my password",
		"password123!sunflower fields", // 28 code points, not a trivial variant
	} {
		if probs := defaultPolicy.Check(pw, pw, Personal{}); probs != nil {
			t.Errorf("Check(%q) = %+v, want accepted", pw, probs)
		}
	}
}

// BenchmarkCheck measures Check on a mix of accepted, common, personal and
// over-long passwords, the blocklist already loaded.
func BenchmarkCheck(b *testing.B) {
	who := Personal{Email: "grace.hopper@navy.example", FirstName: "Grace", LastName: "Hopper", Company: "Remington Rand"}
	pws := []string{
		"correct horse battery staple",
		"Password12345678",
		"123456789012345",
		"grace.hopper1906!",
		"caf\u00e9 au lait, s'il vous pla\u00eet",
		strings.Repeat("a", 300),
	}
	loadBlocklist()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		pw := pws[i%len(pws)]
		defaultPolicy.Check(pw, pw, who)
	}
}

// BenchmarkIsCommon is the blocklist lookup alone, on a miss that walks the
// longest trailing run.
func BenchmarkIsCommon(b *testing.B) {
	loadBlocklist()
	b.ReportAllocs()
	for b.Loop() {
		isCommon("zebra!123456789#")
	}
}
