package account_test

import (
	"errors"
	"testing"

	"gatehouse/internal/account"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// Only an owner sets the rule; under it a member with neither a passkey
// nor confirmed two-step verification NeedsSecondFactor, as the session
// lookup says, and one with either does not; the rule off, no one does.
func TestNeedsSecondFactor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := orgEnv(t, st)
		ada := acme(t, e, account.JoinAuto)
		for _, email := range []string{"bob@acme.example", "cy@acme.example", "dee@acme.example"} {
			e.signUp(email, "Someone", "Acme")
		}
		cy := e.who("cy@acme.example")
		if err := e.svc.ChangeRole(e.ctx, ada, cy.PublicID, "admin", meta); err != nil {
			t.Fatal(err)
		}
		bobRaw, err := e.svc.Login(e.ctx, "bob@acme.example", goodPW, "", meta)
		if err != nil {
			t.Fatal(err)
		}
		bob := func() account.User {
			t.Helper()
			u, _, err := e.svc.Authenticate(e.ctx, bobRaw)
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		if bob().NeedsSecondFactor() {
			t.Fatal("needs a second factor before any rule")
		}
		for _, who := range []account.User{e.who("cy@acme.example"), bob()} {
			if err := e.svc.SetRequireSecondFactor(e.ctx, who, true, meta); !errors.Is(err, account.ErrOrgForbidden) {
				t.Fatalf("SetRequireSecondFactor by %s = %v", who.Email, err)
			}
		}
		if err := e.svc.SetRequireSecondFactor(e.ctx, ada, true, meta); err != nil {
			t.Fatal(err)
		}
		if u := bob(); !u.NeedsSecondFactor() || !u.HasAccess() {
			t.Fatalf("bob under the rule: needs %v, access %v", u.NeedsSecondFactor(), u.HasAccess())
		}
		// A passkey is enough.
		dee := e.who("dee@acme.example")
		if err := st.AddPasskey(e.ctx, &store.Passkey{UserID: dee.ID, CredentialID: "cred-dee", PublicKey: "k", Name: "Laptop", CreatedAt: e.clk.Now()}); err != nil {
			t.Fatal(err)
		}
		if e.who("dee@acme.example").NeedsSecondFactor() {
			t.Fatal("a member with a passkey needs a second factor")
		}
		// Two-step verification begun but not confirmed is not; confirmed is.
		if err := e.svc.BeginTwoStep(e.ctx, e.userView("bob@acme.example")); err != nil {
			t.Fatal(err)
		}
		if !bob().NeedsSecondFactor() {
			t.Fatal("an unconfirmed authenticator counted")
		}
		e.twoStepOn("bob@acme.example")
		if bob().NeedsSecondFactor() {
			t.Fatal("a member with two-step verification needs a second factor")
		}
		if err := e.svc.SetRequireSecondFactor(e.ctx, ada, false, meta); err != nil {
			t.Fatal(err)
		}
		if e.who("cy@acme.example").NeedsSecondFactor() {
			t.Fatal("needs a second factor with the rule off")
		}
	})
}
