package components_test

import (
	"testing"
	"time"

	"gatehouse/components"
	"gatehouse/internal/account"
)

// TestEmailTextExact: the plain-text part, byte for byte. Each paragraph
// starts at the line's start (a stray space before it is an indented,
// quoted-looking line in many mail clients); the code alone is indented.
func TestEmailTextExact(t *testing.T) {
	ctx := english(t)
	link := "http://gatehouse.test/activate?token=abc"
	d, err := components.EmailFor(ctx, account.ActivationEmail{LinkEmail: account.LinkEmail{
		FirstName: "Ada", Link: link, Code: "123456", ExpiresAt: time.Date(2030, 1, 2, 9, 0, 0, 0, time.UTC)}})
	if err != nil {
		t.Fatal(err)
	}
	_, text, err := components.RenderEmail(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	want := "Hello Ada,\n\n" +
		"Thanks for signing up. Confirm that this is your email address to continue, then choose a password.\n\n" +
		"Activate Registration:\n" + link + "\n\n" +
		"Or, on the page where you asked for this email, enter this code:\n\n" +
		"    123456\n\n" +
		"The link works once, until " + d.After[0][len("The link works once, until "):] + "\n\n" +
		"If you didn't sign up, ignore this email: no account is created without this confirmation.\n\n" +
		"-- \n" +
		"Sent by Gatehouse. You received this email because someone entered your address on our site.\n"
	if text != want {
		t.Errorf("text part:\n%q\nwant:\n%q", text, want)
	}
}
