package account

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"

	"gatehouse/internal/geo"
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

// Normalize trims the free-text fields and canonicalises the rest: a phone
// number that is valid for the chosen country becomes E.164 ("+442079460958").
// Values it cannot canonicalise stay as typed (trimmed), so the error shows them.
func (r *Registration) Normalize() {
	for _, f := range RegistrationFields {
		r.NormalizeField(f)
	}
}

// NormalizeField is Normalize for one field, and the country, which the
// region and phone are read against. Inline validation checks one field, and
// formatting a phone number it will not look at costs more than the rest of
// Normalize together.
func (r *Registration) NormalizeField(field string) {
	r.Country = strings.ToUpper(strings.TrimSpace(r.Country))
	switch field {
	case "first_name":
		r.FirstName = strings.TrimSpace(r.FirstName)
	case "last_name":
		r.LastName = strings.TrimSpace(r.LastName)
	case "company":
		r.Company = strings.TrimSpace(r.Company)
	case "region":
		r.Region = strings.ToUpper(strings.TrimSpace(r.Region))
	case "email":
		if e, err := CanonicalEmail(r.Email); err == nil {
			r.Email = e
		} else {
			r.Email = strings.TrimSpace(r.Email)
		}
	case "phone":
		r.Phone = strings.TrimSpace(r.Phone)
		if e, ok := e164(r.Phone, r.Country); ok {
			r.Phone = e
		}
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
		// Optional even where the country has regions; when given it must
		// be one of the country's top-level subdivisions, and a country
		// without them takes none.
		if r.Region != "" && !geo.ValidRegion(r.Country, r.Region) {
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
		if _, ok := e164(r.Phone, r.Country); !ok {
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

// e164 parses phone with country as the region of numbers written without
// a country code, and returns it in E.164 if it is a valid number. Letters
// are refused: phonenumbers would read them as keypad digits in any country
// ("555-CALL-NOW") or as an extension ("ext. 12"), which E.164 cannot hold
// and would be dropped silently.
func e164(phone, country string) (string, bool) {
	if phone == "" || utf8.RuneCountInString(phone) > MaxPhoneLen || !utf8.ValidString(phone) ||
		strings.IndexFunc(phone, func(c rune) bool { return unicode.IsControl(c) || unicode.IsLetter(c) }) >= 0 {
		return "", false
	}
	num, err := phonenumbers.Parse(phone, country)
	if err != nil || num.GetExtension() != "" || !phonenumbers.IsValidNumber(num) {
		return "", false
	}
	return phonenumbers.Format(num, phonenumbers.E164), true
}

// errBadEmail is returned by CanonicalEmail for anything but one plain address.
var errBadEmail = FieldErrors{"email": i18n.Msg("error.email.invalid")}

// CanonicalEmail trims s and returns the address in lower case if it is
// exactly one plain address (no display name, no CR/LF) of at most 254
// characters with a dotted domain.
func CanonicalEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > MaxEmailLen || strings.ContainsAny(s, "\r\n<>,;\"") ||
		strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
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
	// Lower-casing can lengthen some letters, so the cap applies after it.
	if lower := strings.ToLower(s); len(lower) <= MaxEmailLen {
		return lower, nil
	}
	return "", errBadEmail
}
