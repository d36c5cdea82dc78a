package janitor_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"gatehouse/internal/janitor"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

var retention = janitor.Retention{SentMail: 7 * 24 * time.Hour, Expired: 24 * time.Hour, RateLimits: 24 * time.Hour,
	LoginFailures: 30 * 24 * time.Hour, PendingUsers: 30 * 24 * time.Hour}

// seed writes n expired rows of every kind the janitor purges, and one row
// of each that is still of use, as of now.
func seed(t *testing.T, s *store.Store, now time.Time, n int) {
	t.Helper()
	ctx := context.Background()
	err := s.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		keep := &store.User{Email: "keep@example.com", Locale: "en", Status: store.UserActive, CreatedAt: now, UpdatedAt: now}
		if _, err := tx.CreateUserIfAbsent(ctx, keep); err != nil {
			return err
		}
		for i := range n + 1 {
			old := i < n
			at := now
			if old {
				at = now.Add(-40 * 24 * time.Hour)
			}
			m := &store.OutboxMessage{Kind: "k", Recipient: "a@example.com", Locale: "en", Data: "{}", CreatedAt: at}
			if err := tx.Enqueue(ctx, m); err != nil {
				return err
			}
			if err := tx.MarkOutboxSent(ctx, m.ID, at); err != nil {
				return err
			}
			ev := store.MailEvent{ID: fmt.Sprintf("msg_ev%d", i), Type: store.DeliveryDelivered, MessageID: fmt.Sprintf("re_%d", i), At: at, Received: at}
			if _, err := tx.RecordMailEvent(ctx, ev); err != nil {
				return err
			}
			dm := &store.DevMail{IdempotencyKey: fmt.Sprintf("m%d", i), Recipient: "a@example.com", CreatedAt: at}
			if err := tx.AddDevMail(ctx, dm, 1000); err != nil {
				return err
			}
			sess := &store.Session{UserID: keep.ID, Hash: fmt.Sprintf("s%d", i), CreatedAt: at, LastSeenAt: at, ExpiresAt: at.Add(time.Hour)}
			if err := tx.CreateSession(ctx, sess); err != nil {
				return err
			}
			if _, _, err := tx.Hit(ctx, fmt.Sprintf("ip:%d", i), time.Hour, at); err != nil {
				return err
			}
			if old {
				// A pending account abandoned long ago, with its expired
				// link and a forgotten failed sign-in.
				u := &store.User{Email: fmt.Sprintf("p%d@example.com", i), Locale: "en", Status: store.UserPending, CreatedAt: at, UpdatedAt: at}
				if _, err := tx.CreateUserIfAbsent(ctx, u); err != nil {
					return err
				}
				tok := &store.Token{UserID: u.ID, Purpose: store.PurposeActivation, Hash: fmt.Sprintf("t%d", i), CreatedAt: at, ExpiresAt: at.Add(time.Hour)}
				if err := tx.AddTokens(ctx, tok); err != nil {
					return err
				}
				if _, err := tx.ConfirmLoginFailure(ctx, keep.ID, at, func(int) time.Duration { return 0 }); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Two janitors running at once (two instances) share the work: between
// them every expired row goes exactly once, neither fails, and what is
// still of use stays.
func TestTwoJanitorsAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
		const n = 120
		seed(t, s, now, n)
		var wg sync.WaitGroup
		results := make([]janitor.Counts, 2)
		for i := range results {
			j := janitor.New(s, retention)
			j.Batch = 7
			j.Now = func() time.Time { return now }
			j.Log = slog.New(slog.DiscardHandler)
			wg.Go(func() {
				c, err := j.RunOnce(context.Background())
				if err != nil {
					t.Errorf("janitor %d: %v", i, err)
				}
				results[i] = c
			})
		}
		wg.Wait()
		// The pending users' tokens expired long ago, so the token purge
		// takes them before their users go; the keep user has one throttle.
		want := map[string]int{"sent_mail": n, "dev_mail": n, "mail_events": n, "sessions": n, "tokens": n, "rate_limits": n, "pending_users": n, "login_throttles": 1}
		for kind, w := range want {
			if got := results[0][kind] + results[1][kind]; got != w {
				t.Errorf("%s: the two janitors purged %d + %d, want %d in all", kind, results[0][kind], results[1][kind], w)
			}
		}
		ctx := context.Background()
		if _, err := s.SessionByHash(ctx, fmt.Sprintf("s%d", n), now, time.Hour); err != nil {
			t.Errorf("the live session went: %v", err)
		}
		if left, _ := s.ListOutbox(ctx, "", 10); len(left) != 1 {
			t.Errorf("outbox keeps %d rows, want the one sent now", len(left))
		}
		if c, err := janitor.New(s, retention).RunOnce(ctx); err != nil || c["sent_mail"]+c["dev_mail"]+c["mail_events"]+c["sessions"]+c["tokens"]+c["rate_limits"]+c["pending_users"]+c["login_throttles"] != 0 {
			t.Errorf("a third run found more to purge: %v %v", c, err)
		}
	})
}

