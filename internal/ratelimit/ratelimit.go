// Package ratelimit counts events per key in the database, so limits hold
// across instances and restarts.
package ratelimit

import (
	"context"
	"time"
)

// Counter is what a limiter needs of the store.
type Counter interface {
	Hit(ctx context.Context, key string, window time.Duration, now time.Time) (count int, resetAt time.Time, err error)
}

// Rule is a limit: at most Max events per Window.
type Rule struct {
	Max    int
	Window time.Duration
}

// Limiter applies rules to keys.
type Limiter struct {
	Counter Counter
	Now     func() time.Time
}

// Allow counts one event for key under rule; when the limit is exceeded it
// returns false and how long until the window resets.
func (l *Limiter) Allow(ctx context.Context, key string, r Rule) (bool, time.Duration, error) {
	now := l.Now()
	n, reset, err := l.Counter.Hit(ctx, key, r.Window, now)
	if err != nil {
		return false, 0, err
	}
	if n > r.Max {
		return false, max(reset.Sub(now), time.Second), nil
	}
	return true, 0, nil
}
