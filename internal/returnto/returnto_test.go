package returnto

import (
	"net/url"
	"strings"
	"testing"
)

func TestClean(t *testing.T) {
	ok := []string{"/", "/account", "/app/projects/42?tab=files&q=a%20b", "/docs#top", "/ünïcode", "/a/%2e%2e/b"}
	for _, s := range ok {
		if got := Clean(s); got != s {
			t.Errorf("Clean(%q) = %q, want it kept", s, got)
		}
	}
	bad := []string{
		"", "account", "//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example",
		"https://evil.example/", "http:/evil.example", "javascript:alert(1)", "//evil.example/%2f",
		"/%2fevil.example", "/%2F%2Fevil.example", "/%5cevil.example", "/%255cevil.example",
		"/%252f%252fevil.example", "/\t/evil.example", "/\n/evil.example", "/%09/evil.example",
		"/%0d%0aSet-Cookie:x=1", "/a\x00b", "/a\x7fb", " /account", "/" + strings.Repeat("a", MaxLen),
		"data:text/html,hi", "/%zz",
	}
	for _, s := range bad {
		if got := Clean(s); got != "" {
			t.Errorf("Clean(%q) = %q, want it refused", s, got)
		}
	}
}

// FuzzClean holds every value Clean keeps to what a browser resolves on
// this host: whatever the input, the kept value resolved against our
// origin stays on it, in the value and in each decoding of it.
func FuzzClean(f *testing.F) {
	for _, s := range []string{"/", "/a?b=c", "//x", "/\\x", "/%2f%2fx", "https://x", "/%5c%5cx"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://gatehouse.example/login")
	f.Fuzz(func(t *testing.T, s string) {
		got := Clean(s)
		if got == "" {
			return
		}
		if got != s {
			t.Fatalf("Clean(%q) changed it to %q", s, got)
		}
		for v, i := s, 0; i < 4; i++ {
			// A browser treats "\" as "/" and strips tabs and newlines.
			b := strings.NewReplacer("\\", "/", "\t", "", "\n", "", "\r", "").Replace(v)
			u, err := base.Parse(b)
			if err != nil {
				break
			}
			if u.Host != base.Host || u.Scheme != base.Scheme {
				t.Fatalf("Clean kept %q, which leads to %s", s, u)
			}
			d, err := url.PathUnescape(v)
			if err != nil || d == v {
				break
			}
			v = d
		}
	})
}
