package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// A delivery event that arrives before the worker has recorded the send
// (and so the message id) is still applied: when the row is marked sent,
// the furthest state among the events already in wins, and later events
// still never move it back.
func TestEarlyEventsApplyWhenMarkedSent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second)
		a := &store.OutboxMessage{Kind: "k", Recipient: "a@example.com", Locale: "en", Data: "{}", CreatedAt: now}
		b := &store.OutboxMessage{Kind: "k", Recipient: "b@example.com", Locale: "en", Data: "{}", CreatedAt: now}
		for _, m := range []*store.OutboxMessage{a, b} {
			if err := s.Enqueue(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		// Out of order and early: delivered, then the delay that came first.
		for _, e := range []store.MailEvent{
			{ID: "msg_1", Type: store.DeliveryDelivered, MessageID: "re_a", At: now},
			{ID: "msg_2", Type: store.DeliveryDelayed, MessageID: "re_a", At: now.Add(-time.Second)},
			{ID: "msg_3", Type: store.DeliveryDelayed, MessageID: "re_b", At: now},
		} {
			if _, err := s.RecordMailEvent(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.MarkOutboxSentWithIDs(ctx, []int64{a.ID, b.ID}, []string{"re_a", "re_b"}, now); err != nil {
			t.Fatal(err)
		}
		want := map[int64]string{a.ID: store.DeliveryDelivered, b.ID: store.DeliveryDelayed}
		rows, _ := s.ListOutbox(ctx, "", 10)
		for _, r := range rows {
			if r.Delivery != want[r.ID] {
				t.Errorf("row %d: delivery %q, want %q", r.ID, r.Delivery, want[r.ID])
			}
		}
		// A late delay after delivered changes nothing; the bounce does.
		s.RecordMailEvent(ctx, store.MailEvent{ID: "msg_4", Type: store.DeliveryDelayed, MessageID: "re_a", At: now})
		s.RecordMailEvent(ctx, store.MailEvent{ID: "msg_5", Type: store.DeliveryBounced, MessageID: "re_b", At: now})
		want = map[int64]string{a.ID: store.DeliveryDelivered, b.ID: store.DeliveryBounced}
		rows, _ = s.ListOutbox(ctx, "", 10)
		for _, r := range rows {
			if r.Delivery != want[r.ID] {
				t.Errorf("after late events, row %d: delivery %q, want %q", r.ID, r.Delivery, want[r.ID])
			}
		}
	})
}

// OutboxForRequest finds the newest row a request wrote, by its hash only;
// a suppressed row says why it was not sent.
func TestOutboxForRequest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Now().UTC()
		if _, err := s.OutboxForRequest(ctx, "h1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("no row: %v, want ErrNotFound", err)
		}
		if _, err := s.OutboxForRequest(ctx, ""); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("empty hash: %v, want ErrNotFound (rows no browser asked for are nobody's)", err)
		}
		m := &store.OutboxMessage{Kind: "k", Recipient: "a@example.com", Locale: "en", Data: "{}", CreatedAt: now, RequestHash: "h1"}
		other := &store.OutboxMessage{Kind: "k", Recipient: "a@example.com", Locale: "en", Data: "{}", CreatedAt: now}
		for _, x := range []*store.OutboxMessage{m, other} {
			if err := s.Enqueue(ctx, x); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.OutboxForRequest(ctx, "h1")
		if err != nil || got.ID != m.ID || got.Status != store.OutboxPending || got.Data != "" {
			t.Fatalf("row: %+v, %v; want row %d pending, without its data", got, err, m.ID)
		}
		if err := s.MarkOutboxSuppressed(ctx, m.ID, store.SuppressedComplaint, "suppressed"); err != nil {
			t.Fatal(err)
		}
		got, _ = s.OutboxForRequest(ctx, "h1")
		if got.Status != store.OutboxFailed || got.Delivery != store.DeliverySuppressedComplaint {
			t.Errorf("suppressed row: %s/%s, want failed/%s", got.Status, got.Delivery, store.DeliverySuppressedComplaint)
		}
	})
}
