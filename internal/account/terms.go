package account

// Terms are the documents a new account accepts, as absolute URLs (the
// deployment's TERMS_URL and PRIVACY_URL). Gatehouse has no terms of its
// own: with neither set there is nothing to accept, so the form shows no
// check box and sign-up does not ask for one.
type Terms struct {
	TermsURL, PrivacyURL string
}

// Offered reports whether sign-up asks for acceptance at all.
func (t Terms) Offered() bool { return t.TermsURL != "" || t.PrivacyURL != "" }

// termsField is the check box that accepts the Terms.
const termsField = "accept_terms"

// termsAt is termsField's place in the form.
var termsAt = fieldIndex(termsField)

// Terms are the documents sign-up asks to accept, for the form that links them.
func (s *Service) Terms() Terms { return s.cfg.Terms }
