package i18n

import (
	"context"
	"unicode"

	"golang.org/x/text/language"
)

// FamilyNameFirst reports whether ctx's language writes a person's family
// name before the given name (山田 太郎, 王小明): Japanese and Chinese do,
// so their sign-up form asks for the family name first and their emails
// address the family name.
func FamilyNameFirst(ctx context.Context) bool {
	return familyFirst(language.Make(Lang(ctx)))
}

func familyFirst(tag language.Tag) bool {
	base, _ := tag.Base()
	switch base.String() {
	case "ja", "zh", "ko":
		return true
	}
	return false
}

// GreetingName is the name an email or page greets a person by in ctx's
// language; the message around it ("{{.Name}}様", "Hello {{.Name}},")
// carries the honorific. Japanese greets by the family name (山田様);
// Chinese by the full name, family first, when it is written in Han
// characters (王小明，您好), since a family name alone reads as curt
// without a title; every other language, and a Latin-script name in
// Chinese, by the given name. Where the preferred name is empty (emails
// queued before the family name was kept with them) the other one is used.
func GreetingName(ctx context.Context, given, family string) string {
	base, _ := language.Make(Lang(ctx)).Base()
	switch base.String() {
	case "ja":
		if family != "" {
			return family
		}
	case "zh":
		if family != "" && given != "" && isHan(family) && isHan(given) {
			return family + given
		}
	}
	if given != "" {
		return given
	}
	return family
}

// isHan reports whether s is written in Han characters only.
func isHan(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return s != ""
}

// FullName is a person's whole name as ctx's language writes it: "Ada
// Lovelace"; "山田 太郎" in Japanese; "王小明" in Chinese when both parts
// are Han characters. A name in Latin letters keeps its given-name-first
// order in every language, as its owner typed it to be read.
func FullName(ctx context.Context, given, family string) string {
	switch {
	case given == "":
		return family
	case family == "":
		return given
	}
	if familyFirst(language.Make(Lang(ctx))) && !isLatin(given+family) {
		base, _ := language.Make(Lang(ctx)).Base()
		if base.String() == "zh" && isHan(given) && isHan(family) {
			return family + given
		}
		return family + " " + given
	}
	return given + " " + family
}

// isLatin reports whether s has a Latin letter, which makes a name one to
// read in Western order.
func isLatin(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Latin, r) {
			return true
		}
	}
	return false
}
