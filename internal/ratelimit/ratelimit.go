// Package ratelimit counts events per key in the database, so limits hold
// across instances and restarts.
package ratelimit

import (
	"context"
	"time"

	"gatehouse/internal/store"
)

// Counter is what a limiter needs of the store: one upsert that counts an
// event against several keys at once, and taking one event back.
type Counter interface {
	HitAll(ctx context.Context, hits []store.RateHit, now time.Time) error
	Unhit(ctx context.Context, key string) error
}

// Rule is a limit: at most Max events per Window.
type Rule struct {
	Max    int
	Window time.Duration
}

// Check is one key counted under one rule.
type Check struct {
	Key  string
	Rule Rule
}

// Limiter applies rules to keys.
type Limiter struct {
	Counter Counter
	Now     func() time.Time
}

// Allow counts one event for key under rule; when the limit is exceeded it
// returns false and how long until the window resets.
func (l *Limiter) Allow(ctx context.Context, key string, r Rule) (bool, time.Duration, error) {
	i, wait, err := l.AllowAll(ctx, Check{Key: key, Rule: r})
	return i < 0, wait, err
}

// AllowAll counts one event for every check in a single database round
// trip, whether or not an earlier one is over its limit, and returns the
// index of the first check over it (-1 when none is) with how long until
// its window resets. Keys must differ.
func (l *Limiter) AllowAll(ctx context.Context, checks ...Check) (int, time.Duration, error) {
	if len(checks) == 0 {
		return -1, 0, nil
	}
	hits := make([]store.RateHit, len(checks))
	for i, c := range checks {
		hits[i] = store.RateHit{Key: c.Key, Window: c.Rule.Window}
	}
	now := l.Now()
	if err := l.Counter.HitAll(ctx, hits, now); err != nil {
		return -1, 0, err
	}
	for i, h := range hits {
		if h.Count > checks[i].Rule.Max {
			return i, max(h.ResetAt.Sub(now), time.Second), nil
		}
	}
	return -1, 0, nil
}

// Refund takes back one event counted against key by Allow or AllowAll.
// Counting first and refunding what proved harmless keeps the count
// atomic: parallel requests can never all pass one look at it.
func (l *Limiter) Refund(ctx context.Context, key string) error {
	return l.Counter.Unhit(ctx, key)
}
