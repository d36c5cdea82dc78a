package account_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/account"
	"gatehouse/internal/password"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

var fastHash = password.Params{Memory: 64, Time: 1, Threads: 1}

// orgEnv is an env with webhooks on, where people sign up with a name.
func orgEnv(t *testing.T, st *store.Store, mutate ...func(*account.Config)) *env {
	cfg := config()
	cfg.Webhooks = true
	for _, m := range mutate {
		m(&cfg)
	}
	return newEnvWith(t, st, fastHash, 4, cfg)
}

// signUp registers email with company and first name, sets the password
// and returns where activation left the organisation.
func (e *env) signUp(email, first, company string) account.Landing {
	e.t.Helper()
	r := reg(map[string]string{"first_name": first, "last_name": "Tester", "company": company,
		"country": "GB", "email": email, "accept_terms": "on"})
	if _, err := e.svc.Register(e.ctx, r, meta); err != nil {
		e.t.Fatalf("Register(%s): %v", email, err)
	}
	raw := e.tokenIn(e.lastMail(strings.ToLower(email), account.EmailActivation).data["Link"], "/activate")
	l, err := e.svc.CompleteTo(e.ctx, account.Activation, raw, goodPW, goodPW, meta)
	if err != nil {
		e.t.Fatalf("activate %s: %v", email, err)
	}
	return l
}

// who is email's account as a signed-in page sees it, with its
// organisation, after signing in.
func (e *env) who(email string) account.User {
	e.t.Helper()
	raw, err := e.svc.Login(e.ctx, email, goodPW, "", meta)
	if err != nil {
		e.t.Fatalf("Login(%s): %v", email, err)
	}
	u, _, err := e.svc.Authenticate(e.ctx, raw)
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// webhooks are the org.* events queued so far, oldest first.
func (e *env) orgWebhooks() []account.Webhook {
	e.t.Helper()
	rows, err := e.st.OutboxByStatus(e.ctx, store.OutboxPending, 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []account.Webhook
	for _, r := range rows {
		if r.Kind != store.KindWebhook {
			continue
		}
		var w account.Webhook
		if err := json.Unmarshal([]byte(r.Data), &w); err != nil {
			e.t.Fatal(err)
		}
		if strings.HasPrefix(string(w.Type), "org.") {
			out = append(out, w)
		}
	}
	return out
}

func fieldErr(t *testing.T, what string, err error, field, id string) {
	t.Helper()
	var fe account.FieldErrors
	if !errors.As(err, &fe) || fe[field].ID != id {
		t.Fatalf("%s = %v, want %s on %s", what, err, id, field)
	}
}

// The first verified person of a company creates its organisation as
// owner; the platform hears of it.
func TestFirstPersonCreatesOrganisation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := orgEnv(t, st)
		l := e.signUp("ada@acme.example", "Ada", "Acme Ltd")
		if l.Notice != "" {
			t.Errorf("notice %q, want the flow's own", l.Notice)
		}
		ada := e.who("ada@acme.example")
		if ada.Org == nil || ada.Org.OrgName != "Acme Ltd" || ada.Org.Role != account.RoleOwner || ada.Org.Pending || !ada.HasAccess() {
			t.Fatalf("org %+v", ada.Org)
		}
		if !strings.HasPrefix(ada.Org.OrgPublicID, "org_") || ada.Company != "Acme Ltd" {
			t.Errorf("public id %q company %q", ada.Org.OrgPublicID, ada.Company)
		}
		hooks := e.orgWebhooks()
		if len(hooks) != 2 || hooks[0].Type != account.WebhookOrgCreated || hooks[1].Type != account.WebhookOrgMemberJoined {
			t.Fatalf("webhooks %+v", hooks)
		}
		if d := hooks[0].Data; d.OrgID != ada.Org.OrgPublicID || d.OrgName != "Acme Ltd" || d.OrgRole != "owner" || d.UserID != ada.PublicID {
			t.Errorf("org.created data %+v", d)
		}
		// Without a claim, a colleague is the first of their own.
		e.signUp("bob@acme.example", "Bob", "ACME Inc.")
		bob := e.who("bob@acme.example")
		if bob.Org == nil || bob.Org.OrgID == ada.Org.OrgID || bob.Org.Role != account.RoleOwner {
			t.Fatalf("bob %+v", bob.Org)
		}
	})
}

