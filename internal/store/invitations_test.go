package store_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

func invite(t *testing.T, s *store.Store, o *store.Organisation, by *store.User, email, hash string) *store.Invitation {
	t.Helper()
	inv := &store.Invitation{OrgID: o.ID, Email: email, Role: store.RoleMember, InvitedBy: &by.ID, Locale: "en",
		TokenHash: hash, CreatedAt: t0, SentAt: t0, ExpiresAt: t0.Add(7 * 24 * time.Hour)}
	if err := s.CreateInvitation(context.Background(), inv); err != nil {
		t.Fatal(err)
	}
	return inv
}

// Every change to an invitation takes the organisation's id: another
// organisation's admin guessing a public id touches nothing.
func TestInvitationsScopedToOrganisation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		acme, ada := orgWith(t, s, "Acme", "ada@acme.example")
		globex, _ := orgWith(t, s, "Globex", "hank@globex.example")
		inv := invite(t, s, acme, ada, "Grace@Example.com", "h1")
		if inv.Email != "grace@example.com" || len(inv.PublicID) < 20 {
			t.Fatalf("invitation %+v", inv)
		}
		now := t0.Add(time.Hour)
		if _, err := s.InvitationInOrg(ctx, globex.ID, inv.PublicID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("other org reads: %v", err)
		}
		if err := s.ReissueInvitation(ctx, globex.ID, inv.PublicID, "h2", now, now.Add(time.Hour), *inv.InvitedBy, false); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("other org reissues: %v", err)
		}
		if err := s.RevokeInvitation(ctx, globex.ID, inv.PublicID, now); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("other org revokes: %v", err)
		}
		if list, _ := s.PendingInvitations(ctx, globex.ID); len(list) != 0 {
			t.Errorf("other org lists %d", len(list))
		}
		list, err := s.PendingInvitations(ctx, acme.ID)
		if err != nil || len(list) != 1 || list[0].Inviter == nil || list[0].Inviter.Email != "ada@acme.example" {
			t.Fatalf("pending: %+v %v", list, err)
		}
		// A resend replaces the token: the old one is dead.
		if err := s.ReissueInvitation(ctx, acme.ID, inv.PublicID, "h2", now, now.Add(time.Hour), *inv.InvitedBy, false); err != nil {
			t.Fatal(err)
		}
		if _, err := s.OpenInvitationByHash(ctx, "h1", now); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("old hash still open: %v", err)
		}
		got, err := s.OpenInvitationByHash(ctx, "h2", now)
		if err != nil || got.Organisation == nil || got.Organisation.Name != "Acme" {
			t.Fatalf("by hash: %+v %v", got, err)
		}
		// Expired: not open, but still listed for a resend.
		if _, err := s.OpenInvitationByHash(ctx, "h2", now.Add(2*time.Hour)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("expired still open: %v", err)
		}
		if err := s.RevokeInvitation(ctx, acme.ID, inv.PublicID, now); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AcceptInvitationByHash(ctx, "h2", ada.ID, now); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("revoked accepted: %v", err)
		}
		if list, _ := s.PendingInvitations(ctx, acme.ID); len(list) != 0 {
			t.Errorf("revoked still pending")
		}
	})
}

// Inviting an address again replaces its open invitation; accepting is
// one conditional UPDATE, so of parallel uses exactly one wins.
func TestInvitationAcceptOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		acme, ada := orgWith(t, s, "Acme", "ada@acme.example")
		first := invite(t, s, acme, ada, "grace@example.com", "a1")
		second := invite(t, s, acme, ada, "grace@example.com", "a2")
		now := t0.Add(time.Minute)
		if _, err := s.OpenInvitationByHash(ctx, "a1", now); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("replaced invitation still open: %v", err)
		}
		if list, _ := s.OpenInvitationsFor(ctx, "GRACE@example.com", now); len(list) != 1 || list[0].PublicID != second.PublicID {
			t.Fatalf("open for address: %+v", list)
		}
		_ = first
		var wins atomic.Int32
		var wg sync.WaitGroup
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				inv, err := s.AcceptInvitationByHash(ctx, "a2", ada.ID, now)
				if err == nil && inv.PublicID == second.PublicID {
					wins.Add(1)
				} else if err != nil && !errors.Is(err, store.ErrNotFound) {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("%d accepts, want 1", wins.Load())
		}
		// Declining needs the invitee's own address.
		third := invite(t, s, acme, ada, "linus@example.com", "a3")
		if _, err := s.DeclineInvitation(ctx, third.PublicID, "grace@example.com", now); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("declined by someone else: %v", err)
		}
		if _, err := s.DeclineInvitation(ctx, third.PublicID, "linus@example.com", now); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AcceptInvitation(ctx, third.PublicID, "linus@example.com", ada.ID, now); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("declined then accepted: %v", err)
		}
	})
}

// Erasing an account erases the invitations it sent, accepted or was
// sent; another account's invitations stay.
func TestDeleteUserErasesItsInvitations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		acme, ada := orgWith(t, s, "Acme", "ada@acme.example")
		bob := member(t, s, acme, "bob@acme.example", store.RoleAdmin, store.MemberActive)
		grace := newUser("grace@example.com")
		if _, err := s.CreateUserIfAbsent(ctx, grace); err != nil {
			t.Fatal(err)
		}
		invite(t, s, acme, ada, "carol@example.com", "by-ada")
		invite(t, s, acme, bob, "Grace@Example.com", "to-grace")
		invite(t, s, acme, bob, "dan@example.com", "by-bob")
		if err := s.DeleteUser(ctx, ada, store.Erasure{}); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteUser(ctx, grace, store.Erasure{}); err != nil {
			t.Fatal(err)
		}
		list, err := s.PendingInvitations(ctx, acme.ID)
		if err != nil || len(list) != 1 || list[0].Email != "dan@example.com" {
			t.Fatalf("left: %+v %v", list, err)
		}
	})
}
