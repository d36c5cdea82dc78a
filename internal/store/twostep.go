package store

import (
	"context"
	"fmt"
	"time"
)

// TOTPSecretFor returns the account's authenticator secret, confirmed or
// being set up; ErrNotFound when it has none.
func (s *Store) TOTPSecretFor(ctx context.Context, userID int64) (*TOTPSecret, error) {
	sec := new(TOTPSecret)
	if err := s.db.NewSelect().Model(sec).Where("user_id = ?", userID).Scan(ctx); err != nil {
		return nil, notFound("totp secret", err)
	}
	return sec, nil
}

// StartTOTPSetup stores a new, unconfirmed secret for the account,
// replacing one being set up; it never replaces a confirmed one (false).
func (s *Store) StartTOTPSetup(ctx context.Context, userID int64, secret string, now time.Time) (bool, error) {
	if _, err := s.db.NewDelete().Model((*TOTPSecret)(nil)).Where("user_id = ? AND confirmed_at IS NULL", userID).Exec(ctx); err != nil {
		return false, fmt.Errorf("store: start totp setup: %w", err)
	}
	res, err := s.db.NewInsert().Model(&TOTPSecret{UserID: userID, Secret: secret, CreatedAt: now.UTC()}).On("CONFLICT (user_id) DO NOTHING").Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("store: start totp setup: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// UseTOTPStep records that a code of time step step was accepted, and
// confirms a secret being set up. It reports false, changing nothing, when
// a code of that step or a later one was accepted already: one atomic
// update, so two requests with the same code cannot both pass.
func (s *Store) UseTOTPStep(ctx context.Context, userID, step int64, now time.Time) (bool, error) {
	res, err := s.db.NewUpdate().Model((*TOTPSecret)(nil)).
		Set("last_step = ?", step).Set("confirmed_at = COALESCE(confirmed_at, ?)", now.UTC()).
		Where("user_id = ? AND last_step < ?", userID, step).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("store: use totp step: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// DeleteSecondFactor removes the account's secret and recovery codes and
// reports whether there was a secret.
func (s *Store) DeleteSecondFactor(ctx context.Context, userID int64) (bool, error) {
	res, err := s.db.NewDelete().Model((*TOTPSecret)(nil)).Where("user_id = ?", userID).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("store: delete second factor: %w", err)
	}
	if _, err := s.db.NewDelete().Model((*RecoveryCode)(nil)).Where("user_id = ?", userID).Exec(ctx); err != nil {
		return false, fmt.Errorf("store: delete recovery codes: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// ReplaceRecoveryCodes stores hashes as the account's recovery codes,
// dropping any before.
func (s *Store) ReplaceRecoveryCodes(ctx context.Context, userID int64, hashes []string, now time.Time) error {
	if _, err := s.db.NewDelete().Model((*RecoveryCode)(nil)).Where("user_id = ?", userID).Exec(ctx); err != nil {
		return fmt.Errorf("store: replace recovery codes: %w", err)
	}
	codes := make([]RecoveryCode, len(hashes))
	for i, h := range hashes {
		codes[i] = RecoveryCode{UserID: userID, Hash: h, CreatedAt: now.UTC()}
	}
	if _, err := s.db.NewInsert().Model(&codes).Exec(ctx); err != nil {
		return fmt.Errorf("store: replace recovery codes: %w", err)
	}
	return nil
}

// UseRecoveryCode marks the account's unused code with hash used, in one
// conditional update; false when there is none (wrong, or used already).
func (s *Store) UseRecoveryCode(ctx context.Context, userID int64, hash string, now time.Time) (bool, error) {
	res, err := s.db.NewUpdate().Model((*RecoveryCode)(nil)).Set("used_at = ?", now.UTC()).
		Where("user_id = ? AND hash = ? AND used_at IS NULL", userID, hash).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("store: use recovery code: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// RecoveryCodesLeft counts the account's unused recovery codes.
func (s *Store) RecoveryCodesLeft(ctx context.Context, userID int64) (int, error) {
	n, err := s.db.NewSelect().Model((*RecoveryCode)(nil)).Where("user_id = ? AND used_at IS NULL", userID).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: recovery codes left: %w", err)
	}
	return int(n), nil
}

// CreatePendingSignIn stores a sign-in awaiting its second step.
func (s *Store) CreatePendingSignIn(ctx context.Context, p *PendingSignIn) error {
	if _, err := s.db.NewInsert().Model(p).Exec(ctx); err != nil {
		return fmt.Errorf("store: create pending sign-in: %w", err)
	}
	return nil
}

// PendingSignInByHash finds a pending sign-in that has not expired.
func (s *Store) PendingSignInByHash(ctx context.Context, hash string, now time.Time) (*PendingSignIn, error) {
	p := new(PendingSignIn)
	if err := s.db.NewSelect().Model(p).Where("hash = ? AND expires_at > ?", hash, now.UTC()).Scan(ctx); err != nil {
		return nil, notFound("pending sign-in", err)
	}
	return p, nil
}

// DeletePendingSignIn ends a pending sign-in; false when it was gone
// already, so only one request can complete it.
func (s *Store) DeletePendingSignIn(ctx context.Context, hash string) (bool, error) {
	res, err := s.db.NewDelete().Model((*PendingSignIn)(nil)).Where("hash = ?", hash).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("store: delete pending sign-in: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// PurgePendingSignIns removes pending sign-ins expired before now.
func (s *Store) PurgePendingSignIns(ctx context.Context, now time.Time) (int, error) {
	res, err := s.db.NewDelete().Model((*PendingSignIn)(nil)).Where("expires_at <= ?", now.UTC()).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: purge pending sign-ins: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
