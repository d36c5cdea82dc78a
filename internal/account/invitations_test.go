package account_test

import (
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gatehouse/internal/account"
	"gatehouse/internal/ratelimit"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// inviteToken is the token of the newest invitation emailed to to.
func (e *env) inviteToken(to string) string {
	e.t.Helper()
	return e.tokenIn(e.lastMail(to, account.EmailInvitation).data["Link"], "/invite")
}

func (e *env) countMails(kind string) int {
	e.t.Helper()
	rows, err := e.st.OutboxByStatus(e.ctx, store.OutboxPending, 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	n := 0
	for _, r := range rows {
		if r.Kind == kind {
			n++
		}
	}
	return n
}

var join = account.JoinForm{FirstName: "Grace", LastName: "Hopper", Password: goodPW, Confirm: goodPW}

// An owner invites two colleagues in one form; one opens the link (as
// often as a mail scanner likes), gives a name and a password, and is a
// member of the organisation with the invited role; the link works once.
func TestInviteAndJoin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := orgEnv(t, st)
		e.signUp("ada@acme.example", "Ada", "Acme")
		ada := e.who("ada@acme.example")
		res, err := e.svc.Invite(e.ctx, ada, "Grace@Example.com,\n linus@example.com; grace@example.com", "admin", meta)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Invited) != 2 {
			t.Fatalf("invited %v", res.Invited)
		}
		m := e.lastMail("grace@example.com", account.EmailInvitation)
		if m.data["Inviter"] != "Ada Tester" || m.data["Org"] != "Acme" || m.data["Role"] != "admin" || m.Locale != "en" {
			t.Fatalf("invitation email %+v locale %s", m.data, m.Locale)
		}
		raw := e.inviteToken("grace@example.com")
		for range 3 {
			l, err := e.svc.OpenInvitation(e.ctx, raw, meta)
			if err != nil || l.Org != "Acme" || l.HasAccount || l.Email != "grace@example.com" {
				t.Fatalf("open: %+v %v", l, err)
			}
		}
		// The names are checked like sign-up's, the password like any.
		_, err = e.svc.Join(e.ctx, raw, account.JoinForm{FirstName: "", LastName: "Hopper", Password: "short", Confirm: "short"}, meta)
		var errs account.FieldErrors
		if !errors.As(err, &errs) || errs["first_name"].ID == "" || errs["password"].ID == "" {
			t.Fatalf("bad form: %v", err)
		}
		l, err := e.svc.Join(e.ctx, raw, join, meta)
		if err != nil || l.Email != "grace@example.com" {
			t.Fatalf("join: %+v %v", l, err)
		}
		if _, err := e.svc.Join(e.ctx, raw, join, meta); !errors.Is(err, account.ErrInvalidToken) {
			t.Fatalf("second join: %v", err)
		}
		if _, err := e.svc.OpenInvitation(e.ctx, raw, meta); !errors.Is(err, account.ErrInvalidToken) {
			t.Fatalf("used link opens: %v", err)
		}
		grace := e.who("grace@example.com")
		if grace.Org == nil || grace.Org.OrgName != "Acme" || grace.Org.Role != account.RoleAdmin || grace.Company != "Acme" {
			t.Fatalf("grace %+v org %+v", grace, grace.Org)
		}
		var joined *account.Webhook
		for _, w := range e.orgWebhooks() {
			if w.Type == account.WebhookOrgMemberJoined && w.Data.Email == "grace@example.com" {
				joined = &w
			}
		}
		if joined == nil || joined.Data.OrgID != ada.Org.OrgPublicID || joined.Data.OrgRole != "admin" || joined.Data.ActorID != ada.PublicID {
			t.Fatalf("org.member_joined %+v", joined)
		}
		// The section lists only the invitation still open.
		inv, err := e.svc.Invitations(e.ctx, ada)
		if err != nil || len(inv.Pending) != 1 || inv.Pending[0].Email != "linus@example.com" || inv.Pending[0].InvitedBy != "Ada Tester" {
			t.Fatalf("pending %+v %v", inv, err)
		}
		// Inviting a member again leaves them out and says so.
		res, err = e.svc.Invite(e.ctx, ada, "grace@example.com", "member", meta)
		if err != nil || len(res.Invited) != 0 || len(res.AlreadyMembers) != 1 {
			t.Fatalf("member invited again: %+v %v", res, err)
		}
		trail, err := e.svc.OrgOverview(e.ctx, ada)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[account.OrgEventKind]bool{}
		for _, ev := range trail.Trail {
			kinds[ev.Kind] = true
		}
		if !kinds[account.OrgEventInvited] || !kinds[account.OrgEventInvitationAccepted] {
			t.Fatalf("trail %v", kinds)
		}
	})
}

