package account

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"gatehouse/internal/i18n"
	"gatehouse/internal/logctx"
	"gatehouse/internal/password"
	"gatehouse/internal/paths"
	"gatehouse/internal/store"
	"gatehouse/internal/token"
)

// Two-step verification with an authenticator app: TOTP (RFC 6238) as
// every app reads it from a QR code, six digits every 30 seconds, SHA-1.
const (
	totpPeriod = 30
	totpDigits = otp.DigitsSix
	// totpSkew is how many steps before and after now a code is still
	// accepted: a phone's clock that is a little off, a slow typist.
	totpSkew = 1
	// RecoveryCodeCount is how many recovery codes turning it on gives.
	RecoveryCodeCount = 10
	// PendingSignInTTL is how long the second step waits for its code
	// after a right password.
	PendingSignInTTL = 5 * time.Minute
	qrSize           = 240
)

// ErrBadCode covers a wrong code, a code used already (inside its window
// or a recovery code), and an account whose sign-in is throttled, so the
// second step's answer tells none of them apart.
var ErrBadCode = errors.New("account: wrong code")

// ErrNoPendingSignIn means the browser has no live second step: it never
// had one, it expired, or it was completed; sign-in starts again.
var ErrNoPendingSignIn = errors.New("account: no sign-in awaiting a code")

// ErrTwoStepOn means two-step verification is on already.
var ErrTwoStepOn = errors.New("account: two-step verification is already on")

// ErrNoTwoStepSetup means no setup is waiting for its first code.
var ErrNoTwoStepSetup = errors.New("account: no two-step setup in progress")

// SecondStepRequired is Login's answer to a right password for an account
// with two-step verification: no session yet, only the pending step,
// whose token the browser keeps in a cookie and presents with the code.
type SecondStepRequired struct{ Pending string }

func (*SecondStepRequired) Error() string { return "account: the sign-in needs its second step" }

// TwoStep is the state of an account's two-step verification.
type TwoStep struct {
	On        bool
	Since     time.Time
	CodesLeft int
}

// TwoStepSetup is what the setup page shows: the QR code (PNG) and the
// same secret as text, for typing into an app that cannot scan.
type TwoStepSetup struct {
	Secret string
	URL    string
	QR     []byte
}

// TwoStepStatus tells whether the account has two-step verification on.
func (s *Service) TwoStepStatus(ctx context.Context, u User) (TwoStep, error) {
	sec, err := s.store.TOTPSecretFor(ctx, u.ID)
	if errors.Is(err, store.ErrNotFound) || err == nil && sec.ConfirmedAt == nil {
		return TwoStep{}, nil
	}
	if err != nil {
		return TwoStep{}, err
	}
	left, err := s.store.RecoveryCodesLeft(ctx, u.ID)
	if err != nil {
		return TwoStep{}, err
	}
	return TwoStep{On: true, Since: *sec.ConfirmedAt, CodesLeft: left}, nil
}

// BeginTwoStep makes a new secret for u, waiting for its first code; a
// setup begun before is replaced.
func (s *Service) BeginTwoStep(ctx context.Context, u User) error {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: s.issuer(), AccountName: u.Email, Period: totpPeriod, Digits: totpDigits,
		Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return fmt.Errorf("account: totp key: %w", err)
	}
	stored, err := s.sealSecret(u.ID, key.Secret())
	if err != nil {
		return err
	}
	ok, err := s.store.StartTOTPSetup(ctx, u.ID, stored, s.now())
	if err != nil {
		return err
	}
	if !ok {
		return ErrTwoStepOn
	}
	return nil
}

// TwoStepSetupFor is the setup waiting for u's first code.
func (s *Service) TwoStepSetupFor(ctx context.Context, u User) (TwoStepSetup, error) {
	sec, err := s.store.TOTPSecretFor(ctx, u.ID)
	if errors.Is(err, store.ErrNotFound) {
		return TwoStepSetup{}, ErrNoTwoStepSetup
	}
	if err != nil {
		return TwoStepSetup{}, err
	}
	if sec.ConfirmedAt != nil {
		return TwoStepSetup{}, ErrTwoStepOn
	}
	secret, err := s.openSecret(u.ID, sec.Secret)
	if err != nil {
		return TwoStepSetup{}, err
	}
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		return TwoStepSetup{}, fmt.Errorf("account: stored totp secret: %w", err)
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: s.issuer(), AccountName: u.Email, Period: totpPeriod, Digits: totpDigits,
		Algorithm: otp.AlgorithmSHA1, Secret: raw})
	if err != nil {
		return TwoStepSetup{}, fmt.Errorf("account: totp key: %w", err)
	}
	img, err := key.Image(qrSize, qrSize)
	if err != nil {
		return TwoStepSetup{}, fmt.Errorf("account: qr code: %w", err)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return TwoStepSetup{}, fmt.Errorf("account: qr code: %w", err)
	}
	return TwoStepSetup{Secret: key.Secret(), URL: key.URL(), QR: b.Bytes()}, nil
}

