// Package account holds every rule of the sign-up, sign-in and recovery
// flows as plain Go. It knows nothing of HTTP or HTML: handlers call it with
// parsed input and render what it returns.
package account

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"gatehouse/internal/i18n"
	"gatehouse/internal/logctx"
	"gatehouse/internal/password"
	"gatehouse/internal/paths"
	"gatehouse/internal/ratelimit"
	"gatehouse/internal/store"
	"gatehouse/internal/token"
)

// ErrInvalidToken covers unknown, expired, used and wrong-purpose tokens
// alike, so the pages cannot tell them apart.
var ErrInvalidToken = errors.New("account: invalid or expired link")

// ErrBadCredentials covers unknown email, wrong password and accounts that
// are not active yet, so sign-in reveals none of them.
var ErrBadCredentials = errors.New("account: bad credentials")

// ErrNoSession means the session cookie names no live session.
var ErrNoSession = errors.New("account: no session")

// ErrBusy means hashing capacity is exhausted; ask the user to retry soon.
var ErrBusy = password.ErrBusy

// Email kinds written to the outbox; the mail renderer knows each.
const (
	EmailActivation        = "activation"
	EmailAlreadyRegistered = "already_registered"
	EmailReset             = "reset"
	EmailPasswordChanged   = "password_changed"
)

// Audit event kinds.
const (
	EventRegistered      = "registered"
	EventRegisterExists  = "register_existing"
	EventActivated       = "activated"
	EventLoginOK         = "login_ok"
	EventLoginFailed     = "login_failed"
	EventLogout          = "logout"
	EventResetRequested  = "reset_requested"
	EventPasswordReset   = "password_reset"
	EventSessionsRevoked = "sessions_revoked"
)

// Config holds the settings the flows need.
type Config struct {
	BaseURL         *url.URL
	ActivationTTL   time.Duration
	ResetTTL        time.Duration
	SessionIdle     time.Duration
	SessionAbsolute time.Duration
	Policy          password.Policy
	// Verification is how emails let people prove the address: a link, a
	// code, or both (VerificationBoth, the default when empty).
	Verification string
	Limits       Limits
}

// Service runs the flows against the store.
type Service struct {
	store  *store.Store
	hasher *password.Hasher
	cfg    Config
	// Now is the clock; tests replace it to move through expiry.
	Now func() time.Time
	// Queued is called after a transaction that wrote to the outbox has
	// committed, so the worker sends at once instead of at its next poll.
	Queued func()
	// Limiter enforces cfg.Limits; nil enforces none.
	Limiter *ratelimit.Limiter
	dummy   string
}

// New returns a Service. It hashes a dummy password once so that sign-in
// with an unknown address costs as much as with a known one.
func New(st *store.Store, hasher *password.Hasher, cfg Config) (*Service, error) {
	dummy, err := hasher.Hash(context.Background(), "gatehouse dummy password for unknown accounts")
	if err != nil {
		return nil, fmt.Errorf("account: dummy hash: %w", err)
	}
	if cfg.Limits == (Limits{}) {
		cfg.Limits = DefaultLimits
	}
	return &Service{store: st, hasher: hasher, cfg: cfg, Now: time.Now, Queued: func() {}, dummy: dummy}, nil
}

// Policy is the password policy in force, for pages that describe it.
func (s *Service) Policy() password.Policy { return s.cfg.Policy }

// Meta is what the flows know of the request that triggered them.
type Meta struct {
	IP        string
	UserAgent string
	Locale    string
	// Binding is a random secret held in the browser that asked for an
	// email; the email's code works only together with it.
	Binding string
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// link builds an emailed link from BASE_URL (never from the request's
// Host), carrying the token if any and the recipient's language, so the
// journey continues in it whichever browser opens the link.
func (s *Service) link(path, raw, locale string) string {
	u := *s.cfg.BaseURL
	u.Path += path
	var q []string
	if raw != "" {
		q = append(q, "token="+url.QueryEscape(raw))
	}
	if locale != "" {
		q = append(q, "lang="+url.QueryEscape(locale))
	}
	u.RawQuery = strings.Join(q, "&")
	return u.String()
}

// enqueue writes one email to the outbox inside tx.
func (s *Service) enqueue(ctx context.Context, tx *store.Store, kind, to, locale string, data map[string]string) error {
	b, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("account: encode %s email: %w", kind, err)
	}
	return tx.Enqueue(ctx, &store.OutboxMessage{Kind: kind, Recipient: to, Locale: locale, Data: string(b), CreatedAt: s.now()})
}

