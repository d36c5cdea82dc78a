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

// An operator's invitation names no one, in every language: its subject
// and body say an administrator invited (no placeholder left, no name),
// while an owner's names the owner.
func TestInvitationEmailByOperator(t *testing.T) {
	cat := catalog(t)
	operator := account.InvitationEmail{ByOperator: true, Org: "Initech", Role: "owner", Link: "https://gatehouse.example/invite?token=x",
		ExpiresAt: time.Date(2030, 1, 2, 9, 0, 0, 0, time.UTC)}
	owner := operator
	owner.ByOperator, owner.Inviter = false, "Ada Lovelace"
	for _, tag := range cat.Languages() {
		ctx := i18n.With(context.Background(), cat.Localizer(tag))
		for _, e := range []account.InvitationEmail{operator, owner} {
			d, err := components.EmailFor(ctx, e)
			if err != nil {
				t.Fatal(err)
			}
			_, text, err := components.RenderEmail(ctx, d)
			if err != nil {
				t.Fatal(err)
			}
			all := d.Subject + "\n" + text
			if strings.Contains(all, "{{") || strings.Contains(all, "<no value>") || !strings.Contains(all, "Initech") {
				t.Errorf("%s: %q", tag, all)
			}
			if named := strings.Contains(d.Subject, "Ada Lovelace") && strings.Contains(text, "Ada Lovelace"); named == e.ByOperator {
				t.Errorf("%s, by operator %v: the inviter's name in subject and text is %v:\n%s", tag, e.ByOperator, named, all)
			}
		}
	}
	d, err := components.EmailFor(english(t), operator)
	if err != nil {
		t.Fatal(err)
	}
	if d.Subject != "An administrator invited you to join Initech" || !strings.HasPrefix(d.Paras[0], "An administrator has invited you to join Initech as Owner.") {
		t.Errorf("English: %q / %q", d.Subject, d.Paras)
	}
	// What the outbox stores decodes to the same: the flag survives.
	data, err := account.EncodeEmail(operator)
	if err != nil {
		t.Fatal(err)
	}
	subject, _, _, err := components.RenderOutbox(context.Background(), cat, account.EmailInvitation, "de", data)
	if err != nil || subject != "Ein Administrator hat Sie eingeladen, Initech beizutreten" {
		t.Errorf("from the outbox: %q %v", subject, err)
	}
}
