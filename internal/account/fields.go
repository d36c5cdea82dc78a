package account

import (
	"strings"

	"gatehouse/internal/geo"
	"gatehouse/internal/i18n"
	"gatehouse/internal/store"
)

// FieldSpec declares one sign-up field. The validator, the binding, the
// form and the schema test all read the same entry, so a field's name,
// limits and rules cannot drift apart.
//
// Label and Hint are message IDs, not copy: the validator already speaks
// message IDs for errors, and keeping the field's own IDs beside them means
// a new field is one entry here plus its text in locales/, without a
// second table in components/. How a field looks (input, select, check
// box, which fields share a row) stays in components/.
type FieldSpec struct {
	// Name is the form field, part of the public contract, and, for a
	// kept field, the users column that holds it.
	Name string
	// Label and Hint are message IDs; Hint is optional.
	Label, Hint string
	// Type is the input type of a typed field ("text", "email", "tel");
	// empty where the form offers a list or a check box.
	Type string
	// Autocomplete is the HTML autocomplete token browsers fill it from.
	Autocomplete string
	// Required fields refuse an empty value with the Missing message ID.
	Required bool
	Missing  string
	// MaxLen is the most code points a value may have, and the size of its
	// column (a test holds the migrations to it); 0 for a value not typed
	// or kept.
	MaxLen int
	// Normalize canonicalises a value before it is checked and kept;
	// nil trims spaces. It may read the country the form names.
	Normalize func(v, country string) string
	// Check refuses a normalised, non-empty value with a message; nil
	// accepts free text without line breaks or control characters.
	Check func(v, country string) (i18n.Message, bool)
	// Note is a non-blocking remark on a value that passed, such as a
	// likely correction of a mistyped email domain; nil for none.
	Note func(v string) (i18n.Message, bool)
	// NoDomains refuses free text that holds a domain name as well as a
	// URL: a person's name never does, a company's may ("Booking.com").
	NoDomains bool
	// Clears names the fields whose value no longer applies once this one
	// changes (a region belongs to one country).
	Clears []string
	// User points at the users column that keeps the value; nil for a
	// field that is only checked (the terms).
	User func(u *store.User) *string
}

// registrationFields is the sign-up form, in form order. It is an array so
// that a Registration has exactly one slot per field and binding one
// allocates nothing.
var registrationFields = [...]FieldSpec{
	{Name: "first_name", Label: "form.first_name", Type: "text", Autocomplete: "given-name",
		Required: true, Missing: "error.first_name.required", MaxLen: 100, NoDomains: true,
		User: func(u *store.User) *string { return &u.FirstName }},
	{Name: "last_name", Label: "form.last_name", Type: "text", Autocomplete: "family-name",
		Required: true, Missing: "error.last_name.required", MaxLen: 100, NoDomains: true,
		User: func(u *store.User) *string { return &u.LastName }},
	{Name: "company", Label: "form.company", Type: "text", Autocomplete: "organization",
		Required: true, Missing: "error.company.required", MaxLen: 200,
		User: func(u *store.User) *string { return &u.Company }},
	{Name: countryField, Label: "form.country", Autocomplete: "country",
		Required: true, Missing: "error.country.required", MaxLen: 2,
		Normalize: upperTrim, Check: checkCountry, Clears: []string{"region"},
		User: func(u *store.User) *string { return &u.Country }},
	// Optional even where the country has regions.
	{Name: "region", Label: "form.region", Autocomplete: "address-level1", MaxLen: 8,
		Normalize: upperTrim, Check: checkRegion,
		User: func(u *store.User) *string { return &u.Region }},
	{Name: "email", Label: "form.email", Hint: "form.email_hint", Type: "email", Autocomplete: "email",
		Required: true, Missing: "error.email.required", MaxLen: MaxEmailLen,
		Normalize: normalizeEmail, Check: checkEmail, Note: suggestEmail,
		User: func(u *store.User) *string { return &u.Email }},
	{Name: "phone", Label: "form.phone", Hint: "form.phone_hint", Type: "tel", Autocomplete: "tel", MaxLen: maxPhoneLen,
		Normalize: normalizePhone, Check: checkPhone,
		User: func(u *store.User) *string { return &u.Phone }},
	// Required only while there are Terms to accept (Registration.waiveTerms).
	{Name: termsField, Label: "form.accept_terms", Required: true, Missing: "error.accept_terms.required",
		Normalize: checkbox},
}

// RegistrationFields is every sign-up field in form order; only these bind.
var RegistrationFields = registrationFields[:]

// RegistrationFieldNames are the names of RegistrationFields, in order,
// for code that only needs the names (re-showing a form, listing errors).
var RegistrationFieldNames = func() []string {
	names := make([]string, len(registrationFields))
	for i, f := range RegistrationFields {
		names[i] = f.Name
	}
	return names
}()

// RegistrationField returns the field called name, if the form has one.
func RegistrationField(name string) (*FieldSpec, bool) {
	if i := fieldIndex(name); i >= 0 {
		return &registrationFields[i], true
	}
	return nil, false
}

// countryField is the field the region and the phone are read against.
const countryField = "country"

// countryAt is countryField's place in the form, regionAt the region's.
var (
	countryAt = fieldIndex(countryField)
	regionAt  = fieldIndex("region")
)

// fieldIndex is name's place in the form, or -1.
func fieldIndex(name string) int {
	for i := range registrationFields {
		if registrationFields[i].Name == name {
			return i
		}
	}
	return -1
}

// maxPhoneLen bounds the phone number as typed, spaces and punctuation
// included; the E.164 form kept is at most 16.
const maxPhoneLen = 32

func upperTrim(v, _ string) string { return strings.ToUpper(strings.TrimSpace(v)) }

// checkbox is "on" when the box was ticked and empty otherwise, so an
// unticked required box reads as missing.
func checkbox(v, _ string) string {
	if v == "on" {
		return v
	}
	return ""
}

func checkCountry(v, _ string) (i18n.Message, bool) {
	if !i18n.IsCountry(v) {
		return i18n.Msg("error.country.invalid"), true
	}
	return i18n.Message{}, false
}

// checkRegion takes one of the country's top-level subdivisions only; a
// country without them takes none.
func checkRegion(v, country string) (i18n.Message, bool) {
	if !geo.ValidRegion(country, v) {
		return i18n.Msg("error.region.invalid"), true
	}
	return i18n.Message{}, false
}

func normalizeEmail(v, _ string) string {
	if e, err := CanonicalEmail(v); err == nil {
		return e
	}
	return strings.TrimSpace(v)
}

func checkEmail(v, _ string) (i18n.Message, bool) {
	if _, err := CanonicalEmail(v); err != nil {
		return i18n.Msg("error.email.invalid"), true
	}
	return i18n.Message{}, false
}

// suggestEmail notes a likely correction of a mistyped common domain.
func suggestEmail(v string) (i18n.Message, bool) {
	if s := SuggestEmail(v); s != "" {
		return i18n.Message{ID: "form.email_suggestion", Data: map[string]any{"Email": s}}, true
	}
	return i18n.Message{}, false
}

// normalizePhone keeps a number valid for the country in E.164
// ("+442079460958"), and anything else as typed, so the error shows it.
func normalizePhone(v, country string) string {
	v = strings.TrimSpace(v)
	if e, ok := e164(v, country); ok {
		return e
	}
	return v
}

func checkPhone(v, country string) (i18n.Message, bool) {
	if _, ok := e164(v, country); !ok {
		return i18n.Msg("error.phone.invalid"), true
	}
	return i18n.Message{}, false
}
