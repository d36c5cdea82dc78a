package store_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// TestEachAuditEventStreams: walking the trail holds one chunk of rows,
// not the trail. The heap, sampled as the rows go by, stays as flat over
// 40,000 events as over 4,000, while holding them all would take many
// megabytes; filters and order hold across the chunks.
func TestEachAuditEventStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("inserts 44,000 events")
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := newUser("ada@example.com")
		if _, err := s.CreateUserIfAbsent(ctx, u); err != nil {
			t.Fatal(err)
		}
		start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		org, other := &store.Organisation{Name: "Acme", CreatedAt: start, UpdatedAt: start}, &store.Organisation{Name: "Globex", CreatedAt: start, UpdatedAt: start}
		for _, o := range []*store.Organisation{org, other} {
			if err := s.CreateOrganisation(ctx, o); err != nil {
				t.Fatal(err)
			}
		}
		ua := fmt.Sprintf("%0200d", 0) // a realistic user agent's length
		events := make([]store.AuditEvent, 44000)
		for i := range events {
			events[i] = store.AuditEvent{Kind: "login_ok", IP: "192.0.2.1", UserAgent: ua, CreatedAt: start.Add(time.Duration(i) * time.Second)}
			if i%2 == 0 {
				events[i].UserID, events[i].OrgID = &u.ID, &org.ID
			}
			if i < 4000 {
				events[i].Kind = "registered"
			}
		}
		if err := store.InsertAuditEvents(ctx, s, events); err != nil {
			t.Fatal(err)
		}
		events = nil

		peak := func(f store.AuditFilter) (rows int, grown uint64) {
			var ms runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&ms)
			base := ms.HeapAlloc
			var last int64
			err := s.EachAuditEvent(ctx, f, func(e *store.AuditRow) error {
				if e.ID <= last {
					t.Fatalf("event %d after %d: not in order", e.ID, last)
				}
				last = e.ID
				rows++
				if rows%1000 == 0 {
					runtime.GC()
					runtime.ReadMemStats(&ms)
					if ms.HeapAlloc > base {
						grown = max(grown, ms.HeapAlloc-base)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return rows, grown
		}
		small, smallGrown := peak(store.AuditFilter{Kinds: []string{"registered"}})
		large, largeGrown := peak(store.AuditFilter{Kinds: []string{"login_ok"}})
		if small != 4000 || large != 40000 {
			t.Fatalf("walked %d and %d events, want 4000 and 40000", small, large)
		}
		t.Logf("heap grown at most %d KiB over 4,000 events, %d KiB over 40,000", smallGrown>>10, largeGrown>>10)
		// 40,000 rows of this size held at once would be over 10 MiB.
		if largeGrown > smallGrown+2<<20 {
			t.Errorf("the heap grew by %d KiB over 40,000 events against %d KiB over 4,000: the walk holds the rows", largeGrown>>10, smallGrown>>10)
		}

		n, _ := peak(store.AuditFilter{UserID: u.ID, Since: start.Add(10000 * time.Second), Until: start.Add(20000 * time.Second)})
		if n != 5000 {
			t.Errorf("one account's events in a period: %d, want 5000", n)
		}

		// One organisation's events (its member's), in the same flat
		// memory; another organisation's filter selects none of them.
		n, orgGrown := peak(store.AuditFilter{OrgID: org.ID})
		if n != 22000 {
			t.Errorf("the organisation's events: %d, want 22000", n)
		}
		if orgGrown > smallGrown+2<<20 {
			t.Errorf("the heap grew by %d KiB over the organisation's 22,000 events: the walk holds the rows", orgGrown>>10)
		}
		if n, _ := peak(store.AuditFilter{OrgID: other.ID}); n != 0 {
			t.Errorf("another organisation's filter selected %d events", n)
		}
		if n, _ := peak(store.AuditFilter{OrgID: org.ID, Kinds: []string{"registered"}}); n != 2000 {
			t.Errorf("the organisation's sign-ups: %d, want 2000", n)
		}
	})
}

