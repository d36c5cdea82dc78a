package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// drain calls purge until a batch comes back short and returns the total.
func drain(t *testing.T, purge func(limit int) (int, error)) int {
	t.Helper()
	total := 0
	for {
		n, err := purge(2)
		if err != nil {
			t.Fatal(err)
		}
		total += n
		if n < 2 {
			return total
		}
	}
}

// Each purge deletes, in bounded batches, exactly the rows past its
// cutoff, and a second pass finds nothing left to do.
func TestPurgeDeletesOnlyWhatExpired(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := t0.Add(30 * 24 * time.Hour)
		cut := now.Add(-24 * time.Hour)
		u := newUser("active@example.com")
		u.Status = store.UserActive
		if _, err := s.CreateUserIfAbsent(ctx, u); err != nil {
			t.Fatal(err)
		}
		old, recent := cut.Add(-time.Minute), cut.Add(time.Minute)
		for i, at := range []time.Time{old, old, old, recent} {
			m := &store.OutboxMessage{Kind: "k", Recipient: "a@example.com", Locale: "en", Data: "{}", CreatedAt: at}
			if err := s.Enqueue(ctx, m); err != nil {
				t.Fatal(err)
			}
			if err := s.MarkOutboxSent(ctx, m.ID, at); err != nil {
				t.Fatal(err)
			}
			sess := &store.Session{UserID: u.ID, Hash: fmt.Sprintf("s%d", i), CreatedAt: at.Add(-time.Hour), LastSeenAt: at.Add(-time.Hour), ExpiresAt: at}
			if err := s.CreateSession(ctx, sess); err != nil {
				t.Fatal(err)
			}
			tok := &store.Token{UserID: u.ID, Purpose: fmt.Sprintf("p%d", i), Hash: fmt.Sprintf("t%d", i), CreatedAt: at.Add(-time.Hour), ExpiresAt: at}
			if err := s.CreateToken(ctx, tok); err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.Hit(ctx, fmt.Sprintf("k%d", i), time.Hour, at); err != nil {
				t.Fatal(err)
			}
			cr := &store.CodeRequest{Hash: fmt.Sprintf("c%d", i), Flow: "activation", CreatedAt: at.Add(-time.Hour), ExpiresAt: at}
			if err := s.AddCodeRequest(ctx, cr); err != nil {
				t.Fatal(err)
			}
			wc := &store.WebAuthnChallenge{Hash: fmt.Sprintf("w%d", i), Ceremony: store.CeremonyLogin, Data: "{}", CreatedAt: at.Add(-5 * time.Minute), ExpiresAt: at}
			if err := s.AddWebAuthnChallenge(ctx, wc); err != nil {
				t.Fatal(err)
			}
		}
		// A failed message is kept for the operator however old.
		failed := &store.OutboxMessage{Kind: "k", Recipient: "b@example.com", Locale: "en", Data: "{}", CreatedAt: old}
		s.Enqueue(ctx, failed)
		s.MarkOutboxFailed(ctx, failed.ID, "422")

		checks := []struct {
			what  string
			purge func(limit int) (int, error)
			want  int
		}{
			{"sent mail", func(n int) (int, error) { return s.PurgeSentMail(ctx, cut, n) }, 3},
			{"sessions", func(n int) (int, error) { return s.PurgeSessions(ctx, cut, n) }, 3},
			{"tokens", func(n int) (int, error) { return s.PurgeTokens(ctx, cut, n) }, 3},
			{"code requests", func(n int) (int, error) { return s.PurgeCodeRequests(ctx, cut, n) }, 3},
			{"webauthn challenges", func(n int) (int, error) { return s.PurgeWebAuthnChallenges(ctx, cut, n) }, 3},
			{"rate counters", func(n int) (int, error) { return s.PurgeRateCounters(ctx, cut, n) }, 3},
		}
		for _, c := range checks {
			if got := drain(t, c.purge); got != c.want {
				t.Errorf("%s: purged %d, want %d", c.what, got, c.want)
			}
			if again := drain(t, c.purge); again != 0 {
				t.Errorf("%s: a second pass purged %d more", c.what, again)
			}
		}
		if left, _ := s.ListOutbox(ctx, "", 10); len(left) != 2 {
			t.Errorf("outbox keeps %d rows, want the recent sent one and the failed one", len(left))
		}
		if _, err := s.SessionByHash(ctx, "s3", recent.Add(-time.Hour), time.Hour); err != nil {
			t.Errorf("the recent session went: %v", err)
		}
		if _, err := s.ValidToken(ctx, "t3", "p3", recent.Add(-time.Hour)); err != nil {
			t.Errorf("the recent token went: %v", err)
		}
		if _, err := s.AttemptCodeRequest(ctx, "c3", recent.Add(-time.Hour)); err != nil {
			t.Errorf("the recent code request went: %v", err)
		}
		if _, err := s.ConsumeWebAuthnChallenge(ctx, "w3", store.CeremonyLogin, recent.Add(-time.Minute)); err != nil {
			t.Errorf("the recent webauthn challenge went: %v", err)
		}
		if n, _, _ := s.Hit(ctx, "k3", time.Hour, recent); n != 2 {
			t.Errorf("the recent counter restarted: count %d, want 2", n)
		}
	})
}

