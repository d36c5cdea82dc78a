package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// LoginThrottleFor returns the account's failure record; a zero record
// when it has none.
func (s *Store) LoginThrottleFor(ctx context.Context, userID int64) (LoginThrottle, error) {
	var lt LoginThrottle
	err := s.db.NewSelect().Model(&lt).Where("user_id = ?", userID).Scan(ctx)
	if err != nil {
		if errors.Is(notFound("login throttle", err), ErrNotFound) {
			return LoginThrottle{UserID: userID}, nil
		}
		return LoginThrottle{}, fmt.Errorf("store: login throttle: %w", err)
	}
	return lt, nil
}

// ClearLoginFailures forgets an account's failures (after a success or a
// password reset).
func (s *Store) ClearLoginFailures(ctx context.Context, userID int64) error {
	if _, err := s.db.NewDelete().Model((*LoginThrottle)(nil)).Where("user_id = ?", userID).Exec(ctx); err != nil {
		return fmt.Errorf("store: clear login failures: %w", err)
	}
	return nil
}

// ErrContended means an attempt could not be reserved because other
// requests kept changing the record; the caller answers as if throttled.
var ErrContended = errors.New("store: login throttle contended")

// inflightLease is how long a reserved attempt counts while its check
// runs; an instance that dies mid-check stops counting after it.
const inflightLease = 30 * time.Second

// reserveWait bounds how long an attempt waits for its turn behind the
// checks of the same account already running.
const reserveWait = 3 * time.Second

// ReserveLoginAttempt decides, atomically, whether one more password may
// be checked for the account: not while it is locked, and not while as
// many checks are already running as the account has failures left before
// its next delay (lock says the delay after a number of failures). Such an
// attempt waits its turn, briefly, instead: parallel guesses are checked
// no more often than one after another would be, and parallel right
// passwords (several tabs, a double click) all get in. Each reservation
// is a compare-and-swap on the record, retried when another request won.
// The caller then reports the outcome: ConfirmLoginFailure,
// ClearLoginFailures (a success) or ReleaseLoginAttempt (not checked). It
// returns the record as it was and whether the attempt may go ahead.
func (s *Store) ReserveLoginAttempt(ctx context.Context, userID int64, now time.Time, lock func(failures int) time.Duration) (LoginThrottle, bool, error) {
	now = now.UTC()
	deadline := time.Now().Add(reserveWait)
	for {
		var cur LoginThrottle
		err := s.db.NewSelect().Model(&cur).Where("user_id = ?", userID).Scan(ctx)
		if errors.Is(notFound("login throttle", err), ErrNotFound) {
			// No failures and nothing running: one INSERT both checks
			// and reserves (most sign-ins).
			first := LoginThrottle{UserID: userID, LastFailureAt: now, Inflight: 1, InflightUntil: now.Add(inflightLease)}
			res, err := s.db.NewInsert().Model(&first).On("CONFLICT (user_id) DO NOTHING").Exec(ctx)
			if err != nil {
				return LoginThrottle{}, false, fmt.Errorf("store: reserve login attempt: %w", err)
			}
			if n, err := res.RowsAffected(); err == nil && n == 1 {
				return LoginThrottle{UserID: userID}, true, nil
			}
			continue
		}
		if err != nil {
			return LoginThrottle{}, false, fmt.Errorf("store: reserve login attempt: %w", err)
		}
		if now.Before(cur.LockedUntil) {
			return cur, false, nil
		}
		running := cur.Inflight
		if cur.InflightUntil.Before(now) {
			running = 0
		}
		if running < checksAllowed(cur.Failures, lock) {
			res, err := s.db.NewUpdate().Model((*LoginThrottle)(nil)).
				Set("inflight = ?", running+1).Set("inflight_until = ?", now.Add(inflightLease)).
				Where("user_id = ? AND failures = ? AND inflight = ?", userID, cur.Failures, cur.Inflight).Exec(ctx)
			if err != nil {
				return LoginThrottle{}, false, fmt.Errorf("store: reserve login attempt: %w", err)
			}
			if n, err := res.RowsAffected(); err == nil && n == 1 {
				return cur, true, nil
			}
			continue
		}
		if time.Now().After(deadline) {
			return cur, false, ErrContended
		}
		select {
		case <-ctx.Done():
			return LoginThrottle{}, false, ctx.Err()
		case <-time.After(15 * time.Millisecond):
		}
	}
}

// checksAllowed is how many checks may run at once for an account with
// that many failures: one for each failure it may still have without a
// delay, and the one that would start it; past the free ones, one.
func checksAllowed(failures int, lock func(int) time.Duration) int {
	n := 1
	for k := 1; k <= 64 && lock(failures+k) == 0; k++ {
		n++
	}
	return n
}

// ConfirmLoginFailure counts the failure of a reserved attempt and sets
// the lock the new count earns; it returns the new record.
func (s *Store) ConfirmLoginFailure(ctx context.Context, userID int64, now time.Time, lock func(failures int) time.Duration) (LoginThrottle, error) {
	now = now.UTC()
	for range 64 {
		var cur LoginThrottle
		err := s.db.NewSelect().Model(&cur).Where("user_id = ?", userID).Scan(ctx)
		if errors.Is(notFound("login throttle", err), ErrNotFound) {
			// A success cleared the record meanwhile: this failure starts
			// a new count.
			next := LoginThrottle{UserID: userID, Failures: 1, LastFailureAt: now, LockedUntil: now.Add(lock(1))}
			res, err := s.db.NewInsert().Model(&next).On("CONFLICT (user_id) DO NOTHING").Exec(ctx)
			if err != nil {
				return LoginThrottle{}, fmt.Errorf("store: record login failure: %w", err)
			}
			if n, err := res.RowsAffected(); err == nil && n == 1 {
				return next, nil
			}
			continue
		}
		if err != nil {
			return LoginThrottle{}, fmt.Errorf("store: record login failure: %w", err)
		}
		next := cur
		next.Failures++
		next.LastFailureAt = now
		next.LockedUntil = now.Add(lock(next.Failures))
		next.Inflight = max(cur.Inflight-1, 0)
		res, err := s.db.NewUpdate().Model(&next).Column("failures", "last_failure_at", "locked_until", "inflight").
			Where("user_id = ? AND failures = ? AND inflight = ?", userID, cur.Failures, cur.Inflight).Exec(ctx)
		if err != nil {
			return LoginThrottle{}, fmt.Errorf("store: record login failure: %w", err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 1 {
			return next, nil
		}
	}
	return LoginThrottle{}, ErrContended
}

// ReleaseLoginAttempt takes back a reservation whose password was never
// checked (no hashing slot was free), so a busy server does not count
// against the owner.
func (s *Store) ReleaseLoginAttempt(ctx context.Context, userID int64) error {
	_, err := s.db.NewUpdate().Model((*LoginThrottle)(nil)).Set("inflight = inflight - 1").
		Where("user_id = ? AND inflight > 0", userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: release login attempt: %w", err)
	}
	return nil
}
