package mail_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"gatehouse/internal/mail"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
	"gatehouse/internal/testkit/resendfake"
)

// workerRig is a worker over a real store sending to a fake Resend API,
// with a clock the test moves.
type workerRig struct {
	st   *store.Store
	fake *resendfake.Server
	w    *mail.Worker
	now  time.Time
}

func newRig(t *testing.T, s *store.Store) *workerRig {
	fake := resendfake.New()
	t.Cleanup(fake.Close)
	sender, err := mail.NewResend("re_test", fake.URL(), 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	r := &workerRig{st: s, fake: fake, now: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	r.w = mail.NewWorker(s, sender, func(ctx context.Context, row store.OutboxMessage) (mail.Message, error) {
		return mail.Message{Subject: "Hello", HTML: "<p>" + row.Data + "</p>", Text: row.Data}, nil
	}, "Gatehouse <noreply@gatehouse.test>")
	r.w.Now = func() time.Time { return r.now }
	r.w.RetryDelay = 10 * time.Second
	r.w.MaxAttempts = 3
	return r
}

func (r *workerRig) enqueue(t *testing.T) *store.OutboxMessage {
	m := &store.OutboxMessage{Kind: "k", Recipient: "ada@example.com", Locale: "en", Data: "link with token", CreatedAt: r.now}
	if err := r.st.Enqueue(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	return m
}

func (r *workerRig) runOnce(t *testing.T) int {
	n, err := r.w.RunOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func rows(t *testing.T, s *store.Store, status string) []store.OutboxMessage {
	list, err := s.OutboxByStatus(context.Background(), status, 100)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func TestWorkerSendsOnceWithKeyAndErasesData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		r := newRig(t, s)
		m := r.enqueue(t)
		if n := r.runOnce(t); n != 1 {
			t.Fatalf("claimed %d, want 1", n)
		}
		got := r.fake.Emails()
		if len(got) != 1 || got[0].IdempotencyKey != m.IdempotencyKey || got[0].Text != "link with token" {
			t.Fatalf("sent %+v", got)
		}
		sent := rows(t, s, store.OutboxSent)
		if len(sent) != 1 || sent[0].Data != "" {
			t.Fatalf("sent row %+v, want data erased", sent)
		}
		if n := r.runOnce(t); n != 0 {
			t.Fatalf("a sent row was claimed again")
		}
	})
}

func TestWorkerRetriesTransientFailures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		r := newRig(t, s)
		r.enqueue(t)
		r.fake.FailNext(1, http.StatusInternalServerError)
		r.runOnce(t)
		if len(r.fake.Emails()) != 0 || len(rows(t, s, store.OutboxPending)) != 1 {
			t.Fatal("a 500 must leave the row pending")
		}
		if r.runOnce(t) != 0 {
			t.Fatal("retried before the backoff")
		}
		r.now = r.now.Add(13 * time.Second) // first backoff: 10 s ± 20 %
		r.fake.RateLimitNext(1, 60)
		r.runOnce(t)
		r.now = r.now.Add(30 * time.Second)
		if r.runOnce(t) != 0 {
			t.Fatal("retried before Retry-After")
		}
		r.now = r.now.Add(31 * time.Second)
		r.runOnce(t)
		if got := r.fake.Emails(); len(got) != 1 {
			t.Fatalf("after recovery: %d emails, want 1", len(got))
		}
		if len(rows(t, s, store.OutboxSent)) != 1 {
			t.Fatal("row not marked sent")
		}
	})
}

func TestWorkerGivesUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		r := newRig(t, s)
		r.enqueue(t)
		r.fake.FailNext(1, http.StatusUnprocessableEntity)
		r.runOnce(t)
		failed := rows(t, s, store.OutboxFailed)
		if len(failed) != 1 || failed[0].LastError == "" || failed[0].Data == "" {
			t.Fatalf("a 422 must fail the row at once, keeping its data for a manual retry: %+v", failed)
		}

		r.enqueue(t)
		for i := range 3 {
			r.fake.FailNext(1, http.StatusServiceUnavailable)
			if r.runOnce(t) != 1 {
				t.Fatalf("attempt %d not claimed", i+1)
			}
			r.now = r.now.Add(time.Hour)
		}
		if got := len(rows(t, s, store.OutboxFailed)); got != 2 {
			t.Fatalf("after MaxAttempts 5xx: %d failed rows, want 2", got)
		}
	})
}

func TestWorkerRunDrainsOnWake(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		r := newRig(t, s)
		r.w.Now = time.Now
		r.w.Poll = time.Hour // only Wake can make it send
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { r.w.Run(ctx); close(done) }()
		time.Sleep(50 * time.Millisecond)
		m := &store.OutboxMessage{Kind: "k", Recipient: "ada@example.com", Locale: "en", Data: "x", CreatedAt: time.Now()}
		if err := s.Enqueue(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		r.w.Wake()
		wctx, wcancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer wcancel()
		if _, err := r.fake.WaitFor(wctx, 1); err != nil {
			t.Fatalf("woken worker did not send: %v", err)
		}
		cancel()
		<-done
	})
}
