package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func newUser(email string) *store.User {
	return &store.User{Email: email, FirstName: "Ada", LastName: "Lovelace", Company: "Engines", Country: "GB",
		Locale: "en", Status: store.UserPending, CreatedAt: t0, UpdatedAt: t0}
}

func TestUsersUniqueCaseInsensitive(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		created, err := s.CreateUserIfAbsent(ctx, newUser("Ada@Example.com"))
		if err != nil || !created {
			t.Fatalf("first create: created=%v err=%v", created, err)
		}
		created, err = s.CreateUserIfAbsent(ctx, newUser("ada@EXAMPLE.com"))
		if err != nil || created {
			t.Fatalf("second create: created=%v err=%v, want a no-op", created, err)
		}
		u, err := s.UserByEmail(ctx, "ADA@example.COM")
		if err != nil || u.Email != "ada@example.com" {
			t.Fatalf("lookup: %+v %v", u, err)
		}
		if _, err := s.UserByEmail(ctx, "nobody@example.com"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown: err=%v, want ErrNotFound", err)
		}
	})
}

// TestUserForSignIn: the sign-in's read of the account says, in the same
// statement, whether it has an authenticator app: only once one is
// confirmed, and only its own.
func TestUserForSignIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for _, email := range []string{"grace@example.com", "ada@example.com"} {
			if _, err := s.CreateUserIfAbsent(ctx, newUser(email)); err != nil {
				t.Fatal(err)
			}
		}
		grace, err := s.UserByEmail(ctx, "grace@example.com")
		if err != nil {
			t.Fatal(err)
		}
		ada, err := s.UserByEmail(ctx, "ada@example.com")
		if err != nil {
			t.Fatal(err)
		}
		check := func(when string, want bool) {
			t.Helper()
			u, twoStep, err := s.UserForSignIn(ctx, "Ada@Example.COM")
			if err != nil {
				t.Fatalf("%s: %v", when, err)
			}
			if u.ID != ada.ID || u.Email != ada.Email || u.PublicID != ada.PublicID || !u.CreatedAt.Equal(ada.CreatedAt) {
				t.Fatalf("%s: read %+v, want %+v", when, u, ada)
			}
			if twoStep != want {
				t.Errorf("%s: two-step %v, want %v", when, twoStep, want)
			}
		}
		check("no app", false)
		if _, err := s.StartTOTPSetup(ctx, grace.ID, "secret", t0); err != nil {
			t.Fatal(err)
		}
		if ok, err := s.UseTOTPStep(ctx, grace.ID, 1, t0); err != nil || !ok {
			t.Fatalf("confirm another's app: %v %v", ok, err)
		}
		check("another account's app", false)
		if _, err := s.StartTOTPSetup(ctx, ada.ID, "secret", t0); err != nil {
			t.Fatal(err)
		}
		check("an app being set up", false)
		if ok, err := s.UseTOTPStep(ctx, ada.ID, 1, t0); err != nil || !ok {
			t.Fatalf("confirm: %v %v", ok, err)
		}
		check("a confirmed app", true)
		if _, _, err := s.UserForSignIn(ctx, "nobody@example.com"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown: err=%v, want ErrNotFound", err)
		}
	})
}

func TestConcurrentCreateLeavesOneRow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		var wg sync.WaitGroup
		var createdN, errN atomic.Int32
		for range 10 {
			wg.Go(func() {
				created, err := s.CreateUserIfAbsent(context.Background(), newUser("race@example.com"))
				if err != nil {
					errN.Add(1)
					t.Error(err)
				}
				if created {
					createdN.Add(1)
				}
			})
		}
		wg.Wait()
		if createdN.Load() != 1 || errN.Load() != 0 {
			t.Fatalf("created %d rows with %d errors, want exactly 1 and 0", createdN.Load(), errN.Load())
		}
	})
}

func TestTokenConsumedExactlyOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := newUser("tok@example.com")
		if _, err := s.CreateUserIfAbsent(ctx, u); err != nil {
			t.Fatal(err)
		}
		tok := &store.Token{UserID: u.ID, Purpose: store.PurposeReset, Hash: "h1", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
		if err := s.CreateToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		// Reading never consumes.
		for range 3 {
			if _, err := s.ValidToken(ctx, "h1", store.PurposeReset, t0); err != nil {
				t.Fatalf("valid token: %v", err)
			}
		}
		if _, err := s.ValidToken(ctx, "h1", store.PurposeActivation, t0); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("wrong purpose accepted: %v", err)
		}
		var wg sync.WaitGroup
		var wins atomic.Int32
		for range 20 {
			wg.Go(func() {
				err := s.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
					id, err := tx.ConsumeToken(ctx, "h1", store.PurposeReset, t0)
					if err != nil {
						return err
					}
					return tx.SetUserPassword(ctx, id, "hash", t0)
				})
				switch {
				case err == nil:
					wins.Add(1)
				case !errors.Is(err, store.ErrNotFound):
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("%d of 20 concurrent consumptions succeeded, want 1", wins.Load())
		}
	})
}

func TestTokenExpiryAndRevocation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := newUser("exp@example.com")
		s.CreateUserIfAbsent(ctx, u)
		old := &store.Token{UserID: u.ID, Purpose: store.PurposeActivation, Hash: "old", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
		if err := s.CreateToken(ctx, old); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ConsumeToken(ctx, "old", store.PurposeActivation, t0.Add(2*time.Hour)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("expired token consumed: %v", err)
		}
		fresh := &store.Token{UserID: u.ID, Purpose: store.PurposeActivation, Hash: "new", CreatedAt: t0.Add(time.Minute), ExpiresAt: t0.Add(time.Hour)}
		if err := s.CreateToken(ctx, fresh); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ValidToken(ctx, "old", store.PurposeActivation, t0.Add(2*time.Minute)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("older token still valid after a new one: %v", err)
		}
		if id, err := s.ConsumeToken(ctx, "new", store.PurposeActivation, t0.Add(2*time.Minute)); err != nil || id != u.ID {
			t.Fatalf("consume new: %d %v", id, err)
		}
	})
}

func TestSessionTimeouts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := newUser("sess@example.com")
		s.CreateUserIfAbsent(ctx, u)
		sess := &store.Session{UserID: u.ID, Hash: "s1", CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0.Add(2 * time.Hour)}
		if err := s.CreateSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
		idle := 30 * time.Minute
		if _, err := s.SessionByHash(ctx, "s1", t0.Add(29*time.Minute), idle); err != nil {
			t.Fatalf("live session: %v", err)
		}
		if _, err := s.SessionByHash(ctx, "s1", t0.Add(31*time.Minute), idle); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("idle session still valid: %v", err)
		}
		for m := 25; m < 130; m += 25 {
			s.TouchSession(ctx, sess.ID, t0.Add(time.Duration(m)*time.Minute))
		}
		if _, err := s.SessionByHash(ctx, "s1", t0.Add(121*time.Minute), idle); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("session past absolute timeout still valid: %v", err)
		}
		other := &store.Session{UserID: u.ID, Hash: "s2", CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0.Add(2 * time.Hour)}
		s.CreateSession(ctx, other)
		if n, err := s.DeleteUserSessions(ctx, u.ID, other.ID); err != nil || n != 1 {
			t.Fatalf("delete others: %d %v", n, err)
		}
		if _, err := s.SessionByHash(ctx, "s2", t0, idle); err != nil {
			t.Fatalf("kept session gone: %v", err)
		}
	})
}

func TestOutboxClaimLeaseAndRetry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for i := range 3 {
			m := &store.OutboxMessage{Kind: "k", Recipient: fmt.Sprintf("r%d@example.com", i), Locale: "en", Data: "{}", CreatedAt: t0.Add(time.Duration(i) * time.Second)}
			if err := s.Enqueue(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		now := t0.Add(time.Minute)
		got, err := s.ClaimOutbox(ctx, now, 2, time.Minute)
		if err != nil || len(got) != 2 || got[0].Attempts != 1 || got[0].IdempotencyKey == "" {
			t.Fatalf("claim: %+v %v", got, err)
		}
		rest, _ := s.ClaimOutbox(ctx, now, 10, time.Minute)
		if len(rest) != 1 {
			t.Fatalf("second claim got %d, want the 1 unclaimed", len(rest))
		}
		if again, _ := s.ClaimOutbox(ctx, now, 10, time.Minute); len(again) != 0 {
			t.Fatalf("leased rows claimed twice: %d", len(again))
		}
		s.MarkOutboxSent(ctx, got[0].ID, now)
		s.MarkOutboxRetry(ctx, got[1].ID, now.Add(time.Hour), "500")
		// rest[0]'s lease expires: its sender died, so it comes back.
		back, _ := s.ClaimOutbox(ctx, now.Add(2*time.Minute), 10, time.Minute)
		if len(back) != 1 || back[0].ID != rest[0].ID || back[0].Attempts != 2 {
			t.Fatalf("expired lease: %+v", back)
		}
		later, _ := s.ClaimOutbox(ctx, now.Add(2*time.Hour), 10, time.Minute)
		if len(later) != 2 {
			t.Fatalf("after the retry time got %d, want the retried and the expired lease", len(later))
		}
		sent, _ := s.OutboxByStatus(ctx, store.OutboxSent, 10)
		if len(sent) != 1 || sent[0].Data != "" {
			t.Fatalf("sent row keeps data: %+v", sent)
		}
	})
}