// Rule 47: free-mail and disposable domains can never be claimed; a
// company domain can, once, by an owner or admin.
func TestDomainClaimRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := orgEnv(t, st)
		e.signUp("ada@gmail.com", "Ada", "Acme")
		e.signUp("tmp@mailinator.com", "Tim", "Temp")
		e.signUp("x@ada.33mail.com", "Xavier", "Wild")
		for addr, id := range map[string]string{"ada@gmail.com": "error.org.domain_free", "tmp@mailinator.com": "error.org.domain_disposable",
			"x@ada.33mail.com": "error.org.domain_disposable"} {
			fieldErr(t, "ClaimDomain("+addr+")", e.svc.ClaimDomain(e.ctx, e.who(addr), meta), "domain", id)
		}
		if _, err := st.OrgDomainByName(e.ctx, "gmail.com"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("gmail.com claimed: %v", err)
		}
		e.signUp("hank@globex.example", "Hank", "Globex")
		hank := e.who("hank@globex.example")
		if err := e.svc.ClaimDomain(e.ctx, hank, meta); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.ClaimDomain(e.ctx, hank, meta); err != nil {
			t.Fatalf("claiming its own domain again: %v", err)
		}
		// A second organisation on the same domain (no claim when it was
		// made) cannot take the claim.
		e.signUp("ann@globex.example", "Ann", "Globex Two")
		ov, _ := e.svc.OrgOverview(e.ctx, hank)
		if len(ov.Domains) != 1 || ov.Domains[0].Domain != "globex.example" || ov.Domains[0].Policy != account.JoinInvite {
			t.Fatalf("domains %+v", ov.Domains)
		}
		// ann joined nothing (invite only): she has no role to claim with.
		if err := e.svc.ClaimDomain(e.ctx, e.who("ann@globex.example"), meta); !errors.Is(err, account.ErrOrgForbidden) {
			t.Fatalf("claim without organisation: %v", err)
		}
	})
}

func TestNormalizeDomain(t *testing.T) {
	for in, want := range map[string]string{"Acme.Example": "acme.example", " acme.example. ": "acme.example",
		"Bücher.Example": "xn--bcher-kva.example", "ＡＣＭＥ.example": "acme.example"} {
		if got, err := account.NormalizeDomain(in); err != nil || got != want {
			t.Errorf("NormalizeDomain(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "localhost", "a..b", "-a.example", "a b.example", strings.Repeat("a", 64) + ".example"} {
		if got, err := account.NormalizeDomain(in); err == nil {
			t.Errorf("NormalizeDomain(%q) = %q, want an error", in, got)
		}
	}
}

// acme signs Ada up as Acme's owner with acme.example claimed at policy.
func acme(t *testing.T, e *env, policy account.JoinPolicy) account.User {
	t.Helper()
	e.signUp("ada@acme.example", "Ada", "Acme")
	ada := e.who("ada@acme.example")
	if err := e.svc.ClaimDomain(e.ctx, ada, meta); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.SetJoinPolicy(e.ctx, ada, "acme.example", string(policy), meta); err != nil {
		t.Fatal(err)
	}
	return e.who("ada@acme.example")
}

// Request to join: the newcomer waits without access, the admins get an
// email in their own language, a member cannot approve, an owner can.
func TestJoinByRequest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := orgEnv(t, st)
		ada := acme(t, e, account.JoinRequest)
		st.UpdateUserLocale(e.ctx, ada.ID, "de")

		// The sign-up answer does not depend on the claim (rule 47): the
		// registration queues an activation email as for any address.
		l := e.signUp("Bob@ACME.example", "Bob", "Acme Inc")
		if l.Notice != account.NoticeOrgRequested {
			t.Fatalf("notice %q", l.Notice)
		}
		bob := e.who("bob@acme.example")
		if bob.Org == nil || !bob.Org.Pending || bob.HasAccess() || bob.Company != "Acme Inc" {
			t.Fatalf("bob %+v company %q", bob.Org, bob.Company)
		}
		w, err := e.svc.WaitingFor(e.ctx, bob)
		if err != nil || w.Kind != account.WaitApproval || w.OrgName != "Acme" {
			t.Fatalf("waiting %+v %v", w, err)
		}
		if _, err := e.svc.OrgOverview(e.ctx, bob); !errors.Is(err, account.ErrOrgForbidden) {
			t.Fatalf("a pending member sees the organisation page: %v", err)
		}
		m := e.lastMail("ada@acme.example", account.EmailJoinRequest)
		if m.Locale != "de" || m.data["RequesterEmail"] != "bob@acme.example" || m.data["OrgName"] != "Acme" || !strings.HasSuffix(m.data["OrgURL"], "/org?lang=de") {
			t.Fatalf("join request email %+v", m)
		}
		if hooks := e.orgWebhooks(); hooks[len(hooks)-1].Type != account.WebhookOrgJoinRequested {
			t.Fatalf("webhooks %+v", hooks)
		}
		ov, _ := e.svc.OrgOverview(e.ctx, ada)
		if len(ov.Requests) != 1 || ov.Requests[0].PublicID != bob.PublicID || len(ov.Members) != 1 {
			t.Fatalf("overview %+v", ov)
		}

		// Pending Bob cannot approve himself.
		if err := e.svc.Approve(e.ctx, bob, bob.PublicID, meta); !errors.Is(err, account.ErrOrgForbidden) {
			t.Fatalf("self-approval: %v", err)
		}
		if err := e.svc.Approve(e.ctx, ada, bob.PublicID, meta); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Approve(e.ctx, ada, bob.PublicID, meta); !errors.Is(err, account.ErrOrgNotFound) {
			t.Fatalf("approved twice: %v", err)
		}
		e.lastMail("bob@acme.example", account.EmailJoinApproved)
		bob = e.who("bob@acme.example")
		if !bob.HasAccess() || bob.Org.Role != account.RoleMember || bob.Company != "Acme" {
			t.Fatalf("bob after approval %+v", bob.Org)
		}

		// A member posting an admin's action changes nothing.
		e.signUp("cy@acme.example", "Cy", "Acme")
		if err := e.svc.Approve(e.ctx, bob, e.who("cy@acme.example").PublicID, meta); !errors.Is(err, account.ErrOrgForbidden) {
			t.Fatalf("member approves: %v", err)
		}
		if err := e.svc.Decline(e.ctx, ada, e.who("cy@acme.example").PublicID, meta); err != nil {
			t.Fatal(err)
		}
		e.lastMail("cy@acme.example", account.EmailJoinDeclined)
		cy := e.who("cy@acme.example")
		if cy.Org != nil {
			t.Fatalf("declined cy has %+v", cy.Org)
		}
		if w, _ := e.svc.WaitingFor(e.ctx, cy); w.Kind != account.WaitInvitation || w.OrgName != "Acme" {
			t.Fatalf("declined waits for %+v", w)
		}
	})
}

