package account_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/account"
	"gatehouse/internal/janitor"
	"gatehouse/internal/ratelimit"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// consoleOperator signs up email in an open sign-up and grants it the
// operator role; it returns the operator as the console names them.
func consoleOperator(t *testing.T, st *store.Store, email string) account.Operator {
	t.Helper()
	open := orgEnv(t, st)
	open.signUp(email, "Olga", "Ops")
	if _, err := open.svc.GrantOperator(open.ctx, email, operator); err != nil {
		t.Fatal(err)
	}
	return account.Operator{Name: email, UserID: open.user(email).ID, IP: "192.0.2.9"}
}

// With SIGNUP_MODE=invite an operator brings a new company in from the
// console: an organisation with no members (named as a rename is, in both
// trails), an invitation as its owner that names no one, a resend and a
// revoke; the invitee joins by the link as its owner, and its owners then
// read "an administrator" where the console names the operator.
func TestOperatorCreatesOrgAndInvitesOwner(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		op := consoleOperator(t, st, "ops@ops.example")
		e := orgEnv(t, st, func(c *account.Config) { c.SignupMode = account.SignupInvite })

		fieldErr(t, "an empty name", errOf(e.svc.CreateOrganisation(e.ctx, op, " \u200b ")), "name", "error.org.name_required")
		fieldErr(t, "a long name", errOf(e.svc.CreateOrganisation(e.ctx, op, strings.Repeat("x", 201))), "name", "error.field.too_long")
		id, err := e.svc.CreateOrganisation(e.ctx, op, "  Initech ")
		if err != nil {
			t.Fatal(err)
		}
		// Empty, it is listed and shown everywhere, and nothing erases it.
		co, err := e.svc.FindConsoleOrg(e.ctx, "initech")
		if err != nil || co.PublicID != id || co.Name != "Initech" || len(co.Members) != 0 || co.OwnerCount != 0 {
			t.Fatalf("the new organisation: %+v %v", co, err)
		}
		if len(co.Trail) != 1 || co.Trail[0].Kind != account.OrgEventCreated || !co.Trail[0].ByOperator || !strings.Contains(co.Trail[0].Actor, "ops@ops.example") {
			t.Errorf("its trail: %+v", co.Trail)
		}
		if ev := e.kindsAll(account.EventOrgChangedByOperator); len(ev) != 1 || ev[0].Actor != "ops@ops.example" || ev[0].ActorID == nil || *ev[0].ActorID != op.UserID {
			t.Errorf("audit of the creation: %+v", ev)
		}
		list, err := e.svc.ListOrgs(e.ctx, account.OrgQuery{Text: "Initech", Limit: 10})
		if err != nil || len(list) != 1 || list[0].Members != 0 {
			t.Fatalf("listed: %+v %v", list, err)
		}
		j := janitor.New(st, janitor.Retention{})
		j.Now = func() time.Time { return time.Now().AddDate(1, 0, 0) }
		if _, err := j.RunOnce(e.ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.ConsoleOrg(e.ctx, id); err != nil {
			t.Fatalf("the empty organisation went with the janitor's purge: %v", err)
		}

		by := account.OrgOperator{Operator: op, Org: id}
		res, err := e.svc.Invite(e.ctx, by, "grace@initech.example", "owner", meta)
		if err != nil || len(res.Invited) != 1 {
			t.Fatalf("operator invites an owner: %+v %v", res, err)
		}
		m := e.lastMail("grace@initech.example", account.EmailInvitation)
		if m.data["Inviter"] != "" || m.data["ByOperator"] != "true" || m.data["Org"] != "Initech" || m.data["Role"] != "owner" {
			t.Errorf("the email: %+v", m.data)
		}
		if strings.Contains(m.Data, "Olga") || strings.Contains(m.Data, "ops@ops.example") {
			t.Errorf("the email names the operator: %s", m.Data)
		}
		rows, err := st.PendingInvitations(e.ctx, co.Me.OrgID)
		if err != nil || len(rows) != 1 || !rows[0].ByOperator || rows[0].InvitedBy == nil || *rows[0].InvitedBy != op.UserID {
			t.Fatalf("stored: %+v %v", rows, err)
		}
		// The console names the operator; the invitee's page does not.
		ci, err := e.svc.Invitations(e.ctx, by)
		if err != nil || len(ci.Pending) != 1 || ci.Pending[0].InvitedBy != "Olga Tester" || !ci.Pending[0].ByOperator || ci.Grantable[0] != account.RoleOwner {
			t.Fatalf("the console's list: %+v %v", ci, err)
		}
		old := e.inviteToken("grace@initech.example")
		if err := e.svc.ResendInvitation(e.ctx, by, ci.Pending[0].ID, meta); err != nil {
			t.Fatalf("resend: %v", err)
		}
		if _, err := e.svc.CheckInvitation(e.ctx, old); !errors.Is(err, account.ErrInvalidToken) {
			t.Errorf("the link before the resend works: %v", err)
		}
		raw := e.inviteToken("grace@initech.example")
		l, err := e.svc.CheckInvitation(e.ctx, raw)
		if err != nil || l.InvitedBy != "" || !l.ByOperator || l.Org != "Initech" {
			t.Fatalf("the link's page: %+v %v", l, err)
		}
		if m := e.lastMail("grace@initech.example", account.EmailInvitation); m.data["Inviter"] != "" || m.data["ByOperator"] != "true" {
			t.Errorf("the resent email: %+v", m.data)
		}
		// A second invitation, withdrawn.
		if _, err := e.svc.Invite(e.ctx, by, "linus@initech.example", "member", meta); err != nil {
			t.Fatal(err)
		}
		ci, _ = e.svc.Invitations(e.ctx, by)
		if err := e.svc.RevokeInvitation(e.ctx, by, ci.Pending[0].ID, meta); err != nil || ci.Pending[0].Email != "linus@initech.example" {
			t.Fatalf("revoke %s: %v", ci.Pending[0].Email, err)
		}
		if _, err := e.svc.CheckInvitation(e.ctx, e.inviteToken("linus@initech.example")); !errors.Is(err, account.ErrInvalidToken) {
			t.Errorf("a withdrawn link works: %v", err)
		}

		// Grace joins by the link, in invite mode, as the owner.
		if _, err := e.svc.Join(e.ctx, raw, join, meta); err != nil {
			t.Fatalf("join: %v", err)
		}
		grace := e.who("grace@initech.example")
		if grace.Org == nil || grace.Org.OrgPublicID != id || grace.Org.Role != account.RoleOwner || !grace.HasAccess() {
			t.Fatalf("grace after joining: %+v", grace.Org)
		}
		// Her invitations list and trail say an administrator invited.
		if _, err := e.svc.Invite(e.ctx, by, "ken@initech.example", "member", meta); err != nil {
			t.Fatal(err)
		}
		mine, err := e.svc.Invitations(e.ctx, grace)
		if err != nil || len(mine.Pending) != 1 || mine.Pending[0].InvitedBy != "" || !mine.Pending[0].ByOperator {
			t.Fatalf("the owner's list: %+v %v", mine, err)
		}
		ov, err := e.svc.OrgOverview(e.ctx, grace)
		if err != nil {
			t.Fatal(err)
		}
		for _, en := range ov.Trail {
			if en.Kind == account.OrgEventInvited && (!en.ByOperator || en.Actor != "") {
				t.Errorf("the owner's trail names the operator: %+v", en)
			}
		}
		// The owner resending it becomes its inviter: her list and the
		// new email agree on it; the operator resending it again names
		// no one again.
		if err := e.svc.ResendInvitation(e.ctx, grace, mine.Pending[0].ID, meta); err != nil {
			t.Fatalf("the owner resends the operator's invitation: %v", err)
		}
		mine, _ = e.svc.Invitations(e.ctx, grace)
		if len(mine.Pending) != 1 || mine.Pending[0].ByOperator || mine.Pending[0].InvitedBy == "" {
			t.Errorf("after the owner's resend her list says: %+v", mine.Pending)
		}
		if m := e.lastMail("ken@initech.example", account.EmailInvitation); m.data["Inviter"] != mine.Pending[0].InvitedBy || m.data["ByOperator"] == "true" {
			t.Errorf("the owner's resent email: %+v, list %q", m.data, mine.Pending[0].InvitedBy)
		}
		if err := e.svc.ResendInvitation(e.ctx, by, mine.Pending[0].ID, meta); err != nil {
			t.Fatal(err)
		}
		mine, _ = e.svc.Invitations(e.ctx, grace)
		if len(mine.Pending) != 1 || !mine.Pending[0].ByOperator || mine.Pending[0].InvitedBy != "" {
			t.Errorf("after the operator's resend the owner's list says: %+v", mine.Pending)
		}
		// Owner and operator run the same rules on the same list.
		if err := e.svc.RevokeInvitation(e.ctx, grace, mine.Pending[0].ID, meta); err != nil {
			t.Fatalf("the owner withdraws the operator's invitation: %v", err)
		}
	})
}

