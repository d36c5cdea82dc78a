package password

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"gatehouse/internal/i18n"
)

// Policy is what a new password must satisfy. Lengths count Unicode code
// points of the NFKC form; nothing else is changed (no trim, no case fold).
type Policy struct {
	MinLength int
	MaxLength int
}

// Personal is the user's own data a password must not be built from.
type Personal struct {
	Email, FirstName, LastName, Company string
}

// Problems maps the form field concerned ("password", "password_confirm")
// to why it is refused.
type Problems map[string]i18n.Message

// Check returns the reasons pw is refused, or nil. The length checks come
// first and are cheap, so very long input never reaches the hasher.
func (p Policy) Check(pw, confirm string, who Personal) Problems {
	out := Problems{}
	n := utf8.RuneCountInString(norm.NFKC.String(pw))
	switch {
	case pw == "":
		out["password"] = i18n.Msg("error.password.required")
	case n < p.MinLength:
		out["password"] = i18n.Message{ID: "error.password.too_short", Data: map[string]any{"Min": p.MinLength}}
	case n > p.MaxLength:
		out["password"] = i18n.Message{ID: "error.password.too_long", Data: map[string]any{"Max": p.MaxLength}}
	default:
		if personalPart(pw, who) != "" {
			out["password"] = i18n.Msg("error.password.personal")
		}
	}
	if pw != confirm {
		out["password_confirm"] = i18n.Msg("error.password.mismatch")
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// personalPart returns the piece of the user's own data that pw is built
// around, if any: the password minus that piece would be short.
func personalPart(pw string, who Personal) string {
	lower := strings.ToLower(norm.NFKC.String(pw))
	local, _, _ := strings.Cut(who.Email, "@")
	for _, part := range []string{local, who.FirstName, who.LastName, who.Company} {
		part = strings.ToLower(norm.NFKC.String(strings.TrimSpace(part)))
		if utf8.RuneCountInString(part) < 4 || !strings.Contains(lower, part) {
			continue
		}
		rest := strings.ReplaceAll(lower, part, "")
		if utf8.RuneCountInString(rest) < 8 {
			return part
		}
	}
	return ""
}
