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

// RecordLoginFailure counts one more failure in one upsert and sets the
// lock computed by lock from the new count; it returns the new record.
func (s *Store) RecordLoginFailure(ctx context.Context, userID int64, now time.Time, lock func(failures int) time.Duration) (LoginThrottle, error) {
	now = now.UTC()
	lt := LoginThrottle{UserID: userID, Failures: 1, LastFailureAt: now, LockedUntil: now.Add(lock(1))}
	err := s.Tx(ctx, func(ctx context.Context, tx *Store) error {
		cur, err := tx.LoginThrottleFor(ctx, userID)
		if err != nil {
			return err
		}
		lt.Failures = cur.Failures + 1
		lt.LockedUntil = now.Add(lock(lt.Failures))
		_, err = tx.db.NewInsert().Model(&lt).
			On("CONFLICT (user_id) DO UPDATE").
			Set("failures = EXCLUDED.failures").
			Set("last_failure_at = EXCLUDED.last_failure_at").
			Set("locked_until = EXCLUDED.locked_until").
			Exec(ctx)
		return err
	})
	if err != nil {
		return LoginThrottle{}, fmt.Errorf("store: record login failure: %w", err)
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
