package account

import "testing"

func TestSuggestEmail(t *testing.T) {
	for in, want := range map[string]string{
		"ada@gmial.com":      "ada@gmail.com",
		"ada@gmail.con":      "ada@gmail.com",
		"Ada@Hotmial.com":    "ada@hotmail.com",
		"ada@outlok.com":     "ada@outlook.com",
		"ada@yaho.com":       "ada@yahoo.com",
		"ada@gmail.com":      "",
		"ada@example.com":    "",
		"ada@acme-corp.io":   "",
		"ada@gmx.de":         "",
		"ada@gmx.fr":         "",
		"not an address":     "",
		"ada@protonmial.com": "ada@protonmail.com",
	} {
		if got := SuggestEmail(in); got != want {
			t.Errorf("SuggestEmail(%q) = %q, want %q", in, got, want)
		}
	}
}
