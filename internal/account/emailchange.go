package account

import (
	"context"
	"errors"
	"strings"
	"time"

	"gatehouse/internal/i18n"
	"gatehouse/internal/logctx"
	"gatehouse/internal/paths"
	"gatehouse/internal/store"
	"gatehouse/internal/token"
)

// RevertTTL is how long the old address's "this wasn't me" link works.
const RevertTTL = 7 * 24 * time.Hour

// ErrAddressTaken means the address a link would move the account to (or
// back to) now belongs to another account. Only someone who proved that
// address by its link is told so.
var ErrAddressTaken = errors.New("account: the address belongs to another account")

// RequestEmailChange starts moving the signed-in owner's account to
// newEmail. The current password is asked again, so a session left open
// is not enough to take the account. Nothing changes yet: the new address
// is sent the EmailChange flow's link and code, and the old one stays the
// sign-in until it is proven. When another account has the address the
// answer is the same and the owner of that account is told instead, so
// the page reveals nothing of whose addresses exist. A refusal of the
// form is FieldErrors naming every problem.
func (s *Service) RequestEmailChange(ctx context.Context, who User, newEmail, currentPW string, m Meta) (Sent, error) {
	u, err := s.store.UserByID(ctx, who.ID)
	if err != nil {
		return Sent{}, err
	}
	errs := FieldErrors{}
	canon, cerr := CanonicalEmail(newEmail)
	switch {
	case strings.TrimSpace(newEmail) == "":
		errs["new_email"] = i18n.Msg("error.email.required")
	case cerr != nil:
		errs["new_email"] = i18n.Msg("error.email.invalid")
	case canon == strings.ToLower(u.Email):
		errs["new_email"] = i18n.Msg("error.email.same_as_current")
	}
	ok, err := s.checkCurrentPassword(ctx, u, currentPW)
	if err != nil {
		return Sent{}, err
	}
	switch {
	case currentPW == "":
		errs["current_password"] = i18n.Msg("error.password.required")
	case !ok:
		errs["current_password"] = i18n.Msg("error.password.current_wrong")
	}
	if len(errs) > 0 {
		return Sent{}, errs
	}
	if err := s.allowEmail(ctx, canon, m); errors.Is(err, errAddressQuiet) {
		return s.sent(canon, newBinding()), nil
	} else if err != nil {
		return Sent{}, err
	}
	binding := newBinding()
	outcome := "sent"
	err = s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		var err error
		outcome, err = s.changeRequest(ctx, tx, u, canon, binding, s.now(), m)
		return err
	})
	if err != nil {
		return Sent{}, err
	}
	s.queued()
	logctx.From(ctx).InfoContext(ctx, "account email change requested", "user_id", u.ID, "outcome", outcome,
		"email_hash", logctx.EmailHash(canon))
	return s.sent(canon, binding), nil
}

// changeRequest sends the email of a change of u to addr inside tx: the
// flow's link and code when the address is free, else the notice to the
// account that has it. Either way the requester's trail and the browser's
// code request read the same.
func (s *Service) changeRequest(ctx context.Context, tx *store.Store, u *store.User, addr, binding string, now time.Time, m Meta) (string, error) {
	other, err := tx.UserByEmail(ctx, addr)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	if err == nil && other.ID != u.ID {
		if err := s.codeRequest(ctx, tx, binding, EmailChange, nil, addr, now); err != nil {
			return "", err
		}
		if err := s.audit(ctx, tx, u.ID, EmailChange.requested, m); err != nil {
			return "", err
		}
		if other.Status == store.UserDisabled {
			return "refused, disabled", nil
		}
		// The owner hears of it without the requester's IP or device: the
		// requester may be innocent, and is owed the same privacy.
		if err := s.audit(ctx, tx, other.ID, EventEmailClaimRefused, Meta{}); err != nil {
			return "", err
		}
		return "refused", s.enqueue(ctx, tx, other.Email, other.Locale, AddressInUseEmail{
			FirstName: other.FirstName,
			LastName:  other.LastName,
			TimeZone:  other.TimeZone,
			LoginURL:  s.link(paths.Login, "", other.Locale),
			ResetURL:  s.link(paths.PasswordForgot, "", other.Locale),
			At:        now.Truncate(time.Second),
		})
	}
	if err := s.codeRequest(ctx, tx, binding, EmailChange, EmailChange, addr, now); err != nil {
		return "", err
	}
	return "sent", s.sendLinkTo(ctx, tx, u, addr, false, EmailChange, now, m, binding)
}