// issuer names Gatehouse in the authenticator app: the public host.
func (s *Service) issuer() string { return s.cfg.BaseURL.Hostname() }

// ConfirmTwoStep turns two-step verification on with the first code from
// the app and returns the recovery codes, shown this once: only their
// hashes are kept. A wrong code is a field error on "code".
func (s *Service) ConfirmTwoStep(ctx context.Context, u User, code string, m Meta) ([]string, error) {
	sec, err := s.store.TOTPSecretFor(ctx, u.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoTwoStepSetup
	}
	if err != nil {
		return nil, err
	}
	if sec.ConfirmedAt != nil {
		return nil, ErrTwoStepOn
	}
	if strings.TrimSpace(code) == "" {
		return nil, FieldErrors{"code": i18n.Msg("error.twostep.code_required")}
	}
	secret, err := s.openSecret(u.ID, sec.Secret)
	if err != nil {
		return nil, err
	}
	now := s.now()
	step, ok := matchStep(secret, code, now)
	if !ok {
		return nil, FieldErrors{"code": i18n.Msg("error.twostep.code_wrong")}
	}
	codes, hashes := newRecoveryCodes()
	err = s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		used, err := tx.UseTOTPStep(ctx, u.ID, step, now)
		if err != nil {
			return err
		}
		if !used {
			return FieldErrors{"code": i18n.Msg("error.twostep.code_wrong")}
		}
		if err := tx.ReplaceRecoveryCodes(ctx, u.ID, hashes, now); err != nil {
			return err
		}
		su, err := tx.UserByID(ctx, u.ID)
		if err != nil {
			return err
		}
		if err := s.twoStepEmail(ctx, tx, su, true, false, now, m); err != nil {
			return err
		}
		return s.audit(ctx, tx, u.ID, EventTwoStepOn, m)
	})
	if err != nil {
		return nil, err
	}
	s.queued()
	logctx.From(ctx).InfoContext(ctx, "account two-step on", "user_id", u.ID)
	return codes, nil
}

// DisableTwoStep turns two-step verification off; it asks for the password
// and a code (or a recovery code), and counts wrong ones against the
// account's sign-in throttle like a sign-in does.
func (s *Service) DisableTwoStep(ctx context.Context, u User, pw, code string, m Meta) error {
	err := s.withPasswordAndCode(ctx, u, pw, code, m, func(ctx context.Context, tx *store.Store, su *store.User, now time.Time) error {
		if _, err := tx.DeleteSecondFactor(ctx, u.ID); err != nil {
			return err
		}
		if err := s.twoStepEmail(ctx, tx, su, false, false, now, m); err != nil {
			return err
		}
		return s.audit(ctx, tx, u.ID, EventTwoStepOff, m)
	})
	if err != nil {
		return err
	}
	s.queued()
	logctx.From(ctx).InfoContext(ctx, "account two-step off", "user_id", u.ID)
	return nil
}

// RenewRecoveryCodes replaces the recovery codes with ten new ones, shown
// this once; like turning it off, it asks for the password and a code.
func (s *Service) RenewRecoveryCodes(ctx context.Context, u User, pw, code string, m Meta) ([]string, error) {
	codes, hashes := newRecoveryCodes()
	err := s.withPasswordAndCode(ctx, u, pw, code, m, func(ctx context.Context, tx *store.Store, su *store.User, now time.Time) error {
		if err := tx.ReplaceRecoveryCodes(ctx, u.ID, hashes, now); err != nil {
			return err
		}
		return s.audit(ctx, tx, u.ID, EventRecoveryCodesRenewed, m)
	})
	if err != nil {
		return nil, err
	}
	logctx.From(ctx).InfoContext(ctx, "account recovery codes renewed", "user_id", u.ID)
	return codes, nil
}

