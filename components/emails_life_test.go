package components_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"gatehouse/components"
	"gatehouse/internal/account"
	"gatehouse/internal/i18n"
)

// The emails of an account's life render in every shipped language with
// what each must carry: the change's link and code to the new address,
// the "this wasn't me" link and the new address to the old one, a way in
// for the owner of a taken address, and for a deleted account a greeting
// that names no one.
func TestAccountLifeEmails(t *testing.T) {
	at := time.Date(2030, 1, 2, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		e    account.Email
		want []string
	}{
		{account.EmailChangeEmail{LinkEmail: account.LinkEmail{FirstName: "Ada", Link: "https://g.example/account/email/confirm?token=x", Code: "123456", ExpiresAt: at}},
			[]string{"https://g.example/account/email/confirm?token=x", "123456"}},
		{account.EmailChangedEmail{FirstName: "Ada", NewEmail: "ada@example.org", RevertURL: "https://g.example/account/email/revert?token=y",
			RevertUntil: at.Add(7 * 24 * time.Hour), ChangedAt: at, Device: "Firefox on Linux", IP: "192.0.2.1"},
			[]string{"ada@example.org", "https://g.example/account/email/revert?token=y", "Firefox on Linux", "192.0.2.1"}},
		{account.AddressInUseEmail{FirstName: "Grace", LoginURL: "https://g.example/login", ResetURL: "https://g.example/password/forgot", At: at},
			[]string{"https://g.example/login", "https://g.example/password/forgot"}},
		{account.AccountDeletedEmail{DeletedAt: at}, nil},
	}
	c := catalog(t)
	for _, tag := range c.Languages() {
		ctx := i18n.With(context.Background(), c.Localizer(tag))
		for _, tc := range cases {
			d, err := components.EmailFor(ctx, tc.e)
			if err != nil {
				t.Fatal(err)
			}
			htmlPart, text, err := components.RenderEmail(ctx, d)
			if err != nil {
				t.Fatal(err)
			}
			if d.Subject == "" || strings.Contains(text, "email.") || strings.Contains(text, "<no value>") {
				t.Errorf("%s %s: subject %q, text:\n%s", tag, tc.e.Kind(), d.Subject, text)
			}
			for _, w := range tc.want {
				if !strings.Contains(text, w) || !strings.Contains(htmlPart, w) {
					t.Errorf("%s %s: lacks %q", tag, tc.e.Kind(), w)
				}
			}
			if _, ok := tc.e.(account.AccountDeletedEmail); ok && strings.Contains(text, "Ada") {
				t.Errorf("%s: the farewell names someone", tag)
			}
		}
	}
}
