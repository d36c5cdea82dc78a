package components_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"unicode"

	"gatehouse/components"
	"gatehouse/internal/account"
)

// One capitalisation rule per language for what the pages and emails
// label (headings, field labels, links, buttons, steps):
//
//   - English: the large buttons (primary and secondary, in pages and in
//     emails) in Title Case, as the product's own copy names them ("Send
//     Registration Email", "Set Password"); everything else in sentence
//     case ("Create your account", "Forgot password?", "Set password" as
//     a step).
//   - French, Spanish, Brazilian Portuguese: sentence case everywhere
//     ("Définir le mot de passe"), never English Title Case.
//   - German: sentence case with every noun capitalised ("Passwort
//     festlegen", "Neues Passwort bestätigen"): nouns up, verbs,
//     adjectives and particles down.
//   - Japanese, Chinese, Arabic: no letter case; nothing to check.
type caseRule func(text string, big bool) string

var caseRules = map[string]caseRule{
	"en":    englishCase,
	"fr":    sentenceCase,
	"es":    sentenceCase,
	"pt-BR": sentenceCase,
	"de":    germanCase,
}

// minorWords stay lower case inside English Title Case.
var minorWords = []string{"a", "an", "the", "and", "or", "but", "nor", "for", "in", "on", "at", "to", "of", "by", "with", "as", "per", "via"}

// properWords are names, capitalised wherever they stand.
// French writes l'État, the state as a polity, with a capital.
// The test pages' people and organisation (Ada Lovelace, Analytical
// Engines) are names too: a page shows them as their owners typed them.
var properWords = []string{"Gatehouse", "I", "Resend", "État", "Ada", "Lovelace", "Analytical", "Engines"}

// germanNouns must be capitalised wherever they stand; germanLower (verbs,
// adjectives, particles) never, except first. Together they cover every
// German label word that could be mistaken for the other kind.
var (
	germanNouns = []string{"passwort", "e-mail", "e-mail-adresse", "konto", "adresse", "code", "anmeldung", "startseite", "geräten",
		"posteingang", "link", "seite", "daten", "versuche", "angaben", "vorname", "nachname", "firmenname", "land", "region",
		"bundesland", "telefonnummer", "registrierung", "registrierungs-e-mail", "sitzungen", "geräte", "gerät", "postfach",
		"internetverbindung", "auslastung", "anfrage", "dienst", "anwendung", "folgendes", "schritt", "nutzungsbedingungen", "datenschutzerklärung"}
	germanLower = []string{"senden", "festlegen", "zurücksetzen", "anzeigen", "verbergen", "abmelden", "anmelden", "ändern", "bestätigen",
		"versuchen", "erneut", "registrieren", "erstellen", "auswählen", "vergessen", "neues", "aktuelles", "allen", "anderen", "weiter",
		"jetzt", "noch", "kein", "bereits", "falsche", "zur", "zum", "auf", "aus", "der", "die", "das", "dem", "den", "nicht", "mehr",
		"gefunden", "erreichbar", "abgelehnt", "zu", "viele", "funktioniert", "und", "von", "in", "an", "freiwillig", "bitte"}
)

// words splits a label into words with the punctuation that ends each.
func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '/' || r == '(' || r == ')' || r == '\u00a0' })
}

func letters(w string) string {
	return strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) })
}

// skipWord is a word no case rule reads: a placeholder value, an address,
// a number, an acronym.
func skipWord(w string) bool {
	l := letters(w)
	return l == "" || w == "s" /* seconds */ || strings.ContainsAny(w, "@{}0123456789.·") && !strings.HasSuffix(w, ".") || l == strings.ToUpper(l) && len([]rune(l)) > 1
}

func upperFirst(w string) bool { r := []rune(letters(w)); return len(r) > 0 && unicode.IsUpper(r[0]) }

// newSentence reports whether the word before ends a sentence.
// A colon does not: "Langue : français".
func newSentence(prev string) bool {
	return strings.HasSuffix(prev, "?") || strings.HasSuffix(prev, ".") || strings.HasSuffix(prev, "!")
}

func sentenceCase(text string, _ bool) string {
	ws := words(text)
	for i, w := range ws {
		if skipWord(w) || slices.Contains(properWords, letters(w)) {
			continue
		}
		if i > 0 && strings.HasSuffix(ws[i-1], ":") {
			continue // a value after its name: "Language: English", "Langue : français"
		}
		first := i == 0 || newSentence(ws[i-1])
		if first && !upperFirst(w) && unicode.IsLetter([]rune(w)[0]) {
			return "starts a sentence in lower case: " + w
		}
		if !first && upperFirst(w) {
			return "capitalised inside a sentence: " + w
		}
	}
	return ""
}

func englishCase(text string, big bool) string {
	if !big {
		return sentenceCase(text, false)
	}
	ws := words(text)
	for i, w := range ws {
		if skipWord(w) {
			continue
		}
		// The particle of "sign in" is part of its verb, capitalised as
		// "Sign In" is everywhere else: "Sign In with a Passkey".
		particle := i > 0 && strings.EqualFold(letters(ws[i-1]), "sign")
		minor := slices.Contains(minorWords, strings.ToLower(letters(w))) && i > 0 && i < len(ws)-1 && !particle
		if minor && upperFirst(w) {
			return "minor word capitalised in Title Case: " + w
		}
		if !minor && !upperFirst(w) {
			return "not Title Case: " + w
		}
	}
	return ""
}