func TestJoinAutomatically(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := orgEnv(t, st)
		ada := acme(t, e, account.JoinAuto)
		if l := e.signUp("bob@acme.example", "Bob", "Whatever"); l.Notice != account.NoticeOrgJoined {
			t.Fatalf("notice %q", l.Notice)
		}
		bob := e.who("bob@acme.example")
		if !bob.HasAccess() || bob.Org.OrgID != ada.Org.OrgID || bob.Org.Role != account.RoleMember || bob.Company != "Acme" {
			t.Fatalf("bob %+v", bob.Org)
		}
		// Another company's domain is untouched by Acme's claim.
		e.signUp("hank@globex.example", "Hank", "Globex")
		if h := e.who("hank@globex.example"); h.Org.OrgID == ada.Org.OrgID {
			t.Fatal("globex joined acme")
		}
	})
}

// Invitation only: no organisation and no access, unless the operator
// allows a second organisation on the domain.
func TestInvitationOnlyDomain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := orgEnv(t, st)
		acme(t, e, account.JoinInvite)
		if l := e.signUp("bob@acme.example", "Bob", "Acme"); l.Notice != account.NoticeOrgInviteOnly {
			t.Fatalf("notice %q", l.Notice)
		}
		bob := e.who("bob@acme.example")
		if bob.Org != nil || bob.HasAccess() {
			t.Fatalf("bob %+v", bob.Org)
		}
		if w, _ := e.svc.WaitingFor(e.ctx, bob); w.Kind != account.WaitInvitation || w.OrgName != "Acme" {
			t.Fatalf("waiting %+v", w)
		}
	})
}

func TestDuplicateDomainAllowed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := orgEnv(t, st, func(c *account.Config) { c.AllowDuplicateDomain = true })
		ada := acme(t, e, account.JoinInvite)
		if l := e.signUp("bob@acme.example", "Bob", "Acme Two"); l.Notice != account.NoticeOrgBeside {
			t.Fatalf("notice %q", l.Notice)
		}
		bob := e.who("bob@acme.example")
		if !bob.HasAccess() || bob.Org.OrgID == ada.Org.OrgID || bob.Org.Role != account.RoleOwner || bob.Org.OrgName != "Acme Two" {
			t.Fatalf("bob %+v", bob.Org)
		}
	})
}

