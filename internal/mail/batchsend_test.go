package mail_test

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"gatehouse/internal/mail"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

func (r *workerRig) enqueueTo(t *testing.T, to string) *store.OutboxMessage {
	t.Helper()
	m := &store.OutboxMessage{Kind: "k", Recipient: to, Locale: "en", Data: "link for " + to, CreatedAt: r.now}
	if err := r.st.Enqueue(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	return m
}

// lossy forgets the answer to its first batch calls after they went
// through, as a timeout after Resend accepted would.
type lossy struct {
	mail.BatchSender
	lose atomic.Int32
}

func (l *lossy) SendBatch(ctx context.Context, ms []mail.Message, key string) ([]string, error) {
	ids, err := l.BatchSender.SendBatch(ctx, ms, key)
	if err == nil && l.lose.Add(-1) >= 0 {
		return nil, context.DeadlineExceeded
	}
	return ids, err
}

// Mail for several recipients goes out in one batch call, each email
// with Resend's id stored on its row; one person's second email waits
// for the next call, so it cannot overtake the first.
func TestWorkerSendsABatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		r := newRig(t, s)
		for i := range 5 {
			r.enqueueTo(t, fmt.Sprintf("p%d@example.com", i))
		}
		r.enqueueTo(t, "p0@example.com")
		if n := r.runOnce(t); n != 6 {
			t.Fatalf("claimed %d, want 6", n)
		}
		if got := r.fake.Requests(); got != 2 {
			t.Errorf("%d API calls, want 2 (a batch of 5, then p0's second)", got)
		}
		emails := r.fake.Emails()
		if len(emails) != 6 || emails[5].To != "p0@example.com" || emails[0].To != "p0@example.com" || emails[0].BatchKey == "" {
			t.Fatalf("emails: %+v", emails)
		}
		ids := map[string]bool{}
		for _, e := range emails {
			ids[e.ID] = true
		}
		for _, m := range rows(t, s, store.OutboxSent) {
			if !ids[m.MessageID] {
				t.Errorf("row %d: message id %q is none of Resend's", m.ID, m.MessageID)
			}
		}
	})
}

// A batch whose answer was lost is sent again with exactly the same rows
// under the same key, so Resend replays its answer and nobody gets two.
func TestWorkerRetriesBatchAsItWas(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		r := newRig(t, s)
		l := &lossy{BatchSender: r.w.Sender.(mail.BatchSender)}
		l.lose.Store(1)
		r.w.Sender = l
		for i := range 4 {
			r.enqueueTo(t, fmt.Sprintf("p%d@example.com", i))
		}
		r.runOnce(t)
		if got := len(rows(t, s, store.OutboxPending)); got != 4 {
			t.Fatalf("%d rows pending after the lost answer, want 4", got)
		}
		// More mail arrives meanwhile; it must not join the batch.
		r.enqueueTo(t, "late@example.com")
		r.now = r.now.Add(time.Hour)
		r.runOnce(t)
		if got := len(rows(t, s, store.OutboxSent)); got != 5 {
			t.Fatalf("%d rows sent, want 5", got)
		}
		emails := r.fake.Emails()
		if len(emails) != 5 {
			t.Fatalf("%d emails, want 5 (none twice)", len(emails))
		}
		if n := r.fake.CountByKey()[emails[0].BatchKey]; n != 2 {
			t.Errorf("batch key used %d times, want 2 (the retry replayed)", n)
		}
	})
}

// A batch refused whole (one bad message) sends nothing; its rows go on
// their own next, under their own keys, so only the bad one fails.
func TestWorkerSplitsRefusedBatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		r := newRig(t, s)
		for i := range 3 {
			r.enqueueTo(t, fmt.Sprintf("p%d@example.com", i))
		}
		r.fake.FailNext(1, http.StatusUnprocessableEntity)
		r.runOnce(t)
		pending := rows(t, s, store.OutboxPending)
		if len(pending) != 3 || pending[0].BatchKey != store.BatchAlone || pending[0].Attempts != 0 {
			t.Fatalf("after the refusal: %+v", pending)
		}
		r.fake.FailNext(1, http.StatusUnprocessableEntity)
		r.runOnce(t)
		if sent, failed := rows(t, s, store.OutboxSent), rows(t, s, store.OutboxFailed); len(sent) != 2 || len(failed) != 1 {
			t.Fatalf("%d sent, %d failed; want 2 and 1", len(sent), len(failed))
		}
		for _, e := range r.fake.Emails() {
			if e.BatchKey != "" {
				t.Errorf("email to %s went in a batch after the refusal", e.To)
			}
		}
	})
}