func (s *Service) audit(ctx context.Context, tx *store.Store, userID int64, kind string, m Meta) error {
	e := &store.AuditEvent{Kind: kind, IP: clip(m.IP, 64), UserAgent: clip(m.UserAgent, 512), CreatedAt: s.now()}
	if userID != 0 {
		e.UserID = &userID
	}
	return tx.AddAuditEvent(ctx, e)
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Register starts a sign-up. Whether the address is new, pending or already
// active, the caller gets the same nil answer; only the email differs:
// an activation link, or "you already have an account".
func (s *Service) Register(ctx context.Context, r Registration, m Meta) error {
	r.Normalize()
	if errs := r.Validate(); errs != nil {
		return errs
	}
	if err := s.allowEmail(ctx, r.Get("email"), m); err != nil {
		return err
	}
	now := s.now()
	var event string
	err := s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		u := &store.User{Locale: m.Locale, Status: store.UserPending, CreatedAt: now, UpdatedAt: now}
		r.user(u)
		created, err := tx.CreateUserIfAbsent(ctx, u)
		if err != nil {
			return err
		}
		if !created {
			existing, err := tx.UserByEmail(ctx, r.Get("email"))
			if err != nil {
				return err
			}
			if existing.Status == store.UserActive {
				event = EventRegisterExists
				if err := s.audit(ctx, tx, existing.ID, event, m); err != nil {
					return err
				}
				return s.enqueue(ctx, tx, EmailAlreadyRegistered, existing.Email, existing.Locale, map[string]string{
					"FirstName": existing.FirstName,
					"LoginURL":  s.link(paths.Login, "", existing.Locale),
					"ResetURL":  s.link(paths.PasswordForgot, "", existing.Locale),
				})
			}
			// Still pending: the newest details win, and a fresh link
			// replaces the old one.
			u.ID = existing.ID
			if err := tx.UpdateUserProfile(ctx, u, profileColumns...); err != nil {
				return err
			}
		}
		event = EventRegistered
		return s.sendLink(ctx, tx, u, created, store.PurposeActivation, now, m)
	})
	if err != nil {
		return err
	}
	s.Queued()
	logctx.From(ctx).InfoContext(ctx, "account registration", "event", event, "email_hash", logctx.EmailHash(r.Get("email")))
	return nil
}

// CheckToken returns the user a link belongs to without consuming it, so
// mail scanners that open links change nothing.
func (s *Service) CheckToken(ctx context.Context, purpose, raw string) (*store.User, error) {
	if !token.WellFormed(raw) {
		return nil, ErrInvalidToken
	}
	t, err := s.store.ValidToken(ctx, token.Hash(raw), purpose, s.now())
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrInvalidToken
	}
	if err != nil {
		return nil, err
	}
	return s.store.UserByID(ctx, t.UserID)
}

// SetPassword completes sign-up: it consumes the activation token, sets the
// password and activates the account in one transaction. No session is
// issued; the user signs in next.
func (s *Service) SetPassword(ctx context.Context, raw, pw, confirm string, m Meta) error {
	return s.completeWithToken(ctx, store.PurposeActivation, EventActivated, raw, pw, confirm, m)
}

// ResetPassword completes recovery: it consumes the reset token, sets the
// password and ends every session of the user.
func (s *Service) ResetPassword(ctx context.Context, raw, pw, confirm string, m Meta) error {
	return s.completeWithToken(ctx, store.PurposeReset, EventPasswordReset, raw, pw, confirm, m)
}

