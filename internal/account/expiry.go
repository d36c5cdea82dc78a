package account

import (
	"context"
	"errors"
	"time"

	"gatehouse/internal/store"
)

// EndExpiredSessions ends up to limit sessions that have timed out at now,
// idle or absolute, and tells the platform session.ended for each in the
// transaction that ends it, so every expiry is reported exactly once,
// whichever instance's janitor gets to it. It returns how many ended.
func (s *Service) EndExpiredSessions(ctx context.Context, now time.Time, limit int) (int, error) {
	var n int
	err := s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		ended, err := tx.EndExpiredSessions(ctx, now, s.cfg.SessionIdle, limit)
		if err != nil {
			return err
		}
		n = len(ended)
		if !s.cfg.Webhooks {
			return nil
		}
		users := map[int64]*store.User{}
		for _, sess := range ended {
			u, ok := users[sess.UserID]
			if !ok {
				u, err = tx.UserByID(ctx, sess.UserID)
				if errors.Is(err, store.ErrNotFound) {
					continue // erased meanwhile: user.deleted was its last event
				}
				if err != nil {
					return err
				}
				users[sess.UserID] = u
			}
			reason := EndedIdle
			if !sess.ExpiresAt.After(now) {
				reason = EndedExpired
			}
			d := WebhookData{SessionID: sessionPublicID(sess.Hash), SessionsEnded: 1, Reason: reason}
			if err := s.notify(ctx, tx, WebhookSessionEnded, u.PublicID, u.Email, d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if n > 0 && s.cfg.Webhooks {
		s.queued()
	}
	return n, nil
}
