package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// CreateToken stores a new token after revoking the user's open tokens of
// the same purpose, so only the newest link works.
func (s *Store) CreateToken(ctx context.Context, t *Token) error {
	return s.CreateTokens(ctx, t)
}

// CreateTokens stores new tokens after revoking their users' open tokens
// of the same purposes, so only the newest link (and code) works: one
// UPDATE for the revoking and one INSERT for all the tokens.
func (s *Store) CreateTokens(ctx context.Context, ts ...*Token) error {
	if len(ts) == 0 {
		return nil
	}
	q := s.db.NewUpdate().Model((*Token)(nil)).Set("used_at = ?", ts[0].CreatedAt.UTC()).
		Where("used_at IS NULL").
		WhereGroup(" AND ", func(q *bun.UpdateQuery) *bun.UpdateQuery {
			for _, t := range ts {
				q = q.WhereOr("user_id = ? AND purpose = ?", t.UserID, t.Purpose)
			}
			return q
		})
	if _, err := q.Exec(ctx); err != nil {
		return fmt.Errorf("store: revoke tokens: %w", err)
	}
	return s.AddTokens(ctx, ts...)
}

// AddTokens stores new tokens in one INSERT without revoking anything: for
// a user created in the same transaction, who has no older tokens.
func (s *Store) AddTokens(ctx context.Context, ts ...*Token) error {
	if len(ts) == 0 {
		return nil
	}
	if _, err := s.db.NewInsert().Model(&ts).Returning("id").Exec(ctx); err != nil {
		return fmt.Errorf("store: create token: %w", err)
	}
	return nil
}

// RevokeTokens marks every open token of that user and those purposes used.
func (s *Store) RevokeTokens(ctx context.Context, userID int64, now time.Time, purposes ...string) error {
	if len(purposes) == 0 {
		return nil
	}
	_, err := s.db.NewUpdate().Model((*Token)(nil)).
		Set("used_at = ?", now.UTC()).
		Where("user_id = ? AND purpose IN (?) AND used_at IS NULL", userID, bun.In(purposes)).Exec(ctx)
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

// UseToken marks one token used by id, if it still is unused.
func (s *Store) UseToken(ctx context.Context, id int64, now time.Time) error {
	res, err := s.db.NewUpdate().Model((*Token)(nil)).
		Set("used_at = ?", now.UTC()).
		Where("id = ? AND used_at IS NULL", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: use token: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrNotFound
	}
	return nil
}

// AddCodeRequest records the email a browser asked for.
func (s *Store) AddCodeRequest(ctx context.Context, r *CodeRequest) error {
	if _, err := s.db.NewInsert().Model(r).Exec(ctx); err != nil {
		return fmt.Errorf("store: add code request: %w", err)
	}
	return nil
}

// AttemptCodeRequest counts one guess at the code of the browser's request
// and returns the request with the count; ErrNotFound when the browser
// asked for no email or the request expired.
func (s *Store) AttemptCodeRequest(ctx context.Context, hash string, now time.Time) (*CodeRequest, error) {
	var list []CodeRequest
	err := s.db.NewUpdate().Model(&list).
		Set("attempts = attempts + 1").
		Where("hash = ? AND expires_at > ?", hash, now.UTC()).
		Returning("*").
		Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: attempt code: %w", err)
	}
	if len(list) != 1 {
		return nil, ErrNotFound
	}
	return &list[0], nil
}

// OpenCode is the unused, unexpired code token of that hash and purpose.
func (s *Store) OpenCode(ctx context.Context, hash, purpose string, now time.Time) (*Token, error) {
	t := new(Token)
	err := s.db.NewSelect().Model(t).
		Where("hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?", hash, purpose, now.UTC()).
		Scan(ctx)
	if err != nil {
		return nil, notFound("code", err)
	}
	return t, nil
}

// EndCodeRequest removes a browser's request once its code has been used,
// so that the code step answers as for any spent request.
func (s *Store) EndCodeRequest(ctx context.Context, hash string) error {
	if _, err := s.db.NewDelete().Model((*CodeRequest)(nil)).Where("hash = ?", hash).Exec(ctx); err != nil {
		return fmt.Errorf("store: end code request: %w", err)
	}
	return nil
}

// LatestOpenToken is the user's newest unused, unexpired token of that
// purpose.
func (s *Store) LatestOpenToken(ctx context.Context, userID int64, purpose string, now time.Time) (*Token, error) {
	t := new(Token)
	err := s.db.NewSelect().Model(t).
		Where("user_id = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?", userID, purpose, now.UTC()).
		Order("id DESC").Limit(1).Scan(ctx)
	if err != nil {
		return nil, notFound("latest token", err)
	}
	return t, nil
}

// TokenAddresses are the addresses the user's tokens are about (see
// Token.Email): an address change asked for or moved away from.
func (s *Store) TokenAddresses(ctx context.Context, userID int64) ([]string, error) {
	var out []string
	err := s.db.NewSelect().Model((*Token)(nil)).Distinct().Column("email").
		Where("user_id = ? AND email <> ''", userID).Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("store: token addresses: %w", err)
	}
	return out, nil
}
