package components_test

import (
	"strings"
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

// Every email's HTML part starts with its preheader: the first paragraph,
// hidden, so an inbox previews what the email says rather than the brand
// and the greeting. The text part, which has no hidden text, says it once.
func TestEmailPreheader(t *testing.T) {
	ctx := english(t)
	for _, e := range []account.Email{
		account.ActivationEmail{LinkEmail: account.LinkEmail{FirstName: "Ada", Link: "https://gatehouse.example/activate?token=x", ExpiresAt: time.Date(2030, 1, 3, 9, 0, 0, 0, time.UTC)}},
		account.AlreadyRegisteredEmail{FirstName: "Ada", LoginURL: "https://gatehouse.example/login", ResetURL: "https://gatehouse.example/password/forgot"},
		account.PasswordChangedEmail{FirstName: "Ada", ResetURL: "https://gatehouse.example/password/forgot", ChangedAt: time.Date(2030, 1, 2, 9, 0, 0, 0, time.UTC)},
	} {
		d, err := components.EmailFor(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		htmlPart, text, err := components.RenderEmail(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		doc := parse(t, htmlPart)
		body := one(t, doc.tag("body"), "body")
		first := body.children()[0]
		if style := first.get("style"); !strings.Contains(style, "display:none") || strings.TrimSpace(first.text()) != d.Paras[0] {
			t.Errorf("%s: body starts with %s, want the hidden first paragraph %q", e.Kind(), first.outer(), d.Paras[0])
		}
		if n := strings.Count(text, d.Paras[0]); n != 1 {
			t.Errorf("%s: the text part says the first paragraph %d times", e.Kind(), n)
		}
	}
}

// The "already registered" email offers a way in and a way back in, both
// links, and nothing else: no code, no activation.
func TestAlreadyRegisteredLinks(t *testing.T) {
	ctx := english(t)
	const login, reset = "https://gatehouse.example/login?lang=en", "https://gatehouse.example/password/forgot?lang=en"
	d, err := components.EmailFor(ctx, account.AlreadyRegisteredEmail{FirstName: "Ada", LoginURL: login, ResetURL: reset})
	if err != nil {
		t.Fatal(err)
	}
	if d.Code != "" {
		t.Errorf("code %q in an email for an account that has one", d.Code)
	}
	htmlPart, text, err := components.RenderEmail(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	hrefs := map[string]bool{}
	for _, a := range parse(t, htmlPart).tag("a") {
		hrefs[a.get("href")] = true
	}
	if len(hrefs) != 2 || !hrefs[login] || !hrefs[reset] {
		t.Errorf("links %v, want the sign-in and reset pages only", hrefs)
	}
	if !strings.Contains(text, "Sign In:\n"+login) || !strings.Contains(text, reset) {
		t.Errorf("text part lacks a link:\n%s", text)
	}
}
