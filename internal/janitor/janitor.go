// Package janitor deletes what Gatehouse no longer needs: sent mail and
// its delivery events, expired sessions and tokens, ended rate-limit
// windows, long-forgotten sign-in failures and accounts never activated. Every instance runs one;
// the store's purges are bounded and idempotent, so two at once only share
// the work.
package janitor

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"time"
)

// Store is what the janitor needs of the store.
type Store interface {
	PurgeSentMail(ctx context.Context, before time.Time, limit int) (int, error)
	PurgeMailEvents(ctx context.Context, before time.Time, limit int) (int, error)
	PurgeDevMail(ctx context.Context, before time.Time, limit int) (int, error)
	PurgeSessions(ctx context.Context, before time.Time, limit int) (int, error)
	PurgeTokens(ctx context.Context, before time.Time, limit int) (int, error)
	PurgeCodeRequests(ctx context.Context, before time.Time, limit int) (int, error)
	PurgeRateCounters(ctx context.Context, before time.Time, limit int) (int, error)
	PurgeLoginThrottles(ctx context.Context, before, now time.Time, limit int) (int, error)
	PurgePendingUsers(ctx context.Context, before, now time.Time, limit int) (int, error)
}

// Retention says how long each kind of row is kept past the point where
// it stops being of use.
type Retention struct {
	SentMail      time.Duration // after it was sent; the dev mailbox's copy and the delivery events go with it
	Expired       time.Duration // sessions and tokens, after they expired
	RateLimits    time.Duration // after the window started; at least the longest window
	LoginFailures time.Duration // after an account's last failed sign-in, once unlocked
	PendingUsers  time.Duration // never-activated accounts, after their last registration
}

// Janitor deletes expired rows every Interval, Batch rows a statement.
type Janitor struct {
	Store     Store
	Retention Retention
	Interval  time.Duration
	Batch     int
	Log       *slog.Logger
	Now       func() time.Time
}

// New returns a janitor with an hourly interval and batches of 500.
func New(s Store, r Retention) *Janitor {
	return &Janitor{Store: s, Retention: r, Interval: time.Hour, Batch: 500, Log: slog.Default(), Now: time.Now}
}

// Run purges once soon after start, then every Interval (±10 %, so
// instances started together drift apart), until ctx ends.
func (j *Janitor) Run(ctx context.Context) {
	wait := time.Duration(rand.Int64N(int64(min(j.Interval, time.Minute)) + 1))
	for {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		if _, err := j.RunOnce(ctx); err != nil && ctx.Err() == nil {
			j.Log.ErrorContext(ctx, "janitor failed", "err", err)
		}
		wait = time.Duration(float64(j.Interval) * (0.9 + 0.2*rand.Float64()))
	}
}

// Counts is how many rows one run deleted, by kind.
type Counts map[string]int

// RunOnce deletes everything past its retention at Now, in batches, and
// reports how many rows went; it stops at the first error, leaving the
// rest to the next run.
func (j *Janitor) RunOnce(ctx context.Context) (Counts, error) {
	now := j.Now()
	r := j.Retention
	purges := []struct {
		kind string
		fn   func(limit int) (int, error)
	}{
		{"sent_mail", func(n int) (int, error) { return j.Store.PurgeSentMail(ctx, now.Add(-r.SentMail), n) }},
		// The dev mailbox is what the sent rows became in development: it is
		// kept exactly as long, which outlasts every link it shows.
		{"dev_mail", func(n int) (int, error) { return j.Store.PurgeDevMail(ctx, now.Add(-r.SentMail), n) }},
		// Delivery events say what became of sent mail (and name the
		// recipient's message): they go when the mail they describe does.
		{"mail_events", func(n int) (int, error) { return j.Store.PurgeMailEvents(ctx, now.Add(-r.SentMail), n) }},
		{"sessions", func(n int) (int, error) { return j.Store.PurgeSessions(ctx, now.Add(-r.Expired), n) }},
		{"tokens", func(n int) (int, error) { return j.Store.PurgeTokens(ctx, now.Add(-r.Expired), n) }},
		{"code_requests", func(n int) (int, error) { return j.Store.PurgeCodeRequests(ctx, now.Add(-r.Expired), n) }},
		{"rate_limits", func(n int) (int, error) { return j.Store.PurgeRateCounters(ctx, now.Add(-r.RateLimits), n) }},
		{"login_throttles", func(n int) (int, error) {
			return j.Store.PurgeLoginThrottles(ctx, now.Add(-r.LoginFailures), now, n)
		}},
		{"pending_users", func(n int) (int, error) {
			return j.Store.PurgePendingUsers(ctx, now.Add(-r.PendingUsers), now, n)
		}},
	}
	batch := max(j.Batch, 1)
	counts := Counts{}
	for _, p := range purges {
		for {
			if err := ctx.Err(); err != nil {
				return counts, err
			}
			n, err := p.fn(batch)
			counts[p.kind] += n
			if err != nil {
				return counts, err
			}
			if n < batch {
				break
			}
		}
	}
	var total int
	for _, n := range counts {
		total += n
	}
	if total > 0 {
		args := []any{"total", total}
		for _, p := range purges {
			args = append(args, p.kind, counts[p.kind])
		}
		j.Log.InfoContext(ctx, "janitor purged expired rows", args...)
	}
	return counts, nil
}