// errOf is the error of a call that returns a value too.
func errOf[T any](_ T, err error) error { return err }

// An operator's invitations count against the per-inviter limit under the
// operator's own account (across organisations), and against the
// organisation's, as an owner's do.
func TestOperatorInvitesRateLimited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		op := consoleOperator(t, st, "ops@ops.example")
		e := orgEnv(t, st, func(c *account.Config) {
			c.Limits.InvitesPerInviter = ratelimit.Rule{Max: 3, Window: time.Hour}
			c.Limits.InvitesPerOrg = ratelimit.Rule{Max: 4, Window: time.Hour}
		})
		e.signUp("ada@acme.example", "Ada", "Acme")
		ada := e.who("ada@acme.example")
		a, _ := e.svc.CreateOrganisation(e.ctx, op, "Initech")
		b, _ := e.svc.CreateOrganisation(e.ctx, op, "Hooli")
		var rl *account.RateLimitedError
		if _, err := e.svc.Invite(e.ctx, account.OrgOperator{Operator: op, Org: a}, "a@example.com b@example.com", "member", meta); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Invite(e.ctx, account.OrgOperator{Operator: op, Org: b}, "c@example.com d@example.com", "member", meta); !errors.As(err, &rl) {
			t.Fatalf("over the operator's own limit in another organisation: %v", err)
		}
		// Acme: Ada's three and another operator's one are the
		// organisation's four; that operator's next is one too many.
		other := account.OrgOperator{Operator: consoleOperator(t, st, "ops2@ops.example"), Org: ada.Org.OrgPublicID}
		if _, err := e.svc.Invite(e.ctx, ada, "e@example.com f@example.com g@example.com", "member", meta); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Invite(e.ctx, other, "h@example.com", "member", meta); err != nil {
			t.Fatalf("the organisation's fourth: %v", err)
		}
		if _, err := e.svc.Invite(e.ctx, other, "i@example.com", "member", meta); !errors.As(err, &rl) {
			t.Fatalf("over the organisation's limit: %v", err)
		}
		if n := e.countMails(account.EmailInvitation); n != 6 {
			t.Errorf("%d invitations sent, want 6", n)
		}
	})
}