// A recipient with a message in flight waits: another worker claiming
// now must not send that person's next message ahead of it.
func TestOutboxClaimKeepsRecipientOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for i, to := range []string{"ada@example.com", "ada@example.com", "bob@example.com"} {
			m := &store.OutboxMessage{Kind: "k", Recipient: to, Locale: "en", Data: "{}", CreatedAt: t0.Add(time.Duration(i) * time.Second)}
			if err := s.Enqueue(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		now := t0.Add(time.Minute)
		first, err := s.ClaimOutbox(ctx, now, 1, time.Minute)
		if err != nil || len(first) != 1 || first[0].Recipient != "ada@example.com" {
			t.Fatalf("first claim: %+v %v", first, err)
		}
		other, _ := s.ClaimOutbox(ctx, now, 10, time.Minute)
		if len(other) != 1 || other[0].Recipient != "bob@example.com" {
			t.Fatalf("while ada's first is in flight, a claim got %+v; want only bob's", other)
		}
		if err := s.MarkOutboxSent(ctx, first[0].ID, now); err != nil {
			t.Fatal(err)
		}
		next, _ := s.ClaimOutbox(ctx, now, 10, time.Minute)
		if len(next) != 1 || next[0].Recipient != "ada@example.com" || next[0].ID == first[0].ID {
			t.Fatalf("after ada's first was sent, a claim got %+v; want ada's second", next)
		}
	})
}

func TestRateHitWindow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for i := 1; i <= 3; i++ {
			n, reset, err := s.Hit(ctx, "ip:1", time.Minute, t0.Add(time.Duration(i)*time.Second))
			if err != nil || n != i || !reset.Equal(t0.Add(time.Second+time.Minute)) {
				t.Fatalf("hit %d: n=%d reset=%v err=%v", i, n, reset, err)
			}
		}
		n, _, err := s.Hit(ctx, "ip:1", time.Minute, t0.Add(2*time.Minute))
		if err != nil || n != 1 {
			t.Fatalf("new window: n=%d err=%v", n, err)
		}
	})
}

// A recipient whose earlier message waits for a retry waits with it, and a
// claim that takes part of a recipient's mail takes the earliest.
func TestOutboxClaimHoldsRecipientBehindRetry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for i, to := range []string{"ada@example.com", "ada@example.com", "bob@example.com", "ada@example.com"} {
			m := &store.OutboxMessage{Kind: "k", Recipient: to, Locale: "en", Data: fmt.Sprint(i), CreatedAt: t0.Add(time.Duration(i) * time.Second)}
			if err := s.Enqueue(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		now := t0.Add(time.Minute)
		first, err := s.ClaimOutbox(ctx, now, 1, time.Minute)
		if err != nil || len(first) != 1 || first[0].Data != "0" {
			t.Fatalf("first claim: %+v %v", first, err)
		}
		if err := s.MarkOutboxRetry(ctx, first[0].ID, now.Add(time.Hour), "500"); err != nil {
			t.Fatal(err)
		}
		other, _ := s.ClaimOutbox(ctx, now, 10, time.Minute)
		if len(other) != 1 || other[0].Recipient != "bob@example.com" {
			t.Fatalf("while ada's first waits for its retry, a claim got %+v; want only bob's", other)
		}
		// The retry is due, and later than ada's other messages were
		// written: still ada's first goes first.
		later := now.Add(2 * time.Hour)
		got, _ := s.ClaimOutbox(ctx, later, 2, time.Minute)
		if len(got) != 2 || got[0].Data != "0" || got[1].Data != "1" {
			t.Fatalf("after the retry time a claim got %+v; want ada's 0 and 1", got)
		}
	})
}

