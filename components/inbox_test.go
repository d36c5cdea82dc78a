package components_test

import (
	"strings"
	"testing"

	"golang.org/x/text/language"

	"gatehouse/components"
	"gatehouse/internal/account"
	"gatehouse/internal/i18n"
)

// The "no account here" notice, in every language: a plain greeting (no
// name is known), the sign-up link as its one link, no code and no token.
func TestNoAccountEmail(t *testing.T) {
	const signUp = "https://gatehouse.example/register?lang=en"
	cat := catalog(t)
	subjects := map[string]bool{}
	for _, tag := range []string{"en", "de", "fr", "es", "pt-BR", "ja", "zh-Hans", "ar"} {
		ctx := i18n.With(t.Context(), cat.Localizer(language.MustParse(tag)))
		d, err := components.EmailFor(ctx, account.NoAccountEmail{SignUpURL: signUp})
		if err != nil {
			t.Fatal(err)
		}
		if d.Code != "" || d.Subject == "" {
			t.Errorf("%s: code %q, subject %q", tag, d.Code, d.Subject)
		}
		subjects[d.Subject] = true
		htmlPart, text, err := components.RenderEmail(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		hrefs := map[string]bool{}
		for _, a := range parse(t, htmlPart).tag("a") {
			hrefs[a.get("href")] = true
		}
		if len(hrefs) != 1 || !hrefs[signUp] {
			t.Errorf("%s: links %v, want the sign-up page only", tag, hrefs)
		}
		if strings.Contains(text, "token=") || !strings.Contains(text, signUp) || strings.Contains(text, "{{") {
			t.Errorf("%s: text part:\n%s", tag, text)
		}
	}
	if len(subjects) != 8 {
		t.Errorf("%d distinct subjects in 8 languages: some are not translated", len(subjects))
	}
}

// The status fragment polls while the state can change and not once it
// is final; a problem links to the form for another address.
func TestDeliveryStatusFragment(t *testing.T) {
	ctx := english(t)
	v := components.DeliveryView{Poll: "/p/status", Refresh: "/p/sent", Change: "/p"}
	v.Delivery = account.Delivery{State: account.DeliverySent}
	out, _ := render(t, ctx, components.DeliveryStatus(v))
	for _, want := range []string{`hx-get="/p/status?shown=sent"`, `hx-trigger="every 3s"`, `hx-swap="outerHTML"`, `href="/p/sent"`} {
		if !strings.Contains(out, want) {
			t.Errorf("sent: lacks %s\n%s", want, out)
		}
	}
	if strings.Contains(out, `href="/p"`) {
		t.Errorf("sent: offers another address\n%s", out)
	}
	v.Delivery = account.Delivery{State: account.DeliverySpam, Final: true}
	out, _ = render(t, ctx, components.DeliveryStatus(v))
	if strings.Contains(out, "hx-") || !strings.Contains(out, `href="/p"`) || !strings.Contains(out, "marked as spam") {
		t.Errorf("spam: want no polling, the change link and the text\n%s", out)
	}
}