// Roles: only owners make owners; the last owner can neither be demoted
// nor leave; removing a member ends their sessions and tells them.
func TestRolesAndRemoval(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := orgEnv(t, st)
		ada := acme(t, e, account.JoinAuto)
		e.signUp("bob@acme.example", "Bob", "Acme")
		e.signUp("cy@acme.example", "Cy", "Acme")
		bob, cy := e.who("bob@acme.example"), e.who("cy@acme.example")

		fieldErr(t, "demote the last owner", e.svc.ChangeRole(e.ctx, ada, ada.PublicID, "admin", meta), "member", "error.org.last_owner")
		fieldErr(t, "last owner leaves", e.svc.Leave(e.ctx, ada, meta), "member", "error.org.last_owner")
		fieldErr(t, "unknown role", e.svc.ChangeRole(e.ctx, ada, bob.PublicID, "superuser", meta), "role", "error.org.role_invalid")

		if err := e.svc.ChangeRole(e.ctx, ada, bob.PublicID, "admin", meta); err != nil {
			t.Fatal(err)
		}
		bob = e.who("bob@acme.example")
		// An admin neither makes owners nor touches them.
		for what, err := range map[string]error{
			"admin makes an owner":     e.svc.ChangeRole(e.ctx, bob, cy.PublicID, "owner", meta),
			"admin makes self owner":   e.svc.ChangeRole(e.ctx, bob, bob.PublicID, "owner", meta),
			"admin demotes the owner":  e.svc.ChangeRole(e.ctx, bob, ada.PublicID, "member", meta),
			"admin removes the owner":  e.svc.RemoveMember(e.ctx, bob, ada.PublicID, meta),
			"member changes a role":    e.svc.ChangeRole(e.ctx, cy, bob.PublicID, "member", meta),
			"member removes an admin":  e.svc.RemoveMember(e.ctx, cy, bob.PublicID, meta),
			"member renames":           e.svc.RenameOrg(e.ctx, cy, "Evil", meta),
			"member claims the domain": e.svc.ClaimDomain(e.ctx, cy, meta),
			"member changes a policy":  e.svc.SetJoinPolicy(e.ctx, cy, "acme.example", "auto", meta),
			"member releases a domain": e.svc.ReleaseDomain(e.ctx, cy, "acme.example", meta),
		} {
			if !errors.Is(err, account.ErrOrgForbidden) {
				t.Errorf("%s: %v, want ErrOrgForbidden", what, err)
			}
		}
		if ov, _ := e.svc.OrgOverview(e.ctx, ada); ov.OwnerCount != 1 || ov.Me.OrgName != "Acme" {
			t.Fatalf("something changed: %+v", ov)
		}
		if ov, _ := e.svc.OrgOverview(e.ctx, cy); len(ov.Trail) != 0 || len(ov.Requests) != 0 || ov.MayManage {
			t.Fatalf("a member sees the trail or requests: %+v", ov)
		}

		// An admin manages members.
		if err := e.svc.ChangeRole(e.ctx, bob, cy.PublicID, "admin", meta); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.ChangeRole(e.ctx, bob, cy.PublicID, "member", meta); err != nil {
			t.Fatal(err)
		}
		// The owner makes a second owner, who may then step down.
		if err := e.svc.ChangeRole(e.ctx, ada, bob.PublicID, "owner", meta); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.ChangeRole(e.ctx, ada, ada.PublicID, "admin", meta); err != nil {
			t.Fatal(err)
		}
		bob = e.who("bob@acme.example")
		fieldErr(t, "demote the last owner", e.svc.ChangeRole(e.ctx, bob, bob.PublicID, "member", meta), "member", "error.org.last_owner")

		// Removing Cy ends every session of his.
		raw, _ := e.svc.Login(e.ctx, "cy@acme.example", goodPW, "", meta)
		fieldErr(t, "remove self", e.svc.RemoveMember(e.ctx, bob, bob.PublicID, meta), "member", "error.org.remove_self")
		if err := e.svc.RemoveMember(e.ctx, bob, cy.PublicID, meta); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.Authenticate(e.ctx, raw); !errors.Is(err, account.ErrNoSession) {
			t.Fatalf("removed member's session: %v", err)
		}
		e.lastMail("cy@acme.example", account.EmailMemberRemoved)
		hooks := e.orgWebhooks()
		if last := hooks[len(hooks)-1]; last.Type != account.WebhookOrgMemberRemoved || last.Data.UserID != cy.PublicID || last.Data.ActorID != bob.PublicID {
			t.Fatalf("last webhook %+v", last)
		}
		var roles int
		for _, h := range hooks {
			if h.Type == account.WebhookOrgRoleChanged {
				roles++
			}
		}
		if roles != 5 {
			t.Errorf("%d org.role_changed webhooks, want 5", roles)
		}

		// Ada, an admin now, leaves; Bob renames.
		if err := e.svc.Leave(e.ctx, e.who("ada@acme.example"), meta); err != nil {
			t.Fatal(err)
		}
		fieldErr(t, "empty name", e.svc.RenameOrg(e.ctx, bob, "  ", meta), "name", "error.org.name_required")
		if err := e.svc.RenameOrg(e.ctx, bob, "Acme Corporation", meta); err != nil {
			t.Fatal(err)
		}
		if b := e.who("bob@acme.example"); b.Company != "Acme Corporation" || b.Org.OrgName != "Acme Corporation" {
			t.Fatalf("after rename %q %+v", b.Company, b.Org)
		}
	})
}

