package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// HitAll counts every key in one statement, each in its own window.
func TestRateHitAllWindows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		hit := func(at time.Time) []store.RateHit {
			t.Helper()
			hits := []store.RateHit{{Key: "ip:a", Window: time.Hour}, {Key: "addr:b", Window: time.Minute}}
			if err := s.HitAll(ctx, hits, at); err != nil {
				t.Fatal(err)
			}
			return hits
		}
		hit(t0)
		h := hit(t0.Add(30 * time.Second))
		if h[0].Count != 2 || h[1].Count != 2 {
			t.Fatalf("second hit counts %d, %d; want 2, 2", h[0].Count, h[1].Count)
		}
		if !h[0].ResetAt.Equal(t0.Add(time.Hour)) || !h[1].ResetAt.Equal(t0.Add(time.Minute)) {
			t.Fatalf("resets %v, %v; want the windows' ends", h[0].ResetAt, h[1].ResetAt)
		}
		// The minute window has passed, the hour has not.
		h = hit(t0.Add(90 * time.Second))
		if h[0].Count != 3 || h[1].Count != 1 || !h[1].ResetAt.Equal(t0.Add(90*time.Second+time.Minute)) {
			t.Fatalf("after a minute: counts %d, %d reset %v; want 3, 1 and a new minute", h[0].Count, h[1].Count, h[1].ResetAt)
		}
		// Single hits share the rows.
		if n, _, err := s.Hit(ctx, "addr:b", time.Minute, t0.Add(91*time.Second)); err != nil || n != 2 {
			t.Fatalf("Hit = %d, %v; want 2", n, err)
		}
		if err := s.HitAll(ctx, []store.RateHit{{Key: "k"}, {Key: "k"}}, t0); err == nil {
			t.Fatal("HitAll with a key twice: want an error")
		}
	})
}

// Concurrent multi-key hits lose no count and do not deadlock, whatever
// order the callers name the keys in.
func TestRateHitAllConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for i := range 40 {
			wg.Go(func() {
				hits := []store.RateHit{{Key: "x", Window: time.Hour}, {Key: "y", Window: time.Hour}}
				if i%2 == 1 {
					hits[0], hits[1] = hits[1], hits[0]
				}
				errs <- s.HitAll(ctx, hits, t0)
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		for _, k := range []string{"x", "y"} {
			if n, _, err := s.Hit(ctx, k, time.Hour, t0); err != nil || n != 41 {
				t.Errorf("%s: count after 40 hits and this one = %d, %v; want 41", k, n, err)
			}
		}
	})
}
