package store_test

import (
	"context"
	"errors"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// orgWith creates an organisation owned by a new active user.
func orgWith(t *testing.T, s *store.Store, name, owner string) (*store.Organisation, *store.User) {
	t.Helper()
	ctx := context.Background()
	o := &store.Organisation{Name: name, CreatedAt: t0, UpdatedAt: t0}
	if err := s.CreateOrganisation(ctx, o); err != nil {
		t.Fatal(err)
	}
	return o, member(t, s, o, owner, store.RoleOwner, store.MemberActive)
}

func member(t *testing.T, s *store.Store, o *store.Organisation, email, role, status string) *store.User {
	t.Helper()
	ctx := context.Background()
	u := newUser(email)
	u.Status = store.UserActive
	if _, err := s.CreateUserIfAbsent(ctx, u); err != nil {
		t.Fatal(err)
	}
	m := &store.Membership{OrgID: o.ID, UserID: u.ID, Role: role, Status: status, CreatedAt: t0}
	if status == store.MemberActive {
		m.JoinedAt = &t0
	}
	if err := s.AddMembership(ctx, m); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestOrganisationsAndMemberships(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		acme, ada := orgWith(t, s, "Acme", "ada@acme.example")
		globex, hank := orgWith(t, s, "Globex", "hank@globex.example")
		if !regexp.MustCompile(`^org_[a-z2-7]{26}$`).MatchString(acme.PublicID) || acme.PublicID == globex.PublicID {
			t.Fatalf("public ids %q %q", acme.PublicID, globex.PublicID)
		}
		if o, err := s.OrganisationByPublicID(ctx, acme.PublicID); err != nil || o.ID != acme.ID {
			t.Fatalf("by public id: %+v %v", o, err)
		}
		// One organisation per person.
		err := s.AddMembership(ctx, &store.Membership{OrgID: globex.ID, UserID: ada.ID, Role: store.RoleMember, Status: store.MemberActive, CreatedAt: t0})
		if !errors.Is(err, store.ErrTaken) {
			t.Fatalf("second membership: %v, want ErrTaken", err)
		}
		m, err := s.MembershipByUser(ctx, ada.ID)
		if err != nil || m.OrgID != acme.ID || m.Role != store.RoleOwner || m.Organisation == nil || m.Organisation.Name != "Acme" {
			t.Fatalf("membership: %+v %v", m, err)
		}
		bob := member(t, s, acme, "bob@acme.example", store.RoleMember, store.MemberPending)
		if _, err := s.MembershipByUser(ctx, 999999); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("no membership: %v", err)
		}

		// Everything about a member is scoped to the organisation asked.
		if _, err := s.MemberByPublicID(ctx, globex.ID, bob.PublicID, "login"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another organisation's member: %v", err)
		}
		if err := s.ActivateMembership(ctx, globex.ID, bob.ID, t0); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("activate elsewhere: %v", err)
		}
		if err := s.SetMembershipRole(ctx, globex.ID, ada.ID, store.RoleMember); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("role elsewhere: %v", err)
		}
		if err := s.DeleteMembership(ctx, globex.ID, ada.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("delete elsewhere: %v", err)
		}
		// A pending member has no role to change until approved.
		if err := s.SetMembershipRole(ctx, acme.ID, bob.ID, store.RoleAdmin); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("role of a pending member: %v", err)
		}
		pending, err := s.Members(ctx, acme.ID, store.MemberPending, "login")
		if err != nil || len(pending) != 1 || pending[0].Email != "bob@acme.example" || pending[0].JoinedAt != nil {
			t.Fatalf("pending: %+v %v", pending, err)
		}
		if err := s.ActivateMembership(ctx, acme.ID, bob.ID, t0); err != nil {
			t.Fatal(err)
		}
		if err := s.ActivateMembership(ctx, acme.ID, bob.ID, t0); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("approved twice: %v", err)
		}
		s.AddAuditEvent(ctx, &store.AuditEvent{UserID: &bob.ID, Kind: "login", CreatedAt: t0})
		active, err := s.Members(ctx, acme.ID, store.MemberActive, "login")
		if err != nil || len(active) != 2 || active[1].PublicID != bob.PublicID || active[1].LastSignInAt == nil || active[0].LastSignInAt != nil {
			t.Fatalf("active: %+v %v", active, err)
		}
		if n, err := s.CountOwners(ctx, acme.ID); err != nil || n != 1 {
			t.Fatalf("owners %d %v", n, err)
		}
		if err := s.SetMembershipRole(ctx, acme.ID, bob.ID, store.RoleOwner); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.CountOwners(ctx, acme.ID); n != 2 {
			t.Fatalf("owners %d", n)
		}
		if err := s.DeleteMembership(ctx, acme.ID, bob.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.RenameOrganisation(ctx, acme.ID, "Acme Corp", t0); err != nil {
			t.Fatal(err)
		}
		if o, _ := s.OrganisationByID(ctx, acme.ID); o.Name != "Acme Corp" {
			t.Fatalf("rename: %q", o.Name)
		}
		err = s.Tx(ctx, func(ctx context.Context, tx *store.Store) error { return tx.LockOrganisation(ctx, globex.ID) })
		if err != nil {
			t.Fatal(err)
		}
		_ = hank
	})
}