// Rules 46: an owner of one organisation reaches nothing of another's,
// whatever id is guessed, and nothing changes.
func TestOrganisationsAreApart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := orgEnv(t, st)
		ada := acme(t, e, account.JoinRequest)
		e.signUp("bob@acme.example", "Bob", "Acme") // pending
		bob := e.who("bob@acme.example")
		e.signUp("hank@globex.example", "Hank", "Globex")
		hank := e.who("hank@globex.example")
		for what, err := range map[string]error{
			"approve":          e.svc.Approve(e.ctx, hank, bob.PublicID, meta),
			"decline":          e.svc.Decline(e.ctx, hank, bob.PublicID, meta),
			"role":             e.svc.ChangeRole(e.ctx, hank, ada.PublicID, "member", meta),
			"remove":           e.svc.RemoveMember(e.ctx, hank, ada.PublicID, meta),
			"policy":           e.svc.SetJoinPolicy(e.ctx, hank, "acme.example", "auto", meta),
			"release":          e.svc.ReleaseDomain(e.ctx, hank, "acme.example", meta),
			"unknown member":   e.svc.RemoveMember(e.ctx, hank, "00000000-0000-4000-8000-000000000000", meta),
			"empty member":     e.svc.Approve(e.ctx, hank, "", meta),
			"not a domain":     e.svc.ReleaseDomain(e.ctx, hank, "..", meta),
			"acme's own owner": e.svc.ChangeRole(e.ctx, hank, hank.PublicID+"x", "member", meta),
		} {
			if !errors.Is(err, account.ErrOrgNotFound) {
				t.Errorf("%s: %v, want ErrOrgNotFound", what, err)
			}
		}
		ov, _ := e.svc.OrgOverview(e.ctx, ada)
		if len(ov.Requests) != 1 || len(ov.Members) != 1 || ov.Members[0].Role != account.RoleOwner || ov.Domains[0].Policy != account.JoinRequest {
			t.Fatalf("acme changed: %+v", ov)
		}
		if hv, _ := e.svc.OrgOverview(e.ctx, hank); len(hv.Members) != 1 || len(hv.Requests) != 0 || len(hv.Domains) != 0 {
			t.Fatalf("globex sees %+v", hv)
		}
		for _, entry := range ov.Trail {
			if strings.Contains(entry.Actor, "hank") {
				t.Errorf("hank in acme's trail: %+v", entry)
			}
		}
	})
}

// Every organisation event is declared with a message and recorded.
func TestOrgEventsRecorded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := orgEnv(t, st)
		ada := acme(t, e, account.JoinAuto)         // created, domain_claimed, policy
		e.signUp("bob@acme.example", "Bob", "Acme") // joined_by_domain
		bob := e.who("bob@acme.example")            //
		e.svc.ChangeRole(e.ctx, ada, bob.PublicID, "admin", meta)
		e.svc.SetJoinPolicy(e.ctx, ada, "acme.example", "request", meta)
		e.signUp("cy@acme.example", "Cy", "Acme") // join_requested
		e.signUp("dee@acme.example", "Dee", "Acme")
		e.svc.Approve(e.ctx, ada, e.who("cy@acme.example").PublicID, meta)
		e.svc.Decline(e.ctx, ada, e.who("dee@acme.example").PublicID, meta)
		e.svc.RemoveMember(e.ctx, ada, e.who("cy@acme.example").PublicID, meta)
		e.svc.Leave(e.ctx, bob, meta)
		e.svc.RenameOrg(e.ctx, ada, "Acme 2", meta)
		// Invitations: invited, resent, revoked, accepted, declined.
		if _, err := e.svc.Invite(e.ctx, ada, "grace@example.com linus@example.com dee@acme.example", "member", meta); err != nil {
			t.Fatal(err)
		}
		inv, _ := e.svc.Invitations(e.ctx, ada)
		for _, p := range inv.Pending {
			if p.Email == "linus@example.com" {
				e.svc.ResendInvitation(e.ctx, ada, p.ID, meta)
				e.svc.RevokeInvitation(e.ctx, ada, p.ID, meta)
			}
		}
		if _, err := e.svc.Join(e.ctx, e.inviteToken("grace@example.com"), join, meta); err != nil {
			t.Fatal(err)
		}
		dee := e.who("dee@acme.example")
		if mine, _ := e.svc.MyInvitations(e.ctx, dee); len(mine) == 1 {
			e.svc.DeclineInvitation(e.ctx, dee, mine[0].ID, meta)
		}
		e.svc.SetRequireSecondFactor(e.ctx, ada, true, meta)
		e.svc.SetRequireSecondFactor(e.ctx, ada, false, meta)
		e.svc.ReleaseDomain(e.ctx, ada, "acme.example", meta)
		ov, err := e.svc.OrgOverview(e.ctx, ada)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[account.OrgEventKind]bool{}
		for _, entry := range ov.Trail {
			seen[entry.Kind] = true
		}
		for _, k := range account.OrgEventKinds {
			if !seen[k] {
				t.Errorf("%s is declared but not recorded by this walk", k)
			}
			if k.MessageID() == "" {
				t.Errorf("%s has no message", k)
			}
		}
		if ov.Trail[0].Kind != account.OrgEventDomainReleased || ov.Trail[0].Actor != "Ada Tester <ada@acme.example>" || ov.Trail[0].Detail != "acme.example" {
			t.Errorf("newest entry %+v", ov.Trail[0])
		}
	})
}

