package account

import (
	"context"
	"errors"

	"gatehouse/internal/store"
)

// ErrForbidden is an organisation action by someone whose role does not
// allow it (or who belongs to no organisation); nothing was changed.
var ErrForbidden = errors.New("account: not allowed for this role")

// Roles in an organisation, from the most to the least powerful.
const (
	RoleOwner  = store.RoleOwner
	RoleAdmin  = store.RoleAdmin
	RoleMember = store.RoleMember
)

// Roles lists the roles, most powerful first.
var Roles = []string{RoleOwner, RoleAdmin, RoleMember}

// validRole reports whether r names a role.
func validRole(r string) bool {
	return r == RoleOwner || r == RoleAdmin || r == RoleMember
}

// managesMembers reports whether role may invite and manage members.
func managesMembers(role string) bool { return role == RoleOwner || role == RoleAdmin }

// mayGrant reports whether someone of role actor may give role r: only
// owners make owners.
func mayGrant(actor, r string) bool {
	return managesMembers(actor) && (r != RoleOwner || actor == RoleOwner)
}

// activeMembership is the person's active membership with its
// organisation; ErrForbidden when they have none (or only a request).
func (s *Service) activeMembership(ctx context.Context, tx *store.Store, userID int64) (*store.Membership, error) {
	m, err := tx.MembershipByUser(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrForbidden
	}
	if err != nil {
		return nil, err
	}
	if m.Status != store.MemberActive {
		return nil, ErrForbidden
	}
	return m, nil
}

// managerOf is the membership of an owner or admin; ErrForbidden for
// anyone else.
func (s *Service) managerOf(ctx context.Context, tx *store.Store, userID int64) (*store.Membership, error) {
	m, err := s.activeMembership(ctx, tx, userID)
	if err != nil {
		return nil, err
	}
	if !managesMembers(m.Role) {
		return nil, ErrForbidden
	}
	return m, nil
}