func TestDomainClaims(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		acme, ada := orgWith(t, s, "Acme", "ada@acme.example")
		globex, hank := orgWith(t, s, "Globex", "hank@globex.example")
		if err := s.ClaimDomain(ctx, &store.OrgDomain{OrgID: acme.ID, Domain: "acme.example", JoinPolicy: store.JoinInvite, ClaimedBy: &ada.ID, ClaimedAt: t0}); err != nil {
			t.Fatal(err)
		}
		err := s.ClaimDomain(ctx, &store.OrgDomain{OrgID: globex.ID, Domain: "acme.example", JoinPolicy: store.JoinAuto, ClaimedBy: &hank.ID, ClaimedAt: t0})
		if !errors.Is(err, store.ErrTaken) {
			t.Fatalf("second claim: %v, want ErrTaken", err)
		}
		d, err := s.OrgDomainByName(ctx, "acme.example")
		if err != nil || d.OrgID != acme.ID || d.Organisation == nil || d.Organisation.Name != "Acme" || d.JoinPolicy != store.JoinInvite {
			t.Fatalf("by name: %+v %v", d, err)
		}
		if err := s.SetDomainPolicy(ctx, globex.ID, "acme.example", store.JoinAuto); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("policy elsewhere: %v", err)
		}
		if err := s.ReleaseDomain(ctx, globex.ID, "acme.example"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("release elsewhere: %v", err)
		}
		if err := s.SetDomainPolicy(ctx, acme.ID, "acme.example", store.JoinRequest); err != nil {
			t.Fatal(err)
		}
		list, err := s.DomainsByOrg(ctx, acme.ID)
		if err != nil || len(list) != 1 || list[0].JoinPolicy != store.JoinRequest {
			t.Fatalf("domains: %+v %v", list, err)
		}
		if list, _ := s.DomainsByOrg(ctx, globex.ID); len(list) != 0 {
			t.Fatalf("globex sees %+v", list)
		}
		if err := s.ReleaseDomain(ctx, acme.ID, "acme.example"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.OrgDomainByName(ctx, "acme.example"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("released: %v", err)
		}
	})
}

