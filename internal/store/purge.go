package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// The Purge methods delete what has outlived its use, at most limit rows a
// call, so no statement holds locks (or SQLite's one connection) for long;
// the caller repeats a call until it deletes fewer than limit. Each is one
// DELETE of rows picked by a condition that stays true once it holds, so
// two janitors running at once (several instances) only share the work:
// on PostgreSQL SKIP LOCKED has each take rows the other is not deleting,
// and a row already gone is simply not deleted twice.

// PurgeSentMail deletes outbox rows sent at or before before. Failed rows
// stay for the operator to retry; pending ones are still to be sent.
func (s *Store) PurgeSentMail(ctx context.Context, before time.Time, limit int) (int, error) {
	pick := s.db.NewSelect().Model((*OutboxMessage)(nil)).Column("id").
		Where("status = ? AND sent_at <= ?", OutboxSent, before.UTC())
	return s.purge(ctx, "sent mail", (*OutboxMessage)(nil), "id", pick, limit)
}

// PurgeSessions deletes sessions whose absolute expiry was at or before
// before; a session that timed out idle ends by then too, as its expiry
// bounds its life.
func (s *Store) PurgeSessions(ctx context.Context, before time.Time, limit int) (int, error) {
	pick := s.db.NewSelect().Model((*Session)(nil)).Column("id").Where("expires_at <= ?", before.UTC())
	return s.purge(ctx, "sessions", (*Session)(nil), "id", pick, limit)
}

// PurgeTokens deletes link and code tokens that expired at or before
// before, used or not: an unknown, expired and used link get the same page,
// so nothing needs the row once it can no longer work.
func (s *Store) PurgeTokens(ctx context.Context, before time.Time, limit int) (int, error) {
	pick := s.db.NewSelect().Model((*Token)(nil)).Column("id").Where("expires_at <= ?", before.UTC())
	return s.purge(ctx, "tokens", (*Token)(nil), "id", pick, limit)
}

// PurgeCodeRequests deletes the records of emails browsers asked for once
// they expired at or before before: their codes no longer work either.
func (s *Store) PurgeCodeRequests(ctx context.Context, before time.Time, limit int) (int, error) {
	pick := s.db.NewSelect().Model((*CodeRequest)(nil)).Column("hash").Where("expires_at <= ?", before.UTC())
	return s.purge(ctx, "code requests", (*CodeRequest)(nil), "hash", pick, limit)
}

// PurgeRateCounters deletes rate-limit counters whose window started at or
// before before. The caller picks before older than the longest window, so
// every row deleted has a window that has ended: the next hit would have
// started it afresh anyway.
func (s *Store) PurgeRateCounters(ctx context.Context, before time.Time, limit int) (int, error) {
	pick := s.db.NewSelect().Model((*RateCounter)(nil)).Column("key").Where("window_start <= ?", before.UTC())
	return s.purge(ctx, "rate counters", (*RateCounter)(nil), "key", pick, limit)
}

// PurgeLoginThrottles forgets the failed sign-ins of accounts whose last
// failure was at or before before and whose lock has ended by now. An
// account locked until a password reset keeps its row.
func (s *Store) PurgeLoginThrottles(ctx context.Context, before, now time.Time, limit int) (int, error) {
	pick := s.db.NewSelect().Model((*LoginThrottle)(nil)).Column("user_id").
		Where("last_failure_at <= ? AND locked_until <= ?", before.UTC(), now.UTC())
	return s.purge(ctx, "login throttles", (*LoginThrottle)(nil), "user_id", pick, limit)
}

// PurgePendingUsers deletes accounts never activated whose details were
// last written at or before before and that hold no link or code still
// valid at now, so nobody part-way through sign-up loses the account. Their
// tokens, sessions and throttle rows go with them (ON DELETE CASCADE);
// their audit events stay, no longer tied to a user (ON DELETE SET NULL).
func (s *Store) PurgePendingUsers(ctx context.Context, before, now time.Time, limit int) (int, error) {
	live := s.db.NewSelect().TableExpr("tokens AS live").ColumnExpr("1").
		Where("live.user_id = u.id AND live.used_at IS NULL AND live.expires_at > ?", now.UTC())
	pick := s.db.NewSelect().TableExpr("users AS u").Column("u.id").
		Where("u.status = ? AND u.updated_at <= ?", UserPending, before.UTC()).
		Where("NOT EXISTS (?)", live)
	return s.purge(ctx, "pending users", (*User)(nil), "id", pick, limit)
}

// purge deletes up to limit rows of model whose key column pick selects.
func (s *Store) purge(ctx context.Context, what string, model any, key string, pick *bun.SelectQuery, limit int) (int, error) {
	pick = pick.Limit(int64(limit))
	if s.Postgres() {
		pick = pick.For("UPDATE SKIP LOCKED")
	}
	res, err := s.db.NewDelete().Model(model).Where("? IN (?)", bun.Ident(key), pick).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: purge %s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: purge %s: %w", what, err)
	}
	return int(n), nil
}