// Rule 46: a member posting the invitation form gets ErrOrgForbidden and
// nothing is sent; admins cannot invite owners; owners can.
func TestInviteRoles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := orgEnv(t, st)
		e.signUp("ada@acme.example", "Ada", "Acme")
		ada := e.who("ada@acme.example")
		for _, r := range []string{"member", "admin"} {
			if _, err := e.svc.Invite(e.ctx, ada, r+"@example.com", r, meta); err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.Join(e.ctx, e.inviteToken(r+"@example.com"), join, meta); err != nil {
				t.Fatal(err)
			}
		}
		member, admin := e.who("member@example.com"), e.who("admin@example.com")
		before := e.countMails(account.EmailInvitation)
		if _, err := e.svc.Invite(e.ctx, member, "x@example.com", "member", meta); !errors.Is(err, account.ErrOrgForbidden) {
			t.Errorf("member invites: %v", err)
		}
		if _, err := e.svc.Invitations(e.ctx, member); !errors.Is(err, account.ErrOrgForbidden) {
			t.Errorf("member lists: %v", err)
		}
		if _, err := e.svc.Invite(e.ctx, admin, "y@example.com", "owner", meta); !errors.Is(err, account.ErrOrgForbidden) {
			t.Errorf("admin invites an owner: %v", err)
		}
		if n := e.countMails(account.EmailInvitation); n != before {
			t.Fatalf("%d invitations sent by refused forms", n-before)
		}
		if _, err := e.svc.Invite(e.ctx, ada, "z@example.com", "owner", meta); err != nil {
			t.Errorf("owner invites an owner: %v", err)
		}
		if _, err := e.svc.Invite(e.ctx, ada, "z@example.com", "superuser", meta); err == nil {
			t.Error("unknown role accepted")
		}
		// Pasted from a mail client, with names.
		res, err := e.svc.Invite(e.ctx, ada, "Grace Hopper <Grace@Example.com>; \"Linus T.\" <linus@example.com>", "member", meta)
		if err != nil || strings.Join(res.Invited, " ") != "grace@example.com linus@example.com" {
			t.Errorf("named addresses: %+v %v", res, err)
		}
		if _, err := e.svc.Invite(e.ctx, ada, "  \n ", "member", meta); err == nil {
			t.Error("no address accepted")
		}
		var errs account.FieldErrors
		if _, err := e.svc.Invite(e.ctx, ada, "ok@example.com, not-an-address", "member", meta); !errors.As(err, &errs) || errs["emails"].ID != "error.invite.email_invalid" {
			t.Errorf("bad address: %v", err)
		}
	})
}

// Rule 46 with two organisations: Globex's owner guessing (or knowing)
// Acme's invitation ids can neither resend nor revoke them.
func TestInviteOtherOrganisation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := orgEnv(t, st)
		e.signUp("ada@acme.example", "Ada", "Acme")
		e.signUp("hank@globex.example", "Hank", "Globex")
		ada, hank := e.who("ada@acme.example"), e.who("hank@globex.example")
		if _, err := e.svc.Invite(e.ctx, ada, "grace@example.com", "member", meta); err != nil {
			t.Fatal(err)
		}
		inv, _ := e.svc.Invitations(e.ctx, ada)
		id := inv.Pending[0].ID
		before := e.countMails(account.EmailInvitation)
		for _, guess := range []string{id, "", "inv_" + strings.Repeat("a", 26), strings.Repeat("x", 500)} {
			if err := e.svc.ResendInvitation(e.ctx, hank, guess, meta); !errors.Is(err, account.ErrNoInvitation) {
				t.Errorf("resend %q: %v", guess, err)
			}
			if err := e.svc.RevokeInvitation(e.ctx, hank, guess, meta); !errors.Is(err, account.ErrNoInvitation) {
				t.Errorf("revoke %q: %v", guess, err)
			}
		}
		if other, _ := e.svc.Invitations(e.ctx, hank); len(other.Pending) != 0 {
			t.Errorf("globex sees %+v", other.Pending)
		}
		if n := e.countMails(account.EmailInvitation); n != before {
			t.Errorf("%d emails sent", n-before)
		}
		if _, err := e.svc.OpenInvitation(e.ctx, e.inviteToken("grace@example.com"), meta); err != nil {
			t.Errorf("acme's invitation touched: %v", err)
		}
	})
}