// The last owner of an organisation with other people in it hands over
// ownership before deleting the account; an owner alone takes the
// organisation with them, which frees its domain.
func TestLastOwnerCannotDelete(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := orgEnv(t, st)
		ada := acme(t, e, account.JoinAuto)
		e.signUp("bob@acme.example", "Bob", "Acme")
		var blocked *account.DeleteBlockedError
		if err := e.svc.CanDelete(e.ctx, ada); !errors.As(err, &blocked) {
			t.Fatalf("CanDelete(last owner) = %v", err)
		}
		if err := e.svc.DeleteAccount(e.ctx, ada, goodPW, meta); !errors.As(err, &blocked) {
			t.Fatalf("DeleteAccount(last owner) = %v", err)
		}
		if _, err := st.UserByID(e.ctx, ada.ID); err != nil {
			t.Fatalf("the last owner was erased: %v", err)
		}
		// A member may go; then the owner is alone and may go too, with
		// the organisation and its domain.
		bob := e.who("bob@acme.example")
		if err := e.svc.DeleteAccount(e.ctx, bob, goodPW, meta); err != nil {
			t.Fatalf("DeleteAccount(member) = %v", err)
		}
		if err := e.svc.DeleteAccount(e.ctx, ada, goodPW, meta); err != nil {
			t.Fatalf("DeleteAccount(alone) = %v", err)
		}
		if _, err := st.OrganisationByID(e.ctx, ada.Org.OrgID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("organisation outlived its only person: %v", err)
		}
		if _, err := st.OrgDomainByName(e.ctx, "acme.example"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("domain still claimed: %v", err)
		}
	})
}

// An operator's deletion (the console, gatehouse users delete) is held by
// the owner's own last-owner rule: the organisation is not left with
// members and no owner. Once someone else is an owner (the operator makes
// one on the organisation's page) the account goes, and the platform
// hears user.deleted.
func TestOperatorDeletesLastOwner(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := orgEnv(t, st)
		ada := acme(t, e, account.JoinAuto)
		e.signUp("bob@acme.example", "Bob", "Acme")
		var blocked *account.DeleteBlockedError
		if err := e.svc.DeleteUser(e.ctx, "ada@acme.example", operator); !errors.As(err, &blocked) {
			t.Fatalf("DeleteUser(last owner) = %v, want a DeleteBlockedError", err)
		}
		if blocked.OrgName != "Acme" || blocked.OrgPublicID == "" || blocked.Reason.ID != "error.org.last_owner" {
			t.Errorf("refusal %+v does not name the organisation", blocked)
		}
		if _, err := st.UserByID(e.ctx, ada.ID); err != nil {
			t.Fatalf("the last owner was erased: %v", err)
		}
		if n, err := st.CountOwners(e.ctx, ada.Org.OrgID); err != nil || n != 1 {
			t.Errorf("owners = %d, %v; want Ada still", n, err)
		}
		bob := e.who("bob@acme.example")
		if err := e.svc.ChangeRole(e.ctx, ada, bob.PublicID, "owner", meta); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.DeleteUser(e.ctx, "ada@acme.example", operator); err != nil {
			t.Fatalf("DeleteUser(an owner of two) = %v", err)
		}
		if _, err := st.UserByID(e.ctx, ada.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("the account is still there: %v", err)
		}
		var deleted bool
		for _, r := range must(store.Webhooks{Store: st}.ClaimOutbox(e.ctx, e.clk.Now(), 100, time.Minute)) {
			if strings.Contains(r.Data, `"type":"user.deleted"`) && strings.Contains(r.Data, ada.PublicID) {
				deleted = true
			}
		}
		if !deleted {
			t.Error("no user.deleted webhook for the operator's deletion")
		}
		if n, err := st.CountOwners(e.ctx, ada.Org.OrgID); err != nil || n != 1 {
			t.Errorf("owners left = %d, %v; want Bob", n, err)
		}
	})
}