// Run purges soon after it starts and stops when its context ends.
func TestRunPurgesAndStops(t *testing.T) {
	s := storetest.Open(t, storetest.SQLite)
	now := time.Now()
	seed(t, s, now, 3)
	j := janitor.New(s, retention)
	j.Interval = 10 * time.Millisecond
	j.Log = slog.New(slog.DiscardHandler)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { j.Run(ctx); close(done) }()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if left, _ := s.ListOutbox(context.Background(), store.OutboxSent, 10); len(left) == 1 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop after its context ended")
	}
	if left, _ := s.ListOutbox(context.Background(), store.OutboxSent, 10); len(left) != 1 {
		t.Errorf("%d sent rows after Run, want the recent one", len(left))
	}
}

// endings is a Sessions that ends sessions straight in the store, as the
// account service does (without the webhooks), and counts its calls.
type endings struct {
	s     *store.Store
	mu    sync.Mutex
	calls int
}

func (e *endings) EndExpiredSessions(ctx context.Context, now time.Time, limit int) (int, error) {
	e.mu.Lock()
	e.calls++
	e.mu.Unlock()
	ended, err := e.s.EndExpiredSessions(ctx, now, 30*time.Minute, limit)
	return len(ended), err
}

// With Sessions, a run ends the timed-out sessions at once (the purge
// finds none left), and between runs Run keeps ending them every
// SessionsInterval, so an expiry is not left waiting for the hourly run.
func TestSessionsEndAsTheyTimeOut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
		seed(t, s, now, 5)
		j := janitor.New(s, retention)
		j.Sessions = &endings{s: s}
		j.Batch = 2
		j.Now = func() time.Time { return now }
		j.Log = slog.New(slog.DiscardHandler)
		c, err := j.RunOnce(context.Background())
		if err != nil || c["sessions_ended"] != 5 || c["sessions"] != 0 {
			t.Errorf("run: %v %v, want 5 sessions ended and none left to purge", c, err)
		}

		// A session idle for 31 minutes, with the hourly run far off.
		sess := &store.Session{UserID: 1, Hash: "idle", CreatedAt: now, LastSeenAt: now.Add(-31 * time.Minute), ExpiresAt: now.Add(time.Hour)}
		if err := s.CreateSession(context.Background(), sess); err != nil {
			t.Fatal(err)
		}
		end := &endings{s: s}
		j.Sessions, j.Interval, j.SessionsInterval = end, time.Hour, 10*time.Millisecond
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { j.Run(ctx); close(done) }()
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			end.mu.Lock()
			n := end.calls
			end.mu.Unlock()
			if n >= 3 {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		<-done
		if end.calls < 3 {
			t.Errorf("Sessions called %d times in 5 s with a 10 ms interval", end.calls)
		}
		if _, err := s.SessionByHash(context.Background(), "idle", now.Add(-time.Hour), time.Hour); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the idle session is still there: %v", err)
		}
	})
}
