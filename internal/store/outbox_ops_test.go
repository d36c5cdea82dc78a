package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// OutboxStats counts pending rows (due, backing off or claimed alike) and
// ages the oldest; sent and failed rows do not count.
func TestOutboxStats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if n, age, err := s.OutboxStats(ctx, t0); err != nil || n != 0 || age != 0 {
			t.Fatalf("empty outbox: %d %v %v", n, age, err)
		}
		var ids []int64
		for i := range 4 {
			m := &store.OutboxMessage{Kind: "k", Recipient: "r@example.com", Locale: "en", Data: "{}", CreatedAt: t0.Add(time.Duration(i) * time.Minute)}
			if err := s.Enqueue(ctx, m); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, m.ID)
		}
		now := t0.Add(10 * time.Minute)
		claimed, err := s.ClaimOutbox(ctx, now, 3, time.Minute)
		if err != nil || len(claimed) != 3 {
			t.Fatalf("claim: %v %v", claimed, err)
		}
		s.MarkOutboxSent(ctx, ids[0], now)
		s.MarkOutboxFailed(ctx, ids[1], "422")
		s.MarkOutboxRetry(ctx, ids[2], now.Add(time.Hour), "503")
		// Pending: ids[2] (backing off, created t0+2m) and ids[3] (due, t0+3m).
		n, age, err := s.OutboxStats(ctx, now)
		if err != nil || n != 2 || age != 8*time.Minute {
			t.Fatalf("OutboxStats = %d, %v, %v; want 2 pending, the oldest 8m old", n, age, err)
		}
	})
}

func TestRetryOutboxAndList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var ids []int64
		for i := range 3 {
			m := &store.OutboxMessage{Kind: "k", Recipient: "r@example.com", Locale: "en", Data: "{}", CreatedAt: t0.Add(time.Duration(i) * time.Minute)}
			if err := s.Enqueue(ctx, m); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, m.ID)
		}
		now := t0.Add(time.Hour)
		s.ClaimOutbox(ctx, now, 10, time.Minute)
		s.MarkOutboxSent(ctx, ids[0], now)
		s.MarkOutboxFailed(ctx, ids[1], "422")
		s.MarkOutboxFailed(ctx, ids[2], "422")

		list, err := s.ListOutbox(ctx, "", 10)
		if err != nil || len(list) != 3 || list[0].ID != ids[2] || list[2].ID != ids[0] {
			t.Fatalf("ListOutbox newest first: %+v %v", list, err)
		}
		if list, _ := s.ListOutbox(ctx, store.OutboxFailed, 1); len(list) != 1 || list[0].ID != ids[2] {
			t.Fatalf("ListOutbox failed, 1: %+v", list)
		}

		if _, err := s.RetryOutbox(ctx, ids[0], now); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("retry of a sent row: %v, want ErrNotFound", err)
		}
		if n, err := s.RetryOutbox(ctx, ids[1], now); err != nil || n != 1 {
			t.Fatalf("retry one: %d %v", n, err)
		}
		if n, err := s.RetryOutbox(ctx, store.AllFailed, now); err != nil || n != 1 {
			t.Fatalf("retry all failed: %d %v, want the 1 left", n, err)
		}
		due, err := s.ClaimOutbox(ctx, now, 10, time.Minute)
		if err != nil || len(due) != 2 || due[0].Attempts != 1 || due[1].Attempts != 1 {
			t.Fatalf("retried rows: %+v %v, want both due with attempts counted afresh", due, err)
		}
	})
}
