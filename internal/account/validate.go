package account

import (
	"net/mail"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"

	"gatehouse/internal/geo"
	"gatehouse/internal/i18n"
	"gatehouse/internal/store"
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

// Registration is what the sign-up form collects: one value for each of
// RegistrationFields and nothing else, so what else a form posts (status,
// role, password…) has nowhere to go.
type Registration struct {
	values [len(registrationFields)]string
	// listed is the country whose regions the form showed, when it says
	// (see SetRegionList); staleRegion marks a region chosen from another
	// country's list, which Normalize dropped.
	listed      string
	staleRegion bool
	// noTerms is a sign-up with no Terms to accept: the check box is
	// neither shown nor required.
	noTerms bool
}

// waiveTerms stops requiring the terms check box, which a deployment
// without Terms does not show.
func (r *Registration) waiveTerms() { r.noTerms = true }

// SetRegionList records the country whose regions the form listed. Without
// script the list is not redrawn when the country changes, so a region
// picked from it, or "Choose…" left as it was, belongs to the old country:
// such a region is dropped, and when the new country has regions of its
// own the form is shown again with them before it is accepted.
func (r *Registration) SetRegionList(country string) { r.listed = country }

// Get returns the value of field, or "" when the form has no such field.
func (r Registration) Get(field string) string {
	if i := fieldIndex(field); i >= 0 {
		return r.values[i]
	}
	return ""
}

// Set stores value as field; a name the form does not have is ignored.
func (r *Registration) Set(field, value string) {
	if i := fieldIndex(field); i >= 0 {
		r.values[i] = value
	}
}

// Normalize trims the free-text fields and canonicalises the rest: a phone
// number that is valid for the chosen country becomes E.164 ("+442079460958").
// Values it cannot canonicalise stay as typed (trimmed), so the error shows them.
func (r *Registration) Normalize() {
	for i := range registrationFields {
		r.NormalizeField(registrationFields[i].Name)
	}
	if listed := upperTrim(r.listed, ""); listed != "" && listed != r.values[countryAt] {
		r.values[regionAt] = ""
		r.staleRegion = true
	}
}

// NormalizeField is Normalize for one field, and the country, which the
// region and phone are read against. Inline validation checks one field, and
// formatting a phone number it will not look at costs more than the rest of
// Normalize together.
func (r *Registration) NormalizeField(field string) {
	country := &r.values[countryAt]
	*country = registrationFields[countryAt].normalize(*country, "")
	if i := fieldIndex(field); i >= 0 && i != countryAt {
		r.values[i] = registrationFields[i].normalize(r.values[i], *country)
	}
}

func (f *FieldSpec) normalize(v, country string) string {
	if f.Normalize == nil {
		return strings.TrimSpace(stripInvisible(v))
	}
	return f.Normalize(v, country)
}

// stripInvisible removes from free text the characters that change how
// it reads without being seen: bidirectional controls (an RLO turns
// "moc.live" around), zero-width spaces and joiners outside a word of a
// script that needs them (Persian and Indic names use ZWNJ/ZWJ between
// letters), and other format characters. Names travel into emails sent to
// any address, so what is kept must read as it looks.
func stripInvisible(v string) string {
	if strings.IndexFunc(v, func(r rune) bool { return unicode.Is(unicode.Cf, r) }) < 0 {
		return v // the common case allocates nothing
	}
	rs := []rune(v)
	out := make([]rune, 0, len(rs))
	for i, r := range rs {
		if !unicode.Is(unicode.Cf, r) {
			out = append(out, r)
			continue
		}
		if (r == '\u200c' || r == '\u200d') && i > 0 && i+1 < len(rs) && joins(rs[i-1]) && joins(rs[i+1]) {
			out = append(out, r)
		}
	}
	return string(out)
}

// joins is a letter of a script that uses zero-width (non-)joiners.
func joins(r rune) bool {
	return r > unicode.MaxLatin1 && unicode.IsLetter(r) && !unicode.Is(unicode.Latin, r)
}

// linkLike finds what reads as a web address in free text: a scheme, a
// "www." or, where domains is true (people's names), any name.tld.
var (
	schemeOrWWW = regexp.MustCompile(`(?i)([a-z][a-z0-9+.-]*://|www\.)`)
	domainLike  = regexp.MustCompile(`(?i)[\p{L}\p{N}-]+\.[a-z]{2,}(?:[/:?#]|\b)`)
)

func linkLike(v string, domains bool) bool {
	return schemeOrWWW.MatchString(v) || (domains && domainLike.MatchString(v))
}

// Validate checks every field and returns the problems, or nil. It is the
// one validator the full submit and inline validation share.
func (r Registration) Validate() FieldErrors {
	errs := FieldErrors{}
	for i := range registrationFields {
		f := &registrationFields[i]
		if i == termsAt && r.noTerms {
			continue
		}
		if m, bad := f.check(r.values[i], r.values[countryAt]); bad {
			errs[f.Name] = m
		}
	}
	if _, bad := errs[countryField]; r.staleRegion && !bad && geo.HasRegions(r.values[countryAt]) {
		errs["region"] = i18n.Msg("error.region.review")
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// CheckField checks one field of a normalised registration.
func (r Registration) CheckField(field string) (i18n.Message, bool) {
	i := fieldIndex(field)
	if i < 0 {
		return i18n.Message{}, false
	}
	return registrationFields[i].check(r.values[i], r.values[countryAt])
}

// check refuses a missing required value, then what the field's own Check
// refuses, then anything longer than its column holds; free text, which
// has no Check, also may not hold line breaks or control characters.
func (f *FieldSpec) check(v, country string) (i18n.Message, bool) {
	if v == "" {
		if f.Required {
			return i18n.Msg(f.Missing), true
		}
		return i18n.Message{}, false
	}
	if f.Check != nil {
		if m, bad := f.Check(v, country); bad {
			return m, true
		}
	}
	if f.MaxLen > 0 && utf8.RuneCountInString(v) > f.MaxLen {
		return i18n.Message{ID: "error.field.too_long", Data: map[string]any{"Max": f.MaxLen}}, true
	}
	if f.Check == nil && (!utf8.ValidString(v) || strings.IndexFunc(v, unicode.IsControl) >= 0) {
		return i18n.Msg("error.field.invalid_characters"), true
	}
	if f.Check == nil && linkLike(v, f.NoDomains) {
		return i18n.Msg("error.field.no_links"), true
	}
	return i18n.Message{}, false
}

// FieldResult is what inline validation shows once one field has changed.
type FieldResult struct {
	// Error is why the value is refused, when Invalid.
	Error   i18n.Message
	Invalid bool
	// Valid is a value typed and accepted; an empty optional field is
	// neither valid nor invalid.
	Valid bool
	// Note is a non-blocking remark on an accepted value (a likely
	// correction of the email); its ID is empty when there is none.
	Note i18n.Message
	// Cleared are the fields whose values this change voids (the region of
	// the old country): the form shows them again, empty.
	Cleared []string
}

// ValidateField is inline validation of field as the form posted it in r:
// the same normalising and check as Register, and what the form should
// show besides. A field the form does not have yields the zero result.
func ValidateField(r Registration, field string) FieldResult {
	i := fieldIndex(field)
	if i < 0 {
		return FieldResult{}
	}
	f := &registrationFields[i]
	typed := r.values[i] != ""
	r.NormalizeField(field)
	res := FieldResult{Cleared: f.Clears}
	res.Error, res.Invalid = f.check(r.values[i], r.values[countryAt])
	res.Valid = !res.Invalid && typed
	if res.Valid && f.Note != nil {
		if m, ok := f.Note(r.values[i]); ok {
			res.Note = m
		}
	}
	return res
}

// user is r's kept fields on a new account.
func (r Registration) user(u *store.User) {
	for i := range registrationFields {
		if f := &registrationFields[i]; f.User != nil {
			*f.User(u) = r.values[i]
		}
	}
}

// e164 parses phone with country as the region of numbers written without
// a country code, and returns it in E.164 if it is a valid number. Letters
// are refused: phonenumbers would read them as keypad digits in any country
// ("555-CALL-NOW") or as an extension ("ext. 12"), which E.164 cannot hold
// and would be dropped silently.
func e164(phone, country string) (string, bool) {
	if phone == "" || utf8.RuneCountInString(phone) > maxPhoneLen || !utf8.ValidString(phone) ||
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

// MaxEmailLen is the longest address accepted, in bytes (RFC 5321's path
// limit less the angle brackets).
const MaxEmailLen = 254

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

// DisplayPhone is a stored (E.164) number as people write it: in the
// international format ("+44 20 7946 0958"), which reads the same from
// any country. Anything it cannot parse is shown as stored.
func DisplayPhone(phone string) string {
	if phone == "" {
		return ""
	}
	num, err := phonenumbers.Parse(phone, "")
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return phone
	}
	return phonenumbers.Format(num, phonenumbers.INTERNATIONAL)
}
