package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/account"
	"gatehouse/internal/paths"
	"gatehouse/internal/store/storetest"
)

// TestAdminResetTwoStep: an operator removes the two-step verification of
// a person who lost the app and the codes, from the person's page, with
// the function `gatehouse users reset-2fa` calls. The action is offered
// only when the person has it; nobody but an operator reaches it (404), a
// cross-site post is refused, after 15 minutes the password is asked
// again; it is audited with the operator as its actor, the person is
// emailed in their own language, their sessions stay (as the command
// line leaves them), and the next sign-in asks only for the password.
func TestAdminResetTwoStep(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		ctx := context.Background()
		op := adminOperator(t, app, "op@example.com")
		opID := secUser(t, app.Store, "op@example.com").ID
		secSignUpDirect(t, app, "ada@example.com")
		secSignUpDirect(t, app, "bob@example.com")
		ada, bob := secUser(t, app.Store, "ada@example.com"), secUser(t, app.Store, "bob@example.com")
		adaBrowser := app.signIn("ada@example.com", goodPassword)
		app.turnOnTwoStep(adaBrowser)
		if err := app.Store.UpdateUserLocale(ctx, ada.ID, "de"); err != nil {
			t.Fatal(err)
		}
		adaPage := paths.AdminUserURL(paths.AdminUser, ada.PublicID)
		reset := paths.AdminUserURL(paths.AdminUserResetTwoStep, ada.PublicID)
		stillOn := func(when string) {
			t.Helper()
			if ts, err := app.Account.TwoStepStatus(ctx, account.User{ID: ada.ID}); err != nil || !ts.On {
				t.Fatalf("%s: two-step verification is gone (%v)", when, err)
			}
		}

		// Offered only to an account that has it.
		must(t, op.Get(adaPage), http.StatusOK, "Two-step verification", "On since", `action="`+reset+`"`, "Remove Two-Step Verification")
		bobPage := op.Get(paths.AdminUserURL(paths.AdminUser, bob.PublicID))
		must(t, bobPage, http.StatusOK, "Two-step verification")
		if strings.Contains(bobPage.Body, "/reset-2fa") {
			t.Error("the removal is offered for an account without two-step verification")
		}
		must(t, op.Post(paths.AdminUserURL(paths.AdminUserResetTwoStep, bob.PublicID), nil), http.StatusConflict,
			"This account has no two-step verification to remove.")

		// Nobody else: the person, another person, a visitor get the 404
		// of an unknown path, and nothing changes.
		bobBrowser := app.signIn("bob@example.com", goodPassword)
		for name, b := range map[string]*browser{"the person": adaBrowser, "another person": bobBrowser, "a visitor": app.Browser()} {
			if p := b.Post(reset, nil); p.StatusCode != http.StatusNotFound {
				t.Errorf("%s posting the removal: %d, want 404", name, p.StatusCode)
			}
		}
		stillOn("after others tried")
		// A cross-site post with the operator's cookie (rule 32).
		must(t, secPost(op, reset, nil, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, ""), http.StatusForbidden)
		stillOn("after a cross-site post")

		// The password was typed more than 15 minutes ago: asked again,
		// and nothing happens until it is given.
		app.Advance(16 * time.Minute)
		must(t, op.Post(reset, nil), http.StatusOK, `name="reauth_password"`, `action="`+reset+`"`)
		stillOn("before the password was entered again")
		must(t, op.Post(reset, url.Values{"reauth_password": {"not my password at all"}}), http.StatusOK, `name="reauth_password"`)
		stillOn("after a wrong password")
		before := len(app.Mail("ada@example.com"))
		mustRedirect(t, op.Post(reset, url.Values{"reauth_password": {goodPassword}}), adaPage+"?done=two_step_removed")

		if ts, err := app.Account.TwoStepStatus(ctx, account.User{ID: ada.ID}); err != nil || ts.On || ts.CodesLeft != 0 {
			t.Fatalf("after the removal: %+v %v", ts, err)
		}
		if left, err := app.Store.RecoveryCodesLeft(ctx, ada.ID); err != nil || left != 0 {
			t.Errorf("recovery codes left: %d %v", left, err)
		}
		adminMustActor(t, app.Store, account.EventTwoStepRemovedByOperator, opID)
		p := op.Get(adaPage + "?done=two_step_removed")
		must(t, p, http.StatusOK, "Two-step verification is removed; the person is told by email.",
			"Two-step verification removed by an administrator", "by op@example.com")
		if strings.Contains(p.Body, `action="`+reset+`"`) {
			t.Error("the removal is still offered")
		}

		// The email, in Ada's language, says what happened and what to do.
		mails := app.Mail("ada@example.com")
		if len(mails) != before+1 {
			t.Fatalf("%d new emails to Ada, want 1", len(mails)-before)
		}
		m := mails[len(mails)-1]
		for _, want := range []string{"Ein Administrator hat am", "die zweistufige Verifizierung von Ihrem Konto entfernt",
			"Falls Sie das nicht veranlasst haben", "/password/forgot"} {
			if !strings.Contains(m.Text, want) {
				t.Errorf("the email lacks %q:\n%s\n%s", want, m.Subject, m.Text)
			}
		}
		if !strings.Contains(m.Subject, "Zweistufige Verifizierung") {
			t.Errorf("subject %q", m.Subject)
		}

		// Her session stays, as the command line leaves it; signing in
		// again asks only for the password.
		must(t, adaBrowser.Get(paths.Account), http.StatusOK)
		mustRedirect(t, app.Browser().Post(paths.Login, url.Values{"email": {"ada@example.com"}, "password": {goodPassword}}), paths.Account)

		// A second post (a stale page) is refused with a reason.
		must(t, op.Post(reset, nil), http.StatusConflict, "This account has no two-step verification to remove.")

		// Not their own: that would skip the code turning it off asks for.
		app.turnOnTwoStep(op)
		me := secUser(t, app.Store, "op@example.com")
		mine := paths.AdminUserURL(paths.AdminUserResetTwoStep, me.PublicID)
		if p := op.Get(paths.AdminUserURL(paths.AdminUser, me.PublicID)); strings.Contains(p.Body, `action="`+mine+`"`) {
			t.Error("the operator is offered the removal of their own two-step verification")
		}
		must(t, op.Post(mine, nil), http.StatusConflict, "You cannot remove your own two-step verification here")
		if ts, err := app.Account.TwoStepStatus(ctx, account.User{ID: me.ID}); err != nil || !ts.On {
			t.Errorf("the operator removed their own: %+v %v", ts, err)
		}
	})
}
