package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// RateHit is one event to count against Key in a fixed window of Window;
// HitAll fills in Count (the events so far in the window, this one
// included) and ResetAt (when the window ends).
type RateHit struct {
	Key     string
	Window  time.Duration
	Count   int
	ResetAt time.Time
}

// Hit counts one event against key in a fixed window and returns the count
// so far and when the window ends. It is one upsert, so concurrent hits on
// several instances count correctly.
func (s *Store) Hit(ctx context.Context, key string, window time.Duration, now time.Time) (count int, resetAt time.Time, err error) {
	hits := []RateHit{{Key: key, Window: window}}
	if err := s.HitAll(ctx, hits, now); err != nil {
		return 0, time.Time{}, err
	}
	return hits[0].Count, hits[0].ResetAt, nil
}

// HitAll counts one event against each hit's key, all in one upsert (one
// round trip, however many keys), so concurrent hits on several instances
// count correctly. Keys must differ. Rows are written in key order, so two
// calls that share keys lock them in the same order and cannot deadlock.
func (s *Store) HitAll(ctx context.Context, hits []RateHit, now time.Time) error {
	if len(hits) == 0 {
		return nil
	}
	now = now.UTC()
	order := make([]int, len(hits))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(hits[a].Key, hits[b].Key) })
	rows := make([]RateCounter, len(hits))
	// The window has passed for a row when it started at or before its
	// key's stale time; each key may have its own window, so the stale time
	// is picked by key. The ELSE (never reached) gives the CASE the column's
	// type on PostgreSQL, where bare literals would make it text.
	var stale strings.Builder
	args := make([]any, 0, 2*len(hits))
	stale.WriteString("CASE EXCLUDED.key")
	for i, j := range order {
		if i > 0 && hits[j].Key == hits[order[i-1]].Key {
			return errors.New("store: rate hit: the same key twice in one call")
		}
		rows[i] = RateCounter{Key: hits[j].Key, WindowStart: now, Count: 1}
		stale.WriteString(" WHEN ? THEN ?")
		args = append(args, hits[j].Key, now.Add(-hits[j].Window))
	}
	stale.WriteString(" ELSE EXCLUDED.window_start END")
	expired := bun.SafeQuery("rate_counter.window_start <= "+stale.String(), args...)
	var got []RateCounter
	err := s.db.NewInsert().Model(&rows).
		On("CONFLICT (key) DO UPDATE").
		Set("count = CASE WHEN ? THEN 1 ELSE rate_counter.count + 1 END", expired).
		Set("window_start = CASE WHEN ? THEN EXCLUDED.window_start ELSE rate_counter.window_start END", expired).
		Returning("key, count, window_start").
		Scan(ctx, &got)
	if err != nil {
		return fmt.Errorf("store: rate hit: %w", err)
	}
	if len(got) != len(hits) {
		return fmt.Errorf("store: rate hit: %d rows back for %d keys", len(got), len(hits))
	}
	for _, g := range got {
		i := slices.IndexFunc(hits, func(h RateHit) bool { return h.Key == g.Key })
		if i < 0 {
			return fmt.Errorf("store: rate hit: unexpected key %q back", g.Key)
		}
		hits[i].Count, hits[i].ResetAt = g.Count, g.WindowStart.Add(hits[i].Window)
	}
	return nil
}

// Unhit takes back one event counted against key, for an event that turned
// out not to be one the limit is about (a valid link opened). It never
// takes the count below zero; a window that has since passed restarts at
// the next hit anyway.
func (s *Store) Unhit(ctx context.Context, key string) error {
	_, err := s.db.NewUpdate().Model((*RateCounter)(nil)).
		Set("count = count - 1").
		Where("key = ?", key).Where("count > 0").
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: rate unhit: %w", err)
	}
	return nil
}
