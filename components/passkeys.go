package components

import (
	"context"
	"strconv"

	"github.com/a-h/templ"

	"gatehouse/internal/i18n"
)

// passkeyMessages are the texts passkeys.js shows, carried on the element
// it works in, so they are translated like the rest of the page.
func passkeyMessages(ctx context.Context) templ.Attributes {
	return templ.Attributes{
		"data-msg-cancelled":   t(ctx, "page.passkeys.cancelled"),
		"data-msg-failed":      t(ctx, "page.passkeys.failed"),
		"data-msg-unsupported": t(ctx, "page.passkeys.unsupported"),
	}
}

func passkeyNameID(id int64) string { return "passkey-name-" + strconv.FormatInt(id, 10) }

func passkeyNameValue(p PasskeyRow, f PasskeyForm) string {
	if f.ID == p.ID && f.Form.Values != nil {
		return f.Form.Values["name"]
	}
	return p.Name
}

func passkeyNameError(p PasskeyRow, f PasskeyForm) (i18n.Message, bool) {
	if f.ID != p.ID {
		return i18n.Message{}, false
	}
	return f.Form.Error("name")
}

// loginAutocomplete lets the browser offer passkeys in the address
// field's autofill (conditional mediation) when passkeys are on.
func loginAutocomplete(passkeys bool) string {
	if passkeys {
		return "username webauthn"
	}
	return "username"
}
