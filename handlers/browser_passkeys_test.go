package handlers_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"gatehouse/internal/account"
	"gatehouse/internal/store/storetest"
)

// virtualAuthenticator attaches Chromium's DevTools virtual authenticator
// to the tab: CTAP2 over the internal transport (a platform authenticator),
// holding discoverable credentials and verifying the user, presence
// answered at once. It returns its id.
func (u *uiTab) virtualAuthenticator() webauthn.AuthenticatorID {
	u.t.Helper()
	var id webauthn.AuthenticatorID
	u.run("add a virtual authenticator", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, webauthn.Enable, webauthn.EnableParams{}); err != nil {
			return err
		}
		res, err := cdp.Call(ctx, tg, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
			Options: &webauthn.VirtualAuthenticatorOptions{
				Protocol: webauthn.AuthenticatorProtocolCtap2, Ctap2version: webauthn.Ctap2versionCtap21,
				Transport: webauthn.AuthenticatorTransportInternal, HasResidentKey: true,
				HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true,
			}})
		if err != nil {
			return err
		}
		id = res.AuthenticatorID
		return nil
	}))
	return id
}

// credentials are what the virtual authenticator holds.
func (u *uiTab) credentials(id webauthn.AuthenticatorID) []*webauthn.Credential {
	u.t.Helper()
	var out []*webauthn.Credential
	u.run("list the authenticator's credentials", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		res, err := cdp.Call(ctx, tg, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: id})
		if err != nil {
			return err
		}
		out = res.Credentials
		return nil
	}))
	return out
}

// authSession is what /auth/session says of this tab's session.
func (u *uiTab) authSession() map[string]any {
	u.t.Helper()
	return uiEval[map[string]any](u, `fetch('/auth/session', {credentials: 'same-origin'}).then(r => r.json())`, chromedp.EvalAwaitPromise)
}

// copyCredential puts a credential into another tab's authenticator, as a
// synced passkey reaches a second device.
func (u *uiTab) copyCredential(id webauthn.AuthenticatorID, c *webauthn.Credential) {
	u.t.Helper()
	u.run("copy a credential", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		// Only the key and its account: cdproto always sends the CMTG
		// extension's fields, which an authenticator without it refuses.
		type credential struct {
			CredentialID         []byte  `json:"credentialId"`
			IsResidentCredential bool    `json:"isResidentCredential"`
			RpID                 string  `json:"rpId"`
			PrivateKey           []byte  `json:"privateKey"`
			UserHandle           []byte  `json:"userHandle"`
			SignCount            float64 `json:"signCount"`
		}
		type params struct {
			AuthenticatorID webauthn.AuthenticatorID `json:"authenticatorId"`
			Credential      credential               `json:"credential"`
		}
		add := cdp.Command[params, cdp.Empty]{Method: webauthn.CommandAddCredential}
		_, err := cdp.Call(ctx, tg, add, params{AuthenticatorID: id, Credential: credential{CredentialID: c.CredentialID,
			IsResidentCredential: c.IsResidentCredential, RpID: c.RpID, PrivateKey: c.PrivateKey, UserHandle: c.UserHandle, SignCount: c.SignCount}})
		return err
	}))
}

// noAutofill makes the tab a browser without passkey autofill, so only
// the button starts a passkey sign-in.
func (u *uiTab) noAutofill() {
	u.t.Helper()
	u.run("turn off passkey autofill", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{
			Source: `if (window.PublicKeyCredential) PublicKeyCredential.isConditionalMediationAvailable = () => Promise.resolve(false);`})
		return err
	}))
}