// An operator acting from the console (OrgOperator) has an owner's rights
// in the organisation it names, and no more: the owners' rules hold (the
// last owner stays one), a member of another organisation or an unknown
// organisation is refused, an operator whose role was taken away or whose
// account is disabled can do nothing, and the claim of a domain needs a
// member with an address at it.
func TestOrgOperatorSeat(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := orgEnv(t, st)
		ada := acme(t, e, account.JoinRequest)
		e.signUp("bob@acme.example", "Bob", "Acme")
		e.signUp("hank@globex.example", "Hank", "Globex")
		by := account.OrgOperator{Operator: consoleOperator(t, st, "ops@ops.example"), Org: ada.Org.OrgPublicID}
		bob, hank := e.user("bob@acme.example"), e.user("hank@globex.example")

		if err := e.svc.Approve(e.ctx, by, bob.PublicID, meta); err != nil {
			t.Fatalf("Approve as operator: %v", err)
		}
		fieldErr(t, "operator demotes the last owner", e.svc.ChangeRole(e.ctx, by, ada.PublicID, "member", meta), "member", "error.org.last_owner")
		fieldErr(t, "operator removes the last owner", e.svc.RemoveMember(e.ctx, by, ada.PublicID, meta), "member", "error.org.last_owner")
		if err := e.svc.RemoveMember(e.ctx, by, hank.PublicID, meta); !errors.Is(err, account.ErrOrgNotFound) {
			t.Errorf("remove a member of another organisation: %v, want ErrOrgNotFound", err)
		}
		if err := e.svc.RenameOrg(e.ctx, account.OrgOperator{Operator: by.Operator, Org: "org_nosuchthing"}, "X", meta); !errors.Is(err, account.ErrUnknownOrg) {
			t.Errorf("unknown organisation: %v, want ErrUnknownOrg", err)
		}
		if err := e.svc.ChangeRole(e.ctx, by, bob.PublicID, "owner", meta); err != nil {
			t.Fatalf("operator makes an owner: %v", err)
		}
		if err := e.svc.SetRequireSecondFactor(e.ctx, by, true, meta); err != nil {
			t.Fatalf("operator sets the second-step rule: %v", err)
		}
		fieldErr(t, "claim a domain no member has", e.svc.ClaimMembersDomain(e.ctx, by, "globex.example", meta), "domain", "error.org.domain_no_member")
		if err := e.svc.ReleaseDomain(e.ctx, by, "acme.example", meta); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.ClaimMembersDomain(e.ctx, by, "ACME.example.", meta); err != nil {
			t.Fatalf("claim a member's domain: %v", err)
		}

		ov, err := e.svc.OrgOverview(e.ctx, e.who("ada@acme.example"))
		if err != nil {
			t.Fatal(err)
		}
		if !ov.Trail[0].ByOperator || ov.Trail[0].Actor != "" || ov.Trail[0].Kind != account.OrgEventDomainClaimed {
			t.Errorf("the owners' trail names the operator: %+v", ov.Trail[0])
		}
		co, err := e.svc.ConsoleOrg(e.ctx, ada.Org.OrgPublicID)
		if err != nil {
			t.Fatal(err)
		}
		if !co.Trail[0].ByOperator || !strings.Contains(co.Trail[0].Actor, "ops@ops.example") {
			t.Errorf("the console's trail does not name the operator: %+v", co.Trail[0])
		}
		if n := len(e.kindsAll(account.EventOrgChangedByOperator)); n != 5 {
			t.Errorf("%d org_changed_by_operator audit events, want 5", n)
		}

		// The role taken away, or the account disabled: nothing.
		if _, err := e.svc.RevokeOperator(e.ctx, "ops@ops.example", operator); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.RenameOrg(e.ctx, by, "Taken over", meta); !errors.Is(err, account.ErrOrgForbidden) {
			t.Errorf("former operator renames: %v, want ErrOrgForbidden", err)
		}
		if _, err := e.svc.GrantOperator(e.ctx, "ops@ops.example", operator); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.DisableUser(e.ctx, "ops@ops.example", operator); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.RenameOrg(e.ctx, by, "Taken over", meta); !errors.Is(err, account.ErrOrgForbidden) {
			t.Errorf("disabled operator renames: %v, want ErrOrgForbidden", err)
		}
		if o, _ := st.OrganisationByID(e.ctx, ada.Org.OrgID); o.Name != "Acme" {
			t.Errorf("organisation renamed to %q", o.Name)
		}
	})
}

