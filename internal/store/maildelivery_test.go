package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// Reservations from many callers at once get distinct slots, spaced one
// interval apart, so together they never exceed the rate.
func TestReserveSendSpacesSlots(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Now().Truncate(time.Microsecond)
		const n = 10
		slots := make(chan time.Time, n)
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				at, ok, err := s.ReserveSend(ctx, "resend", 500*time.Millisecond, now, now.Add(time.Hour))
				if err != nil || !ok {
					t.Error(err)
					return
				}
				slots <- at
			})
		}
		wg.Wait()
		close(slots)
		seen := map[int64]bool{}
		for at := range slots {
			off := at.Sub(now)
			if off < 0 || off > (n-1)*500*time.Millisecond || off%(500*time.Millisecond) != 0 || seen[int64(off)] {
				t.Errorf("slot at +%s: want distinct multiples of 500ms up to 4.5s", off)
			}
			seen[int64(off)] = true
		}
		// A 429 holds every later slot back to its Retry-After.
		if err := s.HoldSends(ctx, "resend", now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		// A slot past the caller's latest is not taken.
		if at, ok, err := s.ReserveSend(ctx, "resend", 500*time.Millisecond, now, now.Add(30*time.Second)); err != nil || ok || !at.Equal(now.Add(time.Minute)) {
			t.Errorf("slot past latest: %v, %v, %v; want the first free slot, not taken", at, ok, err)
		}
		at, _, err := s.ReserveSend(ctx, "resend", 500*time.Millisecond, now, now.Add(time.Hour))
		if err != nil || !at.Equal(now.Add(time.Minute)) {
			t.Errorf("slot after hold: %v, %v; want %v", at, err, now.Add(time.Minute))
		}
		// An idle budget gives the present, not a slot in the past.
		later := now.Add(time.Hour)
		if at, _, err := s.ReserveSend(ctx, "resend", 500*time.Millisecond, later, later); err != nil || !at.Equal(later) {
			t.Errorf("slot when idle: %v, %v; want %v", at, err, later)
		}
	})
}

// A row tried in a batch is claimed together with the rest of that batch,
// even past the claim's limit, so the batch can be sent again as it was.
func TestClaimTakesWholeBatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var ids []int64
		for i := range 4 {
			m := &store.OutboxMessage{Kind: "k", Recipient: string(rune('a'+i)) + "@example.com", Locale: "en", Data: "{}", CreatedAt: t0}
			if err := s.Enqueue(ctx, m); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, m.ID)
		}
		got, err := s.ClaimOutbox(ctx, t0, 3, time.Minute)
		if err != nil || len(got) != 3 {
			t.Fatalf("claim: %d rows, %v", len(got), err)
		}
		batch := ids[:3]
		if err := s.TagOutboxBatch(ctx, batch, "k1"); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkOutboxBatchRetry(ctx, batch, t0.Add(time.Second), "503"); err != nil {
			t.Fatal(err)
		}
		// The fourth row is claimed first by a claim of one: it is the only
		// one due. Then a claim of one takes the whole batch of three.
		if got, err = s.ClaimOutbox(ctx, t0, 1, time.Minute); err != nil || len(got) != 1 || got[0].ID != ids[3] {
			t.Fatalf("claim before retry: %v, %v", got, err)
		}
		got, err = s.ClaimOutbox(ctx, t0.Add(2*time.Second), 1, time.Minute)
		if err != nil || len(got) != 3 {
			t.Fatalf("claim of 1 after retry: %d rows, %v; want the batch of 3", len(got), err)
		}
		for i, m := range got {
			if m.ID != batch[i] || m.BatchKey != "k1" || m.Attempts != 2 {
				t.Errorf("row %d: id %d key %q attempts %d", i, m.ID, m.BatchKey, m.Attempts)
			}
		}
		if err := s.MarkOutboxSentWithIDs(ctx, batch, []string{"m1", "m2", "m3"}, t0); err != nil {
			t.Fatal(err)
		}
		sent, _ := s.OutboxByStatus(ctx, store.OutboxSent, 10)
		for i, m := range sent {
			if want := []string{"m1", "m2", "m3"}[i]; m.MessageID != want {
				t.Errorf("row %d: message id %q, want %q", m.ID, m.MessageID, want)
			}
		}
		// A row retried on its own is marked to stay on its own.
		if err := s.MarkOutboxRetry(ctx, ids[3], t0, "timeout"); err != nil {
			t.Fatal(err)
		}
		pending, _ := s.OutboxByStatus(ctx, store.OutboxPending, 10)
		if len(pending) != 1 || pending[0].BatchKey != store.BatchAlone {
			t.Errorf("single retry: %+v; want batch key %q", pending, store.BatchAlone)
		}
	})
}

