package account

import (
	"context"
	"errors"
	"strings"

	"gatehouse/internal/logctx"
	"gatehouse/internal/paths"
	"gatehouse/internal/store"
)

// Sign-up modes (SIGNUP_MODE): who may create an account.
const (
	// SignupOpen: anyone signs up (the default).
	SignupOpen = "open"
	// SignupApproval: a new account that does not join an existing
	// organisation waits for an operator before it gets any access.
	SignupApproval = "approval"
	// SignupInvite: only invitations create accounts.
	SignupInvite = "invite"
)

// ErrSignupClosed is a sign-up posted while only invitations create
// accounts: nothing was created, stored or sent, whatever the address.
var ErrSignupClosed = errors.New("account: sign-up is by invitation only")

// ErrNotAwaiting means the account an operator named does not wait for
// approval (approved already, or never asked to wait).
var ErrNotAwaiting = errors.New("account: the account is not waiting for approval")

// WaitOperator: a new account waits for an operator (SIGNUP_MODE=approval).
const WaitOperator WaitKind = "operator"

// InviteOnly reports whether only invitations create accounts, so the
// sign-up page says so instead of showing its form.
func (s *Service) InviteOnly() bool { return s.cfg.SignupMode == SignupInvite }

// awaitApproval, in the activation's transaction, holds a new account that
// created an organisation of its own (it joined none that exists) for an
// operator when SIGNUP_MODE=approval, and tells the operators. It reports
// whether the account now waits.
func (s *Service) awaitApproval(ctx context.Context, tx *store.Store, u *store.User, placed Placement, m Meta) (bool, error) {
	if s.cfg.SignupMode != SignupApproval || (placed != PlacedCreated && placed != PlacedBeside) {
		return false, nil
	}
	if err := tx.SetUserApproval(ctx, u.ID, store.ApprovalPending); err != nil {
		return false, err
	}
	u.Approval = store.ApprovalPending
	if err := s.audit(ctx, tx, u.ID, EventAwaitingApproval, m); err != nil {
		return false, err
	}
	e := SignupToApproveEmail{Name: strings.TrimSpace(u.FirstName + " " + u.LastName), Email: u.Email, Company: u.Company}
	to, err := s.approvers(ctx, tx)
	if err != nil {
		return false, err
	}
	for _, r := range to {
		if err := s.enqueue(ctx, tx, r.addr, r.locale, e); err != nil {
			return false, err
		}
	}
	if len(to) == 0 {
		logctx.From(ctx).WarnContext(ctx, "account awaits approval and there is no operator nor SIGNUP_APPROVAL_NOTIFY address to tell", "user_id", u.ID)
	}
	return true, nil
}

type approver struct{ addr, locale string }

// approvers are who is told of a sign-up to approve: every active
// operator in their own language, then each SIGNUP_APPROVAL_NOTIFY
// address not already among them (in its account's language when it has
// one, else English).
func (s *Service) approvers(ctx context.Context, tx *store.Store) ([]approver, error) {
	ops, err := tx.Operators(ctx)
	if err != nil {
		return nil, err
	}
	var out []approver
	seen := map[string]bool{}
	add := func(addr, locale string) {
		addr = strings.ToLower(strings.TrimSpace(addr))
		if addr == "" || seen[addr] {
			return
		}
		seen[addr] = true
		if locale == "" {
			locale = "en"
		}
		out = append(out, approver{addr, locale})
	}
	for _, op := range ops {
		if op.Status == store.UserActive {
			add(op.Email, op.Locale)
		}
	}
	for _, to := range s.cfg.ApprovalNotify {
		locale := ""
		if acc, err := tx.UserByEmail(ctx, to); err == nil {
			locale = acc.Locale
		}
		add(to, locale)
	}
	return out, nil
}

// ApprovalAudience reports whether anyone would be told of a sign-up to
// approve (an active operator or a SIGNUP_APPROVAL_NOTIFY address); the
// binary warns at start-up when SIGNUP_MODE=approval and nobody would.
func (s *Service) ApprovalAudience(ctx context.Context) (bool, error) {
	to, err := s.approvers(ctx, s.store)
	return len(to) > 0, err
}

// ApprovalMode reports whether SIGNUP_MODE=approval.
func (s *Service) ApprovalMode() bool { return s.cfg.SignupMode == SignupApproval }

// CountAwaiting is how many accounts wait for an operator.
func (s *Service) CountAwaiting(ctx context.Context) (int, error) {
	return s.store.CountUsersAwaitingApproval(ctx)
}

