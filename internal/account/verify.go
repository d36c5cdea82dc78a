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
	"gatehouse/internal/returnto"
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

// ErrCodeExpired means the browser has no usable code: it asked for no
// email, the request expired, or its guesses ran out.
var ErrCodeExpired = errors.New("account: no usable code")

// ErrCodeBudget means the address has had too many wrong codes today; only
// the emailed link works until the budget refills.
var ErrCodeBudget = errors.New("account: too many wrong codes for the address")

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
	return s.sendLinkTo(ctx, tx, u, u.Email, newUser, f, now, m, binding)
}

// sendLinkTo is sendLink with the email going to the address to: u's own,
// or for a flow that proves a new address (NewAddress) that address, which
// its tokens then carry.
func (s *Service) sendLinkTo(ctx context.Context, tx *store.Store, u *store.User, to string, newUser bool, f *Flow, now time.Time, m Meta, binding string) error {
	about := ""
	if f.NewAddress {
		about = to
	}
	// The latest request says where the journey ends; one without a
	// deep link clears an older one.
	if rt := returnto.Clean(m.ReturnTo); !f.NewAddress && rt != u.ReturnTo {
		if err := tx.SetUserReturnTo(ctx, u.ID, rt); err != nil {
			return err
		}
		u.ReturnTo = rt
	}
	expires := now.Add(f.ttl(s.cfg))
	data := LinkEmail{FirstName: u.FirstName, LastName: u.LastName, TimeZone: u.TimeZone, ExpiresAt: expires.Truncate(time.Second)}
	var tokens []*store.Token
	if s.linksOn() {
		raw, hash := token.New()
		tokens = append(tokens, &store.Token{UserID: u.ID, Purpose: f.linkPurpose, Hash: hash, CreatedAt: now, ExpiresAt: expires, Email: about})
		data.Link = s.link(f.Paths.Link, raw, u.Locale)
	}
	if s.CodesOn() && binding != "" {
		code := sixDigits()
		tokens = append(tokens, &store.Token{UserID: u.ID, Purpose: f.codePurpose, Hash: bindingHash(f.linkPurpose, binding),
			CodeHash: codeHash(binding, code), CreatedAt: now, ExpiresAt: expires, Email: about})
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
	return s.enqueueFor(ctx, tx, binding, to, u.Locale, f.email(data))
}

// codeRequest records the email a browser (holding binding) asked for, in
// every case, known address or not, so that the code step answers alike
// for all: served is the flow whose code the email carries, nil when the
// email carries none; asked is the flow the browser asked for.
func (s *Service) codeRequest(ctx context.Context, tx *store.Store, binding string, asked, served *Flow, addr string, now time.Time) error {
	if binding == "" || !s.CodesOn() {
		return nil
	}
	r := &store.CodeRequest{Hash: token.Hash(binding), AddressHash: logctx.EmailHash(addr), CreatedAt: now,
		ExpiresAt: now.Add(asked.ttl(s.cfg))}
	if served != nil {
		r.Flow = served.Name
		r.ExpiresAt = now.Add(served.ttl(s.cfg))
	}
	return tx.AddCodeRequest(ctx, r)
}

// VerifyCode checks a code typed into the browser that asked for it
// (binding is that browser's secret) on f's check-your-inbox page. A right
// code is used up and exchanged for a fresh link token of the flow whose
// email carried it (f, or the flow f hands pending accounts to), which the
// caller hands to that flow's password form exactly as if the emailed link
// had been opened. Every other answer depends only on this browser's
// request and the address's guesses, never on whether an account exists:
// a wrong code and no code at all are the same WrongCodeError.
func (s *Service) VerifyCode(ctx context.Context, f *Flow, binding, code string, m Meta) (*Flow, string, error) {
	settle, err := s.allowTokenUse(ctx, m)
	if err != nil {
		return nil, "", err
	}
	served, raw, err := s.verifyCode(ctx, f, binding, code)
	settle(err)
	return served, raw, err
}

func (s *Service) verifyCode(ctx context.Context, f *Flow, binding, code string) (*Flow, string, error) {
	code = strings.Join(strings.Fields(code), "")
	if code == "" {
		return nil, "", FieldErrors{"code": i18n.Msg("error.code.required")}
	}
	if !token.WellFormed(binding) {
		return nil, "", ErrCodeExpired
	}
	now := s.now()
	req, err := s.store.AttemptCodeRequest(ctx, token.Hash(binding), now)
	if errors.Is(err, store.ErrNotFound) {
		return nil, "", ErrCodeExpired
	}
	if err != nil {
		return nil, "", err
	}
	if req.Attempts > MaxCodeAttempts {
		return nil, "", ErrCodeExpired
	}
	if rule := s.cfg.Limits.CodesPerAddress; rule.Max > 0 {
		ok, _, err := s.limiter.Allow(ctx, "code:addr:"+req.AddressHash, rule)
		if err != nil {
			return nil, "", err
		}
		if !ok {
			return nil, "", ErrCodeBudget
		}
	}
	served := flowNamed(req.Flow)
	var row *store.Token
	if served != nil && (served == f || served == f.orElse) {
		row, err = s.store.OpenCode(ctx, bindingHash(served.linkPurpose, binding), served.codePurpose, now)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, "", err
		}
	}
	if row == nil || subtle.ConstantTimeCompare([]byte(row.CodeHash), []byte(codeHash(binding, code))) != 1 {
		left := MaxCodeAttempts - req.Attempts
		logctx.From(ctx).InfoContext(ctx, "account code wrong", "flow", f.Name, "left", left)
		if left <= 0 {
			return nil, "", ErrCodeExpired
		}
		return nil, "", &WrongCodeError{Left: left}
	}
	raw, hash := token.New()
	err = s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		if err := tx.UseToken(ctx, row.ID, now); err != nil {
			return err
		}
		if err := tx.EndCodeRequest(ctx, req.Hash); err != nil {
			return err
		}
		return tx.CreateToken(ctx, &store.Token{UserID: row.UserID, Purpose: served.linkPurpose, Hash: hash, CreatedAt: now,
			ExpiresAt: now.Add(served.ttl(s.cfg)), Email: row.Email})
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, "", ErrCodeExpired
	}
	if err != nil {
		return nil, "", err
	}
	logctx.From(ctx).InfoContext(ctx, "account code verified", "user_id", row.UserID, "flow", served.Name)
	return served, raw, nil
}
