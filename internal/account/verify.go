package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"gatehouse/internal/i18n"
	"gatehouse/internal/logctx"
	"gatehouse/internal/store"
	"gatehouse/internal/token"
)

// Verification methods (VERIFICATION_METHOD).
const (
	VerificationLink = "link"
	VerificationCode = "code"
	VerificationBoth = "both"
)

// MaxCodeAttempts is how many wrong guesses a code survives; after that a
// new code must be sent.
const MaxCodeAttempts = 5

// ErrCodeExpired means the browser has no usable code: none was sent to it,
// it expired, it was used, or its guesses ran out.
var ErrCodeExpired = errors.New("account: no usable code")

// WrongCodeError is a wrong guess; Left is how many guesses remain.
type WrongCodeError struct{ Left int }

func (e *WrongCodeError) Error() string {
	return fmt.Sprintf("account: wrong code, %d tries left", e.Left)
}

// CodesOn reports whether emails carry a code, for pages that offer the
// code form.
func (s *Service) CodesOn() bool { return s.cfg.Verification != VerificationLink }

func (s *Service) linksOn() bool { return s.cfg.Verification != VerificationCode }

// bindingHash names a browser's code row; the purpose is part of it so one
// browser can hold a code of each kind.
func bindingHash(purpose, binding string) string { return token.Hash(purpose + ":" + binding) }

func codeHash(binding, code string) string {
	sum := sha256.Sum256([]byte(binding + ":" + code))
	return hex.EncodeToString(sum[:])
}

func sixDigits() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(err) // crypto/rand does not fail
	}
	return fmt.Sprintf("%06d", n.Int64())
}

// sendLink creates what the configured method needs for flow f (a link
// token, a code bound to the asking browser, or both), revoking older ones
// of the flow, and queues the email that carries them. newUser says u was
// created in this transaction, so it has nothing to revoke.
func (s *Service) sendLink(ctx context.Context, tx *store.Store, u *store.User, newUser bool, f *Flow, now time.Time, m Meta, binding string) error {
	expires := now.Add(f.ttl(s.cfg))
	data := LinkEmail{FirstName: u.FirstName, ExpiresAt: expires.Truncate(time.Second)}
	var tokens []*store.Token
	if s.linksOn() {
		raw, hash := token.New()
		tokens = append(tokens, &store.Token{UserID: u.ID, Purpose: f.linkPurpose, Hash: hash, CreatedAt: now, ExpiresAt: expires})
		data.Link = s.link(f.Paths.Link, raw, u.Locale)
	}
	if s.CodesOn() && binding != "" {
		code := sixDigits()
		tokens = append(tokens, &store.Token{UserID: u.ID, Purpose: f.codePurpose, Hash: bindingHash(f.linkPurpose, binding),
			CodeHash: codeHash(binding, code), CreatedAt: now, ExpiresAt: expires})
		data.Code = code
	}
	add := tx.CreateTokens
	if newUser {
		add = tx.AddTokens
	}
	if err := add(ctx, tokens...); err != nil {
		return err
	}
	if err := s.audit(ctx, tx, u.ID, f.requested, m); err != nil {
		return err
	}
	return s.enqueue(ctx, tx, u.Email, u.Locale, f.email(data))
}

// VerifyCode checks a code typed into the browser that asked for it
// (binding is that browser's secret). A right code is used up and
// exchanged for a fresh link token of the flow, which the caller hands to
// the password form exactly as if the emailed link had been opened.
func (s *Service) VerifyCode(ctx context.Context, f *Flow, binding, code string, m Meta) (string, error) {
	if err := s.allowTokenUse(ctx, m); err != nil {
		return "", err
	}
	code = strings.Join(strings.Fields(code), "")
	if code == "" {
		return "", FieldErrors{"code": i18n.Msg("error.code.required")}
	}
	if binding == "" || !token.WellFormed(binding) {
		return "", ErrCodeExpired
	}
	now := s.now()
	row, err := s.store.AttemptCode(ctx, bindingHash(f.linkPurpose, binding), f.codePurpose, MaxCodeAttempts, now)
	if errors.Is(err, store.ErrNotFound) {
		return "", ErrCodeExpired
	}
	if err != nil {
		return "", err
	}
	if subtle.ConstantTimeCompare([]byte(row.CodeHash), []byte(codeHash(binding, code))) != 1 {
		left := MaxCodeAttempts - row.Attempts
		logctx.From(ctx).InfoContext(ctx, "account code wrong", "user_id", row.UserID, "left", left)
		if left <= 0 {
			return "", ErrCodeExpired
		}
		return "", &WrongCodeError{Left: left}
	}
	raw, hash := token.New()
	err = s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		if err := tx.UseToken(ctx, row.ID, now); err != nil {
			return err
		}
		return tx.CreateToken(ctx, &store.Token{UserID: row.UserID, Purpose: f.linkPurpose, Hash: hash, CreatedAt: now, ExpiresAt: now.Add(f.ttl(s.cfg))})
	})
	if errors.Is(err, store.ErrNotFound) {
		return "", ErrCodeExpired
	}
	if err != nil {
		return "", err
	}
	logctx.From(ctx).InfoContext(ctx, "account code verified", "user_id", row.UserID, "flow", f.Name)
	return raw, nil
}
