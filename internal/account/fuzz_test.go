package account_test

import (
	"slices"
	"strings"
	"testing"
	"unicode"

	"gatehouse/internal/account"
)

// emailSeeds are addresses people type, near misses and hostile input.
var emailSeeds = []string{
	"ada@example.com", "  Ada@Example.COM ", "ada.lovelace+news@mail.example.co.uk", "ada@gmial.com", "ada@gmail.con",
	"", "@", "a@b", "a@b.", "a@.b", "a@b..c", "a@[127.0.0.1]", "Ada <ada@example.com>", "ada@example.com, bob@example.com",
	"ada@example.com\r\nBcc: eve@example.com", "\"a b\"@example.com", "a b@example.com", "a@b@example.com",
	"ada@example.com (comment)", "ádá@exämple.com", "ＡＤＡ@example.com", "a\u00a0b@example.com", "a\u2028b@example.com",
	"İ@example.com", "\xff@example.com", strings.Repeat("a", 64) + "@" + strings.Repeat("b", 185) + ".com",
	// 254 bytes that lower-case to 255: U+023A 'Ⱥ' is 2 bytes, 'ⱥ' 3.
	"Ⱥ" + strings.Repeat("a", 62) + "@" + strings.Repeat("b", 185) + ".com",
}

// Rule 4: whatever is posted as an email address, CanonicalEmail never
// panics, and an address it accepts is lower case, at most 254 bytes, one
// '@', no line breaks or spaces, and canonical already.
func FuzzCanonicalEmail(f *testing.F) {
	for _, s := range emailSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := account.CanonicalEmail(in)
		if err != nil {
			if out != "" {
				t.Fatalf("CanonicalEmail(%q) = %q with error %v", in, out, err)
			}
			return
		}
		if strings.ToLower(out) != out {
			t.Fatalf("CanonicalEmail(%q) = %q, not lower case", in, out)
		}
		if strings.Count(out, "@") != 1 {
			t.Fatalf("CanonicalEmail(%q) = %q, want exactly one '@'", in, out)
		}
		if strings.ContainsAny(out, "\r\n \t") {
			t.Fatalf("CanonicalEmail(%q) = %q contains CR, LF, space or tab", in, out)
		}
		if len(out) > account.MaxEmailLen {
			if len(strings.TrimSpace(in)) <= account.MaxEmailLen {
				t.Fatalf("CanonicalEmail checks the length before strings.ToLower, which can grow the address "+
					"(U+023A 'Ⱥ' is 2 bytes, its lower case 3): %q (%d bytes) -> %d bytes", in, len(in), len(out))
			}
			t.Fatalf("CanonicalEmail(%q) = %d bytes, want at most %d", in, len(out), account.MaxEmailLen)
		}
		again, err := account.CanonicalEmail(out)
		if err != nil || again != out {
			t.Fatalf("CanonicalEmail not idempotent: %q -> %q -> %q, %v", in, out, again, err)
		}
		if i := strings.IndexFunc(out, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }); i >= 0 {
			t.Fatalf("CanonicalEmail accepts Unicode space or control characters (net/mail allows any non-ASCII rune): "+
				"%q has %U", out, []rune(out[i:])[0])
		}
	})
}

// Normalize and Validate never panic on any form values, and
// Validate only ever names fields of the form.
func FuzzRegistrationValidate(f *testing.F) {
	f.Add("Ada", "Lovelace", "Analytical Engines Ltd", "GB", "", "ada@example.com", "+44 20 7946 0958", true)
	f.Add(" ada ", "", "", "us", "ca", "ADA@gmial.com", "(555) 010-9999", false)
	f.Add("\x00", "\u202e", strings.Repeat("x", 201), "ZZ", "ENG", "a@b", "555-CALL-NOW", true)
	f.Add("", "", "", "", "", "", "", false)
	f.Add("\xff\xfe", "Ĳ", "Ω", "fr", "75", "\"a b\"@example.com", "+", true)
	f.Fuzz(func(t *testing.T, first, last, company, country, region, email, phone string, terms bool) {
		r := reg(map[string]string{"first_name": first, "last_name": last, "company": company, "country": country,
			"region": region, "email": email, "phone": phone, "accept_terms": tick(terms)})
		r.Normalize()
		for field, m := range r.Validate() {
			if !slices.Contains(account.RegistrationFieldNames, field) {
				t.Fatalf("Validate names %q, not a registration field", field)
			}
			if m.ID == "" {
				t.Fatalf("Validate gives %q an empty message", field)
			}
		}
		for _, field := range account.RegistrationFieldNames {
			r.CheckField(field)
		}
	})
}

// SuggestEmail never panics; a suggestion is a different address, and for
// an address the form accepts (the only case the handlers ask about) it is
// one the form accepts too.
func FuzzSuggestEmail(f *testing.F) {
	for _, s := range emailSeeds {
		f.Add(s)
	}
	f.Add("ada@gmail.com")
	f.Add("ada@protonmial.com")
	f.Add("ada@" + strings.Repeat("g", 300))
	f.Fuzz(func(t *testing.T, in string) {
		s := account.SuggestEmail(in)
		if s == "" {
			return
		}
		if s == in || strings.EqualFold(s, strings.TrimSpace(in)) {
			t.Fatalf("SuggestEmail(%q) = %q, the same address", in, s)
		}
		canon, err := account.CanonicalEmail(in)
		if err != nil {
			return
		}
		if got := account.SuggestEmail(canon); got != s {
			t.Fatalf("SuggestEmail(%q) = %q but SuggestEmail(%q) = %q", in, s, canon, got)
		}
		if out, err := account.CanonicalEmail(s); err != nil || out != s {
			t.Fatalf("SuggestEmail(%q) = %q, which CanonicalEmail refuses or changes (%q, %v)", in, s, out, err)
		}
	})
}