// TestBrowserPasskeys: in Chromium with virtual authenticators, a person
// who has just set their password adds a passkey from the offer on the
// sign-in page; the sign-in page that follows signs them in from the
// address field's autofill (conditional mediation, which the virtual
// authenticator answers by itself); they rename it on the account page;
// on a second device holding the same passkey (and no autofill) the "Sign
// in with a passkey" button signs in; they remove it, after which it signs
// in nowhere. Each sign-in is strong (hwk, phishing-resistant acr, no
// second step). Every new page has no CSP or axe violation.
func TestBrowserPasskeys(t *testing.T) {
	b := newUIBrowser(t)
	app := newApp(t, storetest.SQLite, onLocalhost)
	u := b.open(t, app, uiOptions{JS: true, Width: uiDesktop})
	auth := u.virtualAuthenticator()
	email := "ada.passkey@example.com"

	// Sign up in this browser: the password is set here, so the offer
	// to add a passkey comes right after.
	hb := app.Browser()
	mustRedirect(t, hb.Post("/register", registration(email)), "/register/sent")
	u.visit(app.LastLink(email, "/activate"))
	u.expectHeading("Set password")
	u.fill("#f-password", goodPassword)
	u.fill("#f-password_confirm", goodPassword)
	u.clickText("Set Password")
	u.expectHeading("Sign in")
	u.expectText("Add a passkey for faster sign-in")
	if ac := u.attr("#f-email", "autocomplete"); ac != "username webauthn" {
		t.Errorf("the address field's autocomplete is %q, want \"username webauthn\"", ac)
	}
	u.checkPage("login-passkey-offer")
	if msg := uiEval[string](u, `[...document.querySelectorAll('[data-passkey-status]')].map(e => e.textContent).join('')`); msg != "" {
		t.Errorf("the sign-in page says %q before anything was tried (the autofill request must stay quiet)", msg)
	}

	// Add it: the page goes on to sign-in, whose autofill request the
	// authenticator answers with the new passkey at once.
	u.clickText("Add a Passkey")
	u.expectHeading("Your account")
	creds := u.credentials(auth)
	if len(creds) != 1 || !creds[0].IsResidentCredential {
		t.Fatalf("the authenticator holds %+v, want one discoverable credential", creds)
	}
	if m := app.Mail(email); len(m) == 0 || !strings.Contains(m[len(m)-1].Subject, "passkey was added") {
		t.Errorf("no \"passkey added\" email: %+v", m)
	}
	if got := auditKinds(t, app, email); got[string(account.EventPasskeyAdded)] != 1 || got[string(account.EventPasskeySignIn)] != 1 {
		t.Errorf("audit trail %v, want one passkey added and one passkey sign-in (from autofill)", got)
	}
	checkStrongSession(t, u)
	if got := u.text("[data-testid=passkey-name]"); got != "Chrome · Linux" {
		t.Errorf("the new passkey is named %q, want the browser and system", got)
	}
	u.checkPage("account-passkeys")

	// Rename.
	clearName := `document.querySelector('[data-testid=passkey] input[name=name]').value = ''`
	uiEval[chromedp.Void](u, clearName)
	u.fill("[data-testid=passkey] input[name=name]", "Work laptop")
	u.clickText("Rename")
	u.expectText("The passkey has been renamed.")
	if got := u.text("[data-testid=passkey-name]"); got != "Work laptop" {
		t.Errorf("renamed passkey shows %q", got)
	}
	// A bad name keeps what was typed and says what is wrong.
	// (maxlength stops typing at 64; a pasted or posted name may be longer.)
	uiEval[chromedp.Void](u, `document.querySelector('[data-testid=passkey] input[name=name]').removeAttribute('maxlength')`)
	uiEval[chromedp.Void](u, clearName)
	u.fill("[data-testid=passkey] input[name=name]", strings.Repeat("x", account.MaxPasskeyName+1))
	u.clickText("Rename")
	u.expectText("Use at most 64 characters for the name.")
	u.checkPage("account-passkey-rename-refused")

	// The button, on a second device that has the passkey and no autofill.
	other := b.open(t, app, uiOptions{JS: true, Width: uiPhone})
	other.noAutofill()
	otherAuth := other.virtualAuthenticator()
	other.copyCredential(otherAuth, u.credentials(auth)[0])
	other.visit("/login")
	other.expectHeading("Sign in")
	other.clickText("Sign In with a Passkey")
	other.expectHeading("Your account")
	checkStrongSession(t, other)
	other.clickText("Sign Out")
	other.expectHeading("Sign in")
	other.checkPage("login-passkey-button")

	// Remove.
	u.visit("/account")
	u.clickText("Remove")
	u.expectText("The passkey has been removed.")
	u.waitVisible("[data-testid=passkeys-none]")
	if m := app.Mail(email); len(m) == 0 || !strings.Contains(m[len(m)-1].Subject, "passkey was removed") {
		t.Errorf("no \"passkey removed\" email: %+v", m)
	}
	u.checkPage("account-passkey-removed")

	// The removed passkey signs in nowhere, with the one answer.
	other.clickText("Sign In with a Passkey")
	other.expectText("That passkey did not sign you in.")
	if p := other.path(); !strings.HasPrefix(p, "/login") {
		t.Errorf("a refused passkey left the page at %s", p)
	}
	other.checkPage("login-passkey-refused")
}

// checkStrongSession: /auth/session says the tab signed in with a
// device-bound passkey, verified, as a phishing-resistant sign-in.
func checkStrongSession(t *testing.T, u *uiTab) {
	t.Helper()
	if s := uiJSON(u.authSession()); !strings.Contains(s, `"hwk"`) || !strings.Contains(s, `"user"`) || !strings.Contains(s, "phishing-resistant") {
		t.Errorf("/auth/session after a passkey sign-in: %s, want amr hwk and user, and the phishing-resistant acr", s)
	}
}

// auditKinds counts the audit events of the account of email.
func auditKinds(t *testing.T, app *testApp, email string) map[string]int {
	t.Helper()
	u, err := app.Store.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	events, err := app.Store.AuditEventsByUser(context.Background(), u.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, e := range events {
		out[e.Kind]++
	}
	return out
}

// countChallenges is how many live challenges of a ceremony are stored.
func countChallenges(t *testing.T, app *testApp, ceremony string) int {
	t.Helper()
	n, err := app.Store.CountWebAuthnChallenges(context.Background(), ceremony, app.Now())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBrowserPasskeysWithoutScript: with JavaScript off the sign-in and
// account pages say passkeys need it, show no passkey button, and the
// password signs in as before.
func TestBrowserPasskeysWithoutScript(t *testing.T) {
	b := newUIBrowser(t)
	app := newApp(t, storetest.SQLite, onLocalhost)
	email := "ada.noscript@example.com"
	app.signUp(email)
	u := b.open(t, app, uiOptions{JS: false, Width: uiPhone})
	u.visit("/login?return_to=" + url.QueryEscape("/account"))
	u.expectText("Passkeys need JavaScript")
	if uiEval[bool](u, `[...document.querySelectorAll('[data-passkey-button]')].some(b => !b.hidden)`) {
		t.Error("a passkey button is shown without JavaScript")
	}
	u.checkPage("login-no-script")
	u.signIn(email, goodPassword)
	u.expectText("Passkeys need JavaScript")
	u.checkPage("account-no-script")
}