// TestAuditEventBelongsToItsOrganisation: an event belongs to the
// organisation its person was in, a member or asking to join, when it was
// written; one that names its organisation keeps it. So the organisation's
// export keeps a removed member's earlier events and leaves out what they
// did after, or in the organisation they joined next; deleting the
// organisation or erasing the account unties them.
func TestAuditEventBelongsToItsOrganisation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		u := newUser("ada@example.com")
		if _, err := s.CreateUserIfAbsent(ctx, u); err != nil {
			t.Fatal(err)
		}
		acme, globex := &store.Organisation{Name: "Acme", CreatedAt: now, UpdatedAt: now}, &store.Organisation{Name: "Globex", CreatedAt: now, UpdatedAt: now}
		for _, o := range []*store.Organisation{acme, globex} {
			if err := s.CreateOrganisation(ctx, o); err != nil {
				t.Fatal(err)
			}
		}
		add := func(kind string, org *int64) *store.AuditEvent {
			t.Helper()
			e := &store.AuditEvent{UserID: &u.ID, Kind: kind, CreatedAt: now, OrgID: org}
			if err := s.AddAuditEvent(ctx, e); err != nil {
				t.Fatal(err)
			}
			return e
		}
		kinds := func(orgID int64) []string {
			t.Helper()
			var out []string
			err := s.EachAuditEvent(ctx, store.AuditFilter{OrgID: orgID}, func(e *store.AuditRow) error {
				out = append(out, e.Kind+" "+e.Email)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		if e := add("registered", nil); e.OrgID != nil {
			t.Errorf("an event before any organisation belongs to %d", *e.OrgID)
		}
		if err := s.AddMembership(ctx, &store.Membership{OrgID: acme.ID, UserID: u.ID, Role: store.RoleMember, Status: store.MemberPending, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		add("login_ok", nil)
		if err := s.ActivateMembership(ctx, acme.ID, u.ID, now); err != nil {
			t.Fatal(err)
		}
		if e := add("profile_updated", nil); e.OrgID == nil || *e.OrgID != acme.ID {
			t.Errorf("a member's event belongs to %v, want %d", e.OrgID, acme.ID)
		}
		if err := s.DeleteMembership(ctx, acme.ID, u.ID); err != nil {
			t.Fatal(err)
		}
		add("org_changed_by_operator", &acme.ID) // an operator's removal, recorded after it
		add("logout", nil)
		if err := s.AddMembership(ctx, &store.Membership{OrgID: globex.ID, UserID: u.ID, Role: store.RoleOwner, Status: store.MemberActive, CreatedAt: now, JoinedAt: &now}); err != nil {
			t.Fatal(err)
		}
		add("password_changed", nil)

		want := []string{"login_ok ada@example.com", "profile_updated ada@example.com", "org_changed_by_operator ada@example.com"}
		if got := kinds(acme.ID); !slices.Equal(got, want) {
			t.Errorf("Acme's events %q, want %q", got, want)
		}
		if got, want := kinds(globex.ID), []string{"password_changed ada@example.com"}; !slices.Equal(got, want) {
			t.Errorf("Globex's events %q, want %q", got, want)
		}
		// An organisation deleted leaves its events to the operator's
		// trail, belonging to none.
		if err := s.DeleteOrganisation(ctx, acme.ID); err != nil {
			t.Fatal(err)
		}
		if got := kinds(acme.ID); len(got) != 0 {
			t.Errorf("a deleted organisation's filter still selects %q", got)
		}
		all := 0
		if err := s.EachAuditEvent(ctx, store.AuditFilter{}, func(*store.AuditRow) error { all++; return nil }); err != nil || all != 6 {
			t.Errorf("the whole trail: %d events, %v; want 6", all, err)
		}
		// An account erased leaves its events tied to no organisation,
		// which might otherwise tell whose they were (in an organisation
		// of one).
		if err := s.DeleteUser(ctx, u, store.Erasure{}); err != nil {
			t.Fatal(err)
		}
		if got := kinds(globex.ID); len(got) != 0 {
			t.Errorf("an erased account's events still belong to its organisation: %q", got)
		}
	})
}
