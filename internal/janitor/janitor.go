// Package janitor deletes what Gatehouse no longer needs: sessions as they
// time out (telling the platform), sent mail and its delivery events,
// expired tokens, ended rate-limit
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
	PurgeWebAuthnChallenges(ctx context.Context, before time.Time, limit int) (int, error)
	PurgeRateCounters(ctx context.Context, before time.Time, limit int) (int, error)
	PurgeLoginThrottles(ctx context.Context, before, now time.Time, limit int) (int, error)
	PurgePendingUsers(ctx context.Context, before, now time.Time, limit int) (int, error)
}

// Sessions ends the sessions that have timed out at now, at most limit a
// call, telling the platform of each, and says how many ended; the
// account service is one.
type Sessions interface {
	EndExpiredSessions(ctx context.Context, now time.Time, limit int) (int, error)
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
	Store Store
	// Sessions, when set, ends sessions as soon as they time out (idle or
	// absolute) instead of leaving them to the purge Retention.Expired
	// later, so the platform hears session.ended for each.
	Sessions  Sessions
	Retention Retention
	Interval  time.Duration
	// SessionsInterval is how often Run ends timed-out sessions between
	// its full runs (a minute by New; zero only at each run).
	SessionsInterval time.Duration
	Batch            int
	Log              *slog.Logger
	Now              func() time.Time
}

// New returns a janitor with an hourly interval, sessions ended every
// minute, and batches of 500.
func New(s Store, r Retention) *Janitor {
	return &Janitor{Store: s, Retention: r, Interval: time.Hour, SessionsInterval: time.Minute, Batch: 500, Log: slog.Default(), Now: time.Now}
}

// Run purges once soon after start, then every Interval (±10 %, so
// instances started together drift apart), until ctx ends. With Sessions
// it also ends timed-out sessions every SessionsInterval between runs, so
// the platform hears of an expiry soon after it happens.
func (j *Janitor) Run(ctx context.Context) {
	if j.Sessions != nil && j.SessionsInterval > 0 {
		done := make(chan struct{})
		defer func() { <-done }()
		go func() {
			defer close(done)
			every(ctx, j.SessionsInterval, func() error {
				_, err := j.drain(ctx, func(n int) (int, error) { return j.Sessions.EndExpiredSessions(ctx, j.Now(), n) })
				return err
			}, j.Log)
		}()
	}
	every(ctx, j.Interval, func() error { _, err := j.RunOnce(ctx); return err }, j.Log)
}

// every calls fn soon after start (within a minute) and then every
// interval ±10 % until ctx ends, logging its errors.
func every(ctx context.Context, interval time.Duration, fn func() error, log *slog.Logger) {
	wait := time.Duration(rand.Int64N(int64(min(interval, time.Minute)) + 1))
	for {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		if err := fn(); err != nil && ctx.Err() == nil {
			log.ErrorContext(ctx, "janitor failed", "err", err)
		}
		wait = time.Duration(float64(interval) * (0.9 + 0.2*rand.Float64()))
	}
}

// drain calls fn with the batch size until a call deletes less than a
// batch, and says how many rows went in all.
func (j *Janitor) drain(ctx context.Context, fn func(limit int) (int, error)) (int, error) {
	batch := max(j.Batch, 1)
	total := 0
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		n, err := fn(batch)
		total += n
		if err != nil || n < batch {
			return total, err
		}
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
		{"sessions_ended", func(n int) (int, error) {
			if j.Sessions == nil {
				return 0, nil
			}
			return j.Sessions.EndExpiredSessions(ctx, now, n)
		}},
		// What sessions_ended left: every expired session when there is
		// no Sessions, none otherwise.
		{"sessions", func(n int) (int, error) { return j.Store.PurgeSessions(ctx, now.Add(-r.Expired), n) }},
		{"tokens", func(n int) (int, error) { return j.Store.PurgeTokens(ctx, now.Add(-r.Expired), n) }},
		{"code_requests", func(n int) (int, error) { return j.Store.PurgeCodeRequests(ctx, now.Add(-r.Expired), n) }},
		{"webauthn_challenges", func(n int) (int, error) { return j.Store.PurgeWebAuthnChallenges(ctx, now.Add(-r.Expired), n) }},
		{"rate_limits", func(n int) (int, error) { return j.Store.PurgeRateCounters(ctx, now.Add(-r.RateLimits), n) }},
		{"login_throttles", func(n int) (int, error) {
			return j.Store.PurgeLoginThrottles(ctx, now.Add(-r.LoginFailures), now, n)
		}},
		{"pending_users", func(n int) (int, error) {
			return j.Store.PurgePendingUsers(ctx, now.Add(-r.PendingUsers), now, n)
		}},
	}
	counts := Counts{}
	for _, p := range purges {
		n, err := j.drain(ctx, p.fn)
		counts[p.kind] += n
		if err != nil {
			return counts, err
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
