package account

import (
	"context"
	"errors"
	"time"

	"gatehouse/internal/i18n"
	"gatehouse/internal/logctx"
	"gatehouse/internal/password"
	"gatehouse/internal/paths"
	"gatehouse/internal/returnto"
	"gatehouse/internal/store"
	"gatehouse/internal/token"
)

// CheckToken returns the account a link of f belongs to without consuming
// it, so mail scanners that open links change nothing.
func (s *Service) CheckToken(ctx context.Context, f *Flow, raw string) (User, error) {
	u, err := s.tokenUser(ctx, f, raw)
	if err != nil {
		return User{}, err
	}
	return userView(u), nil
}

// OpenLink is the emailed link of f being opened: one use of a token from
// m's client, which must be within the per-IP limit, and a check that
// changes nothing.
func (s *Service) OpenLink(ctx context.Context, f *Flow, raw string, m Meta) error {
	settle, err := s.allowTokenUse(ctx, m)
	if err != nil {
		return err
	}
	_, err = s.tokenUser(ctx, f, raw)
	settle(err)
	return err
}

func (s *Service) tokenUser(ctx context.Context, f *Flow, raw string) (*store.User, error) {
	if !token.WellFormed(raw) {
		return nil, ErrInvalidToken
	}
	t, err := s.store.ValidToken(ctx, token.Hash(raw), f.linkPurpose, s.now())
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrInvalidToken
	}
	if err != nil {
		return nil, err
	}
	u, err := s.store.UserByID(ctx, t.UserID)
	if err == nil && u.Status == store.UserDisabled {
		// Disabling revokes every link; this covers one minted in a race.
		return nil, ErrInvalidToken
	}
	return u, err
}

// EvaluatePassword scores a candidate password for the live checklist with
// the same policy that enforces it, including the link owner's own data.
func (s *Service) EvaluatePassword(ctx context.Context, f *Flow, raw, pw string) (password.Evaluation, error) {
	u, err := s.tokenUser(ctx, f, raw)
	if err != nil {
		return password.Evaluation{}, err
	}
	return s.cfg.Policy.Evaluate(pw, personal(u)), nil
}

// Complete ends flow f with a new password: it consumes the link token,
// sets the password (activating a pending account) and, in one
// transaction, voids every other link and code of every flow, ends every
// session and lifts any sign-in throttle. No session is issued; the owner
// signs in next. A refused password is FieldErrors.
func (s *Service) Complete(ctx context.Context, f *Flow, raw, pw, confirm string, m Meta) error {
	_, err := s.CompleteTo(ctx, f, raw, pw, confirm, m)
	return err
}

// Landing is where a completed flow leads: the sign-in form, filled in
// with Email, and after it ReturnTo (a local path, or "" for the default).
type Landing struct {
	Email    string
	ReturnTo string
	// Notice, when set, is what the sign-in page says instead of the
	// flow's Done: where activation left the person's organisation.
	Notice Notice
}

// CompleteTo is Complete, also telling where the person goes next: the
// deep link kept with the account when the flow began, which is used up
// here, so it is followed once, from whichever device set the password.
// The link's use counts against the per-IP limit only if it fails.
func (s *Service) CompleteTo(ctx context.Context, f *Flow, raw, pw, confirm string, m Meta) (Landing, error) {
	settle, err := s.allowTokenUse(ctx, m)
	if err != nil {
		return Landing{}, err
	}
	l, err := s.complete(ctx, f, raw, pw, confirm, m)
	settle(err)
	return l, err
}

func (s *Service) complete(ctx context.Context, f *Flow, raw, pw, confirm string, m Meta) (Landing, error) {
	u, err := s.tokenUser(ctx, f, raw)
	if err != nil {
		return Landing{}, err
	}
	hash, err := s.newPasswordHash(ctx, u, pw, confirm)
	if err != nil {
		return Landing{}, err
	}
	now := s.now()
	var ended int
	var placed Placement
	err = s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		id, err := tx.ConsumeToken(ctx, token.Hash(raw), f.linkPurpose, now)
		if errors.Is(err, store.ErrNotFound) || (err == nil && id != u.ID) {
			return ErrInvalidToken
		}
		if err != nil {
			return err
		}
		if err := tx.SetUserPassword(ctx, u.ID, hash, now); err != nil {
			return err
		}
		// Whatever links and codes were still open are void once a
		// password is set.
		if err := tx.RevokeTokens(ctx, u.ID, now, allPurposes()...); err != nil {
			return err
		}
		if ended, err = tx.DeleteUserSessions(ctx, u.ID, 0); err != nil {
			return err
		}
		// A new password lifts any sign-in throttle: the owner proved
		// control of the address.
		if err := tx.ClearLoginFailures(ctx, u.ID); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, u.ID, f.completed, m); err != nil {
			return err
		}
		event, reason := WebhookPasswordChanged, EndedPasswordReset
		if f.firstPassword {
			event, reason = WebhookUserActivated, EndedPasswordSet
		}
		if err := s.notify(ctx, tx, event, u.PublicID, u.Email, WebhookData{}); err != nil {
			return err
		}
		if ended > 0 {
			if err := s.notify(ctx, tx, WebhookSessionEnded, u.PublicID, u.Email, WebhookData{SessionsEnded: ended, Reason: reason}); err != nil {
				return err
			}
		}
		if f.placesInOrg {
			if placed, err = s.place(ctx, tx, u, m); err != nil {
				return err
			}
		}
		if u.ReturnTo != "" {
			if err := tx.SetUserReturnTo(ctx, u.ID, ""); err != nil {
				return err
			}
		}
		return s.passwordChangedEmail(ctx, tx, u, f.firstPassword, now, m)
	})
	if err != nil {
		return Landing{}, err
	}
	s.queued()
	logctx.From(ctx).InfoContext(ctx, "account password set", "flow", f.Name, "event", string(f.completed), "user_id", u.ID, "sessions_ended", ended,
		"org_placement", string(placed))
	return Landing{Email: u.Email, ReturnTo: returnto.Clean(u.ReturnTo), Notice: placed.Notice()}, nil
}