func (s *Service) completeWithToken(ctx context.Context, purpose, event, raw, pw, confirm string, m Meta) error {
	u, err := s.CheckToken(ctx, purpose, raw)
	if err != nil {
		return err
	}
	hash, err := s.newPasswordHash(ctx, u, pw, confirm)
	if err != nil {
		return err
	}
	now := s.now()
	var ended int
	err = s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		id, err := tx.ConsumeToken(ctx, token.Hash(raw), purpose, now)
		if errors.Is(err, store.ErrNotFound) || (err == nil && id != u.ID) {
			return ErrInvalidToken
		}
		if err != nil {
			return err
		}
		if err := tx.SetUserPassword(ctx, u.ID, hash, now); err != nil {
			return err
		}
		// Whatever links were still open are void once a password is set.
		for _, p := range []string{store.PurposeActivation, store.PurposeReset} {
			if err := tx.RevokeTokens(ctx, u.ID, p, now); err != nil {
				return err
			}
		}
		if ended, err = tx.DeleteUserSessions(ctx, u.ID, 0); err != nil {
			return err
		}
		// A new password lifts any sign-in throttle: the owner proved
		// control of the address.
		if err := tx.ClearLoginFailures(ctx, u.ID); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, u.ID, event, m); err != nil {
			return err
		}
		return s.passwordChangedEmail(ctx, tx, u, purpose == store.PurposeActivation, now)
	})
	if err != nil {
		return err
	}
	s.Queued()
	logctx.From(ctx).InfoContext(ctx, "account password set", "event", event, "user_id", u.ID, "sessions_ended", ended)
	return nil
}

// RequestReset starts recovery. Known, pending and unknown addresses get the
// same nil answer: an active account gets a reset link, a pending one a fresh
// activation link, an unknown address nothing. The account itself is not
// changed, so the old password keeps working until the reset completes.
func (s *Service) RequestReset(ctx context.Context, email string, m Meta) error {
	canon, err := CanonicalEmail(email)
	if err != nil {
		return err
	}
	if err := s.allowEmail(ctx, canon, m); err != nil {
		return err
	}
	now := s.now()
	outcome := "unknown"
	err = s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		u, err := tx.UserByEmail(ctx, canon)
		if errors.Is(err, store.ErrNotFound) {
			return s.audit(ctx, tx, 0, EventResetRequested, m)
		}
		if err != nil {
			return err
		}
		if u.Status != store.UserActive {
			outcome = "pending"
			return s.sendLink(ctx, tx, u, false, store.PurposeActivation, now, m)
		}
		outcome = "active"
		return s.sendLink(ctx, tx, u, false, store.PurposeReset, now, m)
	})
	if err != nil {
		return err
	}
	s.Queued()
	logctx.From(ctx).InfoContext(ctx, "account reset requested", "outcome", outcome, "email_hash", logctx.EmailHash(canon))
	return nil
}

