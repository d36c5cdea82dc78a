// Package returnto decides whether a return_to parameter may be followed
// after sign-in (SECURITY.md rule 23). Only a path on this host passes;
// everything a browser could read as another origin is refused, so a link
// to Gatehouse can never bounce a freshly signed-in person to a phishing
// page.
package returnto

import (
	"net/url"
	"strings"
)

// MaxLen bounds what is kept with an account: a deep link is a path and a
// query, never a document.
const MaxLen = 2048

// Clean returns raw when it is a local path (a single leading slash, no
// scheme, host, backslash or control character, in any percent-encoded
// form either), and "" otherwise.
func Clean(raw string) string {
	if raw == "" || len(raw) > MaxLen {
		return ""
	}
	// Browsers read "\" as "/" and drop tabs and newlines inside URLs,
	// so "/\evil" and "/\t/evil" are "//evil" to them. Servers and
	// frameworks downstream may decode once more before redirecting, so
	// every decoding of the value must pass too.
	s := raw
	for range 3 {
		if !localForm(s) {
			return ""
		}
		next, err := url.PathUnescape(s)
		if err != nil {
			return ""
		}
		if next == s {
			break
		}
		s = next
	}
	if !localForm(s) {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return ""
	}
	return raw
}

// localForm is the check on one decoding of the value.
func localForm(s string) bool {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return false
		}
	}
	return true
}
