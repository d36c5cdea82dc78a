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
		// lease (2 min) is half gone by the second row.
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