// Login checks the credentials and opens a new session, ending the one the
// browser had (previous may be empty). It returns the session token for the
// cookie. Every failure is ErrBadCredentials, after the same argon2id work.
func (s *Service) Login(ctx context.Context, email, pw, previous string, m Meta) (string, error) {
	log := logctx.From(ctx).With("email_hash", logctx.EmailHash(email))
	if err := s.allow(ctx, "login_ip", check{"login:ip:" + m.IP, s.cfg.Limits.LoginPerIP}); err != nil {
		return "", err
	}
	if utf8.RuneCountInString(pw) > s.cfg.Policy.MaxLength || len(email) > MaxEmailLen {
		// No stored password can be this long; refuse before hashing.
		return "", ErrBadCredentials
	}
	var u *store.User
	canon, err := CanonicalEmail(email)
	if err == nil {
		u, err = s.store.UserByEmail(ctx, canon)
	} else {
		err = store.ErrNotFound // not an address: no account, same work below
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	if err != nil {
		u = nil
	}
	if u == nil || u.Status != store.UserActive || u.PasswordHash == "" {
		if _, err := s.hasher.Verify(ctx, pw, s.dummy); errors.Is(err, password.ErrBusy) {
			return "", ErrBusy
		}
		log.InfoContext(ctx, "account login failed", "reason", "no active account")
		return "", ErrBadCredentials
	}
	lt, err := s.store.LoginThrottleFor(ctx, u.ID)
	if err != nil {
		return "", err
	}
	if s.now().Before(lt.LockedUntil) {
		// Throttled: the same work and the same answer as a wrong password.
		if _, err := s.hasher.Verify(ctx, pw, s.dummy); errors.Is(err, password.ErrBusy) {
			return "", ErrBusy
		}
		log.InfoContext(ctx, "account login throttled", "user_id", u.ID, "failures", lt.Failures)
		return "", ErrBadCredentials
	}
	rehash, err := s.hasher.Verify(ctx, pw, u.PasswordHash)
	switch {
	case errors.Is(err, password.ErrBusy):
		return "", ErrBusy
	case err != nil:
		if aerr := s.audit(ctx, s.store, u.ID, EventLoginFailed, m); aerr != nil {
			return "", aerr
		}
		lt, terr := s.store.RecordLoginFailure(ctx, u.ID, s.now(), s.cfg.Limits.loginDelay)
		if terr != nil {
			return "", terr
		}
		log.InfoContext(ctx, "account login failed", "reason", "password", "user_id", u.ID, "failures", lt.Failures)
		return "", ErrBadCredentials
	}
	if lt.Failures > 0 {
		if err := s.store.ClearLoginFailures(ctx, u.ID); err != nil {
			return "", err
		}
	}
	if rehash {
		if h, err := s.hasher.Hash(ctx, pw); err == nil {
			if err := s.store.UpdatePasswordHash(ctx, u.ID, u.PasswordHash, h); err != nil {
				log.WarnContext(ctx, "account rehash failed", "err", err)
			}
		}
	}
	raw, hash := token.New()
	now := s.now()
	err = s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		if previous != "" {
			if err := tx.DeleteSession(ctx, token.Hash(previous)); err != nil {
				return err
			}
		}
		sess := &store.Session{UserID: u.ID, Hash: hash, CreatedAt: now, LastSeenAt: now,
			ExpiresAt: now.Add(s.cfg.SessionAbsolute), IP: clip(m.IP, 64), UserAgent: clip(m.UserAgent, 512)}
		if err := tx.CreateSession(ctx, sess); err != nil {
			return err
		}
		return s.audit(ctx, tx, u.ID, EventLoginOK, m)
	})
	if err != nil {
		return "", err
	}
	log.InfoContext(ctx, "account login ok", "user_id", u.ID)
	return raw, nil
}

// Authenticate returns the user and session behind a session token, and
// records the activity for the idle timeout.
func (s *Service) Authenticate(ctx context.Context, raw string) (*store.User, *store.Session, error) {
	if !token.WellFormed(raw) {
		return nil, nil, ErrNoSession
	}
	now := s.now()
	sess, err := s.store.SessionByHash(ctx, token.Hash(raw), now, s.cfg.SessionIdle)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, ErrNoSession
	}
	if err != nil {
		return nil, nil, err
	}
	u, err := s.store.UserByID(ctx, sess.UserID)
	if err != nil {
		return nil, nil, err
	}
	// A write per request is wasteful; a minute's precision is plenty.
	if now.Sub(sess.LastSeenAt) > time.Minute {
		if err := s.store.TouchSession(ctx, sess.ID, now); err != nil {
			return nil, nil, err
		}
		sess.LastSeenAt = now
	}
	return u, sess, nil
}

// Logout ends the session behind raw, if any.
func (s *Service) Logout(ctx context.Context, raw string, m Meta) error {
	if !token.WellFormed(raw) {
		return nil
	}
	if err := s.store.DeleteSession(ctx, token.Hash(raw)); err != nil {
		return err
	}
	logctx.From(ctx).InfoContext(ctx, "account logout")
	return nil
}

// EndOtherSessions ends every session of the user but the current one.
func (s *Service) EndOtherSessions(ctx context.Context, u *store.User, current *store.Session, m Meta) (int, error) {
	var n int
	err := s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		var err error
		if n, err = tx.DeleteUserSessions(ctx, u.ID, current.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, u.ID, EventSessionsRevoked, m)
	})
	if err != nil {
		return 0, err
	}
	logctx.From(ctx).InfoContext(ctx, "account sessions revoked", "user_id", u.ID, "count", n)
	return n, nil
}

// Overview is what the account page shows besides the profile.
type Overview struct {
	Sessions []store.Session
	Events   []store.AuditEvent
}

// Overview lists the user's live sessions and recent security events.
func (s *Service) Overview(ctx context.Context, u *store.User) (Overview, error) {
	sessions, err := s.store.SessionsByUser(ctx, u.ID, s.now(), s.cfg.SessionIdle)
	if err != nil {
		return Overview{}, err
	}
	events, err := s.store.AuditEventsByUser(ctx, u.ID, 10)
	if err != nil {
		return Overview{}, err
	}
	return Overview{Sessions: sessions, Events: events}, nil
}

