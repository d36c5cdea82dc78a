package store

import (
	"context"
	"fmt"
	"time"
)

// CreateSession stores a new session.
func (s *Store) CreateSession(ctx context.Context, sess *Session) error {
	if _, err := s.db.NewInsert().Model(sess).Returning("id").Exec(ctx); err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return nil
}

// SessionByHash finds a session that has not expired by either timeout.
func (s *Store) SessionByHash(ctx context.Context, hash string, now time.Time, idle time.Duration) (*Session, error) {
	now = now.UTC()
	sess := new(Session)
	err := s.db.NewSelect().Model(sess).
		Where("hash = ? AND expires_at > ? AND last_seen_at > ?", hash, now, now.Add(-idle)).
		Scan(ctx)
	if err != nil {
		return nil, notFound("session", err)
	}
	return sess, nil
}

// TouchSession records activity, pushing the idle timeout back. It is
// the one write to sessions that changes no one's identity, so it does
// not empty the session cache (nor, on PostgreSQL, notify): the cached
// session takes the new time instead, so the next hits do not write it
// again.
func (s *Store) TouchSession(ctx context.Context, id int64, now time.Time) error {
	_, err := s.db.NewUpdate().Model((*Session)(nil)).
		Set("last_seen_at = ?", now.UTC()).Where("id = ?", id).Exec(noIdentity(ctx))
	if err != nil {
		return fmt.Errorf("store: touch session: %w", err)
	}
	s.hot.cache.touched(id, now.UTC())
	return nil
}

// DeleteSession ends one session by its hash.
func (s *Store) DeleteSession(ctx context.Context, hash string) error {
	if _, err := s.db.NewDelete().Model((*Session)(nil)).Where("hash = ?", hash).Exec(scoped(ctx, cacheScope{hash: hash})); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// EndSession ends one session by its hash and returns whose it was;
// ErrNotFound when there was none.
func (s *Store) EndSession(ctx context.Context, hash string) (userID int64, err error) {
	var ids []int64
	if err := s.db.NewDelete().Model((*Session)(nil)).Where("hash = ?", hash).Returning("user_id").Scan(scoped(ctx, cacheScope{hash: hash}), &ids); err != nil {
		return 0, fmt.Errorf("store: end session: %w", err)
	}
	if len(ids) == 0 {
		return 0, ErrNotFound
	}
	return ids[0], nil
}

// DeleteUserSessions ends every session of the user except the one with id
// keep (0 keeps none) and returns how many ended.
func (s *Store) DeleteUserSessions(ctx context.Context, userID, keep int64) (int, error) {
	res, err := s.db.NewDelete().Model((*Session)(nil)).
		Where("user_id = ? AND id <> ?", userID, keep).Exec(scoped(ctx, cacheScope{userID: userID}))
	if err != nil {
		return 0, fmt.Errorf("store: delete user sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// SessionsByUser lists the user's live sessions, most recently used first.
func (s *Store) SessionsByUser(ctx context.Context, userID int64, now time.Time, idle time.Duration) ([]Session, error) {
	now = now.UTC()
	var list []Session
	err := s.db.NewSelect().Model(&list).
		Where("user_id = ? AND expires_at > ? AND last_seen_at > ?", userID, now, now.Add(-idle)).
		Order("last_seen_at DESC").Limit(50).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: sessions by user: %w", err)
	}
	return list, nil
}

// DeleteUserSession ends one session of the user by id, and reports
// whether there was one: an id of another user's session ends nothing.
// It returns the ended session's hash, which names it to the platform.
func (s *Store) DeleteUserSession(ctx context.Context, userID, id int64) (hash string, err error) {
	var hashes []string
	err = s.db.NewDelete().Model((*Session)(nil)).Where("user_id = ? AND id = ?", userID, id).
		Returning("hash").Scan(scoped(ctx, cacheScope{userID: userID}), &hashes)
	if err != nil {
		return "", fmt.Errorf("store: delete user session: %w", err)
	}
	if len(hashes) != 1 {
		return "", ErrNotFound
	}
	return hashes[0], nil
}

// EndExpiredSessions deletes up to limit sessions that have ended by
// either timeout at now (past their absolute expiry, or unused since
// before now-idle: exactly those SessionByHash no longer finds) and
// returns them. It is one bounded DELETE on a condition that stays true,
// like the purges, so two instances at once end different sessions and
// none twice (SKIP LOCKED on PostgreSQL): whoever deletes a session is the
// one to report it. A session gone cannot come back to life, as a request
// that had just found it live only touches a row that is no longer there.
func (s *Store) EndExpiredSessions(ctx context.Context, now time.Time, idle time.Duration, limit int) ([]Session, error) {
	now = now.UTC()
	pick := s.db.NewSelect().Model((*Session)(nil)).Column("id").
		Where("expires_at <= ? OR last_seen_at <= ?", now, now.Add(-idle)).Limit(int64(limit))
	if s.Postgres() {
		pick = pick.For("UPDATE SKIP LOCKED")
	}
	var ended []Session
	err := s.db.NewDelete().Model((*Session)(nil)).Where("id IN (?)", pick).
		Returning("id, user_id, hash, created_at, last_seen_at, expires_at").Scan(ctx, &ended)
	if err != nil {
		return nil, fmt.Errorf("store: end expired sessions: %w", err)
	}
	return ended, nil
}