// resendNewAddress is "send again" of a flow that proves a new address:
// the address is the one the owner's open request names, never the one
// the browser remembers (a cookie could name any), and with no open
// request nothing is sent, with the same answer.
func (s *Service) resendNewAddress(ctx context.Context, f *Flow, prev Sent, m Meta) (Sent, error) {
	if m.Account == 0 {
		return s.sent(prev.Email, newBinding()), nil
	}
	now := s.now()
	t, err := s.store.LatestOpenToken(ctx, m.Account, f.linkPurpose, now)
	if errors.Is(err, store.ErrNotFound) {
		t, err = s.store.LatestOpenToken(ctx, m.Account, f.codePurpose, now)
	}
	if errors.Is(err, store.ErrNotFound) {
		return s.sent(prev.Email, newBinding()), nil
	}
	if err != nil {
		return Sent{}, err
	}
	if err := s.allowEmail(ctx, t.Email, m); errors.Is(err, errAddressQuiet) {
		return s.sent(t.Email, newBinding()), nil
	} else if err != nil {
		return Sent{}, err
	}
	binding := newBinding()
	err = s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		u, err := tx.UserByID(ctx, m.Account)
		if err != nil {
			return err
		}
		_, err = s.changeRequest(ctx, tx, u, t.Email, binding, now, m)
		return err
	})
	if err != nil {
		return Sent{}, err
	}
	s.queued()
	return s.sent(t.Email, binding), nil
}

// AddressChange is what the confirmation page of a change shows.
type AddressChange struct {
	From, To string
}

// changeToken is the open token of purpose behind raw and its account.
func (s *Service) changeToken(ctx context.Context, purpose, raw string) (*store.Token, *store.User, error) {
	if !token.WellFormed(raw) {
		return nil, nil, ErrInvalidToken
	}
	t, err := s.store.ValidToken(ctx, token.Hash(raw), purpose, s.now())
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, ErrInvalidToken
	}
	if err != nil {
		return nil, nil, err
	}
	u, err := s.store.UserByID(ctx, t.UserID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (u.Status != store.UserActive || t.Email == "")) {
		return nil, nil, ErrInvalidToken
	}
	if err != nil {
		return nil, nil, err
	}
	return t, u, nil
}

// CheckEmailChange is the change a link of f (EmailChange) would make,
// without consuming it: opening the link changes nothing.
func (s *Service) CheckEmailChange(ctx context.Context, f *Flow, raw string) (AddressChange, error) {
	t, u, err := s.changeToken(ctx, f.linkPurpose, raw)
	if err != nil {
		return AddressChange{}, err
	}
	return AddressChange{From: u.Email, To: t.Email}, nil
}

// ConfirmEmailChange completes f (EmailChange) for the link's token: in one
// transaction the token is used, the account moves to the new address,
// every other open link and code of the account is void, and the old
// address is sent a notice with a link that undoes the change for
// RevertTTL. Sessions stay: the owner made the change. ErrAddressTaken
// when another account took the address meanwhile.
func (s *Service) ConfirmEmailChange(ctx context.Context, f *Flow, raw string, m Meta) (AddressChange, error) {
	settle, err := s.allowTokenUse(ctx, m)
	if err != nil {
		return AddressChange{}, err
	}
	ch, err := s.confirmEmailChange(ctx, f, raw, m)
	settle(err)
	return ch, err
}

func (s *Service) confirmEmailChange(ctx context.Context, f *Flow, raw string, m Meta) (AddressChange, error) {
	t, u, err := s.changeToken(ctx, f.linkPurpose, raw)
	if err != nil {
		return AddressChange{}, err
	}
	now := s.now()
	ch := AddressChange{From: u.Email, To: t.Email}
	revertRaw, revertHash := token.New()
	err = s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		id, err := tx.ConsumeToken(ctx, token.Hash(raw), f.linkPurpose, now)
		if errors.Is(err, store.ErrNotFound) || (err == nil && id != u.ID) {
			return ErrInvalidToken
		}
		if err != nil {
			return err
		}
		if err := tx.SetUserEmail(ctx, u.ID, t.Email, now); errors.Is(err, store.ErrEmailTaken) {
			return ErrAddressTaken
		} else if err != nil {
			return err
		}
		// Links and codes sent to the old address, or to another new one,
		// no longer speak for the account.
		if err := tx.RevokeTokens(ctx, u.ID, now, allPurposes()...); err != nil {
			return err
		}
		// Earlier revert links stay: each gives back the address it was
		// sent to, so a second change cannot shut out the first owner.
		if err := tx.AddTokens(ctx, &store.Token{UserID: u.ID, Purpose: store.PurposeEmailRevert, Hash: revertHash,
			Email: u.Email, CreatedAt: now, ExpiresAt: now.Add(RevertTTL)}); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, u.ID, f.completed, m); err != nil {
			return err
		}
		if err := s.notify(ctx, tx, WebhookEmailChanged, u.PublicID, t.Email, WebhookData{PreviousEmail: u.Email}); err != nil {
			return err
		}
		return s.enqueue(ctx, tx, u.Email, u.Locale, EmailChangedEmail{
			FirstName:   u.FirstName,
			LastName:    u.LastName,
			TimeZone:    u.TimeZone,
			NewEmail:    t.Email,
			RevertURL:   s.link(paths.EmailRevert, revertRaw, u.Locale),
			RevertUntil: now.Add(RevertTTL).Truncate(time.Second),
			ChangedAt:   now.Truncate(time.Second),
			Device:      DeviceName(m.UserAgent),
			IP:          m.IP,
		})
	})
	if errors.Is(err, ErrAddressTaken) {
		logctx.From(ctx).InfoContext(ctx, "account email change refused", "user_id", u.ID, "reason", "address taken")
		return ch, err
	}
	if err != nil {
		return AddressChange{}, err
	}
	s.queued()
	logctx.From(ctx).InfoContext(ctx, "account email changed", "user_id", u.ID)
	return ch, nil
}

