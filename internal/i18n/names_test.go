package i18n_test

import (
	"context"
	"testing"
	"time"

	"gatehouse/internal/i18n"
)

func ctxIn(t *testing.T, lang string) context.Context {
	t.Helper()
	c, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	return i18n.With(context.Background(), c.Localizer(c.Match(lang)))
}

// Japanese greets by the family name (the message adds 様), Chinese by the
// whole name family first when it is in Han characters, every other
// language by the given name; an email queued before the family name was
// kept still greets by the given name.
func TestGreetingName(t *testing.T) {
	for _, tt := range []struct{ lang, given, family, want string }{
		{"en", "Ada", "Lovelace", "Ada"},
		{"de", "Ada", "Lovelace", "Ada"},
		{"ar", "ليلى", "حداد", "ليلى"},
		{"ja", "太郎", "山田", "山田"},
		{"ja", "Ada", "Lovelace", "Lovelace"},
		{"ja", "太郎", "", "太郎"},
		{"zh-Hans", "小明", "王", "王小明"},
		{"zh-Hans", "Ada", "Lovelace", "Ada"},
		{"zh-Hans", "小明", "", "小明"},
		{"en", "", "Lovelace", "Lovelace"},
	} {
		if got := i18n.GreetingName(ctxIn(t, tt.lang), tt.given, tt.family); got != tt.want {
			t.Errorf("%s: GreetingName(%q, %q) = %q, want %q", tt.lang, tt.given, tt.family, got, tt.want)
		}
	}
}

func TestGreetingInEmailCopy(t *testing.T) {
	ctx := ctxIn(t, "ja")
	if got := i18n.T(ctx, "email.greeting", map[string]any{"Name": i18n.GreetingName(ctx, "太郎", "山田")}); got != "山田様" {
		t.Errorf("ja greeting = %q, want 山田様", got)
	}
}

func TestFullName(t *testing.T) {
	for _, tt := range []struct{ lang, given, family, want string }{
		{"en", "Ada", "Lovelace", "Ada Lovelace"},
		{"fr", "Ada", "Lovelace", "Ada Lovelace"},
		{"ja", "太郎", "山田", "山田 太郎"},
		{"ja", "Ada", "Lovelace", "Ada Lovelace"},
		{"zh-Hans", "小明", "王", "王小明"},
		{"zh-Hans", "Ada", "Lovelace", "Ada Lovelace"},
		{"en", "太郎", "山田", "太郎 山田"},
		{"ja", "", "山田", "山田"},
	} {
		if got := i18n.FullName(ctxIn(t, tt.lang), tt.given, tt.family); got != tt.want {
			t.Errorf("%s: FullName(%q, %q) = %q, want %q", tt.lang, tt.given, tt.family, got, tt.want)
		}
	}
}

func TestFamilyNameFirst(t *testing.T) {
	for lang, want := range map[string]bool{"en": false, "de": false, "fr": false, "es": false, "pt-BR": false, "ar": false, "ja": true, "zh-Hans": true} {
		if got := i18n.FamilyNameFirst(ctxIn(t, lang)); got != want {
			t.Errorf("%s: FamilyNameFirst = %v", lang, got)
		}
	}
}

func TestTimeZone(t *testing.T) {
	for in, want := range map[string]string{
		"Asia/Tokyo": "Asia/Tokyo", " Europe/Berlin ": "Europe/Berlin", "UTC": "UTC",
		"": "", "Local": "", "Mars/Olympus": "", "../../etc/passwd": "", "Asia/Tokyo\n": "Asia/Tokyo",
		string(make([]byte, 100)): "",
	} {
		if got := i18n.TimeZone(in); got != want {
			t.Errorf("TimeZone(%q) = %q, want %q", in, got, want)
		}
	}
}

// Dates are shown in the zone of the context, named beside the time; UTC
// when none (or an unknown one) was given.
func TestDateInZone(t *testing.T) {
	at := time.Date(2030, 1, 2, 23, 30, 0, 0, time.UTC)
	for _, tt := range []struct{ lang, zone, want string }{
		{"en", "", "January 2, 2030, 23:30 UTC"},
		{"en", "Nowhere/Else", "January 2, 2030, 23:30 UTC"},
		{"en", "Asia/Tokyo", "January 3, 2030, 08:30 JST"},
		{"en", "America/New_York", "January 2, 2030, 18:30 EST"},
		{"en", "Asia/Kolkata", "January 3, 2030, 05:00 IST"},
		{"en", "Asia/Dubai", "January 3, 2030, 03:30 UTC+4"},
		{"en", "Asia/Kathmandu", "January 3, 2030, 05:15 UTC+5:45"},
		{"en", "America/St_Johns", "January 2, 2030, 20:00 NST"},
		{"ja", "Asia/Tokyo", "2030年1月3日 08:30（JST）"},
		{"de", "Europe/Berlin", "3. Januar 2030 um 00:30 CET"},
	} {
		ctx := i18n.WithZone(ctxIn(t, tt.lang), tt.zone)
		got := stripIsolates(i18n.Date(ctx, at))
		if got != tt.want {
			t.Errorf("%s %q: Date = %q, want %q", tt.lang, tt.zone, got, tt.want)
		}
	}
}

func stripIsolates(s string) string {
	out := []rune{}
	for _, r := range s {
		if r != '\u2068' && r != '\u2069' {
			out = append(out, r)
		}
	}
	return string(out)
}
