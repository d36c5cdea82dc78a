package account

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gatehouse/internal/logctx"
	"gatehouse/internal/store"
)

// ErrUnknownUser means no account has the address an operator named.
var ErrUnknownUser = errors.New("account: no account with that address")

// ErrNotPending means the account already has a password (or is
// disabled), so there is no activation to send.
var ErrNotPending = errors.New("account: the account is not pending activation")

// ErrSelf means an operator tried to disable or delete their own account
// from the console, which would lock them out mid-action; another operator,
// or the command line, can.
var ErrSelf = errors.New("account: an operator cannot disable or delete their own account")

// ErrSelfTwoStep means an operator tried to remove their own two-step
// verification from the console, which would skip the code that turning
// it off asks for; the account page (or another operator) does it.
var ErrSelfTwoStep = fmt.Errorf("%w: nor remove their own two-step verification", ErrSelf)

// ErrNoLinks means emails carry codes only (VERIFICATION_METHOD=code): a
// code works only in the browser that asked, so an operator cannot send one.
var ErrNoLinks = errors.New("account: emails carry no links (verification by code only)")

// Operator is who runs an administrative action; the name is written into
// the audit trail so an event can be traced to a person. From the console
// UserID is the operator's own account (the event's actor) and IP the
// address the request came from; from the command line both are empty.
type Operator struct {
	Name   string
	UserID int64
	IP     string
}

// meta is the request an operator's action is recorded as: the operator
// as its actor (never in the user agent, which is the person's browser and
// shows in their own data export), and no IP for a command that did not
// come over the network.
func (o Operator) meta() Meta { return Meta{IP: o.IP, Operator: o.Name} }

// Managed is an account as an operator sees it: the profile and status,
// never the password hash.
type Managed struct {
	User
	Status       string
	LastSignInAt *time.Time
	// Membership is the person's organisation and role (nil for none);
	// the console's list fills it in.
	Membership *OrgMembership
}

// UserQuery narrows ListUsers: a status (empty for all), a part of the
// email, name or company, and at most Limit accounts.
type UserQuery struct {
	Status string
	Text   string
	Limit  int
}

// Statuses are the account statuses an operator can filter by.
var Statuses = []string{store.UserPending, store.UserActive, store.UserDisabled}

// ListUsers lists accounts newest first.
func (s *Service) ListUsers(ctx context.Context, q UserQuery) ([]Managed, error) {
	rows, err := s.store.ListUsers(ctx, store.UserFilter{Status: q.Status, Query: q.Text, Limit: q.Limit}, string(EventLoginOK))
	if err != nil {
		return nil, err
	}
	out := make([]Managed, len(rows))
	for i := range rows {
		out[i] = Managed{User: userView(&rows[i].User), Status: rows[i].Status, LastSignInAt: rows[i].LastSignInAt}
	}
	return out, nil
}

// UserDetail is everything an operator is shown of one account.
type UserDetail struct {
	Managed
	// LockedUntil is when the sign-in throttle lets the next attempt in;
	// zero when it is not locked.
	LockedUntil time.Time
	Failures    int
	Sessions    []Session
	Events      []AuditEntry
	// TwoStep is the state of the account's two-step verification by an
	// authenticator app, which an operator may remove
	// (ResetSecondFactor); Passkeys how many passkeys it has.
	TwoStep  TwoStep
	Passkeys int
}

// HasSecondFactor reports whether the account has a second factor: an
// authenticator app or a passkey.
func (d UserDetail) HasSecondFactor() bool { return d.TwoStep.On || d.Passkeys > 0 }

