package account

import (
	"context"
	"errors"
	"strings"
	"time"

	"gatehouse/internal/i18n"
	"gatehouse/internal/logctx"
	"gatehouse/internal/password"
	"gatehouse/internal/paths"
	"gatehouse/internal/store"
	"gatehouse/internal/token"
)

// CheckLoginForm is what the sign-in form must hold before it is tried:
// both fields filled in. Nothing else about the address is said.
func CheckLoginForm(email, pw string) FieldErrors {
	errs := FieldErrors{}
	if strings.TrimSpace(email) == "" {
		errs["email"] = i18n.Msg("error.email.required")
	}
	if pw == "" {
		errs["password"] = i18n.Msg("error.password.required")
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// Login checks the credentials and opens a new session, ending the one the
// browser had (previous may be empty). It returns the session token for the
// cookie. Every failure is ErrBadCredentials, after the same argon2id work.
// For an account with two-step verification a right password opens no
// session: the error is *SecondStepRequired, carrying the pending step
// that CompleteSignIn finishes with the code.
func (s *Service) Login(ctx context.Context, email, pw, previous string, m Meta) (string, error) {
	email = strings.TrimSpace(email)
	log := logctx.From(ctx).With("email_hash", logctx.EmailHash(email))
	if err := s.allow(ctx, "login_ip", check{"login:ip:" + s.cfg.Limits.ipKey(m.IP), s.cfg.Limits.LoginPerIP}); err != nil {
		return "", err
	}
	if s.cfg.Policy.TooLong(pw) || len(email) > MaxEmailLen {
		// No stored password can be this long; refuse before hashing.
		return "", ErrBadCredentials
	}
	var u *store.User
	var twoStep bool
	canon, err := CanonicalEmail(email)
	if err == nil {
		u, twoStep, err = s.store.UserForSignIn(ctx, canon)
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
	// The attempt is counted before the hash is checked, in one atomic
	// step, so parallel guesses cannot all pass the same look at the
	// throttle (rule 22).
	lt, allowed, err := s.store.ReserveLoginAttempt(ctx, u.ID, s.now(), s.cfg.Limits.loginDelay)
	if err != nil && !errors.Is(err, store.ErrContended) {
		return "", err
	}
	if !allowed {
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
		// Nothing was checked: the reservation is given back.
		if rerr := s.store.ReleaseLoginAttempt(ctx, u.ID); rerr != nil {
			log.WarnContext(ctx, "account login release failed", "err", rerr)
		}
		return "", ErrBusy
	case err != nil:
		if lt, err = s.store.ConfirmLoginFailure(ctx, u.ID, s.now(), s.cfg.Limits.loginDelay); err != nil {
			return "", err
		}
		if !s.cfg.Limits.startsLock(lt.Failures) {
			if aerr := s.audit(ctx, s.store, u.ID, EventLoginFailed, m); aerr != nil {
				return "", aerr
			}
			log.InfoContext(ctx, "account login failed", "reason", "password", "user_id", u.ID, "failures", lt.Failures)
			return "", ErrBadCredentials
		}
		// This failure locks the account: tell its owner, once for the
		// whole episode, since the answer here must not.
		aerr := s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
			if err := s.audit(ctx, tx, u.ID, EventLoginFailed, m); err != nil {
				return err
			}
			return s.enqueue(ctx, tx, u.Email, u.Locale, SignInThrottledEmail{
				FirstName: u.FirstName,
				LastName:  u.LastName,
				TimeZone:  u.TimeZone,
				Minutes:   max(int(s.cfg.Limits.LoginMaxDelay/time.Minute), 1),
				ResetURL:  s.link(paths.PasswordForgot, "", u.Locale),
				At:        s.now().Truncate(time.Second),
			})
		})
		if aerr != nil {
			return "", aerr
		}
		s.queued()
		log.InfoContext(ctx, "account login locked", "user_id", u.ID, "failures", lt.Failures)
		log.InfoContext(ctx, "account login failed", "reason", "password", "user_id", u.ID, "failures", lt.Failures)
		return "", ErrBadCredentials
	}
	if rehash {
		if h, err := s.hasher.Hash(ctx, pw); err == nil {
			if err := s.store.UpdatePasswordHash(ctx, u.ID, u.PasswordHash, h); err != nil {
				log.WarnContext(ctx, "account rehash failed", "err", err)
			}
		}
	}
	if twoStep {
		// The password was right but is not enough: the reservation is
		// given back without clearing the failures, which the code's
		// attempts go on counting (a right password must not wipe the
		// count of wrong codes).
		if err := s.store.ReleaseLoginAttempt(ctx, u.ID); err != nil {
			return "", err
		}
		pending, err := s.secondStep(ctx, u)
		if err != nil {
			return "", err
		}
		log.InfoContext(ctx, "account login second step", "user_id", u.ID)
		return "", &SecondStepRequired{Pending: pending}
	}
	raw, err := s.openPasswordSession(ctx, u, previous, m)
	if err != nil {
		// Rolled back (the client went away, the database failed): the
		// reservation is given back, or it would hold up the account's
		// other sign-ins until its lease ran out.
		if rerr := s.store.ReleaseLoginAttempt(ctx, u.ID); rerr != nil {
			log.WarnContext(ctx, "account login release failed", "err", rerr)
		}
		return "", err
	}
	log.InfoContext(ctx, "account login ok", "user_id", u.ID)
	return raw, nil
}

// openPasswordSession commits a sign-in whose password was right: the
// reservation and any failures before it cleared, in the same commit as
// the session, its webhook and its audit event.
func (s *Service) openPasswordSession(ctx context.Context, u *store.User, previous string, m Meta) (string, error) {
	if previous == "" && zoneToSet(u, m) == "" {
		// Nothing to change but the new rows (the usual case): written
		// at once, one round trip on PostgreSQL.
		raw, hash := token.New()
		out, err := s.webhooks(WebhookSignedIn, u.PublicID, u.Email, WebhookData{SessionID: sessionPublicID(hash)})
		if err != nil {
			return "", err
		}
		sess := s.newSession(u, hash, methodsOf(MethodPassword), m)
		if err := s.store.CommitSignIn(ctx, u.ID, sess, []*store.AuditEvent{s.newAudit(u.ID, EventLoginOK, m)}, out); err != nil {
			return "", err
		}
		return raw, nil
	}
	var raw string
	err := s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		// The right password clears the reservation and any failures
		// before it, in the same commit as the session.
		if err := tx.ClearLoginFailures(ctx, u.ID); err != nil {
			return err
		}
		var hash string
		var err error
		if raw, hash, err = s.openSession(ctx, tx, u, previous, methodsOf(MethodPassword), m); err != nil {
			return err
		}
		if err := s.notify(ctx, tx, WebhookSignedIn, u.PublicID, u.Email, WebhookData{SessionID: sessionPublicID(hash)}); err != nil {
			return err
		}
		return s.audit(ctx, tx, u.ID, EventLoginOK, m)
	})
	return raw, err
}

