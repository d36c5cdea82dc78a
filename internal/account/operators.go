package account

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gatehouse/internal/i18n"
	"gatehouse/internal/logctx"
	"gatehouse/internal/password"
	"gatehouse/internal/store"
)

// ErrNotActive means the account named for the operator role has not
// finished activation or is disabled: only a working account may run the
// console.
var ErrNotActive = errors.New("account: the account is not active")

// ReauthAfter is how long a typed password vouches for a destructive
// action in the console; after it the password is asked for again.
const ReauthAfter = 15 * time.Minute

// GrantOperator gives the account with the address the operator role. The
// account must exist and be active. It reports whether anything changed.
func (s *Service) GrantOperator(ctx context.Context, email string, by Operator) (bool, error) {
	return s.setOperator(ctx, email, true, by)
}

// RevokeOperator removes the operator role; the console answers that
// account's next request with 404. It reports whether anything changed.
func (s *Service) RevokeOperator(ctx context.Context, email string, by Operator) (bool, error) {
	return s.setOperator(ctx, email, false, by)
}

func (s *Service) setOperator(ctx context.Context, email string, on bool, by Operator) (changed bool, err error) {
	err = s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		u, err := s.managedUser(ctx, tx, email)
		if err != nil {
			return err
		}
		if on && u.Status != store.UserActive {
			return fmt.Errorf("%w (it is %s)", ErrNotActive, u.Status)
		}
		if u.Operator == on {
			return nil
		}
		if err := tx.SetOperator(ctx, u.ID, on, s.now()); err != nil {
			return err
		}
		changed = true
		kind := EventOperatorGranted
		if !on {
			kind = EventOperatorRevoked
		}
		logctx.From(ctx).InfoContext(ctx, "operator role changed", "user_id", u.ID, "operator", by.Name, "granted", on)
		return s.auditBy(ctx, tx, u.ID, kind, by)
	})
	return changed, err
}

// Operators lists the accounts with the operator role.
func (s *Service) Operators(ctx context.Context) ([]Managed, error) {
	list, err := s.store.Operators(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Managed, len(list))
	for i := range list {
		out[i] = Managed{User: userView(&list[i]), Status: list[i].Status}
	}
	return out, nil
}

// IsOperator reports whether u, signed in with an active account (which
// Authenticate alone hands out), may use the console.
func IsOperator(u *User) bool { return u != nil && u.Operator }

// NeedsReauth reports whether the session's password (its auth_time) was
// entered too long ago to vouch for a destructive action.
func (s *Service) NeedsReauth(sess Session) bool {
	return sess.AuthTime.IsZero() || s.now().Sub(sess.AuthTime) > ReauthAfter
}

// ConfirmPassword checks the signed-in operator's password before a
// destructive action and, when it is right, records on the session that it
// was just entered (its auth_time, which the platform's identity tokens
// carry too). A wrong password counts against the account's sign-in
// throttle, as at sign-in, and is a field error on reauth_password.
func (s *Service) ConfirmPassword(ctx context.Context, u User, sess Session, pw string, m Meta) error {
	wrong := FieldErrors{"reauth_password": i18n.Msg("error.password.current_wrong")}
	if pw == "" {
		return FieldErrors{"reauth_password": i18n.Msg("error.password.required")}
	}
	if s.cfg.Policy.TooLong(pw) {
		return wrong
	}
	su, err := s.store.UserByID(ctx, u.ID)
	if err != nil {
		return err
	}
	lt, allowed, err := s.store.ReserveLoginAttempt(ctx, su.ID, s.now(), s.cfg.Limits.loginDelay)
	if err != nil && !errors.Is(err, store.ErrContended) {
		return err
	}
	if !allowed {
		logctx.From(ctx).InfoContext(ctx, "operator password confirmation throttled", "user_id", su.ID, "failures", lt.Failures)
		return wrong
	}
	if _, err := s.hasher.Verify(ctx, pw, su.PasswordHash); err != nil {
		if errors.Is(err, password.ErrBusy) {
			_ = s.store.ReleaseLoginAttempt(ctx, su.ID)
			return ErrBusy
		}
		if _, err := s.store.ConfirmLoginFailure(ctx, su.ID, s.now(), s.cfg.Limits.loginDelay); err != nil {
			return err
		}
		if err := s.audit(ctx, s.store, su.ID, EventLoginFailed, m); err != nil {
			return err
		}
		return wrong
	}
	err = s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		if err := tx.ClearLoginFailures(ctx, su.ID); err != nil {
			return err
		}
		if err := tx.SetSessionPassword(ctx, sess.ID, s.now()); err != nil {
			return err
		}
		return s.audit(ctx, tx, su.ID, EventPasswordConfirmed, m)
	})
	if err != nil {
		// Rolled back: the reservation is given back (as in Login).
		_ = s.store.ReleaseLoginAttempt(ctx, su.ID)
	}
	return err
}
