package token

import (
	"encoding/base64"
	"strings"
	"testing"
)

// Tokens arrive in links, cookies and form fields: whatever is sent,
// WellFormed never panics and passes only what New could have made.
func FuzzWellFormed(f *testing.F) {
	raw, _ := New()
	for _, s := range []string{raw, "", "abc", raw + "A", raw[:42], raw[:42] + "=", raw[:42] + "+", raw[:42] + "/",
		raw[:42] + "B", strings.Repeat("A", 43), strings.Repeat("_", 43), strings.Repeat("-", 44),
		base64.URLEncoding.EncodeToString(make([]byte, 32)), base64.StdEncoding.EncodeToString(make([]byte, 32)),
		strings.Repeat("\xff", 43), strings.Repeat("é", 21) + "A", "token=" + raw} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !WellFormed(s) {
			return
		}
		if len(s) != 43 {
			t.Fatalf("WellFormed(%q) with length %d", s, len(s))
		}
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil || len(b) != 32 {
			t.Fatalf("WellFormed(%q) but it decodes to %d bytes, %v", s, len(b), err)
		}
		if base64.RawURLEncoding.EncodeToString(b) != s {
			// Harmless (the stored hash is of the string, so a variant
			// never matches) but not what New makes: 4 spellings pass.
			t.Fatalf("WellFormed(%q) but it is not the canonical encoding of its bytes (use RawURLEncoding.Strict())", s)
		}
	})
}