// Authenticate returns the user and session behind a session token, and
// records the activity for the idle timeout.
func (s *Service) Authenticate(ctx context.Context, raw string) (User, Session, error) {
	if !token.WellFormed(raw) {
		return User{}, Session{}, ErrNoSession
	}
	now := s.now()
	sess, err := s.store.SessionUserByHash(ctx, token.Hash(raw), now, s.cfg.SessionIdle)
	if errors.Is(err, store.ErrNotFound) {
		return User{}, Session{}, ErrNoSession
	}
	if err != nil {
		return User{}, Session{}, err
	}
	u := sess.User
	if u.Status != store.UserActive {
		// Disabling ends the sessions too; this refuses one that raced it.
		return User{}, Session{}, ErrNoSession
	}
	// A write per request is wasteful; a minute's precision is plenty.
	if now.Sub(sess.LastSeenAt) > time.Minute {
		if err := s.store.TouchSession(ctx, sess.ID, now); err != nil {
			return User{}, Session{}, err
		}
		sess.LastSeenAt = now
	}
	who := withOrg(userView(u), sess.Membership)
	who.hasSecondFactor = sess.SecondFactor
	return who, sessionView(sess), nil
}

// Logout ends the session behind raw, if any, and records it.
func (s *Service) Logout(ctx context.Context, raw string, m Meta) error {
	if !token.WellFormed(raw) {
		return nil
	}
	err := s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		userID, err := tx.EndSession(ctx, token.Hash(raw))
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if s.cfg.Webhooks {
			u, err := tx.UserByID(ctx, userID)
			if err != nil {
				return err
			}
			d := WebhookData{SessionID: sessionPublicID(token.Hash(raw)), SessionsEnded: 1, Reason: EndedSignOut}
			if err := s.notify(ctx, tx, WebhookSessionEnded, u.PublicID, u.Email, d); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, userID, EventLogout, m)
	})
	if err != nil {
		return err
	}
	logctx.From(ctx).InfoContext(ctx, "account logout")
	return nil
}

// EndOtherSessions ends every session of the user but the current one.
func (s *Service) EndOtherSessions(ctx context.Context, u User, current Session, m Meta) (int, error) {
	var n int
	err := s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		var err error
		if n, err = tx.DeleteUserSessions(ctx, u.ID, current.ID); err != nil {
			return err
		}
		if n > 0 {
			if err := s.notify(ctx, tx, WebhookSessionEnded, u.PublicID, u.Email, WebhookData{SessionsEnded: n, Reason: EndedOthers}); err != nil {
				return err
			}
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
	Sessions []Session
	Events   []AuditEntry
}

// Overview lists the user's live sessions and recent security events.
func (s *Service) Overview(ctx context.Context, u User) (Overview, error) {
	sessions, err := s.store.SessionsByUser(ctx, u.ID, s.now(), s.cfg.SessionIdle)
	if err != nil {
		return Overview{}, err
	}
	events, err := s.store.AuditEventsByUser(ctx, u.ID, 50)
	if err != nil {
		return Overview{}, err
	}
	ov := Overview{Sessions: make([]Session, len(sessions))}
	for i := range sessions {
		ov.Sessions[i] = sessionView(&sessions[i])
	}
	for _, e := range events {
		if Event(e.Kind).MessageID() == "" {
			continue // a kind this version does not know
		}
		ov.Events = append(ov.Events, AuditEntry{Kind: Event(e.Kind), At: e.CreatedAt, IP: e.IP, UserAgent: e.UserAgent, Actor: e.Actor})
	}
	return ov, nil
}

// Language is the language a signed-in user's pages use when this browser
// has made no choice of its own (remembered false): the one stored on the
// account, so it follows them to every device. It returns "" to keep the
// request's.
func (s *Service) Language(u *User, remembered bool) string {
	if remembered {
		return ""
	}
	return u.Locale
}

// SetLanguage stores lang as u's language, for the emails and devices that
// follow. Only a choice the person posts calls it, never a GET (rule 32):
// a link anyone can send must not change the language of their mail.
func (s *Service) SetLanguage(ctx context.Context, u *User, lang string) error {
	if lang == "" || u.Locale == lang {
		return nil
	}
	if err := s.store.UpdateUserLocale(ctx, u.ID, lang); err != nil {
		return err
	}
	u.Locale = lang
	return nil
}