// Only an active operator acts: one whose role went, or whose account is
// disabled, neither creates an organisation nor invites into one.
func TestOperatorInvitesRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		op := consoleOperator(t, st, "ops@ops.example")
		e := orgEnv(t, st)
		id, err := e.svc.CreateOrganisation(e.ctx, op, "Initech")
		if err != nil {
			t.Fatal(err)
		}
		by := account.OrgOperator{Operator: op, Org: id}
		if _, err := e.svc.Invite(e.ctx, account.OrgOperator{Operator: op, Org: "org_nosuchthing"}, "a@example.com", "owner", meta); !errors.Is(err, account.ErrUnknownOrg) {
			t.Errorf("unknown organisation: %v", err)
		}
		if _, err := e.svc.RevokeOperator(e.ctx, "ops@ops.example", operator); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Invite(e.ctx, by, "a@example.com", "owner", meta); !errors.Is(err, account.ErrOrgForbidden) {
			t.Errorf("former operator invites: %v", err)
		}
		if _, err := e.svc.CreateOrganisation(e.ctx, op, "Hooli"); !errors.Is(err, account.ErrOrgForbidden) {
			t.Errorf("former operator creates: %v", err)
		}
		if _, err := e.svc.GrantOperator(e.ctx, "ops@ops.example", operator); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.DisableUser(e.ctx, "ops@ops.example", operator); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Invitations(e.ctx, by); !errors.Is(err, account.ErrOrgForbidden) {
			t.Errorf("disabled operator lists: %v", err)
		}
		if _, err := e.svc.Invite(e.ctx, by, "a@example.com", "owner", meta); !errors.Is(err, account.ErrOrgForbidden) {
			t.Errorf("disabled operator invites: %v", err)
		}
		if n := e.countMails(account.EmailInvitation); n != 0 {
			t.Errorf("%d invitations sent", n)
		}
	})
}

// SIGNUP_MODE=approval: the person joining by an operator's invitation
// into an organisation the console created does not wait for approval.
func TestOperatorInvitationSkipsApproval(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		op := consoleOperator(t, st, "ops@ops.example")
		e := orgEnv(t, st, func(c *account.Config) { c.SignupMode = account.SignupApproval })
		id, err := e.svc.CreateOrganisation(e.ctx, op, "Initech")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Invite(e.ctx, account.OrgOperator{Operator: op, Org: id}, "grace@initech.example", "owner", meta); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Join(e.ctx, e.inviteToken("grace@initech.example"), join, meta); err != nil {
			t.Fatal(err)
		}
		grace := e.who("grace@initech.example")
		if grace.AwaitingApproval || !grace.HasAccess() || grace.Org.Role != account.RoleOwner {
			t.Errorf("grace waits: awaiting %v, access %v, %+v", grace.AwaitingApproval, grace.HasAccess(), grace.Org)
		}
		if u := e.user("grace@initech.example"); u.Approval == store.ApprovalPending {
			t.Errorf("stored as waiting for approval")
		}
	})
}