// A suppressed address is not sent to; a bounce lifts when the owner asks
// again after the cooldown, a complaint never by itself.
func TestWorkerSkipsSuppressed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		r := newRig(t, s)
		ctx := context.Background()
		for _, e := range []store.MailEvent{
			{ID: "e1", Type: store.DeliveryBounced, To: []string{"bounced@example.com"}, At: r.now.Add(-time.Hour), Suppress: store.SuppressedBounce},
			{ID: "e2", Type: store.DeliveryComplained, To: []string{"Angry@example.com"}, At: r.now.Add(-48 * time.Hour), Suppress: store.SuppressedComplaint},
		} {
			if _, err := s.RecordMailEvent(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		r.enqueueTo(t, "bounced@example.com")
		r.enqueueTo(t, "angry@example.com")
		r.enqueueTo(t, "fine@example.com")
		r.runOnce(t)
		failed := rows(t, s, store.OutboxFailed)
		if len(failed) != 2 || len(r.fake.Emails()) != 1 {
			t.Fatalf("%d failed, %d emails; want 2 and 1", len(failed), len(r.fake.Emails()))
		}
		for _, m := range failed {
			if m.LastError == "" || m.Attempts != 1 {
				t.Errorf("row %d: %q", m.ID, m.LastError)
			}
		}
		// A day later the owner of the bounced address asks again.
		r.now = r.now.Add(24 * time.Hour)
		r.enqueueTo(t, "bounced@example.com")
		r.enqueueTo(t, "angry@example.com")
		r.runOnce(t)
		if got := len(r.fake.Emails()); got != 2 {
			t.Fatalf("%d emails, want the bounced address's new one sent", got)
		}
		if sup, _ := s.Suppressions(ctx, []string{"bounced@example.com", "angry@example.com"}); len(sup) != 1 {
			t.Errorf("suppressions left: %+v; want only the complaint", sup)
		}
	})
}

// With a shared budget of 4 calls a second, a fake limited to 4 a second
// never answers 429, however many loops send.
func TestWorkerKeepsToBudget(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		r := newRig(t, s)
		r.w.Now = time.Now
		r.now = time.Now()
		r.fake.SetRequestRate(4)
		r.w.MaxBatch = 2
		r.w.Budget = mail.NewStoreBudget(s, "resend", 4)
		for i := range 16 {
			r.enqueueTo(t, fmt.Sprintf("p%d@example.com", i))
		}
		start := time.Now()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		r.w.Concurrency, r.w.Poll = 4, 20*time.Millisecond
		go func() { r.w.Run(ctx); close(done) }()
		wctx, wcancel := context.WithTimeout(ctx, 20*time.Second)
		_, err := r.fake.WaitFor(wctx, 16)
		wcancel()
		cancel()
		<-done
		if err != nil {
			t.Fatal(err)
		}
		if n := r.fake.RateLimited(); n != 0 {
			t.Errorf("%d calls refused by the rate", n)
		}
		// 8 calls at 4 a second: the first at once, the last after 1.75 s.
		if d := time.Since(start); d < 1500*time.Millisecond {
			t.Errorf("16 emails in 2-email batches took %s, want at least 1.5 s at 4 calls a second", d)
		}
		if n := len(r.fake.Emails()); n != 16 {
			t.Errorf("%d emails, want 16", n)
		}
	})
}

// A worker that dies after its batch reached Resend, before marking it,
// leaves the rows tagged: once the claim runs out, the next worker sends
// the same batch under the same key, and Resend replays it.
func TestWorkerResendsBatchAfterCrash(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		r := newRig(t, s)
		for i := range 3 {
			r.enqueueTo(t, fmt.Sprintf("p%d@example.com", i))
		}
		// The dying worker: claim, tag, send, and nothing more.
		ctx := context.Background()
		claimed, err := s.ClaimOutbox(ctx, r.now, 10, r.w.Lease)
		if err != nil || len(claimed) != 3 {
			t.Fatalf("claim: %d, %v", len(claimed), err)
		}
		key := mail.BatchKey(claimed)
		ids := []int64{claimed[0].ID, claimed[1].ID, claimed[2].ID}
		if err := s.TagOutboxBatch(ctx, ids, key); err != nil {
			t.Fatal(err)
		}
		var ms []mail.Message
		for _, row := range claimed {
			m, _ := r.w.Render(ctx, row)
			m.From, m.To, m.IdempotencyKey = r.w.From, row.Recipient, row.IdempotencyKey
			ms = append(ms, m)
		}
		if _, err := r.w.Sender.(mail.BatchSender).SendBatch(ctx, ms, key); err != nil {
			t.Fatal(err)
		}
		r.now = r.now.Add(r.w.Lease + time.Second)
		if n := r.runOnce(t); n != 3 {
			t.Fatalf("claimed %d after the lease ran out, want 3", n)
		}
		if got := len(r.fake.Emails()); got != 3 {
			t.Errorf("%d emails, want 3 (the retry replayed)", got)
		}
		if n := r.fake.CountByKey()[key]; n != 2 {
			t.Errorf("key used %d times, want 2", n)
		}
		if got := len(rows(t, s, store.OutboxSent)); got != 3 {
			t.Errorf("%d rows sent, want 3", got)
		}
	})
}

// A row that fails to render leaves its batch; the key is that of the
// rows that went, so a retry of them would find it again.
func TestWorkerBatchKeyCoversRowsSent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		r := newRig(t, s)
		render := r.w.Render
		r.w.Render = func(ctx context.Context, row store.OutboxMessage) (mail.Message, error) {
			if row.Recipient == "bad@example.com" {
				return mail.Message{}, fmt.Errorf("no template")
			}
			return render(ctx, row)
		}
		r.enqueueTo(t, "p0@example.com")
		r.enqueueTo(t, "bad@example.com")
		r.enqueueTo(t, "p1@example.com")
		r.runOnce(t)
		sent := rows(t, s, store.OutboxSent)
		emails := r.fake.Emails()
		if len(sent) != 2 || len(emails) != 2 || len(rows(t, s, store.OutboxFailed)) != 1 {
			t.Fatalf("%d sent, %d emails", len(sent), len(emails))
		}
		if want := mail.BatchKey(sent); emails[0].BatchKey != want || sent[0].BatchKey != want {
			t.Errorf("batch key %q (row %q), want %q", emails[0].BatchKey, sent[0].BatchKey, want)
		}
	})
}
