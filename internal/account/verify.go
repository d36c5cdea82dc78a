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

	"gatehouse/internal/logctx"
	"gatehouse/internal/paths"
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

func (s *Service) method() string {
	if s.cfg.Verification == "" {
		return VerificationBoth
	}
	return s.cfg.Verification
}

// Verification is the method in force, for pages that offer the code form.
func (s *Service) Verification() string { return s.method() }

// codePurpose is the purpose of the code sent beside a link of purpose.
func codePurpose(purpose string) string {
	if purpose == store.PurposeReset {
		return store.PurposeResetCode
	}
	return store.PurposeActivationCode
}

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

// sendLink creates what the configured method needs (a link token, a code
// bound to the asking browser, or both), revoking older ones of the same
// purpose, and queues the email that carries them. newUser says u was
// created in this transaction, so it has nothing to revoke.
func (s *Service) sendLink(ctx context.Context, tx *store.Store, u *store.User, newUser bool, purpose string, now time.Time, m Meta) error {
	ttl, kind, event, path := s.cfg.ActivationTTL, EmailActivation, EventRegistered, paths.Activate
	if purpose == store.PurposeReset {
		ttl, kind, event, path = s.cfg.ResetTTL, EmailReset, EventResetRequested, paths.PasswordReset
	}
	expires := now.Add(ttl)
	data := map[string]string{"FirstName": u.FirstName, "ExpiresAt": expires.Format(time.RFC3339)}
	var tokens []*store.Token
	if s.method() != VerificationCode {
		raw, hash := token.New()
		tokens = append(tokens, &store.Token{UserID: u.ID, Purpose: purpose, Hash: hash, CreatedAt: now, ExpiresAt: expires})
		data["Link"] = s.link(path, raw, u.Locale)
	}
	if s.method() != VerificationLink && m.Binding != "" {
		code := sixDigits()
		tokens = append(tokens, &store.Token{UserID: u.ID, Purpose: codePurpose(purpose), Hash: bindingHash(purpose, m.Binding),
			CodeHash: codeHash(m.Binding, code), CreatedAt: now, ExpiresAt: expires})
		data["Code"] = code
	}
	add := tx.CreateTokens
	if newUser {
		add = tx.AddTokens
	}
	if err := add(ctx, tokens...); err != nil {
		return err
	}
	if err := s.audit(ctx, tx, u.ID, event, m); err != nil {
		return err
	}
	return s.enqueue(ctx, tx, kind, u.Email, u.Locale, data)
}

// VerifyCode checks a code typed into the browser that asked for it. A
// right code is used up and exchanged for a fresh link token of the same
// purpose, which the caller hands to the password form exactly as if the
// emailed link had been opened.
func (s *Service) VerifyCode(ctx context.Context, purpose, binding, code string) (string, error) {
	code = strings.Join(strings.Fields(code), "")
	if binding == "" || !token.WellFormed(binding) {
		return "", ErrCodeExpired
	}
	now := s.now()
	row, err := s.store.AttemptCode(ctx, bindingHash(purpose, binding), codePurpose(purpose), MaxCodeAttempts, now)
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
		ttl := s.cfg.ActivationTTL
		if purpose == store.PurposeReset {
			ttl = s.cfg.ResetTTL
		}
		return tx.CreateToken(ctx, &store.Token{UserID: row.UserID, Purpose: purpose, Hash: hash, CreatedAt: now, ExpiresAt: now.Add(ttl)})
	})
	if errors.Is(err, store.ErrNotFound) {
		return "", ErrCodeExpired
	}
	if err != nil {
		return "", err
	}
	logctx.From(ctx).InfoContext(ctx, "account code verified", "user_id", row.UserID, "purpose", purpose)
	return raw, nil
}

// ResendActivation sends a pending account a fresh link and code. Active,
// unknown and malformed addresses get the same nil answer and no email.
func (s *Service) ResendActivation(ctx context.Context, email string, m Meta) error {
	canon, err := CanonicalEmail(email)
	if err != nil {
		return nil
	}
	if err := s.allowEmail(ctx, canon, m); err != nil {
		return err
	}
	now := s.now()
	sent := false
	err = s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		u, err := tx.UserByEmail(ctx, canon)
		if errors.Is(err, store.ErrNotFound) || (err == nil && u.Status != store.UserPending) {
			return nil
		}
		if err != nil {
			return err
		}
		sent = true
		return s.sendLink(ctx, tx, u, false, store.PurposeActivation, now, m)
	})
	if err != nil {
		return err
	}
	if sent {
		s.Queued()
	}
	logctx.From(ctx).InfoContext(ctx, "account activation resend", "email_hash", logctx.EmailHash(canon))
	return nil
}