// ChangePassword sets a new password for a signed-in user who knows the
// current one. Every other session ends; this one stays, and every open
// recovery link and code is void. Wrong current passwords count toward the
// sign-in throttle, so a stolen session cannot be used to guess it. A
// refusal is FieldErrors naming every problem at once, so the form is not
// sent back again and again for one problem after another; the new
// password may not be the current one, which would change nothing while
// the page said it had.
func (s *Service) ChangePassword(ctx context.Context, who User, current Session, currentPW, pw, confirm string, m Meta) error {
	u, err := s.store.UserByID(ctx, who.ID)
	if err != nil {
		return err
	}
	errs := FieldErrors{}
	for k, v := range s.cfg.Policy.Check(pw, confirm, personal(u)) {
		errs[k] = v
	}
	ok, err := s.checkCurrentPassword(ctx, u, currentPW)
	if err != nil {
		return err
	}
	switch {
	case currentPW == "":
		errs["current_password"] = i18n.Msg("error.password.required")
	case !ok:
		errs["current_password"] = i18n.Msg("error.password.current_wrong")
	case errs["password"].ID == "" && password.Normalize(pw) == password.Normalize(currentPW):
		errs["password"] = i18n.Msg("error.password.same_as_current")
	}
	if len(errs) > 0 {
		return errs
	}
	hash, err := s.hasher.Hash(ctx, pw)
	if err != nil {
		return err
	}
	now := s.now()
	var ended int
	err = s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		if err := tx.SetUserPassword(ctx, u.ID, hash, now); err != nil {
			return err
		}
		if err := tx.RevokeTokens(ctx, u.ID, now, Recovery.linkPurpose, Recovery.codePurpose); err != nil {
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
		if err := s.notify(ctx, tx, WebhookPasswordChanged, u.PublicID, u.Email, WebhookData{}); err != nil {
			return err
		}
		if ended > 0 {
			if err := s.notify(ctx, tx, WebhookSessionEnded, u.PublicID, u.Email, WebhookData{SessionsEnded: ended, Reason: EndedPasswordSet}); err != nil {
				return err
			}
		}
		return s.passwordChangedEmail(ctx, tx, u, false, now, m)
	})
	if err != nil {
		return err
	}
	s.queued()
	logctx.From(ctx).InfoContext(ctx, "account password changed", "user_id", u.ID, "sessions_ended", ended)
	return nil
}

// checkCurrentPassword reports whether pw is u's current password. The
// attempt is counted before it is checked, like a sign-in, so a stolen
// session cannot race guesses past the throttle; a right one clears the
// count, as the owner proved the password.
func (s *Service) checkCurrentPassword(ctx context.Context, u *store.User, pw string) (bool, error) {
	if pw == "" || s.cfg.Policy.TooLong(pw) {
		return false, nil
	}
	_, allowed, err := s.store.ReserveLoginAttempt(ctx, u.ID, s.now(), s.cfg.Limits.loginDelay)
	if err != nil && !errors.Is(err, store.ErrContended) {
		return false, err
	}
	if !allowed {
		return false, nil
	}
	if _, err := s.hasher.Verify(ctx, pw, u.PasswordHash); err != nil {
		if errors.Is(err, password.ErrBusy) {
			if rerr := s.store.ReleaseLoginAttempt(ctx, u.ID); rerr != nil {
				logctx.From(ctx).WarnContext(ctx, "account release failed", "err", rerr)
			}
			return false, ErrBusy
		}
		if _, err := s.store.ConfirmLoginFailure(ctx, u.ID, s.now(), s.cfg.Limits.loginDelay); err != nil {
			return false, err
		}
		return false, nil
	}
	return true, s.store.ClearLoginFailures(ctx, u.ID)
}

// EvaluateNewPassword scores a signed-in user's candidate new password for
// the account page's live checklist, with the policy that enforces it.
func (s *Service) EvaluateNewPassword(ctx context.Context, who User, pw string) (password.Evaluation, error) {
	u, err := s.store.UserByID(ctx, who.ID)
	if err != nil {
		return password.Evaluation{}, err
	}
	return s.cfg.Policy.Evaluate(pw, personal(u)), nil
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
// no token, where it came from, and what to do if it was not the owner.
func (s *Service) passwordChangedEmail(ctx context.Context, tx *store.Store, u *store.User, initial bool, now time.Time, m Meta) error {
	return s.enqueue(ctx, tx, u.Email, u.Locale, PasswordChangedEmail{
		FirstName: u.FirstName,
		LastName:  u.LastName,
		TimeZone:  u.TimeZone,
		Initial:   initial,
		ResetURL:  s.link(paths.PasswordForgot, "", u.Locale),
		ChangedAt: now.Truncate(time.Second),
		Device:    DeviceName(m.UserAgent),
		IP:        m.IP,
	})
}
