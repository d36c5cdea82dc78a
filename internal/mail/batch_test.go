package mail_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// outboxWrites counts the statements that change the outbox table.
type outboxWrites struct {
	mu sync.Mutex
	n  int
}

func (o *outboxWrites) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	return ctx
}

func (o *outboxWrites) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	if strings.HasPrefix(e.Query, `UPDATE "outbox"`) {
		o.mu.Lock()
		o.n++
		o.mu.Unlock()
	}
}

func (o *outboxWrites) take() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := o.n
	o.n = 0
	return n
}

// A batch costs two writes however many rows it holds: the claim, and one
// UPDATE that marks every sent row, with the data erased.
func TestWorkerMarksBatchSentInOneUpdate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		r := newRig(t, s)
		for range 5 {
			r.enqueue(t)
		}
		w := &outboxWrites{}
		s.AddQueryHook(w)
		if n := r.runOnce(t); n != 5 {
			t.Fatalf("claimed %d, want 5", n)
		}
		if n := w.take(); n != 2 {
			t.Errorf("%d outbox UPDATEs for a batch of 5, want 2 (claim, mark sent)", n)
		}
		sent := rows(t, s, store.OutboxSent)
		if len(sent) != 5 || len(r.fake.Emails()) != 5 {
			t.Fatalf("%d rows sent, %d emails; want 5 and 5", len(sent), len(r.fake.Emails()))
		}
		for _, m := range sent {
			if m.Data != "" || m.SentAt == nil || m.ClaimedUntil != nil {
				t.Errorf("sent row %d: data %q, sent_at %v, claimed_until %v", m.ID, m.Data, m.SentAt, m.ClaimedUntil)
			}
		}
	})
}

// Once half the lease has gone, each sent row is marked before the next
// send, so a slow batch never leaves sent rows to run out of their claim.
func TestWorkerMarksSentBeforeLeaseRunsOut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		r := newRig(t, s)
		for range 3 {
			r.enqueue(t)
		}
		// Every look at the clock after the claim is a minute later: the
		// lease (10 min) is half gone by the second row, and long enough
		// for every send.
		r.w.Lease = 10 * time.Minute
		start := r.now
		calls := 0
		r.w.Now = func() time.Time {
			calls++
			return start.Add(time.Duration(calls-1) * time.Minute)
		}
		w := &outboxWrites{}
		s.AddQueryHook(w)
		if n := r.runOnce(t); n != 3 {
			t.Fatalf("claimed %d, want 3", n)
		}
		if n := w.take(); n < 3 {
			t.Errorf("%d outbox UPDATEs, want the sent rows marked as the lease ran low (at least 3)", n)
		}
		if got := len(rows(t, s, store.OutboxSent)); got != 3 {
			t.Fatalf("%d rows sent, want 3", got)
		}
	})
}

// A row whose send could outlive the batch's claim is given back, due at
// once and with its attempt returned, rather than sent when another worker
// may already have claimed it.
func TestWorkerGivesBackWhatItCannotSendInTime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		r := newRig(t, s)
		for range 3 {
			r.enqueue(t)
		}
		r.w.Lease, r.w.SendTimeout = time.Minute, 15*time.Second
		start := r.now
		calls := 0
		r.w.Now = func() time.Time { // 10 s later at every look
			calls++
			return start.Add(time.Duration(calls-1) * 10 * time.Second)
		}
		if n := r.runOnce(t); n != 3 {
			t.Fatalf("claimed %d, want 3", n)
		}
		sent := rows(t, s, store.OutboxSent)
		pending := rows(t, s, store.OutboxPending)
		if len(sent) == 0 || len(sent) == 3 || len(sent)+len(pending) != 3 {
			t.Fatalf("%d sent, %d pending; want some sent and the rest given back", len(sent), len(pending))
		}
		for _, m := range pending {
			if m.ClaimedUntil != nil || m.Attempts != 0 {
				t.Errorf("given-back row %d: claimed_until %v, attempts %d; want released with no attempt spent", m.ID, m.ClaimedUntil, m.Attempts)
			}
		}
		if len(r.fake.Emails()) != len(sent) {
			t.Errorf("%d emails for %d rows sent", len(r.fake.Emails()), len(sent))
		}
	})
}