// Events arriving twice, late and out of order leave the furthest state,
// each applied once; a hard bounce or complaint suppresses the address,
// and a complaint is never downgraded to a bounce.
func TestRecordMailEvent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		m := &store.OutboxMessage{Kind: "k", Recipient: "Ada@Example.com", Locale: "en", Data: "{}", CreatedAt: t0}
		if err := s.Enqueue(ctx, m); err != nil {
			t.Fatal(err)
		}
		s.ClaimOutbox(ctx, t0, 1, time.Minute)
		if err := s.MarkOutboxSentWithIDs(ctx, []int64{m.ID}, []string{"msg-1"}, t0); err != nil {
			t.Fatal(err)
		}
		ev := func(id, typ, sup string, at time.Duration) store.MailEvent {
			return store.MailEvent{ID: id, Type: typ, MessageID: "msg-1", To: []string{"ada@example.com"}, At: t0.Add(at), Suppress: sup}
		}
		steps := []struct {
			e     store.MailEvent
			fresh bool
			state string
		}{
			{ev("e2", store.DeliveryDelivered, "", 2*time.Second), true, store.DeliveryDelivered},
			{ev("e1", store.DeliveryDelayed, "", time.Second), true, store.DeliveryDelivered}, // late
			{ev("e2", store.DeliveryDelivered, "", 2*time.Second), false, store.DeliveryDelivered},
			{ev("e4", store.DeliveryComplained, store.SuppressedComplaint, 4*time.Second), true, store.DeliveryComplained},
			{ev("e3", store.DeliveryBounced, store.SuppressedBounce, 3*time.Second), true, store.DeliveryComplained},
			{ev("e4", store.DeliveryComplained, store.SuppressedComplaint, 4*time.Second), false, store.DeliveryComplained},
		}
		for i, st := range steps {
			fresh, err := s.RecordMailEvent(ctx, st.e)
			if err != nil || fresh != st.fresh {
				t.Fatalf("step %d: fresh %v, %v; want %v", i, fresh, err, st.fresh)
			}
			rows, _ := s.OutboxByStatus(ctx, store.OutboxSent, 1)
			if rows[0].Delivery != st.state {
				t.Errorf("step %d: delivery %q, want %q", i, rows[0].Delivery, st.state)
			}
		}
		sup, err := s.Suppressions(ctx, []string{"ADA@example.com"})
		if err != nil || sup["ada@example.com"].Reason != store.SuppressedComplaint {
			t.Fatalf("suppressions: %+v, %v; want a complaint", sup, err)
		}
		if lifted, err := s.LiftBounce(ctx, "ada@example.com", t0.Add(time.Hour)); err != nil || lifted {
			t.Errorf("LiftBounce on a complaint: %v, %v; want it kept", lifted, err)
		}
		list, err := s.ListSuppressions(ctx, 10)
		if err != nil || len(list) != 1 {
			t.Fatalf("list: %v, %v", list, err)
		}
		if err := s.RemoveSuppression(ctx, "Ada@Example.com"); err != nil {
			t.Fatal(err)
		}
		if err := s.RemoveSuppression(ctx, "ada@example.com"); err != store.ErrNotFound {
			t.Errorf("second remove: %v, want ErrNotFound", err)
		}
		// A bounce lifts only if it is the one seen.
		s.RecordMailEvent(ctx, store.MailEvent{ID: "e5", Type: store.DeliveryBounced, To: []string{"bob@example.com"}, At: t0, Suppress: store.SuppressedBounce})
		if lifted, _ := s.LiftBounce(ctx, "bob@example.com", t0.Add(-time.Second)); lifted {
			t.Error("lifted a bounce newer than the one seen")
		}
		if lifted, _ := s.LiftBounce(ctx, "bob@example.com", t0); !lifted {
			t.Error("bounce not lifted")
		}
	})
}

// OutboxDue says whether a claim would find a message, blocked recipients
// and claimed rows not counting.
func TestOutboxDue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if due, err := s.OutboxDue(ctx, t0); err != nil || due {
			t.Fatalf("empty: %v, %v", due, err)
		}
		for range 2 {
			if err := s.Enqueue(ctx, &store.OutboxMessage{Kind: "k", Recipient: "r@example.com", Locale: "en", Data: "{}", CreatedAt: t0}); err != nil {
				t.Fatal(err)
			}
		}
		if due, err := s.OutboxDue(ctx, t0); err != nil || !due {
			t.Fatalf("two pending: %v, %v", due, err)
		}
		// The first claimed: the second waits behind it, so nothing is due.
		if got, err := s.ClaimOutbox(ctx, t0, 1, time.Minute); err != nil || len(got) != 1 {
			t.Fatal(got, err)
		}
		if due, err := s.OutboxDue(ctx, t0); err != nil || due {
			t.Errorf("one claimed, its recipient's next blocked: %v, %v; want nothing due", due, err)
		}
	})
}