// CheckRevert is what the old address's "this wasn't me" link would do,
// without consuming it: give the account back the address From names.
func (s *Service) CheckRevert(ctx context.Context, raw string) (AddressChange, error) {
	t, u, err := s.changeToken(ctx, store.PurposeEmailRevert, raw)
	if err != nil {
		return AddressChange{}, err
	}
	return AddressChange{From: u.Email, To: t.Email}, nil
}

// OpenRevertLink is the revert link being opened: a use of a token from
// m's client, within the per-IP limit, that changes nothing.
func (s *Service) OpenRevertLink(ctx context.Context, raw string, m Meta) error {
	settle, err := s.allowTokenUse(ctx, m)
	if err != nil {
		return err
	}
	_, err = s.CheckRevert(ctx, raw)
	settle(err)
	return err
}

// RevertEmailChange undoes a change from the old address's link: the
// account gets that address back, every session ends, every open link and
// code (revert links included) is void, and the password is voided too,
// since whoever made the change knew it. It returns a fresh recovery link
// token, so the browser that proved the address goes straight on to
// choose a new password; "Forgot password?" gets there as well later.
func (s *Service) RevertEmailChange(ctx context.Context, raw string, m Meta) (AddressChange, string, error) {
	settle, err := s.allowTokenUse(ctx, m)
	if err != nil {
		return AddressChange{}, "", err
	}
	ch, reset, err := s.revertEmailChange(ctx, raw, m)
	settle(err)
	return ch, reset, err
}

func (s *Service) revertEmailChange(ctx context.Context, raw string, m Meta) (AddressChange, string, error) {
	t, u, err := s.changeToken(ctx, store.PurposeEmailRevert, raw)
	if err != nil {
		return AddressChange{}, "", err
	}
	now := s.now()
	ch := AddressChange{From: u.Email, To: t.Email}
	resetRaw, resetHash := token.New()
	var ended int
	err = s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		id, err := tx.ConsumeToken(ctx, token.Hash(raw), store.PurposeEmailRevert, now)
		if errors.Is(err, store.ErrNotFound) || (err == nil && id != u.ID) {
			return ErrInvalidToken
		}
		if err != nil {
			return err
		}
		// A sign-up of the old address never activated proves nothing,
		// and this link is the proof of the address: such an account
		// (whoever made the change could start one to block the undo) is
		// erased. One that was activated is its owner's, and stays.
		if other, err := tx.UserByEmail(ctx, t.Email); err == nil && other.ID != u.ID && other.Status == store.UserPending {
			if err := s.erase(ctx, tx, other); err != nil {
				return err
			}
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err := tx.SetUserEmail(ctx, u.ID, t.Email, now); errors.Is(err, store.ErrEmailTaken) {
			return ErrAddressTaken
		} else if err != nil {
			return err
		}
		if err := tx.ClearUserPassword(ctx, u.ID, now); err != nil {
			return err
		}
		if err := tx.RevokeTokens(ctx, u.ID, now, append(allPurposes(), store.PurposeEmailRevert)...); err != nil {
			return err
		}
		if ended, err = tx.DeleteUserSessions(ctx, u.ID, 0); err != nil {
			return err
		}
		if err := tx.CreateToken(ctx, &store.Token{UserID: u.ID, Purpose: Recovery.linkPurpose, Hash: resetHash,
			CreatedAt: now, ExpiresAt: now.Add(Recovery.ttl(s.cfg))}); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, u.ID, EventEmailChangeReverted, m); err != nil {
			return err
		}
		if err := s.notify(ctx, tx, WebhookEmailChanged, u.PublicID, t.Email, WebhookData{PreviousEmail: u.Email}); err != nil {
			return err
		}
		if ended > 0 {
			return s.notify(ctx, tx, WebhookSessionEnded, u.PublicID, t.Email, WebhookData{SessionsEnded: ended, Reason: EndedEmailRestored})
		}
		return nil
	})
	if errors.Is(err, ErrAddressTaken) {
		logctx.From(ctx).WarnContext(ctx, "account email revert refused", "user_id", u.ID, "reason", "address taken")
		return ch, "", err
	}
	if err != nil {
		return AddressChange{}, "", err
	}
	logctx.From(ctx).InfoContext(ctx, "account email change reverted", "user_id", u.ID, "sessions_ended", ended)
	return ch, resetRaw, nil
}