// ShowUser is the account with the address, its live sessions, its
// recent audit events and its second factors.
func (s *Service) ShowUser(ctx context.Context, email string) (UserDetail, error) {
	u, err := s.managedUser(ctx, s.store, email)
	if err != nil {
		return UserDetail{}, err
	}
	d := UserDetail{Managed: Managed{User: userView(u), Status: u.Status}}
	if d.LastSignInAt, err = s.store.LastAuditEvent(ctx, u.ID, string(EventLoginOK)); err != nil {
		return UserDetail{}, err
	}
	lt, err := s.store.LoginThrottleFor(ctx, u.ID)
	if err != nil {
		return UserDetail{}, err
	}
	d.Failures = lt.Failures
	if s.now().Before(lt.LockedUntil) {
		d.LockedUntil = lt.LockedUntil
	}
	ov, err := s.Overview(ctx, d.User)
	if err != nil {
		return UserDetail{}, err
	}
	d.Sessions, d.Events = ov.Sessions, ov.Events
	if d.TwoStep, err = s.TwoStepStatus(ctx, d.User); err != nil {
		return UserDetail{}, err
	}
	if d.Passkeys, err = s.store.CountPasskeys(ctx, u.ID); err != nil {
		return UserDetail{}, err
	}
	return d, nil
}

// managedUser is the account with the address; ErrUnknownUser for none.
func (s *Service) managedUser(ctx context.Context, tx *store.Store, email string) (*store.User, error) {
	canon, err := CanonicalEmail(email)
	if err != nil {
		return nil, fmt.Errorf("%w: %q is not an email address", ErrUnknownUser, email)
	}
	u, err := tx.UserByEmail(ctx, canon)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrUnknownUser
	}
	return u, err
}

// DisableUser switches the account off: every session, link and code
// ends, and from then on sign-in answers as for a wrong password (after
// the same work), recovery sends nothing and sign-up sends nothing, just as
// for an address with no account (rule 21). It returns how many sessions
// ended; disabling a disabled account changes nothing.
func (s *Service) DisableUser(ctx context.Context, email string, by Operator) (ended int, changed bool, err error) {
	err = s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		u, err := s.managedUser(ctx, tx, email)
		if err != nil {
			return err
		}
		if u.ID == by.UserID {
			return ErrSelf
		}
		if u.Status == store.UserDisabled {
			return nil
		}
		now := s.now()
		if err := tx.SetUserStatus(ctx, u.ID, u.Status, store.UserDisabled, now); err != nil {
			return err
		}
		changed = true
		if ended, err = tx.DeleteUserSessions(ctx, u.ID, 0); err != nil {
			return err
		}
		if err := s.notifySessionsEnded(ctx, tx, u, ended); err != nil {
			return err
		}
		// An emailed link or code must not outlive the decision.
		if err := tx.RevokeTokens(ctx, u.ID, now, allPurposes()...); err != nil {
			return err
		}
		logctx.From(ctx).InfoContext(ctx, "account disabled by operator", "user_id", u.ID, "operator", by.Name, "sessions_ended", ended)
		return s.auditBy(ctx, tx, u.ID, EventDisabledByOperator, by)
	})
	return ended, changed, err
}

// EnableUser switches a disabled account back on: active again, or pending
// if it never had a password, so it finishes activation as before. It
// returns the status the account is left in; enabling an account that is
// not disabled changes nothing.
func (s *Service) EnableUser(ctx context.Context, email string, by Operator) (status string, changed bool, err error) {
	err = s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		u, err := s.managedUser(ctx, tx, email)
		if err != nil {
			return err
		}
		status = u.Status
		if u.Status != store.UserDisabled {
			return nil
		}
		status = store.UserActive
		if u.PasswordHash == "" {
			status = store.UserPending
		}
		if err := tx.SetUserStatus(ctx, u.ID, store.UserDisabled, status, s.now()); err != nil {
			return err
		}
		changed = true
		logctx.From(ctx).InfoContext(ctx, "account enabled by operator", "user_id", u.ID, "operator", by.Name, "status", status)
		return s.auditBy(ctx, tx, u.ID, EventEnabledByOperator, by)
	})
	return status, changed, err
}

