package account_test

import (
	"errors"
	"testing"

	"gatehouse/internal/account"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// SIGNUP_MODE=invite: Register creates, stores and sends nothing, for a
// new, a pending and an active address alike.
func TestSignupModeInvite(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		open := orgEnv(t, st)
		open.signUp("ada@acme.example", "Ada", "Acme")
		open.register("pending@example.com")
		e := orgEnv(t, st, func(c *account.Config) { c.SignupMode = account.SignupInvite })
		before, _ := st.OutboxByStatus(e.ctx, store.OutboxPending, 1000)
		for _, addr := range []string{"new@example.com", "pending@example.com", "ada@acme.example"} {
			if _, err := e.svc.Register(e.ctx, registration(addr), meta); !errors.Is(err, account.ErrSignupClosed) {
				t.Errorf("%s: %v, want ErrSignupClosed", addr, err)
			}
		}
		if _, err := st.UserByEmail(e.ctx, "new@example.com"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("invite mode created an account: %v", err)
		}
		if after, _ := st.OutboxByStatus(e.ctx, store.OutboxPending, 1000); len(after) != len(before) {
			t.Errorf("invite mode queued %d messages", len(after)-len(before))
		}
		if !e.svc.InviteOnly() {
			t.Error("InviteOnly is false")
		}
		// Invitations still create accounts.
		if _, err := e.svc.Invite(e.ctx, e.who("ada@acme.example"), "grace@example.com", "member", meta); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Join(e.ctx, e.inviteToken("grace@example.com"), join, meta); err != nil {
			t.Fatal(err)
		}
	})
}

// SIGNUP_MODE=approval: an account that creates its own organisation
// waits for an operator, who is emailed; approving lets it in and tells
// it; declining erases it with its empty organisation and tells it.
// Joining an existing organisation (by invitation or domain) never waits.
func TestSignupModeApproval(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := orgEnv(t, st, func(c *account.Config) {
			c.SignupMode = account.SignupApproval
			c.ApprovalNotify = []string{"ops@platform.example"}
		})
		if l := e.signUp("ada@acme.example", "Ada", "Acme"); l.Notice != account.NoticeAwaitingApproval {
			t.Fatalf("landing notice %q", l.Notice)
		}
		ada := e.who("ada@acme.example")
		if !ada.AwaitingApproval || ada.HasAccess() {
			t.Fatalf("ada waits %v, access %v", ada.AwaitingApproval, ada.HasAccess())
		}
		if w, err := e.svc.WaitingFor(e.ctx, ada); err != nil || w.Kind != account.WaitOperator {
			t.Fatalf("waiting %+v %v", w, err)
		}
		if m := e.lastMail("ops@platform.example", account.EmailSignupToApprove); m.data["Email"] != "ada@acme.example" || m.data["Company"] != "Acme" {
			t.Fatalf("operators' email %+v", m.data)
		}
		if list, err := e.svc.AwaitingApproval(e.ctx, 10); err != nil || len(list) != 1 || list[0].Email != "ada@acme.example" {
			t.Fatalf("queue %+v %v", list, err)
		}
		// A waiting owner cannot invite anyone.
		if _, err := e.svc.Invite(e.ctx, ada, "grace@example.com", "member", meta); !errors.Is(err, account.ErrOrgForbidden) {
			t.Fatalf("a waiting owner invites: %v", err)
		}
		if err := e.svc.ApproveSignup(e.ctx, "ADA@acme.example", operator); err != nil {
			t.Fatal(err)
		}
		if ada = e.who("ada@acme.example"); ada.AwaitingApproval || !ada.HasAccess() {
			t.Fatal("approved account still waits")
		}
		e.lastMail("ada@acme.example", account.EmailSignupApproved)
		if err := e.svc.ApproveSignup(e.ctx, "ada@acme.example", operator); !errors.Is(err, account.ErrNotAwaiting) {
			t.Fatalf("approve twice: %v", err)
		}
		if err := e.svc.ApproveSignup(e.ctx, "nobody@example.com", operator); !errors.Is(err, account.ErrUnknownUser) {
			t.Fatalf("approve unknown: %v", err)
		}

		// Invited people join an existing organisation: no wait.
		if _, err := e.svc.Invite(e.ctx, ada, "grace@example.com", "member", meta); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Join(e.ctx, e.inviteToken("grace@example.com"), join, meta); err != nil {
			t.Fatal(err)
		}
		if g := e.who("grace@example.com"); g.AwaitingApproval || !g.HasAccess() {
			t.Fatal("an invited colleague waits for an operator")
		}
		// Colleagues of a claimed automatic domain: no wait either.
		if err := e.svc.ClaimDomain(e.ctx, ada, meta); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.SetJoinPolicy(e.ctx, ada, "acme.example", "auto", meta); err != nil {
			t.Fatal(err)
		}
		e.signUp("bob@acme.example", "Bob", "Acme")
		if b := e.who("bob@acme.example"); b.AwaitingApproval || !b.HasAccess() {
			t.Fatal("a colleague joining by domain waits for an operator")
		}

		// Declined: erased, with the organisation nobody else joined.
		e.signUp("hank@globex.example", "Hank", "Globex")
		hank := e.who("hank@globex.example")
		if err := e.svc.DeclineSignup(e.ctx, "hank@globex.example", operator); err != nil {
			t.Fatal(err)
		}
		if _, err := st.UserByEmail(e.ctx, "hank@globex.example"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("declined account kept: %v", err)
		}
		if _, err := st.OrganisationByPublicID(e.ctx, hank.Org.OrgPublicID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("declined account's organisation kept: %v", err)
		}
		e.lastMail("hank@globex.example", account.EmailSignupDeclined)
		if _, err := e.svc.Login(e.ctx, "hank@globex.example", goodPW, "", meta); !errors.Is(err, account.ErrBadCredentials) {
			t.Fatalf("declined account signs in: %v", err)
		}
	})
}
