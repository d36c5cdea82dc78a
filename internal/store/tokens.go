package store

import (
	"context"
	"fmt"
	"time"
)

// CreateToken stores a new token after revoking the user's open tokens of
// the same purpose, so only the newest link works.
func (s *Store) CreateToken(ctx context.Context, t *Token) error {
	if err := s.RevokeTokens(ctx, t.UserID, t.Purpose, t.CreatedAt); err != nil {
		return err
	}
	if _, err := s.db.NewInsert().Model(t).Returning("id").Exec(ctx); err != nil {
		return fmt.Errorf("store: create token: %w", err)
	}
	return nil
}

// RevokeTokens marks every open token of that user and purpose used.
func (s *Store) RevokeTokens(ctx context.Context, userID int64, purpose string, now time.Time) error {
	_, err := s.db.NewUpdate().Model((*Token)(nil)).
		Set("used_at = ?", now.UTC()).
		Where("user_id = ? AND purpose = ? AND used_at IS NULL", userID, purpose).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: revoke tokens: %w", err)
	}
	return nil
}

// ValidToken finds an unused, unexpired token of that purpose by hash,
// without consuming it.
func (s *Store) ValidToken(ctx context.Context, hash, purpose string, now time.Time) (*Token, error) {
	t := new(Token)
	err := s.db.NewSelect().Model(t).
		Where("hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?", hash, purpose, now.UTC()).
		Scan(ctx)
	if err != nil {
		return nil, notFound("valid token", err)
	}
	return t, nil
}

// ConsumeToken marks a token used if, and only if, it is still unused and
// unexpired, in one conditional UPDATE; of many concurrent calls exactly one
// gets the user id, the others ErrNotFound.
func (s *Store) ConsumeToken(ctx context.Context, hash, purpose string, now time.Time) (userID int64, err error) {
	now = now.UTC()
	var ids []int64
	err = s.db.NewUpdate().Model((*Token)(nil)).
		Set("used_at = ?", now).
		Where("hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?", hash, purpose, now).
		Returning("user_id").
		Scan(ctx, &ids)
	if err != nil {
		return 0, fmt.Errorf("store: consume token: %w", err)
	}
	if len(ids) != 1 {
		return 0, ErrNotFound
	}
	return ids[0], nil
}