// kindsAll lists the audit events of kind, on any account or none.
func (e *env) kindsAll(kind account.Event) []store.AuditEvent {
	e.t.Helper()
	all, err := e.st.ListAuditEvents(e.ctx, 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []store.AuditEvent
	for _, ev := range all {
		if ev.Kind == string(kind) {
			out = append(out, ev)
		}
	}
	return out
}

// An org.* webhook says what its actor acted as: a member (an owner or
// admin, or the person leaving), or an operator from the console, whose
// user id the platform would otherwise take for a member's; one with no
// actor (the person's own sign-up) has neither field.
func TestOrgWebhookActorType(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := orgEnv(t, st)
		ada := acme(t, e, account.JoinRequest)
		e.signUp("bob@acme.example", "Bob", "Acme")
		e.signUp("cy@acme.example", "Cy", "Acme")
		by := account.OrgOperator{Operator: consoleOperator(t, st, "ops@ops.example"), Org: ada.Org.OrgPublicID}
		opUser := e.user("ops@ops.example")
		bob, cy := e.user("bob@acme.example"), e.user("cy@acme.example")
		mark := len(e.orgWebhooks())

		if err := e.svc.Approve(e.ctx, ada, bob.PublicID, meta); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Approve(e.ctx, by, cy.PublicID, meta); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.ChangeRole(e.ctx, by, bob.PublicID, "admin", meta); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.ChangeRole(e.ctx, ada, bob.PublicID, "member", meta); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.RemoveMember(e.ctx, by, bob.PublicID, meta); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Leave(e.ctx, e.who("cy@acme.example"), meta); err != nil {
			t.Fatal(err)
		}
		// Joining by an owner's invitation, and by an operator's.
		if _, err := e.svc.Invite(e.ctx, ada, "dee@example.com", "member", meta); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Invite(e.ctx, by, "eve@example.com", "member", meta); err != nil {
			t.Fatal(err)
		}
		for _, to := range []string{"dee@example.com", "eve@example.com"} {
			if _, err := e.svc.Join(e.ctx, e.inviteToken(to), join, meta); err != nil {
				t.Fatalf("join %s: %v", to, err)
			}
		}
		dee, eve := e.user("dee@example.com"), e.user("eve@example.com")
		type seen struct {
			kind                   account.WebhookEvent
			subject, actor, acting string
		}
		want := []seen{
			{account.WebhookOrgMemberJoined, bob.PublicID, ada.PublicID, account.ActorMember},
			{account.WebhookOrgMemberJoined, cy.PublicID, opUser.PublicID, account.ActorOperator},
			{account.WebhookOrgRoleChanged, bob.PublicID, opUser.PublicID, account.ActorOperator},
			{account.WebhookOrgRoleChanged, bob.PublicID, ada.PublicID, account.ActorMember},
			{account.WebhookOrgMemberRemoved, bob.PublicID, opUser.PublicID, account.ActorOperator},
			{account.WebhookOrgMemberRemoved, cy.PublicID, cy.PublicID, account.ActorMember},
			{account.WebhookOrgMemberJoined, dee.PublicID, ada.PublicID, account.ActorMember},
			{account.WebhookOrgMemberJoined, eve.PublicID, opUser.PublicID, account.ActorOperator},
		}
		var got []seen
		for _, h := range e.orgWebhooks()[mark:] {
			got = append(got, seen{h.Type, h.Data.UserID, h.Data.ActorID, h.Data.ActorType})
		}
		if !slices.Equal(got, want) {
			t.Errorf("org webhooks\n%+v\nwant\n%+v", got, want)
		}

		// On the wire: "actor_type" beside "actor_id", and neither on the
		// events of a person's own sign-up.
		rows, err := st.OutboxByStatus(e.ctx, store.OutboxPending, 1000)
		if err != nil {
			t.Fatal(err)
		}
		operatorRows, ownRows := 0, 0
		for _, r := range rows {
			switch {
			case r.Kind != store.KindWebhook:
			case strings.Contains(r.Data, `"actor_id":"`+opUser.PublicID+`","actor_type":"operator"`):
				operatorRows++
			case strings.Contains(r.Data, `"type":"org.created"`):
				ownRows++
				if strings.Contains(r.Data, "actor_") {
					t.Errorf("a sign-up's own webhook has an actor: %s", r.Data)
				}
			}
		}
		if operatorRows != 4 || ownRows == 0 {
			t.Errorf("%d webhooks name the operator as one (want 4), %d org.created seen", operatorRows, ownRows)
		}
	})
}
