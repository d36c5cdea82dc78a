package paths

import "strconv"

// The passkey routes. The ceremonies are JSON endpoints for the page's
// script (passkeys need it); managing them is plain forms.
const (
	// PasskeyPrefix holds the ceremonies; the challenge cookie is scoped
	// to it.
	PasskeyPrefix          = "/passkeys"
	PasskeyRegisterOptions = "/passkeys/register/options"
	PasskeyRegister        = "/passkeys/register"
	PasskeyLoginOptions    = "/passkeys/login/options"
	PasskeyLogin           = "/passkeys/login"
	// PasskeyOfferEnd declines the offer, made right after a password is
	// set, to add a passkey before signing in.
	PasskeyOfferEnd = "/passkeys/offer/end"
	// AccountPasskey is one passkey on the account page; its actions are
	// below it (PasskeyRename, PasskeyRemove).
	AccountPasskey = "/account/passkeys/:id"
)

// PasskeyRename is where the form renaming passkey id posts.
func PasskeyRename(id int64) string {
	return "/account/passkeys/" + strconv.FormatInt(id, 10) + "/rename"
}

// PasskeyRemove is where the form removing passkey id posts.
func PasskeyRemove(id int64) string {
	return "/account/passkeys/" + strconv.FormatInt(id, 10) + "/remove"
}
