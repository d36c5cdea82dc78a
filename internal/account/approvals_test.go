package account_test

import (
	"testing"

	"gatehouse/internal/account"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// SIGNUP_MODE=approval tells every active operator of a sign-up to
// approve, in the operator's own language, besides the
// SIGNUP_APPROVAL_NOTIFY addresses, each address once; a disabled
// operator is not told.
func TestApprovalNotifiesOperators(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		open := orgEnv(t, st)
		open.signUp("olga@ops.example", "Olga", "Ops")
		open.signUp("dan@ops.example", "Dan", "Ops Two")
		for _, a := range []string{"olga@ops.example", "dan@ops.example"} {
			if _, err := open.svc.GrantOperator(open.ctx, a, operator); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.UpdateUserLocale(open.ctx, open.who("olga@ops.example").ID, "de"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := open.svc.DisableUser(open.ctx, "dan@ops.example", operator); err != nil {
			t.Fatal(err)
		}
		e := orgEnv(t, st, func(c *account.Config) {
			c.SignupMode = account.SignupApproval
			c.ApprovalNotify = []string{"OLGA@ops.example", "ops@platform.example"}
		})
		if ok, err := e.svc.ApprovalAudience(e.ctx); err != nil || !ok {
			t.Fatalf("audience %v %v", ok, err)
		}
		e.signUp("ada@acme.example", "Ada", "Acme")
		olga := e.mails("olga@ops.example")
		n := 0
		for _, m := range olga {
			if m.Kind == account.EmailSignupToApprove {
				n++
				if m.Locale != "de" {
					t.Errorf("operator's email in %q, want de", m.Locale)
				}
			}
		}
		if n != 1 {
			t.Errorf("the operator got %d emails, want 1", n)
		}
		if m := e.lastMail("ops@platform.example", account.EmailSignupToApprove); m.data["Email"] != "ada@acme.example" || m.Locale != "en" {
			t.Errorf("address's email %+v in %q", m.data, m.Locale)
		}
		for _, m := range e.mails("dan@ops.example") {
			if m.Kind == account.EmailSignupToApprove {
				t.Error("a disabled operator was told")
			}
		}
		if n, err := e.svc.CountAwaiting(e.ctx); err != nil || n != 1 {
			t.Errorf("count %d %v", n, err)
		}
	})
}

// Nobody to tell: no operator and no address.
func TestApprovalAudienceEmpty(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := orgEnv(t, st, func(c *account.Config) { c.SignupMode = account.SignupApproval })
		if ok, err := e.svc.ApprovalAudience(e.ctx); err != nil || ok {
			t.Fatalf("audience %v %v", ok, err)
		}
		if !e.svc.ApprovalMode() {
			t.Error("ApprovalMode false")
		}
	})
}
