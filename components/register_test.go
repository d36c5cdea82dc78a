package components_test

import (
	"strconv"
	"testing"

	"gatehouse/components"
	"gatehouse/internal/account"
)

// The sign-up form shows account.RegistrationFields in their order, each
// with the name, limit, autocomplete token and required mark its entry
// declares, so a new entry needs no change here.
func TestRegisterFormFollowsFieldList(t *testing.T) {
	ctx := english(t)
	regions := components.NewOptionList([]components.Option{{Value: "GB-ENG", Label: "England"}})
	_, doc := render(t, ctx, components.RegisterPage(components.RegisterView{
		Form:      components.Form{Values: map[string]string{"country": "GB"}},
		Countries: components.NewOptionList([]components.Option{{Value: "GB", Label: "United Kingdom"}}),
		Regions:   regions,
	}))
	forms := doc.where("id", components.RegisterFormID)
	if len(forms) != 1 {
		t.Fatalf("%d sign-up forms, want 1", len(forms))
	}
	var names []string
	// Hidden inputs are the form's own bookkeeping (the country the region
	// list was drawn for), not fields a person fills in.
	for _, n := range forms[0].all(func(n node) bool { return (n.Data == "input" && n.get("type") != "hidden") || n.Data == "select" }) {
		names = append(names, n.get("name"))
	}
	if len(names) != len(account.RegistrationFields) {
		t.Fatalf("form fields %v, want %v", names, account.RegistrationFieldNames)
	}
	for i, f := range account.RegistrationFields {
		t.Run(f.Name, func(t *testing.T) {
			if names[i] != f.Name {
				t.Fatalf("field %d is %q, want %q", i, names[i], f.Name)
			}
			c := one(t, doc.where("id", "f-"+f.Name), "#f-"+f.Name)
			if _, req := c.attr("required"); req != f.Required {
				t.Errorf("required = %v, want %v", req, f.Required)
			}
			if got := c.get("autocomplete"); f.Autocomplete != "" && got != f.Autocomplete {
				t.Errorf("autocomplete = %q, want %q", got, f.Autocomplete)
			}
			if f.Type != "" {
				if got := c.get("type"); got != f.Type {
					t.Errorf("type = %q, want %q", got, f.Type)
				}
				if got := c.get("maxlength"); got != strconv.Itoa(f.MaxLen) {
					t.Errorf("maxlength = %q, want %d", got, f.MaxLen)
				}
			}
			if got := c.get("hx-post"); got == "" {
				t.Errorf("no inline validation")
			}
		})
	}
}
