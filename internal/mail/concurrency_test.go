package mail_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"gatehouse/internal/mail"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// slowFirst hangs on the first message until the send times out and
// answers the others at once, recording how many calls were in flight.
type slowFirst struct {
	mu       sync.Mutex
	calls    int
	inFlight int
	maxIn    int
	doneFast []time.Time
	hangEnd  time.Time
}

func (s *slowFirst) Send(ctx context.Context, m mail.Message) error {
	s.mu.Lock()
	s.calls++
	first := s.calls == 1
	s.inFlight++
	s.maxIn = max(s.maxIn, s.inFlight)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inFlight--
		s.mu.Unlock()
	}()
	if first {
		<-ctx.Done()
		s.mu.Lock()
		s.hangEnd = time.Now()
		s.mu.Unlock()
		return ctx.Err()
	}
	time.Sleep(5 * time.Millisecond)
	s.mu.Lock()
	s.doneFast = append(s.doneFast, time.Now())
	s.mu.Unlock()
	return nil
}

// runUntil runs w until cond holds or 10 s pass, then stops it.
func runUntil(t *testing.T, w *mail.Worker, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
}

// A send that hangs holds up only its own loop: the rest of the mail goes
// out meanwhile through the other loops, and the hung row is retried later.
func TestWorkerSendsConcurrently(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		sender := &slowFirst{}
		w := mail.NewWorker(s, sender, func(ctx context.Context, row store.OutboxMessage) (mail.Message, error) {
			return mail.Message{Subject: "Hi", Text: row.Data}, nil
		}, "Gatehouse <noreply@gatehouse.test>")
		w.SendTimeout = time.Second
		w.Concurrency, w.Batch, w.Poll = 3, 3, 20*time.Millisecond
		w.RetryDelay = time.Hour
		for i := range 7 {
			m := &store.OutboxMessage{Kind: "k", Recipient: fmt.Sprintf("user%d@example.com", i), Locale: "en", Data: "x", CreatedAt: time.Now().Add(time.Duration(i-10) * time.Millisecond)}
			if err := s.Enqueue(context.Background(), m); err != nil {
				t.Fatal(err)
			}
		}
		runUntil(t, w, func() bool {
			sender.mu.Lock()
			defer sender.mu.Unlock()
			return !sender.hangEnd.IsZero()
		})
		sender.mu.Lock()
		defer sender.mu.Unlock()
		if len(sender.doneFast) != 6 {
			t.Fatalf("%d fast sends before the hung one gave up, want 6", len(sender.doneFast))
		}
		for i, at := range sender.doneFast {
			if !at.Before(sender.hangEnd) {
				t.Errorf("fast send %d finished after the hung one gave up: it waited behind it", i+1)
			}
		}
		if sender.maxIn < 2 || sender.maxIn > 3 {
			t.Errorf("at most %d sends in flight, want 2 or 3 (Concurrency 3)", sender.maxIn)
		}
		if got := len(rows(t, s, store.OutboxSent)); got != 6 {
			t.Errorf("%d rows sent, want 6", got)
		}
		if pending := rows(t, s, store.OutboxPending); len(pending) != 1 || pending[0].LastError == "" {
			t.Errorf("the hung row should wait for a retry with its error: %+v", pending)
		}
	})
}

// A 429 pauses every send for its Retry-After: the rest of the batch is
// given back unsent, without spending an attempt, and goes out after.
func TestWorkerPausesOnRateLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		r := newRig(t, s)
		r.w.Concurrency = 1
		for range 3 {
			r.enqueue(t)
		}
		r.fake.RateLimitNext(1, 30)
		if n := r.runOnce(t); n != 3 {
			t.Fatalf("claimed %d, want 3", n)
		}
		if got := r.fake.Requests(); got != 1 {
			t.Fatalf("%d calls to the API after a 429, want 1: the rest must wait out Retry-After", got)
		}
		pending := rows(t, s, store.OutboxPending)
		if len(pending) != 3 {
			t.Fatalf("%d rows pending, want 3", len(pending))
		}
		for _, m := range pending {
			if m.ClaimedUntil != nil || m.NextAttemptAt.Before(r.now.Add(30*time.Second)) {
				t.Errorf("row %d: claimed_until %v, next attempt %v; want released until Retry-After", m.ID, m.ClaimedUntil, m.NextAttemptAt)
			}
		}
		r.now = r.now.Add(20 * time.Second)
		if n := r.runOnce(t); n != 0 {
			t.Fatalf("claimed %d during the pause", n)
		}
		r.now = r.now.Add(11 * time.Second)
		if n := r.runOnce(t); n != 3 {
			t.Fatalf("claimed %d after the pause, want 3", n)
		}
		if len(r.fake.Emails()) != 3 {
			t.Fatalf("%d emails after the pause, want 3", len(r.fake.Emails()))
		}
		attempts := map[int]int{}
		for _, m := range rows(t, s, store.OutboxSent) {
			attempts[m.Attempts]++
		}
		if attempts[1] != 2 || attempts[2] != 1 {
			t.Errorf("attempts per sent row %v; want two rows at 1 (released, never tried) and one at 2", attempts)
		}
	})
}