// withPasswordAndCode runs then inside one transaction once the password
// and a code (or recovery code, which is used up) are both right. Either
// wrong, or the account throttled, is one field error on the password,
// and counts against the sign-in throttle.
func (s *Service) withPasswordAndCode(ctx context.Context, u User, pw, code string, m Meta,
	then func(ctx context.Context, tx *store.Store, su *store.User, now time.Time) error) error {
	errs := FieldErrors{}
	if pw == "" {
		errs["current_password"] = i18n.Msg("error.password.required")
	}
	if strings.TrimSpace(code) == "" {
		errs["code"] = i18n.Msg("error.twostep.code_required")
	}
	if len(errs) > 0 {
		return errs
	}
	su, err := s.store.UserByID(ctx, u.ID)
	if err != nil {
		return err
	}
	if on, err := s.TwoStepStatus(ctx, u); err != nil || !on.On {
		return cmpErr(err, ErrNoTwoStepSetup)
	}
	wrong := FieldErrors{"current_password": i18n.Msg("error.twostep.disable_wrong")}
	_, allowed, err := s.store.ReserveLoginAttempt(ctx, u.ID, s.now(), s.cfg.Limits.loginDelay)
	if err != nil && !errors.Is(err, store.ErrContended) {
		return err
	}
	if !allowed {
		return wrong
	}
	pwOK := false
	if _, err := s.hasher.Verify(ctx, pw, su.PasswordHash); err == nil {
		pwOK = true
	} else if errors.Is(err, password.ErrBusy) {
		s.store.ReleaseLoginAttempt(ctx, u.ID)
		return ErrBusy
	}
	now := s.now()
	err = s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		if !pwOK {
			return wrong
		}
		if _, ok, err := s.useSecondFactor(ctx, tx, u.ID, code, now); err != nil || !ok {
			return cmpErr(err, wrong)
		}
		if err := tx.ClearLoginFailures(ctx, u.ID); err != nil {
			return err
		}
		return then(ctx, tx, su, now)
	})
	var fe FieldErrors
	switch {
	case errors.As(err, &fe):
		if _, cerr := s.store.ConfirmLoginFailure(ctx, u.ID, now, s.cfg.Limits.loginDelay); cerr != nil {
			return cerr
		}
		if aerr := s.audit(ctx, s.store, u.ID, EventTwoStepFailed, m); aerr != nil {
			return aerr
		}
		return err
	case err != nil:
		s.store.ReleaseLoginAttempt(ctx, u.ID)
		return err
	}
	return nil
}

// cmpErr is err, or fallback when err is nil.
func cmpErr(err, fallback error) error {
	if err != nil {
		return err
	}
	return fallback
}