// Failed sign-ins are forgotten long after the last one, unless the
// account is still locked (the hard cap locks until a password reset).
func TestPurgeLoginThrottles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := t0.Add(60 * 24 * time.Hour)
		cut := now.Add(-30 * 24 * time.Hour)
		locks := map[string]time.Duration{"quiet": 0, "capped": 100 * 365 * 24 * time.Hour, "recent": 0}
		ids := map[string]int64{}
		for name, lock := range locks {
			u := newUser(name + "@example.com")
			if _, err := s.CreateUserIfAbsent(ctx, u); err != nil {
				t.Fatal(err)
			}
			ids[name] = u.ID
			at := cut.Add(-time.Hour)
			if name == "recent" {
				at = cut.Add(time.Hour)
			}
			if _, err := s.ConfirmLoginFailure(ctx, u.ID, at, func(int) time.Duration { return lock }); err != nil {
				t.Fatal(err)
			}
		}
		if got := drain(t, func(n int) (int, error) { return s.PurgeLoginThrottles(ctx, cut, now, n) }); got != 1 {
			t.Fatalf("purged %d throttles, want only the quiet account's", got)
		}
		for name, want := range map[string]int{"quiet": 0, "capped": 1, "recent": 1} {
			if lt, _ := s.LoginThrottleFor(ctx, ids[name]); lt.Failures != want {
				t.Errorf("%s: %d failures left, want %d", name, lt.Failures, want)
			}
		}
	})
}

// Accounts never activated go, with their tokens, once old and without a
// link or code that still works; active and recent ones stay.
func TestPurgePendingUsers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := t0.Add(60 * 24 * time.Hour)
		cut := now.Add(-30 * 24 * time.Hour)
		mk := func(email, status string, updated time.Time, tokenExpires time.Time) *store.User {
			u := newUser(email)
			u.Status, u.CreatedAt, u.UpdatedAt = status, updated.Add(-time.Hour), updated
			if _, err := s.CreateUserIfAbsent(ctx, u); err != nil {
				t.Fatal(err)
			}
			tok := &store.Token{UserID: u.ID, Purpose: store.PurposeActivation, Hash: "h-" + email, CreatedAt: tokenExpires.Add(-time.Hour), ExpiresAt: tokenExpires}
			if err := s.CreateToken(ctx, tok); err != nil {
				t.Fatal(err)
			}
			return u
		}
		old := cut.Add(-time.Hour)
		gone := mk("gone@example.com", store.UserPending, old, old.Add(time.Hour))
		live := mk("live@example.com", store.UserPending, old, now.Add(time.Hour))
		recent := mk("recent@example.com", store.UserPending, cut.Add(time.Hour), old)
		active := mk("active@example.com", store.UserActive, old, old)
		if got := drain(t, func(n int) (int, error) { return s.PurgePendingUsers(ctx, cut, now, n) }); got != 1 {
			t.Fatalf("purged %d users, want 1", got)
		}
		if _, err := s.UserByID(ctx, gone.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("old pending account kept: %v", err)
		}
		if _, err := s.ValidToken(ctx, "h-gone@example.com", store.PurposeActivation, old); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("its token kept: %v", err)
		}
		for _, u := range []*store.User{live, recent, active} {
			if _, err := s.UserByID(ctx, u.ID); err != nil {
				t.Errorf("%s went: %v", u.Email, err)
			}
		}
	})
}
