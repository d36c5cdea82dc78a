package components_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"gatehouse/components"
	"gatehouse/internal/account"
	"gatehouse/internal/i18n"
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
		Terms:     testTerms,
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

// testTerms are a deployment's terms and privacy policy.
var testTerms = account.Terms{TermsURL: "https://example.com/terms", PrivacyURL: "https://example.com/privacy"}

// The terms check box is there only when the deployment names a document,
// and its label links each one it names, in every language, where that
// language's sentence puts it.
func TestTermsCheckbox(t *testing.T) {
	c, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	view := func(terms account.Terms) components.RegisterView {
		return components.RegisterView{Countries: components.NewOptionList(nil), Terms: terms}
	}
	ctx := english(t)
	if _, doc := render(t, ctx, components.RegisterPage(view(account.Terms{}))); len(doc.where("name", "accept_terms")) != 0 {
		t.Errorf("no terms configured, yet the form has the check box")
	}
	tests := []struct {
		terms account.Terms
		links []string
		label string
	}{
		{testTerms, []string{"https://example.com/terms", "https://example.com/privacy"}, "I accept the terms of service and the privacy policy."},
		{account.Terms{TermsURL: "https://example.com/terms"}, []string{"https://example.com/terms"}, "I accept the terms of service."},
		{account.Terms{PrivacyURL: "https://example.com/privacy"}, []string{"https://example.com/privacy"}, "I accept the privacy policy."},
	}
	for _, tt := range tests {
		for _, tag := range c.Languages() {
			ctx := i18n.With(context.Background(), c.Localizer(tag))
			_, doc := render(t, ctx, components.RegisterPage(view(tt.terms)))
			box := one(t, doc.where("id", "f-accept_terms"), "#f-accept_terms")
			if _, req := box.attr("required"); !req {
				t.Errorf("%s %v: the check box is not required", tag, tt.links)
			}
			label := one(t, doc.all(func(n node) bool { return n.Data == "label" && n.get("for") == "f-accept_terms" }), "terms label")
			var hrefs []string
			for _, a := range label.tag("a") {
				hrefs = append(hrefs, a.get("href"))
				if strings.TrimSpace(a.text()) == "" {
					t.Errorf("%s: link to %s has no text", tag, a.get("href"))
				}
			}
			if strings.Join(hrefs, " ") != strings.Join(tt.links, " ") {
				t.Errorf("%s: label links %v, want %v", tag, hrefs, tt.links)
			}
			if text := strings.Join(strings.Fields(label.text()), " "); tag.String() == "en" && text != tt.label {
				t.Errorf("label reads %q, want %q", text, tt.label)
			} else if strings.ContainsAny(text, "\ue000\ue001") {
				t.Errorf("%s: label keeps a link stand-in: %q", tag, text)
			}
		}
	}
}

// A likely address is offered as a button that fills it in, hidden until
// script shows it; without script the same words are plain text.
func TestEmailSuggestionButton(t *testing.T) {
	ctx := english(t)
	form := components.Form{Values: map[string]string{"email": "ada@gmial.com"},
		Notes: map[string]i18n.Message{"email": {ID: "form.email_suggestion", Data: map[string]any{"Email": "ada@gmail.com"}}}}
	_, doc := render(t, ctx, components.Input(components.Field{Name: "email", Label: "form.email", Type: "email"}, form))
	note := one(t, doc.where("id", "f-email-note"), "#f-email-note")
	b := one(t, note.tag("button"), "suggestion button")
	if b.get("type") != "button" || b.get("data-fill") != "f-email" || b.get("data-fill-value") != "ada@gmail.com" {
		t.Errorf("suggestion button %s", b.outer())
	}
	if _, hidden := b.attr("hidden"); !hidden {
		t.Error("the button shows without script")
	}
	text := one(t, note.where("data-suggestion-text", ""), "plain suggestion")
	if got := strings.TrimSpace(text.text()); got != "Did you mean ada@gmail.com?" {
		t.Errorf("plain suggestion %q", got)
	}
}