// CompleteSignIn is the second step of a sign-in: the code from the app
// or a recovery code, for the sign-in pending behind the browser's token.
// It opens the session (password and one-time code) and returns its
// token, ending the browser's previous session. A wrong code, a code used
// already and a throttled account are all ErrBadCode; the per-account
// throttle counts wrong codes as it counts wrong passwords.
func (s *Service) CompleteSignIn(ctx context.Context, pending, code, previous string, m Meta) (string, error) {
	if !token.WellFormed(pending) {
		return "", ErrNoPendingSignIn
	}
	if err := s.allow(ctx, "login_ip", check{"login:ip:" + s.cfg.Limits.ipKey(m.IP), s.cfg.Limits.LoginPerIP}); err != nil {
		return "", err
	}
	now := s.now()
	p, err := s.store.PendingSignInByHash(ctx, token.Hash(pending), now)
	if errors.Is(err, store.ErrNotFound) {
		return "", ErrNoPendingSignIn
	}
	if err != nil {
		return "", err
	}
	u, err := s.store.UserByID(ctx, p.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return "", ErrNoPendingSignIn
	}
	if err != nil {
		return "", err
	}
	if u.Status != store.UserActive {
		return "", ErrNoPendingSignIn
	}
	log := logctx.From(ctx).With("user_id", u.ID)
	lt, allowed, err := s.store.ReserveLoginAttempt(ctx, u.ID, now, s.cfg.Limits.loginDelay)
	if err != nil && !errors.Is(err, store.ErrContended) {
		return "", err
	}
	if !allowed {
		log.InfoContext(ctx, "account two-step throttled", "failures", lt.Failures)
		return "", ErrBadCode
	}
	var raw string
	var recovery bool
	err = s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		var ok bool
		var err error
		if recovery, ok, err = s.useSecondFactor(ctx, tx, u.ID, code, now); err != nil || !ok {
			return cmpErr(err, ErrBadCode)
		}
		if gone, err := tx.DeletePendingSignIn(ctx, p.Hash); err != nil || !gone {
			return cmpErr(err, ErrNoPendingSignIn)
		}
		if err := tx.ClearLoginFailures(ctx, u.ID); err != nil {
			return err
		}
		var hash string
		if raw, hash, err = s.openSession(ctx, tx, u, previous, methodsOf(MethodPassword, MethodOTP), m); err != nil {
			return err
		}
		if err := s.notify(ctx, tx, WebhookSignedIn, u.PublicID, u.Email, WebhookData{SessionID: sessionPublicID(hash)}); err != nil {
			return err
		}
		if recovery {
			if err := s.audit(ctx, tx, u.ID, EventRecoveryCodeUsed, m); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, u.ID, EventLoginOK, m)
	})
	switch {
	case errors.Is(err, ErrBadCode):
		lt, err := s.store.ConfirmLoginFailure(ctx, u.ID, now, s.cfg.Limits.loginDelay)
		if err != nil {
			return "", err
		}
		err = s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
			if err := s.audit(ctx, tx, u.ID, EventTwoStepFailed, m); err != nil {
				return err
			}
			if !s.cfg.Limits.startsLock(lt.Failures) {
				return nil
			}
			// Someone who knows the password is guessing codes: the owner
			// hears of it, once for the episode, as for wrong passwords.
			return s.enqueue(ctx, tx, u.Email, u.Locale, SignInThrottledEmail{
				FirstName: u.FirstName, LastName: u.LastName, TimeZone: u.TimeZone, Minutes: max(int(s.cfg.Limits.LoginMaxDelay/time.Minute), 1),
				ResetURL: s.link(paths.PasswordForgot, "", u.Locale), At: now.Truncate(time.Second), SecondStep: true,
			})
		})
		if err != nil {
			return "", err
		}
		if s.cfg.Limits.startsLock(lt.Failures) {
			s.queued()
			log.InfoContext(ctx, "account login locked", "failures", lt.Failures, "second_step", true)
		}
		log.InfoContext(ctx, "account two-step failed", "failures", lt.Failures)
		return "", ErrBadCode
	case err != nil:
		if rerr := s.store.ReleaseLoginAttempt(ctx, u.ID); rerr != nil {
			log.WarnContext(ctx, "account login release failed", "err", rerr)
		}
		return "", err
	}
	log.InfoContext(ctx, "account login ok", "second_step", true, "recovery_code", recovery)
	return raw, nil
}

// PendingSignInLive reports whether the browser's pending token names a
// sign-in still waiting for its code.
func (s *Service) PendingSignInLive(ctx context.Context, pending string) (bool, error) {
	if !token.WellFormed(pending) {
		return false, nil
	}
	_, err := s.store.PendingSignInByHash(ctx, token.Hash(pending), s.now())
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// secondStep starts the pending second step of u's sign-in, after a right
// password, and returns its token.
func (s *Service) secondStep(ctx context.Context, u *store.User) (string, error) {
	raw, hash := token.New()
	now := s.now()
	err := s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		if _, err := tx.PurgePendingSignIns(ctx, now); err != nil {
			return err
		}
		return tx.CreatePendingSignIn(ctx, &store.PendingSignIn{Hash: hash, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(PendingSignInTTL)})
	})
	return raw, err
}

// hasTwoStep reports whether the account's sign-in needs a second step.
func (s *Service) hasTwoStep(ctx context.Context, tx *store.Store, userID int64) (bool, error) {
	sec, err := tx.TOTPSecretFor(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return sec.ConfirmedAt != nil, nil
}

// useSecondFactor accepts code for the account once, inside tx: six
// digits are a code from the app, whose time step must be later than the
// last one accepted; anything else is tried as a recovery code, which is
// marked used. recovery tells which it was.
func (s *Service) useSecondFactor(ctx context.Context, tx *store.Store, userID int64, code string, now time.Time) (recovery, ok bool, err error) {
	sec, err := tx.TOTPSecretFor(ctx, userID)
	if errors.Is(err, store.ErrNotFound) || err == nil && sec.ConfirmedAt == nil {
		return false, false, nil
	}
	if err != nil {
		return false, false, err
	}
	if c := digitsOnly(code); len(c) == int(totpDigits) {
		secret, err := s.openSecret(userID, sec.Secret)
		if err != nil {
			return false, false, err
		}
		step, ok := matchStep(secret, c, now)
		if !ok {
			return false, false, nil
		}
		ok, err = tx.UseTOTPStep(ctx, userID, step, now)
		return false, ok, err
	}
	norm := normaliseRecoveryCode(code)
	if len(norm) != recoveryCodeLen {
		return true, false, nil
	}
	ok, err = tx.UseRecoveryCode(ctx, userID, token.Hash(norm), now)
	return true, ok, err
}

// matchStep finds the time step, within totpSkew of now, whose code the
// library computes to be code.
func matchStep(secret, code string, now time.Time) (int64, bool) {
	code = digitsOnly(code)
	if len(code) != int(totpDigits) {
		return 0, false
	}
	cur := now.Unix() / totpPeriod
	opts := totp.ValidateOpts{Period: totpPeriod, Skew: 0, Digits: totpDigits, Algorithm: otp.AlgorithmSHA1}
	for step := cur - totpSkew; step <= cur+totpSkew; step++ {
		if ok, err := totp.ValidateCustom(code, secret, time.Unix(step*totpPeriod, 0), opts); err == nil && ok {
			return step, true
		}
	}
	return 0, false
}

// digitsOnly drops the spaces people type or paste inside a code; any
// other character leaves the code as it is (and wrong).
func digitsOnly(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '-' {
			return -1
		}
		return r
	}, s)
	for _, r := range s {
		if r < '0' || r > '9' {
			return ""
		}
	}
	return s
}

