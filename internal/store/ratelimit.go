package store

import (
	"context"
	"fmt"
	"time"
)

// Hit counts one event against key in a fixed window and returns the count
// so far and when the window ends. It is one upsert, so concurrent hits on
// several instances count correctly.
func (s *Store) Hit(ctx context.Context, key string, window time.Duration, now time.Time) (count int, resetAt time.Time, err error) {
	now = now.UTC()
	c := &RateCounter{Key: key, WindowStart: now, Count: 1}
	stale := now.Add(-window)
	err = s.db.NewInsert().Model(c).
		On("CONFLICT (key) DO UPDATE").
		Set("count = CASE WHEN rate_counter.window_start <= ? THEN 1 ELSE rate_counter.count + 1 END", stale).
		Set("window_start = CASE WHEN rate_counter.window_start <= ? THEN EXCLUDED.window_start ELSE rate_counter.window_start END", stale).
		Returning("count, window_start").
		Scan(ctx, &count, &resetAt)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("store: rate hit: %w", err)
	}
	return count, resetAt.Add(window), nil
}
