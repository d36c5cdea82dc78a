package components_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/a-h/templ"
	"golang.org/x/text/language"

	"gatehouse/components"
	"gatehouse/internal/account"
	"gatehouse/internal/i18n"
)

func in(t *testing.T, lang string) context.Context {
	t.Helper()
	c := catalog(t)
	return i18n.With(context.Background(), c.Localizer(language.MustParse(lang)))
}

// registerFieldOrder is the names of the sign-up form's visible fields in
// document order.
func registerFieldOrder(t *testing.T, ctx context.Context, form components.Form) ([]string, node) {
	t.Helper()
	_, doc := render(t, ctx, components.RegisterPage(components.RegisterView{
		Form:      form,
		Countries: components.NewOptionList([]components.Option{{Value: "JP", Label: "日本"}}),
		Terms:     testTerms,
	}))
	var names []string
	for _, n := range doc.where("id", components.RegisterFormID)[0].all(func(n node) bool {
		return (n.Data == "input" && n.get("type") != "hidden") || n.Data == "select"
	}) {
		names = append(names, n.get("name"))
	}
	return names, doc
}

// Japanese and Chinese ask for the family name first (姓, then 名), in the
// form, in tab order and in the error summary; the field names stay.
func TestRegisterNameOrder(t *testing.T) {
	for lang, familyFirst := range map[string]bool{"en": false, "de": false, "ar": false, "ja": true, "zh-Hans": true} {
		names, _ := registerFieldOrder(t, in(t, lang), components.Form{Values: map[string]string{"country": "JP"}})
		first, last := slices.Index(names, "first_name"), slices.Index(names, "last_name")
		if first < 0 || last < 0 {
			t.Fatalf("%s: fields %v", lang, names)
		}
		if got := last < first; got != familyFirst {
			t.Errorf("%s: fields %v, family name first = %v, want %v", lang, names, got, familyFirst)
		}
		form := components.Form{Values: map[string]string{}, Errors: map[string]i18n.Message{
			"first_name": i18n.Msg("error.first_name.required"), "last_name": i18n.Msg("error.last_name.required")}}
		_, doc := registerFieldOrder(t, in(t, lang), form)
		var links []string
		for _, a := range one(t, doc.where("id", "error-summary"), "error summary").tag("a") {
			links = append(links, a.get("href"))
		}
		want := []string{"#f-first_name", "#f-last_name"}
		if familyFirst {
			want = []string{"#f-last_name", "#f-first_name"}
		}
		if !slices.Equal(links, want) {
			t.Errorf("%s: error summary %v, want %v", lang, links, want)
		}
	}
}

// The sign-up and sign-in forms carry the hidden time zone field app.js
// fills, keeping a checked value when re-shown and dropping nonsense.
func TestTimeZoneField(t *testing.T) {
	for posted, want := range map[string]string{"Asia/Tokyo": "Asia/Tokyo", "": "", "<b>": "", "Local": ""} {
		form := components.Form{Values: map[string]string{components.TimeZoneField: posted}}
		for name, page := range map[string]templ.Component{
			"register": components.RegisterPage(components.RegisterView{Form: form, Countries: components.NewOptionList(nil)}),
			"login":    components.LoginPage(components.LoginView{Form: form}),
		} {
			_, doc := render(t, english(t), page)
			f := one(t, doc.where("name", components.TimeZoneField), name+" time_zone")
			if f.get("type") != "hidden" || f.get("value") != want {
				t.Errorf("%s with %q: %s", name, posted, f.outer())
			}
			if _, ok := f.attr("data-time-zone"); !ok {
				t.Errorf("%s: no data-time-zone for app.js", name)
			}
		}
	}
}

func emailIn(t *testing.T, lang string, kind string, data map[string]string) (components.EmailData, string, string) {
	t.Helper()
	b, _ := json.Marshal(data)
	subject, htmlPart, text, err := components.RenderOutbox(context.Background(), catalog(t), kind, lang, string(b))
	if err != nil {
		t.Fatal(err)
	}
	return components.EmailData{Subject: subject}, htmlPart, text
}