// recorder answers after a pause that shrinks with each call, so sends
// running side by side would finish out of order; it records the order.
type recorder struct {
	mu    sync.Mutex
	calls int
	order []string
}

func (r *recorder) Send(ctx context.Context, m mail.Message) error {
	r.mu.Lock()
	r.calls++
	pause := time.Duration(max(0, 40-5*r.calls)) * time.Millisecond
	r.mu.Unlock()
	time.Sleep(pause)
	r.mu.Lock()
	r.order = append(r.order, m.To+" "+m.Text)
	r.mu.Unlock()
	return nil
}

// Mail to one recipient arrives in the order it was written, though
// several loops send at once: a reset link never lands before the
// "account ready" written ahead of it.
func TestWorkerKeepsEachRecipientsOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		rec := &recorder{}
		w := mail.NewWorker(s, rec, func(ctx context.Context, row store.OutboxMessage) (mail.Message, error) {
			return mail.Message{Subject: "Hi", Text: row.Data}, nil
		}, "Gatehouse <noreply@gatehouse.test>")
		w.Concurrency, w.Batch, w.Poll = 4, 4, 10*time.Millisecond
		at := time.Now().Add(-time.Minute)
		for i := range 8 {
			to := "ada@example.com"
			if i%2 == 1 {
				to = fmt.Sprintf("other%d@example.com", i)
			}
			m := &store.OutboxMessage{Kind: "k", Recipient: to, Locale: "en", Data: fmt.Sprint(i), CreatedAt: at.Add(time.Duration(i) * time.Second)}
			if err := s.Enqueue(context.Background(), m); err != nil {
				t.Fatal(err)
			}
		}
		runUntil(t, w, func() bool {
			rec.mu.Lock()
			defer rec.mu.Unlock()
			return len(rec.order) == 8
		})
		var ada []string
		for _, o := range rec.order {
			if strings.HasPrefix(o, "ada@") {
				ada = append(ada, strings.TrimPrefix(o, "ada@example.com "))
			}
		}
		if strings.Join(ada, ",") != "0,2,4,6" {
			t.Errorf("ada's mail arrived in the order %v, want 0,2,4,6", ada)
		}
		if len(rec.order) != 8 {
			t.Errorf("%d sent, want 8", len(rec.order))
		}
	})
}

// failOnce fails the first send of each text in fail once, retryably, and
// records the order of the sends that went through.
type failOnce struct {
	mu     sync.Mutex
	fail   map[string]bool
	order  []string
	failed []string
}

func (f *failOnce) Send(ctx context.Context, m mail.Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail[m.Text] {
		delete(f.fail, m.Text)
		f.failed = append(f.failed, m.Text)
		return errors.New("503 from the provider")
	}
	f.order = append(f.order, m.Text)
	return nil
}

// A message that waits for a retry holds back its recipient's later ones,
// in its own batch and in everyone else's, while other people's mail goes on.
func TestWorkerHoldsRecipientBehindRetry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := &failOnce{fail: map[string]bool{"ada 0": true}}
		w := mail.NewWorker(s, f, func(ctx context.Context, row store.OutboxMessage) (mail.Message, error) {
			return mail.Message{Subject: "Hi", Text: row.Data}, nil
		}, "Gatehouse <noreply@gatehouse.test>")
		w.Concurrency, w.Batch, w.Poll, w.RetryDelay = 2, 8, 10*time.Millisecond, 200*time.Millisecond
		w.Log = slog.New(slog.DiscardHandler)
		at := time.Now().Add(-time.Minute)
		for i, d := range []string{"ada 0", "ada 1", "bob 0", "ada 2", "bob 1"} {
			to := strings.Fields(d)[0] + "@example.com"
			m := &store.OutboxMessage{Kind: "k", Recipient: to, Locale: "en", Data: d, CreatedAt: at.Add(time.Duration(i) * time.Second)}
			if err := s.Enqueue(context.Background(), m); err != nil {
				t.Fatal(err)
			}
		}
		runUntil(t, w, func() bool {
			f.mu.Lock()
			defer f.mu.Unlock()
			return len(f.order) == 5
		})
		var ada, bob []string
		for _, o := range f.order {
			if strings.HasPrefix(o, "ada") {
				ada = append(ada, o)
			} else {
				bob = append(bob, o)
			}
		}
		if strings.Join(ada, ",") != "ada 0,ada 1,ada 2" || strings.Join(bob, ",") != "bob 0,bob 1" {
			t.Errorf("sent in the order %v (failed once: %v); want each person's in order", f.order, f.failed)
		}
		if len(f.failed) != 1 {
			t.Errorf("failed sends %v, want ada 0 once", f.failed)
		}
	})
}
