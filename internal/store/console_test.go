package store_test

import (
	"context"
	"fmt"
	"runtime"
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
		ua := fmt.Sprintf("%0200d", 0) // a realistic user agent's length
		events := make([]store.AuditEvent, 44000)
		for i := range events {
			events[i] = store.AuditEvent{Kind: "login_ok", IP: "192.0.2.1", UserAgent: ua, CreatedAt: start.Add(time.Duration(i) * time.Second)}
			if i%2 == 0 {
				events[i].UserID = &u.ID
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

		// One organisation's people: its member's events, in the same
		// flat memory; another organisation's filter selects none of them.
		org, other := &store.Organisation{Name: "Acme", CreatedAt: start, UpdatedAt: start}, &store.Organisation{Name: "Globex", CreatedAt: start, UpdatedAt: start}
		for _, o := range []*store.Organisation{org, other} {
			if err := s.CreateOrganisation(ctx, o); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.AddMembership(ctx, &store.Membership{OrgID: org.ID, UserID: u.ID, Role: store.RoleOwner, Status: store.MemberActive, CreatedAt: start}); err != nil {
			t.Fatal(err)
		}
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