// Recovery codes: 60 random bits each, written in lower-case base32 in
// three groups of four ("abcd-efgh-ijkl").
const recoveryCodeLen = 12

var recoveryAlphabet = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newRecoveryCodes makes the codes to show and the hashes to keep.
func newRecoveryCodes() (codes, hashes []string) {
	for range RecoveryCodeCount {
		var b [8]byte
		rand.Read(b[:])
		c := recoveryAlphabet.EncodeToString(b[:])[:recoveryCodeLen]
		codes = append(codes, c[:4]+"-"+c[4:8]+"-"+c[8:])
		hashes = append(hashes, token.Hash(c))
	}
	return codes, hashes
}

// normaliseRecoveryCode is a typed recovery code as it was made: lower
// case, without the dashes and spaces.
func normaliseRecoveryCode(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '-' || r == ' ' || r == '\t':
			return -1
		case r >= 'A' && r <= 'Z':
			return r + ('a' - 'A')
		}
		return r
	}, strings.TrimSpace(s))
}

// twoStepEmail tells the owner two-step verification was turned on or
// off, from which device and when, and what to do if it was not them.
func (s *Service) twoStepEmail(ctx context.Context, tx *store.Store, u *store.User, on, byOperator bool, now time.Time, m Meta) error {
	at := now.Truncate(time.Second)
	reset := s.link(paths.PasswordForgot, "", u.Locale)
	if on {
		return s.enqueue(ctx, tx, u.Email, u.Locale, TwoStepOnEmail{FirstName: u.FirstName, LastName: u.LastName, TimeZone: u.TimeZone, At: at, Device: DeviceName(m.UserAgent), IP: m.IP, ResetURL: reset})
	}
	e := TwoStepOffEmail{FirstName: u.FirstName, LastName: u.LastName, TimeZone: u.TimeZone, At: at, ResetURL: reset, ByOperator: byOperator}
	if !byOperator {
		e.Device, e.IP = DeviceName(m.UserAgent), m.IP
	}
	return s.enqueue(ctx, tx, u.Email, u.Locale, e)
}

// ResetSecondFactor removes the account's two-step verification for an
// owner who lost both the app and the recovery codes; the owner is told by
// email and the audit trail names the operator (its actor, from the
// console). The account's sessions stay: the owner asked for the way back
// in, not to be signed out, and a session opened with a code was opened
// with one. changed is false when the account had none. The command line
// (`users reset-2fa`) and the console both call it.
func (s *Service) ResetSecondFactor(ctx context.Context, email string, by Operator) (changed bool, err error) {
	err = s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		u, err := s.managedUser(ctx, tx, email)
		if err != nil {
			return err
		}
		if u.ID == by.UserID {
			return ErrSelfTwoStep
		}
		on, err := s.hasTwoStep(ctx, tx, u.ID)
		if err != nil {
			return err
		}
		if _, err := tx.DeleteSecondFactor(ctx, u.ID); err != nil {
			return err
		}
		if !on {
			return nil
		}
		changed = true
		if err := s.twoStepEmail(ctx, tx, u, false, true, s.now(), by.meta()); err != nil {
			return err
		}
		logctx.From(ctx).InfoContext(ctx, "account two-step removed by operator", "user_id", u.ID, "operator", by.Name)
		return s.auditBy(ctx, tx, u.ID, EventTwoStepRemovedByOperator, by)
	})
	if err == nil && changed {
		s.queued()
	}
	return changed, err
}
