package components_test

import (
	"testing"

	"gatehouse/components"
	"gatehouse/internal/account"
	"gatehouse/internal/i18n"
)

// Right after a password is set the sign-in form has the address filled
// in and the cursor in the password; an empty form, a refused sign-in or
// an error summary (which takes the focus itself) leave it alone.
func TestLoginFocusesPasswordWhenPrefilled(t *testing.T) {
	for _, tt := range []struct {
		name  string
		v     components.LoginView
		focus bool
	}{
		{"prefilled", components.LoginView{Form: components.Form{Values: map[string]string{"email": "ada@example.com"}}, Notice: account.Activation.Done}, true},
		{"empty", components.LoginView{}, false},
		{"refused", components.LoginView{Form: components.Form{Values: map[string]string{"email": "ada@example.com"}}, Failed: true}, false},
		{"errors", components.LoginView{Form: components.Form{Values: map[string]string{"email": "ada@example.com"},
			Errors: map[string]i18n.Message{"password": msg("error.password.required")}}}, false},
	} {
		_, doc := render(t, english(t), components.LoginPage(tt.v))
		pw := one(t, doc.where("id", "f-password"), "password")
		if _, got := pw.attr("autofocus"); got != tt.focus {
			t.Errorf("%s: password autofocus = %v, want %v", tt.name, got, tt.focus)
		}
		if n := len(doc.where("id", "f-email")[0].Attr); n == 0 {
			t.Fatal("no email field")
		}
		if _, got := doc.where("id", "f-email")[0].attr("autofocus"); got {
			t.Errorf("%s: email has autofocus", tt.name)
		}
	}
}