// Awaiting is an account waiting for an operator, for the console's queue.
type Awaiting struct {
	User
}

// AwaitingApproval lists the accounts waiting for an operator, oldest
// first, at most limit.
func (s *Service) AwaitingApproval(ctx context.Context, limit int) ([]Awaiting, error) {
	list, err := s.store.UsersAwaitingApproval(ctx, limit)
	if err != nil {
		return nil, err
	}
	out := make([]Awaiting, len(list))
	for i := range list {
		out[i] = Awaiting{User: userView(&list[i])}
	}
	return out, nil
}

// AwaitingPage is one page of the console's queue of accounts waiting
// for an operator.
type AwaitingPage struct {
	Accounts []Awaiting
	// At is the cursor the page starts after ("" at the head of the
	// queue): the one asked for, or the last page's when that emptied.
	At string
	// Next is the cursor of the following page; "" on the last.
	Next string
}

// AwaitingApprovalPage lists the accounts waiting for an operator, oldest
// first, from cursor (a previous page's Next; "" for the head of the
// queue), at most limit. A cursor that does not parse starts at the head;
// one with nobody after it any more (the queue shrank) is the last page.
func (s *Service) AwaitingApprovalPage(ctx context.Context, cursor string, limit int) (AwaitingPage, error) {
	at := parseCursor(cursor)
	list, more, err := s.store.UsersAwaitingApprovalPage(ctx, at, limit)
	if err == nil && len(list) == 0 && !at.IsZero() {
		list, at, err = s.store.UsersAwaitingApprovalLast(ctx, limit)
	}
	if err != nil {
		return AwaitingPage{}, err
	}
	p := AwaitingPage{Accounts: make([]Awaiting, len(list))}
	if !at.IsZero() {
		p.At = formatCursor(at.CreatedAt, at.ID)
	}
	for i := range list {
		p.Accounts[i] = Awaiting{User: userView(&list[i])}
	}
	if more && len(list) > 0 {
		p.Next = formatCursor(list[len(list)-1].CreatedAt, list[len(list)-1].ID)
	}
	return p, nil
}

// ApproveSignup lets an account that waits for an operator in: from its
// next request it has the access of its organisation. Its owner is told
// by email. ErrUnknownUser, or ErrNotAwaiting when it does not wait.
func (s *Service) ApproveSignup(ctx context.Context, email string, by Operator) error {
	err := s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		u, err := s.managedUser(ctx, tx, email)
		if err != nil {
			return err
		}
		if u.Approval != store.ApprovalPending {
			return ErrNotAwaiting
		}
		if err := tx.SetUserApproval(ctx, u.ID, ""); err != nil {
			return err
		}
		if err := s.auditBy(ctx, tx, u.ID, EventApprovedByOperator, by); err != nil {
			return err
		}
		logctx.From(ctx).InfoContext(ctx, "account sign-up approved by operator", "user_id", u.ID, "operator", by.Name)
		return s.enqueue(ctx, tx, u.Email, u.Locale, SignupApprovedEmail{FirstName: u.FirstName, LastName: u.LastName, LoginURL: s.link(paths.Login, "", u.Locale)})
	})
	if err != nil {
		return err
	}
	s.queued()
	return nil
}

// DeclineSignup turns an account that waits for an operator away: it is
// erased as an operator's deletion erases (with the organisation it made,
// which has nobody else), and its owner is told by email.
func (s *Service) DeclineSignup(ctx context.Context, email string, by Operator) error {
	err := s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		u, err := s.managedUser(ctx, tx, email)
		if err != nil {
			return err
		}
		if u.Approval != store.ApprovalPending {
			return ErrNotAwaiting
		}
		// Erased as any deletion erases (erase), which takes along the
		// organisation it made when nobody else is in it.
		if err := s.erase(ctx, tx, u); err != nil {
			return err
		}
		if err := s.auditBy(ctx, tx, 0, EventDeclinedByOperator, by); err != nil {
			return err
		}
		logctx.From(ctx).InfoContext(ctx, "account sign-up declined by operator", "user_id", u.ID, "operator", by.Name)
		// Queued after the erasure, which drops the emails to it not sent yet.
		return s.enqueue(ctx, tx, u.Email, u.Locale, SignupDeclinedEmail{FirstName: u.FirstName, LastName: u.LastName})
	})
	if err != nil {
		return err
	}
	s.queued()
	return nil
}