// Rule 7: of parallel posts of one invitation's form exactly one joins.
func TestInviteJoinOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := orgEnv(t, st)
		e.signUp("ada@acme.example", "Ada", "Acme")
		if _, err := e.svc.Invite(e.ctx, e.who("ada@acme.example"), "grace@example.com", "member", meta); err != nil {
			t.Fatal(err)
		}
		raw := e.inviteToken("grace@example.com")
		var ok atomic.Int32
		var wg sync.WaitGroup
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := e.svc.Join(e.ctx, raw, join, meta)
				switch {
				case err == nil:
					ok.Add(1)
				case errors.Is(err, account.ErrInvalidToken), errors.Is(err, account.ErrHasAccount):
				default:
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if ok.Load() != 1 {
			t.Fatalf("%d joins, want 1", ok.Load())
		}
		members, err := e.svc.OrgOverview(e.ctx, e.who("ada@acme.example"))
		if err != nil || len(members.Members) != 2 {
			t.Fatalf("members %+v %v", members.Members, err)
		}
	})
}

// Rule 8/11: an invitation dies after INVITE_TOKEN_TTL, when revoked and
// when resent (the new link replaces it); all look alike.
func TestInviteExpiryRevokeResend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := orgEnv(t, st, func(c *account.Config) { c.InviteTTL = 48 * time.Hour })
		e.signUp("ada@acme.example", "Ada", "Acme")
		ada := e.who("ada@acme.example")
		if _, err := e.svc.Invite(e.ctx, ada, "grace@example.com, linus@example.com", "member", meta); err != nil {
			t.Fatal(err)
		}
		grace, linus := e.inviteToken("grace@example.com"), e.inviteToken("linus@example.com")
		inv, _ := e.svc.Invitations(e.ctx, ada)
		ids := map[string]string{}
		for _, p := range inv.Pending {
			ids[p.Email] = p.ID
		}
		if err := e.svc.RevokeInvitation(e.ctx, ada, ids["linus@example.com"], meta); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.OpenInvitation(e.ctx, linus, meta); !errors.Is(err, account.ErrInvalidToken) {
			t.Errorf("revoked: %v", err)
		}
		if err := e.svc.RevokeInvitation(e.ctx, ada, ids["linus@example.com"], meta); !errors.Is(err, account.ErrNoInvitation) {
			t.Errorf("revoked twice: %v", err)
		}
		e.clk.Add(48*time.Hour + time.Minute)
		if _, err := e.svc.OpenInvitation(e.ctx, grace, meta); !errors.Is(err, account.ErrInvalidToken) {
			t.Errorf("expired: %v", err)
		}
		if _, err := e.svc.Join(e.ctx, grace, join, meta); !errors.Is(err, account.ErrInvalidToken) {
			t.Errorf("expired join: %v", err)
		}
		inv, _ = e.svc.Invitations(e.ctx, ada)
		if len(inv.Pending) != 1 || !inv.Pending[0].Expired {
			t.Fatalf("expired not listed for resend: %+v", inv.Pending)
		}
		if err := e.svc.ResendInvitation(e.ctx, ada, ids["grace@example.com"], meta); err != nil {
			t.Fatal(err)
		}
		fresh := e.inviteToken("grace@example.com")
		if fresh == grace {
			t.Fatal("resend kept the token")
		}
		if _, err := e.svc.Join(e.ctx, fresh, join, meta); err != nil {
			t.Fatalf("resent link: %v", err)
		}
	})
}