// EvaluatePassword scores a candidate password for the live checklist with
// the same policy that enforces it, including the link owner's own data.
func (s *Service) EvaluatePassword(ctx context.Context, purpose, raw, pw string) (password.Evaluation, error) {
	u, err := s.CheckToken(ctx, purpose, raw)
	if err != nil {
		return password.Evaluation{}, err
	}
	return s.cfg.Policy.Evaluate(pw, personal(u)), nil
}

// SetLocale remembers the language a signed-in user chose, for the pages
// and emails that follow.
func (s *Service) SetLocale(ctx context.Context, u *store.User, locale string) error {
	if u.Locale == locale {
		return nil
	}
	if err := s.store.UpdateUserLocale(ctx, u.ID, locale); err != nil {
		return err
	}
	u.Locale = locale
	return nil
}

// EventPasswordChanged is a password changed from the account page.
const EventPasswordChanged = "password_changed"

// ChangePassword sets a new password for a signed-in user who knows the
// current one. Every other session ends; this one stays. Wrong current
// passwords count toward the sign-in throttle, so a stolen session cannot
// be used to guess it.
func (s *Service) ChangePassword(ctx context.Context, u *store.User, current *store.Session, currentPW, pw, confirm string, m Meta) error {
	lt, err := s.store.LoginThrottleFor(ctx, u.ID)
	if err != nil {
		return err
	}
	wrong := FieldErrors{"current_password": i18n.Msg("error.password.current_wrong")}
	if s.now().Before(lt.LockedUntil) || utf8.RuneCountInString(currentPW) > s.cfg.Policy.MaxLength {
		return wrong
	}
	if _, err := s.hasher.Verify(ctx, currentPW, u.PasswordHash); err != nil {
		if errors.Is(err, password.ErrBusy) {
			return ErrBusy
		}
		if _, err := s.store.RecordLoginFailure(ctx, u.ID, s.now(), s.cfg.Limits.loginDelay); err != nil {
			return err
		}
		return wrong
	}
	hash, err := s.newPasswordHash(ctx, u, pw, confirm)
	if err != nil {
		return err
	}
	now := s.now()
	var ended int
	err = s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		if err := tx.SetUserPassword(ctx, u.ID, hash, now); err != nil {
			return err
		}
		if err := tx.RevokeTokens(ctx, u.ID, store.PurposeReset, now); err != nil {
			return err
		}
		if ended, err = tx.DeleteUserSessions(ctx, u.ID, current.ID); err != nil {
			return err
		}
		if err := tx.ClearLoginFailures(ctx, u.ID); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, u.ID, EventPasswordChanged, m); err != nil {
			return err
		}
		return s.passwordChangedEmail(ctx, tx, u, false, now)
	})
	if err != nil {
		return err
	}
	s.Queued()
	logctx.From(ctx).InfoContext(ctx, "account password changed", "user_id", u.ID, "sessions_ended", ended)
	return nil
}

func personal(u *store.User) password.Personal {
	return password.Personal{Email: u.Email, FirstName: u.FirstName, LastName: u.LastName, Company: u.Company}
}

// newPasswordHash applies the policy to a new password of u and hashes it.
func (s *Service) newPasswordHash(ctx context.Context, u *store.User, pw, confirm string) (string, error) {
	if probs := s.cfg.Policy.Check(pw, confirm, personal(u)); probs != nil {
		return "", FieldErrors(probs)
	}
	return s.hasher.Hash(ctx, pw)
}

// passwordChangedEmail queues "your password was set/changed": no password,
// no token, and what to do if it was not the owner.
func (s *Service) passwordChangedEmail(ctx context.Context, tx *store.Store, u *store.User, initial bool, now time.Time) error {
	return s.enqueue(ctx, tx, EmailPasswordChanged, u.Email, u.Locale, map[string]string{
		"FirstName": u.FirstName,
		"Initial":   fmt.Sprint(initial),
		"ResetURL":  s.link(paths.PasswordForgot, "", u.Locale),
		"ChangedAt": now.Format(time.RFC3339),
	})
}
