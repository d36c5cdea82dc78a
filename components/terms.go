package components

import (
	"context"
	"strings"

	"gatehouse/internal/account"
)

// termsPart is a piece of the terms check box's label: text, or a link to
// one of the documents when Href is set.
type termsPart struct {
	Text, Href string
}

// Stand-ins for the links in the translated sentence: private-use
// characters, which no translation holds, so each language puts the links
// where its grammar wants them and the page still makes them real links.
const (
	termsMark   = "\ue000"
	privacyMark = "\ue001"
)

// termsLabel is the check box's sentence in the request's language, split
// around the documents the deployment names.
func termsLabel(ctx context.Context, terms account.Terms) []termsPart {
	data := map[string]any{"Terms": termsMark, "Privacy": privacyMark}
	var sentence string
	switch {
	case terms.TermsURL != "" && terms.PrivacyURL != "":
		sentence = t(ctx, "form.accept_terms", data)
	case terms.TermsURL != "":
		sentence = t(ctx, "form.accept_terms_only", data)
	default:
		sentence = t(ctx, "form.accept_privacy_only", data)
	}
	var parts []termsPart
	for sentence != "" {
		i := strings.IndexAny(sentence, termsMark+privacyMark)
		if i < 0 {
			parts = append(parts, termsPart{Text: sentence})
			break
		}
		if i > 0 {
			parts = append(parts, termsPart{Text: sentence[:i]})
		}
		if strings.HasPrefix(sentence[i:], termsMark) {
			parts = append(parts, termsPart{Text: t(ctx, "form.terms_link"), Href: terms.TermsURL})
		} else {
			parts = append(parts, termsPart{Text: t(ctx, "form.privacy_link"), Href: terms.PrivacyURL})
		}
		sentence = sentence[i+len(termsMark):]
	}
	return parts
}