func germanCase(text string, _ bool) string {
	ws := words(text)
	for i, w := range ws {
		if skipWord(w) {
			continue
		}
		lw := strings.ToLower(letters(w))
		first := i == 0 || newSentence(ws[i-1])
		switch {
		case first && !upperFirst(w):
			return "starts a sentence in lower case: " + w
		case slices.Contains(germanNouns, lw) && !upperFirst(w):
			return "noun in lower case: " + w
		case !first && slices.Contains(germanLower, lw) && upperFirst(w):
			return "capitalised non-noun: " + w
		}
	}
	return ""
}

// TestCaseRules proves each rule refuses what it is there to refuse.
func TestCaseRules(t *testing.T) {
	for _, tt := range []struct {
		rule   caseRule
		text   string
		big    bool
		wantOK bool
	}{
		{englishCase, "Send Registration Email", true, true},
		{englishCase, "Send the Email Again", true, true},
		{englishCase, "Send registration email", true, false},
		{englishCase, "Send The Email Again", true, false},
		{englishCase, "Sign In with a Passkey", true, true},
		{englishCase, "Sign in with a Passkey", true, false},
		{englishCase, "Create your account", false, true},
		{englishCase, "Create Your Account", false, false},
		{englishCase, "Don't have an account? Sign up", false, true},
		{englishCase, "Phone number (optional)", false, true},
		{englishCase, "Did you mean ada@gmail.com?", false, true},
		{sentenceCase, "Définir le mot de passe", false, true},
		{sentenceCase, "Définir Le Mot De Passe", false, false},
		{sentenceCase, "définir le mot de passe", false, false},
		{sentenceCase, "Pas encore de compte ? S’inscrire", false, true},
		{germanCase, "Passwort festlegen", true, true},
		{germanCase, "Neues Passwort bestätigen", false, true},
		{germanCase, "Passwort Festlegen", true, false},
		{germanCase, "Neues passwort bestätigen", false, false},
		{germanCase, "Noch kein Konto? Jetzt registrieren", false, true},
	} {
		if got := tt.rule(tt.text, tt.big); (got == "") != tt.wantOK {
			t.Errorf("%q (big %v): problem %q, want ok %v", tt.text, tt.big, got, tt.wantOK)
		}
	}
}

// bigButton reports whether n is a primary or secondary button (or a link
// shown as one).
func bigButton(n node) bool {
	c := " " + n.get("class") + " "
	return strings.Contains(c, " btn-primary ") || strings.Contains(c, " btn-secondary ")
}

// labelled are the elements whose text is a label.
func labelled(n node) bool {
	switch n.Data {
	case "h1", "h2", "h3", "label", "legend", "button", "a", "summary":
		return true
	}
	return false
}

// TestCapitalisation renders every page and every email in each language
// with letter case, and holds each label to its language's rule.
func TestCapitalisation(t *testing.T) {
	for lang, rule := range caseRules {
		ctx := in(t, lang)
		check := func(where, text string, big bool) {
			// The fixtures' data (a person's or an organisation's name) keeps
			// the case its owner gave it.
			text = strings.NewReplacer("\u2068", "", "\u2069", "", "*", "").Replace(text)
			for _, d := range userData {
				if len(d) > 3 {
					text = strings.ReplaceAll(text, d, "")
				}
			}
			text = strings.Join(strings.Fields(text), " ")
			if text == "" || strings.HasPrefix(text, "http") {
				return // a link that shows its address
			}
			if p := rule(text, big); p != "" {
				t.Errorf("%s %s: %q: %s", lang, where, text, p)
			}
		}
		for name, page := range withAdmin(pages()) {
			_, doc := render(t, ctx, page)
			for _, n := range doc.all(labelled) {
				// The language switcher names languages as they name
				// themselves ("français"); a link inside a label is part of
				// its sentence.
				if _, sw := n.attr("data-language-switch"); sw || n.Data == "a" && insideLabel(n) {
					continue
				}
				// A link that shows an identifier as code (an email's
				// kind in the console) is not a label.
				if c := n.children(); len(c) == 1 && c[0].Data == "code" && strings.TrimSpace(n.text()) == strings.TrimSpace(c[0].text()) {
					continue
				}
				check(name+" <"+n.Data+">", n.text(), bigButton(n))
				for _, a := range []string{"data-ready-text", "data-cooldown-text", "data-show-text", "data-hide-text"} {
					if v, ok := n.attr(a); ok {
						check(name+" "+a, v, bigButton(n))
					}
				}
			}
		}
		for kind, e := range map[string]account.Email{
			"activation": account.ActivationEmail{LinkEmail: account.LinkEmail{FirstName: "Ada", Link: "https://g.example/a"}},
			"reset":      account.ResetEmail{LinkEmail: account.LinkEmail{FirstName: "Ada", Link: "https://g.example/r"}},
			"already":    account.AlreadyRegisteredEmail{FirstName: "Ada", LoginURL: "https://g.example/login", ResetURL: "https://g.example/f"},
			"changed":    account.PasswordChangedEmail{FirstName: "Ada", ResetURL: "https://g.example/f"},
			"passkey added": account.PasskeyAddedEmail{PasskeyEmail: account.PasskeyEmail{FirstName: "Ada", Passkey: "Safari",
				AccountURL: "https://g.example/account", ResetURL: "https://g.example/f"}},
			"passkey removed": account.PasskeyRemovedEmail{PasskeyEmail: account.PasskeyEmail{FirstName: "Ada", Passkey: "Safari",
				AccountURL: "https://g.example/account", ResetURL: "https://g.example/f"}},
		} {
			d, err := components.EmailFor(ctx, e)
			if err != nil {
				t.Fatal(err)
			}
			check("email "+kind+" button", d.Button, true)
		}
	}
}

func insideLabel(n node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Data == "label" {
			return true
		}
	}
	return false
}

var _ = context.Background