// Japanese emails greet by the family name with 様; a row queued before
// the family name was kept greets by the given name, as it did.
func TestEmailGreetingJapanese(t *testing.T) {
	for _, tt := range []struct {
		lang string
		data map[string]string
		want string
	}{
		{"ja", map[string]string{"FirstName": "太郎", "LastName": "山田"}, "山田様"},
		{"ja", map[string]string{"FirstName": "太郎"}, "太郎様"},
		{"zh-Hans", map[string]string{"FirstName": "小明", "LastName": "王"}, "王小明，您好："},
		{"en", map[string]string{"FirstName": "Ada", "LastName": "Lovelace"}, "Hello Ada,"},
	} {
		data := map[string]string{"Link": "https://gatehouse.example/activate?token=x", "ExpiresAt": "2030-01-03T09:00:00Z"}
		for k, v := range tt.data {
			data[k] = v
		}
		for _, kind := range []string{account.EmailActivation, account.EmailReset} {
			_, _, text := emailIn(t, tt.lang, kind, data)
			if first, _, _ := strings.Cut(text, "\n"); first != tt.want {
				t.Errorf("%s %s %v: greeting %q, want %q", tt.lang, kind, tt.data, first, tt.want)
			}
		}
	}
	already, _ := json.Marshal(map[string]string{"FirstName": "太郎", "LastName": "山田", "LoginURL": "https://g.example/login", "ResetURL": "https://g.example/password/forgot"})
	_, _, text, err := components.RenderOutbox(context.Background(), catalog(t), account.EmailAlreadyRegistered, "ja", string(already))
	if err != nil || !strings.HasPrefix(text, "山田様\n") {
		t.Errorf("already registered in Japanese: %v\n%s", err, text)
	}
}

// An email's times are in the recipient's time zone, named; UTC when the
// account kept none.
func TestEmailTimesInZone(t *testing.T) {
	for _, tt := range []struct{ lang, zone, want string }{
		{"en", "", "January 3, 2030, 09:00 UTC"},
		{"en", "America/New_York", "January 3, 2030, 04:00 EST"},
		{"ja", "Asia/Tokyo", "2030年1月3日 18:00（JST）"},
		{"de", "Europe/Berlin", "3. Januar 2030 um 10:00 CET"},
	} {
		for kind, data := range map[string]map[string]string{
			account.EmailActivation:      {"FirstName": "Ada", "Link": "https://g.example/activate?token=x", "ExpiresAt": "2030-01-03T09:00:00Z", "TimeZone": tt.zone},
			account.EmailPasswordChanged: {"FirstName": "Ada", "Initial": "false", "ResetURL": "https://g.example/password/forgot", "ChangedAt": "2030-01-03T09:00:00Z", "TimeZone": tt.zone},
			account.EmailSignInThrottled: {"FirstName": "Ada", "Minutes": "15", "ResetURL": "https://g.example/password/forgot", "At": "2030-01-03T09:00:00Z", "TimeZone": tt.zone},
		} {
			_, htmlPart, text := emailIn(t, tt.lang, kind, data)
			plain := strings.NewReplacer("\u2068", "", "\u2069", "").Replace(text)
			if !strings.Contains(plain, tt.want) {
				t.Errorf("%s %s in %q: want %q in\n%s", tt.lang, kind, tt.zone, tt.want, plain)
			}
			if !strings.Contains(strings.NewReplacer("\u2068", "", "\u2069", "").Replace(htmlPart), tt.want) {
				t.Errorf("%s %s in %q: HTML part lacks %q", tt.lang, kind, tt.zone, tt.want)
			}
		}
	}
}

// The code sits on the side reading starts from: the right in Arabic, the
// left in English, its digits left to right in both.
func TestEmailCodeReadingStart(t *testing.T) {
	data := map[string]string{"FirstName": "ليلى", "Code": "123456", "Link": "https://g.example/activate?token=x", "ExpiresAt": "2030-01-03T09:00:00Z"}
	for lang, align := range map[string]string{"ar": "right", "en": "left", "ja": "left"} {
		_, htmlPart, _ := emailIn(t, lang, account.EmailActivation, data)
		code := one(t, parse(t, htmlPart).where("data-testid", "email-code"), "code")
		if !strings.Contains(code.get("style"), "text-align:"+align) || code.get("align") != align {
			t.Errorf("%s: code paragraph %s, want aligned %s", lang, code.outer(), align)
		}
		if span := one(t, code.tag("span"), "code digits"); span.get("dir") != "ltr" {
			t.Errorf("%s: digits not kept left to right: %s", lang, code.outer())
		}
	}
}
