package store

import (
	"context"
	"database/sql"
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

// ReserveLoginAttempt decides, atomically, whether one more password may
// be checked for the account: not while it is locked. An attempt that may
// go ahead is counted as a failure before the password is hashed (and its
// lock, computed by lock from the new count, set), so parallel requests
// cannot all pass the same check: each reservation is a compare-and-swap
// on the count, retried when another request won. A success then clears
// the record (ClearLoginFailures). It returns the record as left and
// whether the attempt may go ahead.
func (s *Store) ReserveLoginAttempt(ctx context.Context, userID int64, now time.Time, lock func(failures int) time.Duration) (LoginThrottle, bool, error) {
	now = now.UTC()
	// Most sign-ins come to an account without failures, which has no
	// record: one INSERT both checks and reserves.
	first := LoginThrottle{UserID: userID, Failures: 1, LastFailureAt: now, LockedUntil: now.Add(lock(1))}
	res, err := s.db.NewInsert().Model(&first).On("CONFLICT (user_id) DO NOTHING").Exec(ctx)
	if err != nil {
		return LoginThrottle{}, false, fmt.Errorf("store: reserve login attempt: %w", err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 1 {
		return first, true, nil
	}
	for range 64 {
		var cur LoginThrottle
		exists := true
		err := s.db.NewSelect().Model(&cur).Where("user_id = ?", userID).Scan(ctx)
		if errors.Is(notFound("login throttle", err), ErrNotFound) {
			exists, err = false, nil
		}
		if err != nil {
			return LoginThrottle{}, false, fmt.Errorf("store: reserve login attempt: %w", err)
		}
		if now.Before(cur.LockedUntil) {
			return cur, false, nil
		}
		next := LoginThrottle{UserID: userID, Failures: cur.Failures + 1, LastFailureAt: now}
		next.LockedUntil = now.Add(lock(next.Failures))
		var res sql.Result
		if exists {
			res, err = s.db.NewUpdate().Model(&next).Column("failures", "last_failure_at", "locked_until").
				Where("user_id = ? AND failures = ?", userID, cur.Failures).Exec(ctx)
		} else {
			res, err = s.db.NewInsert().Model(&next).On("CONFLICT (user_id) DO NOTHING").Exec(ctx)
		}
		if err != nil {
			return LoginThrottle{}, false, fmt.Errorf("store: reserve login attempt: %w", err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 1 {
			return next, true, nil
		}
	}
	return LoginThrottle{}, false, ErrContended
}

// ReleaseLoginAttempt takes back a reservation whose password was never
// checked (no hashing slot was free), so a busy server does not count
// against the owner.
func (s *Store) ReleaseLoginAttempt(ctx context.Context, userID int64) error {
	_, err := s.db.NewUpdate().Model((*LoginThrottle)(nil)).Set("failures = failures - 1").
		Where("user_id = ? AND failures > 0", userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: release login attempt: %w", err)
	}
	return nil
}
