package account_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"gatehouse/internal/account"
)

// emailOfLen builds an address of exactly n characters with a dotted domain.
func emailOfLen(n int) string {
	local := strings.Repeat("a", 64)
	domain := ""
	for len(local)+1+len(domain)+len(".example") < n {
		if domain != "" && len(domain)%60 == 59 {
			domain += "."
			continue
		}
		domain += "b"
	}
	return local + "@" + domain + ".example"
}

// show lists field errors as field=ID, since FieldErrors prints only names.
func show(errs account.FieldErrors) string {
	var b strings.Builder
	for _, f := range account.RegistrationFieldNames {
		if m, ok := errs[f]; ok {
			fmt.Fprintf(&b, "%s=%s%v ", f, m.ID, m.Data)
		}
	}
	return "{" + strings.TrimSpace(b.String()) + "}"
}

// Rule 4: the email is trimmed, at most 254 characters, exactly one plain
// address, no CR/LF, and lower-cased so uniqueness is case-insensitive.
func TestCanonicalEmail(t *testing.T) {
	at254, at255 := emailOfLen(254), emailOfLen(255)
	if len(at254) != 254 || len(at255) != 255 {
		t.Fatalf("test helper built %d and %d characters", len(at254), len(at255))
	}
	tests := []struct {
		name, in, want string // want "" means refused
	}{
		{"plain", "ada@example.com", "ada@example.com"},
		{"trimmed", "  ada@example.com\t", "ada@example.com"},
		{"lower-cased", "Ada.Lovelace@Example.COM", "ada.lovelace@example.com"},
		{"plus tag kept", "ada+news@example.co.uk", "ada+news@example.co.uk"},
		{"254 characters", at254, strings.ToLower(at254)},
		{"255 characters", at255, ""},
		{"empty", "", ""},
		{"blank", "   ", ""},
		{"display name", "Ada <ada@example.com>", ""},
		{"angle brackets only", "<ada@example.com>", ""},
		{"quoted display name", `"Ada" <ada@example.com>`, ""},
		{"two addresses comma", "ada@example.com, eve@evil.example", ""},
		{"two addresses semicolon", "ada@example.com;eve@evil.example", ""},
		{"group syntax", "friends: ada@example.com;", ""},
		{"CRLF header injection", "ada@example.com\r\nBcc: eve@evil.example", ""},
		{"LF header injection", "ada@example.com\nBcc: eve@evil.example", ""},
		{"CR alone", "ada@example.com\rX", ""},
		{"NUL", "ada\x00@example.com", ""},
		{"no at sign", "ada.example.com", ""},
		{"empty local part", "@example.com", ""},
		{"no domain", "ada@", ""},
		{"domain without dot", "ada@localhost", ""},
		{"domain leading dot", "ada@.example.com", ""},
		{"domain trailing dot", "ada@example.com.", ""},
		{"domain double dot", "ada@example..com", ""},
		{"IP literal", "ada@[192.0.2.1]", ""},
		{"quoted local part", `"ada lovelace"@example.com`, ""},
		{"inner space", "ada lovelace@example.com", ""},
		{"two at signs", "ada@b@example.com", ""},
		{"comment", "ada@example.com (Ada)", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := account.CanonicalEmail(tt.in)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("CanonicalEmail(%q) = %q, want refused", tt.in, got)
				}
				var fe account.FieldErrors
				if !errors.As(err, &fe) || fe["email"].ID != "error.email.invalid" {
					t.Errorf("CanonicalEmail(%q) error = %v, want FieldErrors{email: error.email.invalid}", tt.in, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("CanonicalEmail(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

// reg is a registration of values, by form name.
func reg(values map[string]string) account.Registration {
	var r account.Registration
	for name, v := range values {
		r.Set(name, v)
	}
	return r
}

// tick is a check box's posted value.
func tick(on bool) string {
	if on {
		return "on"
	}
	return ""
}

// validRegistration passes Validate; each case changes one field.
func validRegistration() account.Registration {
	return reg(map[string]string{"first_name": "Ada", "last_name": "Lovelace", "company": "Analytical Engines Ltd", "country": "GB",
		"region": "GB-ENG", "email": "ada@example.com", "phone": "+44 20 7946 0958", "accept_terms": "on"})
}

// Rule 4 and rule 3: every registration field is checked by the one
// validator, each refusal carrying its own message ID (and data).
func TestRegistrationValidate(t *testing.T) {
	tests := []struct {
		name      string
		change    func(r *account.Registration)
		field, id string // field "" means valid
		max       int    // expected Data["Max"], 0 for none
	}{
		{"valid", func(r *account.Registration) {}, "", "", 0},
		{"valid without optional fields", func(r *account.Registration) { r.Set("region", ""); r.Set("phone", "") }, "", "", 0},
		{"first name required", func(r *account.Registration) { r.Set("first_name", "") }, "first_name", "error.first_name.required", 0},
		{"first name blank after Normalize", func(r *account.Registration) { r.Set("first_name", "  \t "); r.Normalize() }, "first_name", "error.first_name.required", 0},
		{"first name 100 is fine", func(r *account.Registration) { r.Set("first_name", strings.Repeat("é", 100)) }, "", "", 0},
		{"first name 101", func(r *account.Registration) { r.Set("first_name", strings.Repeat("a", 101)) }, "first_name", "error.field.too_long", 100},
		{"first name newline", func(r *account.Registration) { r.Set("first_name", "Ada\nBcc: x") }, "first_name", "error.field.invalid_characters", 0},
		{"first name NUL", func(r *account.Registration) { r.Set("first_name", "A\x00da") }, "first_name", "error.field.invalid_characters", 0},
		{"first name invalid UTF-8", func(r *account.Registration) { r.Set("first_name", "Ad\xffa") }, "first_name", "error.field.invalid_characters", 0},
		{"last name required", func(r *account.Registration) { r.Set("last_name", "") }, "last_name", "error.last_name.required", 0},
		{"last name 101", func(r *account.Registration) { r.Set("last_name", strings.Repeat("b", 101)) }, "last_name", "error.field.too_long", 100},
		{"last name tab", func(r *account.Registration) { r.Set("last_name", "Love\tlace") }, "last_name", "error.field.invalid_characters", 0},
		{"company required", func(r *account.Registration) { r.Set("company", "") }, "company", "error.company.required", 0},
		{"company 200 is fine", func(r *account.Registration) { r.Set("company", strings.Repeat("c", 200)) }, "", "", 0},
		{"company 201", func(r *account.Registration) { r.Set("company", strings.Repeat("c", 201)) }, "company", "error.field.too_long", 200},
		{"company carriage return", func(r *account.Registration) { r.Set("company", "ACME\rInc") }, "company", "error.field.invalid_characters", 0},
		{"country required", func(r *account.Registration) { r.Set("country", ""); r.Set("region", "") }, "country", "error.country.required", 0},
		{"country XX", func(r *account.Registration) { r.Set("country", "XX"); r.Set("region", "") }, "country", "error.country.invalid", 0},
		{"country ZZ", func(r *account.Registration) { r.Set("country", "ZZ"); r.Set("region", "") }, "country", "error.country.invalid", 0},
		{"country EU is not a country", func(r *account.Registration) { r.Set("country", "EU"); r.Set("region", "") }, "country", "error.country.invalid", 0},
		{"country lower case before Normalize", func(r *account.Registration) { r.Set("country", "gb"); r.Set("region", "") }, "country", "error.country.invalid", 0},
		{"country alpha-3", func(r *account.Registration) { r.Set("country", "GBR"); r.Set("region", "") }, "country", "error.country.invalid", 0},
		{"region optional where the country has regions", func(r *account.Registration) { r.Set("country", "US"); r.Set("region", "") }, "", "", 0},
		{"region of the country", func(r *account.Registration) { r.Set("country", "US"); r.Set("region", "US-CA") }, "", "", 0},
		{"region of another country", func(r *account.Registration) { r.Set("region", "FR-IDF") }, "region", "error.region.invalid", 0},
		{"region below the top level", func(r *account.Registration) { r.Set("region", "GB-LND") }, "region", "error.region.invalid", 0},
		{"region that does not exist", func(r *account.Registration) { r.Set("region", "GB-ZZZ") }, "region", "error.region.invalid", 0},
		{"region lower case before Normalize", func(r *account.Registration) { r.Set("region", "gb-eng") }, "region", "error.region.invalid", 0},
		{"region without country code", func(r *account.Registration) { r.Set("region", "ENG") }, "region", "error.region.invalid", 0},
		{"region empty subdivision", func(r *account.Registration) { r.Set("region", "GB-") }, "region", "error.region.invalid", 0},
		{"region punctuation", func(r *account.Registration) { r.Set("region", "GB-L<D") }, "region", "error.region.invalid", 0},
		{"no region where the country has none", func(r *account.Registration) { r.Set("country", "VA"); r.Set("region", "") }, "", "", 0},
		{"region where the country has none", func(r *account.Registration) { r.Set("country", "VA"); r.Set("region", "VA-01") }, "region", "error.region.invalid", 0},
		{"email required", func(r *account.Registration) { r.Set("email", "") }, "email", "error.email.required", 0},
		{"email invalid", func(r *account.Registration) { r.Set("email", "ada@localhost") }, "email", "error.email.invalid", 0},
		{"email two addresses", func(r *account.Registration) { r.Set("email", "ada@example.com,eve@evil.example") }, "email", "error.email.invalid", 0},
		{"phone with punctuation", func(r *account.Registration) { r.Set("phone", "+1 (201) 555-0123") }, "", "", 0},
		{"phone national for the country", func(r *account.Registration) { r.Set("phone", "020 7946 0958") }, "", "", 0},
		{"phone national with trunk prefix", func(r *account.Registration) { r.Set("phone", "+44 (0)20 7946 0958") }, "", "", 0},
		{"phone of another country", func(r *account.Registration) { r.Set("phone", "+33 6 12 34 56 78") }, "", "", 0},
		{"phone national of another country", func(r *account.Registration) { r.Set("phone", "06 12 34 56 78") }, "phone", "error.phone.invalid", 0},
		{"phone national in that country", func(r *account.Registration) {
			r.Set("country", "FR")
			r.Set("region", "")
			r.Set("phone", "06 12 34 56 78")
		}, "", "", 0},
		{"phone possible but not valid", func(r *account.Registration) { r.Set("phone", "+1 555 010 9999") }, "phone", "error.phone.invalid", 0},
		{"phone 4 digits", func(r *account.Registration) { r.Set("phone", "1234") }, "phone", "error.phone.invalid", 0},
		{"phone 16 digits", func(r *account.Registration) { r.Set("phone", "1234567890123456") }, "phone", "error.phone.invalid", 0},
		{"phone letters", func(r *account.Registration) { r.Set("phone", "555-CALL-NOW") }, "phone", "error.phone.invalid", 0},
		{"phone plus not first", func(r *account.Registration) { r.Set("phone", "44+2079460958") }, "phone", "error.phone.invalid", 0},
		{"phone extension", func(r *account.Registration) { r.Set("phone", "+44 20 7946 0958 ext. 12") }, "phone", "error.phone.invalid", 0},
		{"phone 32 characters", func(r *account.Registration) { r.Set("phone", "+44 "+strings.Repeat(" ", 16)+"20 7946 0958") }, "", "", 0},
		{"phone 33 characters", func(r *account.Registration) { r.Set("phone", "+44 "+strings.Repeat(" ", 17)+"20 7946 0958") }, "phone", "error.phone.invalid", 0},
		{"phone newline", func(r *account.Registration) { r.Set("phone", "+44 20\n7946 0958") }, "phone", "error.phone.invalid", 0},
		{"phone NUL", func(r *account.Registration) { r.Set("phone", "+44 20\x007946 0958") }, "phone", "error.phone.invalid", 0},
		{"terms not accepted", func(r *account.Registration) { r.Set("accept_terms", "") }, "accept_terms", "error.accept_terms.required", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := validRegistration()
			tt.change(&r)
			errs := r.Validate()
			if tt.field == "" {
				if errs != nil {
					t.Fatalf("Validate(%+v) = %+v, want nil", r, show(errs))
				}
				return
			}
			if len(errs) != 1 {
				t.Fatalf("Validate = %+v, want exactly one problem on %s", show(errs), tt.field)
			}
			m, ok := errs[tt.field]
			if !ok || m.ID != tt.id {
				t.Fatalf("Validate = %+v, want %s: %s", show(errs), tt.field, tt.id)
			}
			if tt.max != 0 && m.Data["Max"] != tt.max {
				t.Errorf("%s Data = %v, want Max %d", m.ID, m.Data, tt.max)
			}
			// Inline validation uses the same code for the one field.
			if fm, bad := r.CheckField(tt.field); !bad || fm.ID != tt.id {
				t.Errorf("CheckField(%s) = %+v, %v; want %s", tt.field, fm, bad, tt.id)
			}
		})
	}
}

// Rule 4: Normalize trims and canonicalises, so lower-case country and
// region codes and a padded, mixed-case email are accepted afterwards, and
// the phone is stored in E.164.
func TestRegistrationNormalize(t *testing.T) {
	r := reg(map[string]string{"first_name": "  Ada ", "last_name": "\tLovelace\n", "company": " Analytical Engines ", "country": " gb ",
		"region": "gb-eng", "email": "  Ada@Example.COM ", "phone": " 020 7946 0958 ", "accept_terms": "on"})
	r.Normalize()
	want := reg(map[string]string{"first_name": "Ada", "last_name": "Lovelace", "company": "Analytical Engines", "country": "GB",
		"region": "GB-ENG", "email": "ada@example.com", "phone": "+442079460958", "accept_terms": "on"})
	if r != want {
		t.Errorf("Normalize = %+v\nwant        %+v", r, want)
	}
	if errs := r.Validate(); errs != nil {
		t.Errorf("Validate after Normalize = %s", show(errs))
	}

	// An email that is not canonical stays (trimmed) so the error shows it.
	bad := reg(map[string]string{"email": "  Ada <ada@example.com> "})
	bad.Normalize()
	if bad.Get("email") != "Ada <ada@example.com>" {
		t.Errorf("Normalize kept %q", bad.Get("email"))
	}
	if m, isBad := bad.CheckField("email"); !isBad || m.ID != "error.email.invalid" {
		t.Errorf("display-name email after Normalize: %+v, %v", m, isBad)
	}
}

// Rule 3: only the named fields are form fields; Validate reports them in
// the order the form shows them, and nothing else.
func TestRegistrationFields(t *testing.T) {
	want := []string{"first_name", "last_name", "company", "country", "region", "email", "phone", "accept_terms"}
	if strings.Join(account.RegistrationFieldNames, ",") != strings.Join(want, ",") {
		t.Errorf("RegistrationFieldNames = %v, want %v", account.RegistrationFieldNames, want)
	}
	// Required fields fail empty; the optional ones get a value too long
	// for them.
	var bad account.Registration
	for _, f := range account.RegistrationFields {
		if !f.Required {
			bad.Set(f.Name, strings.Repeat("x", f.MaxLen+1))
		}
	}
	errs := bad.Validate()
	for f := range errs {
		found := false
		for _, w := range want {
			found = found || f == w
		}
		if !found {
			t.Errorf("Validate reported unknown field %q", f)
		}
	}
	if len(errs) != len(want) {
		t.Errorf("empty registration: %d problems %s, want one per field (%d)", len(errs), show(errs), len(want))
	}
}

// Rule 4: the phone is read with the chosen country as the region of
// numbers written without a country code, and stored in E.164; what is
// not a valid number stays as typed (trimmed) so the error can show it.
func TestRegistrationNormalizePhone(t *testing.T) {
	tests := []struct {
		country, phone, want string
		valid                bool
	}{
		{"GB", "+44 20 7946 0958", "+442079460958", true},
		{"GB", "020 7946 0958", "+442079460958", true},
		{"US", "+44 20 7946 0958", "+442079460958", true},
		{"US", "(201) 555-0123", "+12015550123", true},
		{"GB", "(201) 555-0123", "+442015550123", true}, // same digits, another country
		{"DE", "089/12345678", "+498912345678", true},
		{"FR", "06 12 34 56 78", "+33612345678", true},
		{"US", "1-800-FLOWERS", "1-800-FLOWERS", false}, // letters are refused everywhere
		{"GB", "０２０ ７９４６ ０９５８", "+442079460958", true},  // full-width digits
		{"GB", "06 12 34 56 78", "06 12 34 56 78", false},
		{"", "020 7946 0958", "020 7946 0958", false}, // no country, no country code
		{"GB", " 1234 ", "1234", false},
		{"GB", "+44 20 7946 0958 ext. 12", "+44 20 7946 0958 ext. 12", false},
		{"GB", "", "", true},
	}
	for _, tt := range tests {
		r := validRegistration()
		r.Set("country", tt.country)
		r.Set("region", "")
		r.Set("phone", tt.phone)
		r.Normalize()
		if r.Get("phone") != tt.want {
			t.Errorf("Normalize(%s, %q) phone = %q, want %q", tt.country, tt.phone, r.Get("phone"), tt.want)
		}
		if m, bad := r.CheckField("phone"); bad == tt.valid || bad && m.ID != "error.phone.invalid" {
			t.Errorf("CheckField(phone) for %s %q = %+v, %v; want valid %v", tt.country, tt.phone, m, bad, tt.valid)
		}
	}
}

// Whatever is typed, Normalize never panics, a phone it accepts is E.164
// and stays accepted, and normalising twice changes nothing.
func FuzzRegistrationPhone(f *testing.F) {
	for _, s := range []string{"+44 20 7946 0958", "020 7946 0958", "1-800-FLOWERS", "+1 555 010 9999", "tel:+1;ext=2", "555-CALL-NOW", "+", "0", "(((", "+8 8 8"} {
		f.Add("GB", s)
		f.Add("US", s)
	}
	f.Fuzz(func(t *testing.T, country, phone string) {
		r := reg(map[string]string{"country": country, "phone": phone})
		r.Normalize()
		once := r
		r.Normalize()
		if r != once {
			t.Fatalf("Normalize not idempotent: %q then %q", once.Get("phone"), r.Get("phone"))
		}
		if _, bad := r.CheckField("phone"); !bad && r.Get("phone") != "" {
			if p := r.Get("phone"); p[0] != '+' || len(p) > 16 || strings.Trim(p[1:], "0123456789") != "" {
				t.Fatalf("accepted phone %q is not E.164", p)
			}
		}
	})
}

// Inline validation normalises only the field it checks; the field's value
// and its verdict must be what the full submit's Normalize gives.
func FuzzNormalizeField(f *testing.F) {
	f.Add(" Ada ", " Lovelace", "Analytical Engines ", " gb ", " eng", " Ada@Example.COM ", " +44 20 7946 0958 ")
	f.Add("", "\t", "x", "us", "ca", "ada@gmial.com", "(555) 010-9999")
	f.Add("Ada", "Lovelace", "AE", "GB", "ZZ", "not an address", "020 7946 0958")
	f.Add("Ada", "Lovelace", "AE", "xx", "", "a@b", "1-800-FLOWERS")
	f.Fuzz(func(t *testing.T, first, last, company, country, region, email, phone string) {
		in := reg(map[string]string{"first_name": first, "last_name": last, "company": company, "country": country,
			"region": region, "email": email, "phone": phone, "accept_terms": tick(len(first)%2 == 0)})
		full := in
		full.Normalize()
		for _, field := range account.RegistrationFieldNames {
			one := in
			one.NormalizeField(field)
			if got, want := one.Get(field), full.Get(field); got != want {
				t.Errorf("NormalizeField(%s) = %q, Normalize gives %q", field, got, want)
			}
			gm, gbad := one.CheckField(field)
			wm, wbad := full.CheckField(field)
			if gbad != wbad || gm.ID != wm.ID || fmt.Sprint(gm.Data) != fmt.Sprint(wm.Data) {
				t.Errorf("CheckField(%s) after NormalizeField = %+v, %v; after Normalize %+v, %v", field, gm, gbad, wm, wbad)
			}
		}
	})
}
