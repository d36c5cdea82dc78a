package token

import "testing"

func TestNew(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		raw, hash := New()
		if !WellFormed(raw) {
			t.Fatalf("New made a malformed token %q", raw)
		}
		if hash != Hash(raw) || len(hash) != 64 || hash == raw {
			t.Fatalf("hash %q of %q", hash, raw)
		}
		if seen[raw] {
			t.Fatal("repeated token")
		}
		seen[raw] = true
	}
}

func TestWellFormed(t *testing.T) {
	raw, _ := New()
	for _, s := range []string{"", "abc", raw + "A", raw[:42] + "=", raw[:42] + "+", raw[:42] + "/"} {
		if WellFormed(s) {
			t.Errorf("WellFormed(%q) = true", s)
		}
	}
}