// Racing claims of one domain leave exactly one owner of it.
func TestConcurrentDomainClaims(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		var orgs []*store.Organisation
		for _, e := range []string{"a@one.example", "b@two.example", "c@three.example", "d@four.example"} {
			o, _ := orgWith(t, s, e, e)
			orgs = append(orgs, o)
		}
		var wg sync.WaitGroup
		var won atomic.Int32
		for _, o := range orgs {
			wg.Go(func() {
				err := s.ClaimDomain(context.Background(), &store.OrgDomain{OrgID: o.ID, Domain: "contested.example", JoinPolicy: store.JoinInvite, ClaimedAt: t0})
				switch {
				case err == nil:
					won.Add(1)
				case !errors.Is(err, store.ErrTaken):
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if won.Load() != 1 {
			t.Fatalf("%d claims won", won.Load())
		}
	})
}

func TestOrgEvents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		acme, ada := orgWith(t, s, "Acme", "ada@acme.example")
		globex, _ := orgWith(t, s, "Globex", "hank@globex.example")
		bob := member(t, s, acme, "bob@acme.example", store.RoleMember, store.MemberActive)
		for i, k := range []string{"member_approved", "role_changed"} {
			e := &store.OrgEvent{OrgID: acme.ID, ActorID: &ada.ID, SubjectID: &bob.ID, Kind: k, Detail: "admin", CreatedAt: t0.Add(timeSec(i))}
			if err := s.AddOrgEvent(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		list, err := s.OrgEvents(ctx, acme.ID, 10)
		if err != nil || len(list) != 2 || list[0].Kind != "role_changed" || list[0].ActorEmail != "ada@acme.example" || list[0].SubjectEmail != "bob@acme.example" {
			t.Fatalf("events: %+v %v", list, err)
		}
		if list, _ := s.OrgEvents(ctx, globex.ID, 10); len(list) != 0 {
			t.Fatalf("globex sees %+v", list)
		}
	})
}

func timeSec(i int) time.Duration { return time.Duration(i) * time.Second }

// The session lookup brings the membership and its organisation along,
// in the same statement; a person without one gets none.
func TestSessionUserByHashMembership(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		acme, ada := orgWith(t, s, "Acme", "ada@acme.example")
		loner := newUser("loner@example.com")
		loner.Status = store.UserActive
		if _, err := s.CreateUserIfAbsent(ctx, loner); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		for hash, id := range map[string]int64{"ha": ada.ID, "hl": loner.ID} {
			if err := s.CreateSession(ctx, &store.Session{UserID: id, Hash: hash, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.SessionUserByHash(ctx, "ha", now, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		m := got.Membership
		if m == nil || m.OrgID != acme.ID || m.Role != store.RoleOwner || m.Status != store.MemberActive || m.Organisation.PublicID != acme.PublicID || m.Organisation.Name != "Acme" {
			t.Fatalf("membership %+v", m)
		}
		if got, err := s.SessionUserByHash(ctx, "hl", now, time.Hour); err != nil || got.Membership != nil {
			t.Fatalf("loner: %+v %v", got, err)
		}
	})
}

// The console's lists: organisations by name with their counts, found by
// a part of the name or of a claimed domain (wildcards meaning
// themselves), and each account with its organisation and role.
func TestConsoleOrganisationLists(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		acme, _ := orgWith(t, s, "Acme", "ada@acme.example")
		member(t, s, acme, "bob@acme.example", store.RoleMember, store.MemberActive)
		member(t, s, acme, "eve@acme.example", store.RoleMember, store.MemberPending)
		if err := s.ClaimDomain(ctx, &store.OrgDomain{OrgID: acme.ID, Domain: "acme.example", JoinPolicy: "request", ClaimedAt: t0}); err != nil {
			t.Fatal(err)
		}
		orgWith(t, s, "globex_100%", "hank@globex.example")
		loner := newUser("solo@example.com")
		if _, err := s.CreateUserIfAbsent(ctx, loner); err != nil {
			t.Fatal(err)
		}

		all, err := s.ListOrganisations(ctx, "", 10)
		if err != nil || len(all) != 2 || all[0].Name != "Acme" || all[1].Name != "globex_100%" {
			t.Fatalf("list: %+v %v", all, err)
		}
		if a := all[0]; a.Members != 2 || a.Requests != 1 || a.Domains != 1 || a.PublicID != acme.PublicID {
			t.Errorf("Acme's counts: %+v", a)
		}
		for q, want := range map[string]int{"ACME.EX": 1, "cme": 1, "_100%": 1, "l_b": 0, "%": 1, "nothing": 0} {
			got, err := s.ListOrganisations(ctx, q, 10)
			if err != nil || len(got) != want {
				t.Errorf("search %q: %d rows (%v), want %d", q, len(got), err, want)
			}
		}
		if got, err := s.ListOrganisations(ctx, "", 1); err != nil || len(got) != 1 {
			t.Errorf("limit 1: %d rows, %v", len(got), err)
		}

		rows, err := s.ListUsers(ctx, store.UserFilter{}, "login_ok")
		if err != nil || len(rows) != 5 {
			t.Fatalf("users: %d, %v", len(rows), err)
		}
		by := map[string]store.UserRow{}
		for _, r := range rows {
			by[r.Email] = r
		}
		if r := by["ada@acme.example"]; r.OrgName != "Acme" || r.OrgRole != store.RoleOwner || r.OrgStatus != store.MemberActive || r.OrgPublicID != acme.PublicID {
			t.Errorf("ada's organisation: %+v", r)
		}
		if r := by["eve@acme.example"]; r.OrgName != "Acme" || r.OrgStatus != store.MemberPending {
			t.Errorf("eve's organisation: %+v", r)
		}
		if r := by["solo@example.com"]; r.OrgPublicID != "" || r.OrgName != "" || r.OrgRole != "" {
			t.Errorf("no organisation shows as %+v", r)
		}
		if got, err := s.ListUsers(ctx, store.UserFilter{Status: store.UserActive, Query: "acme"}, "login_ok"); err != nil || len(got) != 3 {
			t.Errorf("filtered with the join: %d rows, %v", len(got), err)
		}
	})
}

// DomainsByOrgs reads the domains of a whole list in one query: each
// organisation's own, in name order, and none for one without.
func TestDomainsByOrgs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		acme, _ := orgWith(t, s, "Acme", "ada@acme.example")
		globex, _ := orgWith(t, s, "Globex", "hank@globex.example")
		bare, _ := orgWith(t, s, "Bare", "bo@bare.example")
		for _, d := range []*store.OrgDomain{
			{OrgID: acme.ID, Domain: "acme.test", JoinPolicy: store.JoinAuto, ClaimedAt: t0},
			{OrgID: acme.ID, Domain: "acme.example", JoinPolicy: store.JoinRequest, ClaimedAt: t0},
			{OrgID: globex.ID, Domain: "globex.example", JoinPolicy: store.JoinInvite, ClaimedAt: t0},
		} {
			if err := s.ClaimDomain(ctx, d); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.DomainsByOrgs(ctx, []int64{acme.ID, bare.ID})
		if err != nil {
			t.Fatal(err)
		}
		if a := got[acme.ID]; len(got) != 1 || len(a) != 2 || a[0].Domain != "acme.example" || a[0].JoinPolicy != store.JoinRequest || a[1].Domain != "acme.test" {
			t.Errorf("acme and bare: %+v", got)
		}
		if got, err := s.DomainsByOrgs(ctx, nil); err != nil || len(got) != 0 {
			t.Errorf("no organisations: %+v %v", got, err)
		}
	})
}