// An address with an account accepts after signing in, from the list of
// its invitations; the email is in the invitee's language.
func TestInviteExistingAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := orgEnv(t, st)
		e.signUp("ada@acme.example", "Ada", "Acme")
		ada := e.who("ada@acme.example")
		if err := e.svc.ClaimDomain(e.ctx, ada, meta); err != nil {
			t.Fatal(err)
		}
		// Carol's domain joins by invitation only: she has no organisation.
		de := meta
		de.Locale = "de"
		r := reg(map[string]string{"first_name": "Carol", "last_name": "Tester", "company": "Acme", "country": "DE", "email": "carol@acme.example", "accept_terms": "on"})
		if _, err := e.svc.Register(e.ctx, r, de); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Complete(e.ctx, account.Activation, e.tokenIn(e.lastMail("carol@acme.example", account.EmailActivation).data["Link"], "/activate"), goodPW, goodPW, de); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Invite(e.ctx, ada, "carol@acme.example", "member", meta); err != nil {
			t.Fatal(err)
		}
		if m := e.lastMail("carol@acme.example", account.EmailInvitation); m.Locale != "de" {
			t.Errorf("invitation in %q, want the invitee's de", m.Locale)
		}
		raw := e.inviteToken("carol@acme.example")
		l, err := e.svc.OpenInvitation(e.ctx, raw, meta)
		if err != nil || !l.HasAccount {
			t.Fatalf("open: %+v %v", l, err)
		}
		if _, err := e.svc.Join(e.ctx, raw, join, meta); !errors.Is(err, account.ErrHasAccount) {
			t.Fatalf("join over an account: %v", err)
		}
		carol := e.who("carol@acme.example")
		mine, err := e.svc.MyInvitations(e.ctx, carol)
		if err != nil || len(mine) != 1 || mine[0].Org != "Acme" {
			t.Fatalf("mine %+v %v", mine, err)
		}
		// Someone else cannot accept it for her.
		e.signUp("hank@globex.example", "Hank", "Globex")
		if _, err := e.svc.AcceptInvitation(e.ctx, e.who("hank@globex.example"), mine[0].ID, meta); !errors.Is(err, account.ErrNoInvitation) {
			t.Fatalf("hank accepts carol's: %v", err)
		}
		org, err := e.svc.AcceptInvitation(e.ctx, carol, mine[0].ID, meta)
		if err != nil || org != "Acme" {
			t.Fatalf("accept: %q %v", org, err)
		}
		if c := e.who("carol@acme.example"); c.Org == nil || c.Org.OrgName != "Acme" || !c.HasAccess() {
			t.Fatalf("carol %+v", c.Org)
		}
		// Someone in another organisation is told to leave it first.
		if _, err := e.svc.Invite(e.ctx, ada, "hank@globex.example", "member", meta); err != nil {
			t.Fatal(err)
		}
		hank := e.who("hank@globex.example")
		mine, _ = e.svc.MyInvitations(e.ctx, hank)
		var member *account.AlreadyMemberError
		if _, err := e.svc.AcceptInvitation(e.ctx, hank, mine[0].ID, meta); !errors.As(err, &member) || member.Org != "Globex" {
			t.Fatalf("accept from another org: %v", err)
		}
		if err := e.svc.DeclineInvitation(e.ctx, hank, mine[0].ID, meta); err != nil {
			t.Fatal(err)
		}
		if mine, _ = e.svc.MyInvitations(e.ctx, hank); len(mine) != 0 {
			t.Fatalf("declined still listed")
		}
	})
}

// Invitation emails count against the inviter's and the organisation's
// limits; over either the whole form is refused and nothing is sent.
func TestInviteRateLimited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := orgEnv(t, st, func(c *account.Config) {
			c.Limits.InvitesPerInviter = ratelimit.Rule{Max: 3, Window: time.Hour}
			c.Limits.InvitesPerOrg = ratelimit.Rule{Max: 100, Window: time.Hour}
		})
		e.signUp("ada@acme.example", "Ada", "Acme")
		ada := e.who("ada@acme.example")
		if _, err := e.svc.Invite(e.ctx, ada, "a@example.com b@example.com", "member", meta); err != nil {
			t.Fatal(err)
		}
		var rl *account.RateLimitedError
		if _, err := e.svc.Invite(e.ctx, ada, "c@example.com d@example.com", "member", meta); !errors.As(err, &rl) {
			t.Fatalf("over the limit: %v", err)
		}
		if n := e.countMails(account.EmailInvitation); n != 2 {
			t.Fatalf("%d invitations sent, want 2", n)
		}
	})
}

// Resending cannot flood one inbox: the per-address email limit holds.
func TestInviteResendLimitedPerAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := orgEnv(t, st, func(c *account.Config) {
			c.Limits.EmailPerAddress = ratelimit.Rule{Max: 3, Window: time.Hour}
			c.Limits.InvitesPerInviter = ratelimit.Rule{Max: 100, Window: time.Hour}
			c.Limits.InvitesPerOrg = ratelimit.Rule{Max: 100, Window: time.Hour}
		})
		e.signUp("ada@acme.example", "Ada", "Acme")
		ada := e.who("ada@acme.example")
		if _, err := e.svc.Invite(e.ctx, ada, "grace@example.com", "member", meta); err != nil {
			t.Fatal(err)
		}
		inv, _ := e.svc.Invitations(e.ctx, ada)
		var rl *account.RateLimitedError
		for i := range 4 {
			err := e.svc.ResendInvitation(e.ctx, ada, inv.Pending[0].ID, meta)
			if i < 2 && err != nil {
				t.Fatalf("resend %d: %v", i, err)
			}
			if i == 3 && !errors.As(err, &rl) {
				t.Fatalf("resend %d: %v, want rate limited", i, err)
			}
		}
		if n := e.countMails(account.EmailInvitation); n != 3 {
			t.Fatalf("%d invitation emails, want 3", n)
		}
	})
}
