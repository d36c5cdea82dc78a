package account

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"gatehouse/internal/i18n"
)

// FieldErrors maps a form field name to why its value is refused. It is an
// error so the flows can return it; handlers show each under its field.
type FieldErrors map[string]i18n.Message

// Error lists the fields, for logs; users see the translated messages.
func (e FieldErrors) Error() string {
	names := make([]string, 0, len(e))
	for k := range e {
		names = append(names, k)
	}
	return "account: invalid fields: " + strings.Join(names, ", ")
}

// Registration is what the sign-up form collects; only these fields bind.
type Registration struct {
	FirstName   string
	LastName    string
	Company     string
	Country     string
	Region      string
	Email       string
	Phone       string
	AcceptTerms bool
}

// Limits on registration fields, in code points.
const (
	MaxNameLen    = 100
	MaxCompanyLen = 200
	MaxEmailLen   = 254
	MaxPhoneLen   = 32
)

// RegistrationFields lists the form fields of Registration in form order.
var RegistrationFields = []string{"first_name", "last_name", "company", "country", "region", "email", "phone", "accept_terms"}

// Normalize trims the free-text fields and canonicalises the rest.
func (r *Registration) Normalize() {
	r.FirstName = strings.TrimSpace(r.FirstName)
	r.LastName = strings.TrimSpace(r.LastName)
	r.Company = strings.TrimSpace(r.Company)
	r.Country = strings.ToUpper(strings.TrimSpace(r.Country))
	r.Region = strings.ToUpper(strings.TrimSpace(r.Region))
	r.Phone = strings.TrimSpace(r.Phone)
	if e, err := CanonicalEmail(r.Email); err == nil {
		r.Email = e
	} else {
		r.Email = strings.TrimSpace(r.Email)
	}
}

// Validate checks every field and returns the problems, or nil. It is the
// one validator the full submit and inline validation share.
func (r Registration) Validate() FieldErrors {
	errs := FieldErrors{}
	for _, f := range RegistrationFields {
		if m, bad := r.ValidateField(f); bad {
			errs[f] = m
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// ValidateField checks one field of a normalised registration.
func (r Registration) ValidateField(field string) (i18n.Message, bool) {
	switch field {
	case "first_name":
		return checkText(r.FirstName, MaxNameLen, "error.first_name.required")
	case "last_name":
		return checkText(r.LastName, MaxNameLen, "error.last_name.required")
	case "company":
		return checkText(r.Company, MaxCompanyLen, "error.company.required")
	case "country":
		if r.Country == "" {
			return i18n.Msg("error.country.required"), true
		}
		if !i18n.IsCountry(r.Country) {
			return i18n.Msg("error.country.invalid"), true
		}
	case "region":
		if r.Region == "" {
			return i18n.Message{}, false
		}
		// Full ISO 3166-2 lists come with the region select; until then
		// the code must at least belong to the chosen country.
		cc, sub, ok := strings.Cut(r.Region, "-")
		if !ok || cc != r.Country || sub == "" || len(sub) > 3 || !isAlnum(sub) {
			return i18n.Msg("error.region.invalid"), true
		}
	case "email":
		if r.Email == "" {
			return i18n.Msg("error.email.required"), true
		}
		if _, err := CanonicalEmail(r.Email); err != nil {
			return i18n.Msg("error.email.invalid"), true
		}
	case "phone":
		if r.Phone == "" {
			return i18n.Message{}, false
		}
		if utf8.RuneCountInString(r.Phone) > MaxPhoneLen || !plausiblePhone(r.Phone) {
			return i18n.Msg("error.phone.invalid"), true
		}
	case "accept_terms":
		if !r.AcceptTerms {
			return i18n.Msg("error.accept_terms.required"), true
		}
	}
	return i18n.Message{}, false
}

func checkText(s string, max int, required string) (i18n.Message, bool) {
	switch {
	case s == "":
		return i18n.Msg(required), true
	case utf8.RuneCountInString(s) > max:
		return i18n.Message{ID: "error.field.too_long", Data: map[string]any{"Max": max}}, true
	case !utf8.ValidString(s) || strings.IndexFunc(s, unicode.IsControl) >= 0:
		return i18n.Msg("error.field.invalid_characters"), true
	}
	return i18n.Message{}, false
}

func isAlnum(s string) bool {
	for _, c := range s {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func plausiblePhone(s string) bool {
	digits := 0
	for i, c := range s {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '+' && i == 0, c == ' ', c == '-', c == '(', c == ')', c == '.':
		default:
			return false
		}
	}
	return digits >= 4 && digits <= 15
}

// errBadEmail is returned by CanonicalEmail for anything but one plain address.
var errBadEmail = FieldErrors{"email": i18n.Msg("error.email.invalid")}

// CanonicalEmail trims s and returns the address in lower case if it is
// exactly one plain address (no display name, no CR/LF) of at most 254
// characters with a dotted domain.
func CanonicalEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > MaxEmailLen || strings.ContainsAny(s, "\r\n<>,;\"") {
		return "", errBadEmail
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", errBadEmail
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") ||
		strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") || strings.HasPrefix(domain, "[") {
		return "", errBadEmail
	}
	return strings.ToLower(s), nil
}