// DeleteUser erases the account exactly as its owner's deletion does
// (erase): profile, sessions, links and codes, the sign-in throttle, the
// code requests and rate counters of its address, every email to it and
// its dev mailbox messages. The audit trail keeps its events, no longer
// tied to anyone, and records the erasure the same way. The platform is
// told (user.deleted); no farewell email is sent, as the owner did not ask.
// It is held by the owner's own rule (deletionBlocked, a
// *DeleteBlockedError): the last owner of an organisation with other
// people in it is not deleted until someone else is made an owner, which
// the operator can do on the organisation's page; an organisation must
// never be left without anyone to run it. An owner alone takes the
// organisation along, as erase does for everyone.
func (s *Service) DeleteUser(ctx context.Context, email string, by Operator) error {
	return s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		u, err := s.managedUser(ctx, tx, email)
		if err != nil {
			return err
		}
		if u.ID == by.UserID {
			return ErrSelf
		}
		if err := s.deletionBlocked(ctx, tx, u); err != nil {
			return err
		}
		if err := s.erase(ctx, tx, u); err != nil {
			return err
		}
		logctx.From(ctx).InfoContext(ctx, "account deleted by operator", "user_id", u.ID, "operator", by.Name)
		return s.auditBy(ctx, tx, 0, EventDeletedByOperator, by)
	})
}

// ResendActivation sends a pending account a fresh activation email, which
// voids the links sent before. No browser asked, so the email carries a
// link and no code.
func (s *Service) ResendActivation(ctx context.Context, email string, by Operator) error {
	if !s.linksOn() {
		return ErrNoLinks
	}
	err := s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		u, err := s.managedUser(ctx, tx, email)
		if err != nil {
			return err
		}
		if u.Status != store.UserPending {
			return fmt.Errorf("%w (it is %s)", ErrNotPending, u.Status)
		}
		m := by.meta()
		if err := s.sendLink(ctx, tx, u, false, Activation, s.now(), m, ""); err != nil {
			return err
		}
		logctx.From(ctx).InfoContext(ctx, "account activation resent by operator", "user_id", u.ID, "operator", by.Name)
		return s.auditBy(ctx, tx, u.ID, EventActivationResentByOperator, by)
	})
	if err != nil {
		return err
	}
	s.queued()
	return nil
}

// EndSessions signs the account out everywhere and returns how many
// sessions ended.
func (s *Service) EndSessions(ctx context.Context, email string, by Operator) (int, error) {
	var n int
	err := s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		u, err := s.managedUser(ctx, tx, email)
		if err != nil {
			return err
		}
		if n, err = tx.DeleteUserSessions(ctx, u.ID, 0); err != nil {
			return err
		}
		if err := s.notifySessionsEnded(ctx, tx, u, n); err != nil {
			return err
		}
		logctx.From(ctx).InfoContext(ctx, "account sessions ended by operator", "user_id", u.ID, "operator", by.Name, "count", n)
		return s.auditBy(ctx, tx, u.ID, EventSessionsEndedByOperator, by)
	})
	return n, err
}

// UnlockUser clears the account's sign-in throttle, for an owner locked
// out by someone guessing; the next wrong passwords count from zero.
func (s *Service) UnlockUser(ctx context.Context, email string, by Operator) error {
	return s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		u, err := s.managedUser(ctx, tx, email)
		if err != nil {
			return err
		}
		if err := tx.ClearLoginFailures(ctx, u.ID); err != nil {
			return err
		}
		logctx.From(ctx).InfoContext(ctx, "account unlocked by operator", "user_id", u.ID, "operator", by.Name)
		return s.auditBy(ctx, tx, u.ID, EventUnlockedByOperator, by)
	})
}

// notifySessionsEnded tells the platform that an operator ended n of the
// account's sessions, as a sign-out would, so it can drop what it keeps
// for them at once.
func (s *Service) notifySessionsEnded(ctx context.Context, tx *store.Store, u *store.User, n int) error {
	if n == 0 {
		return nil
	}
	return s.notify(ctx, tx, WebhookSessionEnded, u.PublicID, u.Email, WebhookData{SessionsEnded: n, Reason: EndedByOperator})
}
