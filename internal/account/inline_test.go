package account_test

import (
	"strings"
	"testing"

	"gatehouse/internal/account"
)

// Inline validation gives what the form shows besides the field's error:
// whether it reads as valid, a note on a likely typo, and the fields the
// change voids.
func TestValidateField(t *testing.T) {
	tests := []struct {
		name, field, value string
		invalid, valid     bool
		errID, noteID      string
		cleared            string
	}{
		{name: "typed and good", field: "first_name", value: " Ada ", valid: true},
		{name: "required and empty", field: "first_name", value: "", invalid: true, errID: "error.first_name.required"},
		{name: "optional and empty", field: "phone", value: ""},
		{name: "optional and blank counts as typed", field: "phone", value: "   ", valid: true},
		{name: "email with a likely typo", field: "email", value: "ada@gmial.com", valid: true, noteID: "form.email_suggestion"},
		{name: "email without a typo", field: "email", value: "Ada@Example.com", valid: true},
		{name: "refused email gets no note", field: "email", value: "ada@gmial", invalid: true, errID: "error.email.invalid"},
		{name: "a new country voids the region", field: "country", value: "fr", valid: true, cleared: "region"},
		{name: "a bad country voids it too", field: "country", value: "ZZ", invalid: true, errID: "error.country.invalid", cleared: "region"},
		{name: "region read against the country", field: "region", value: "gb-eng", valid: true},
		{name: "terms ticked", field: "accept_terms", value: "on", valid: true},
		{name: "terms not ticked", field: "accept_terms", value: "", invalid: true, errID: "error.accept_terms.required"},
		{name: "not a field", field: "status", value: "active"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := validRegistration()
			r.Set(tt.field, tt.value)
			res := account.ValidateField(r, tt.field)
			if res.Invalid != tt.invalid || res.Error.ID != tt.errID {
				t.Errorf("error = %v %q, want %v %q", res.Invalid, res.Error.ID, tt.invalid, tt.errID)
			}
			if res.Valid != tt.valid {
				t.Errorf("valid = %v, want %v", res.Valid, tt.valid)
			}
			if res.Note.ID != tt.noteID {
				t.Errorf("note = %q, want %q", res.Note.ID, tt.noteID)
			}
			if got := strings.Join(res.Cleared, ","); got != tt.cleared {
				t.Errorf("cleared = %q, want %q", got, tt.cleared)
			}
		})
	}
	res := account.ValidateField(reg(map[string]string{"country": "GB", "email": "ada@gmial.com"}), "email")
	if res.Note.Data["Email"] != "ada@gmail.com" {
		t.Errorf("suggestion = %v, want ada@gmail.com", res.Note.Data)
	}
}

// Inline validation runs on every field change, and adds no allocation of
// its own to a good value without a suggestion: the email's only come from
// parsing it, once to normalise and once to check.
func TestValidateFieldAllocations(t *testing.T) {
	r := validRegistration()
	parse := testing.AllocsPerRun(100, func() { account.CanonicalEmail(r.Get("email")) })
	for field, want := range map[string]float64{"first_name": 0, "country": 0, "region": 0, "email": 2 * parse} {
		if n := testing.AllocsPerRun(100, func() { account.ValidateField(r, field) }); n != want {
			t.Errorf("ValidateField(%s) allocates %v times, want %v", field, n, want)
		}
	}
}

// Only the form's fields bind: a name it does not have is dropped.
func TestRegistrationSetIgnoresOtherNames(t *testing.T) {
	var r account.Registration
	for _, name := range []string{"status", "role", "password", "Email", ""} {
		r.Set(name, "x")
	}
	if r != (account.Registration{}) {
		t.Errorf("Set stored a name the form does not have: %+v", r)
	}
}