// Claims racing on one database never hand out two messages of one
// recipient at once: every claim sees the others' leases.
func TestOutboxConcurrentClaimsOneRecipientAtATime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for i := range 40 {
			m := &store.OutboxMessage{Kind: "k", Recipient: fmt.Sprintf("r%d@example.com", i%4), Locale: "en", Data: "{}", CreatedAt: t0.Add(time.Duration(i) * time.Millisecond)}
			if err := s.Enqueue(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		now := t0.Add(time.Minute)
		for round := range 5 {
			var mu sync.Mutex
			seen := map[string]int{}
			var wg sync.WaitGroup
			for range 8 {
				wg.Go(func() {
					got, err := s.ClaimOutbox(ctx, now, 1, time.Minute)
					if err != nil {
						t.Error(err)
					}
					mu.Lock()
					defer mu.Unlock()
					for _, m := range got {
						seen[m.Recipient]++
					}
				})
			}
			wg.Wait()
			ids := []int64{}
			for r, n := range seen {
				if n > 1 {
					t.Fatalf("round %d: %d messages of %s claimed at once", round, n, r)
				}
			}
			claimed, _ := s.ListOutbox(ctx, store.OutboxPending, 100)
			for _, m := range claimed {
				if m.ClaimedUntil != nil {
					ids = append(ids, m.ID)
				}
			}
			if err := s.MarkOutboxBatchSent(ctx, ids, now); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// TestCommitSignInAtomic: the writes of a sign-in are one transaction on
// both databases (one message of statements on PostgreSQL): when one
// fails, here a session whose hash is taken, none is kept, so the
// throttle record keeps the reservation for the caller to give back.
func TestCommitSignInAtomic(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := newUser("ada@example.com")
		u.Status = store.UserActive
		if _, err := s.CreateUserIfAbsent(ctx, u); err != nil {
			t.Fatal(err)
		}
		never := func(int) time.Duration { return 0 }
		if _, ok, err := s.ReserveLoginAttempt(ctx, u.ID, t0, never); err != nil || !ok {
			t.Fatalf("reserve: %v %v", ok, err)
		}
		sess := func() *store.Session {
			return &store.Session{UserID: u.ID, Hash: "taken", CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0.Add(time.Hour), AuthMethods: "pwd"}
		}
		event := func() []*store.AuditEvent {
			return []*store.AuditEvent{{UserID: &u.ID, Kind: "login_ok", CreatedAt: t0}}
		}
		webhook := func() []*store.OutboxMessage {
			return []*store.OutboxMessage{{Kind: store.KindWebhook, Recipient: "platform", Data: "{}", CreatedAt: t0}}
		}
		if err := s.CreateSession(ctx, sess()); err != nil {
			t.Fatal(err)
		}
		if err := s.CommitSignIn(ctx, u.ID, sess(), event(), webhook()); err == nil {
			t.Fatal("a session with a taken hash was written")
		}
		count := func(table string) int64 {
			t.Helper()
			n, err := store.Count(ctx, s, table)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := count("login_throttles"); n != 1 {
			t.Errorf("the failed commit cleared the throttle record: %d rows", n)
		}
		if n := count("audit_events") + count("outbox"); n != 0 {
			t.Errorf("the failed commit kept %d audit and outbox rows", n)
		}

		ok := sess()
		ok.Hash = "fresh"
		if err := s.CommitSignIn(ctx, u.ID, ok, event(), webhook()); err != nil {
			t.Fatal(err)
		}
		if got := [4]int64{count("login_throttles"), count("sessions"), count("audit_events"), count("outbox")}; got != [4]int64{0, 2, 1, 1} {
			t.Errorf("after the commit: throttle, sessions, audit, outbox rows = %v, want [0 2 1 1]", got)
		}
		if _, err := s.SessionByHash(ctx, "fresh", t0, time.Hour); err != nil {
			t.Errorf("the new session: %v", err)
		}
	})
}
