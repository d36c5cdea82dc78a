package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Invitation is an invitation of an email address to an organisation with
// a role, by one of its owners or admins or by an operator. TokenHash is
// the SHA-256 of the link's token; the raw token is only ever in the email.
type Invitation struct {
	bun.BaseModel `bun:"table:invitations,alias:inv"`

	ID int64 `bun:"id,pk,autoincrement"`
	// PublicID names the invitation in the organisation page's forms:
	// random, so ids cannot be counted through, and every query that
	// takes it also takes the organisation's id.
	PublicID   string     `bun:"public_id,notnull"`
	OrgID      int64      `bun:"org_id,notnull"`
	Email      string     `bun:"email,notnull"`
	Role       string     `bun:"role,notnull"`
	InvitedBy  *int64     `bun:"invited_by"`
	Locale     string     `bun:"locale,notnull"`
	TokenHash  string     `bun:"token_hash,notnull"`
	CreatedAt  time.Time  `bun:"created_at,notnull"`
	SentAt     time.Time  `bun:"sent_at,notnull"`
	ExpiresAt  time.Time  `bun:"expires_at,notnull"`
	AcceptedAt *time.Time `bun:"accepted_at"`
	AcceptedBy *int64     `bun:"accepted_by"`
	DeclinedAt *time.Time `bun:"declined_at"`
	RevokedAt  *time.Time `bun:"revoked_at"`
	// ByOperator is an invitation an operator sent from the console:
	// InvitedBy is their account, which the invitee and the
	// organisation's people are not told.
	ByOperator bool `bun:"by_operator,notnull"`
	// Organisation is filled in by the queries that look an invitation
	// up by its token or its address.
	Organisation *Organisation `bun:"rel:belongs-to,join:org_id=id"`
	// Inviter is filled in by the same queries (nil when the account is gone).
	Inviter *User `bun:"rel:belongs-to,join:invited_by=id"`
}

// Closed reports whether the invitation was accepted, declined or revoked.
func (i *Invitation) Closed() bool {
	return i.AcceptedAt != nil || i.DeclinedAt != nil || i.RevokedAt != nil
}

// openWhere limits a query on invitations (alias inv) to open ones.
const openWhere = "inv.accepted_at IS NULL AND inv.declined_at IS NULL AND inv.revoked_at IS NULL AND inv.expires_at > ?"

// CreateInvitation revokes every open invitation of the same organisation
// and address (so one link per person is live, the newest) and inserts inv
// with a fresh public id.
func (s *Store) CreateInvitation(ctx context.Context, inv *Invitation) error {
	inv.Email = strings.ToLower(inv.Email)
	if inv.PublicID == "" {
		inv.PublicID = "inv_" + strings.TrimPrefix(NewOrgPublicID(), "org_")
	}
	now := inv.CreatedAt.UTC()
	_, err := s.db.NewUpdate().Model((*Invitation)(nil)).ModelTableExpr("invitations AS inv").
		Set("revoked_at = ?", now).
		Where("inv.org_id = ? AND inv.email = ?", inv.OrgID, inv.Email).
		Where("inv.accepted_at IS NULL AND inv.declined_at IS NULL AND inv.revoked_at IS NULL").Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: replace invitation: %w", err)
	}
	if _, err := s.db.NewInsert().Model(inv).Returning("id").Exec(ctx); err != nil {
		return fmt.Errorf("store: create invitation: %w", err)
	}
	return nil
}

// PendingInvitations lists the organisation's invitations that are neither
// accepted, declined nor revoked (expired ones included, to be resent),
// newest first.
func (s *Store) PendingInvitations(ctx context.Context, orgID int64) ([]Invitation, error) {
	var list []Invitation
	err := s.db.NewSelect().Model(&list).Relation("Inviter").
		Where("inv.org_id = ?", orgID).
		Where("inv.accepted_at IS NULL AND inv.declined_at IS NULL AND inv.revoked_at IS NULL").
		OrderExpr("inv.created_at DESC, inv.id DESC").Limit(500).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: pending invitations: %w", err)
	}
	return list, nil
}

// InvitationInOrg is organisation orgID's invitation with that public id;
// ErrNotFound for any other organisation's.
func (s *Store) InvitationInOrg(ctx context.Context, orgID int64, publicID string) (*Invitation, error) {
	inv := new(Invitation)
	err := s.db.NewSelect().Model(inv).Where("inv.org_id = ? AND inv.public_id = ?", orgID, publicID).Scan(ctx)
	if err != nil {
		return nil, notFound("invitation", err)
	}
	return inv, nil
}

// ReissueInvitation gives an invitation of orgID that is not closed a new
// token hash and lifetime (a resend): the old link stops working at once.
// Whoever resends it (invitedBy, an operator when byOperator) is its
// inviter from then on, as the new email says.
func (s *Store) ReissueInvitation(ctx context.Context, orgID int64, publicID, hash string, now, expires time.Time, invitedBy int64, byOperator bool) error {
	res, err := s.db.NewUpdate().Model((*Invitation)(nil)).ModelTableExpr("invitations AS inv").
		Set("token_hash = ?", hash).Set("sent_at = ?", now.UTC()).Set("expires_at = ?", expires.UTC()).
		Set("invited_by = ?", invitedBy).Set("by_operator = ?", byOperator).
		Where("inv.org_id = ? AND inv.public_id = ?", orgID, publicID).
		Where("inv.accepted_at IS NULL AND inv.declined_at IS NULL AND inv.revoked_at IS NULL").Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: reissue invitation: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrNotFound
	}
	return nil
}

// RevokeInvitation closes an invitation of orgID that is not closed yet.
func (s *Store) RevokeInvitation(ctx context.Context, orgID int64, publicID string, now time.Time) error {
	res, err := s.db.NewUpdate().Model((*Invitation)(nil)).ModelTableExpr("invitations AS inv").
		Set("revoked_at = ?", now.UTC()).
		Where("inv.org_id = ? AND inv.public_id = ?", orgID, publicID).
		Where("inv.accepted_at IS NULL AND inv.declined_at IS NULL AND inv.revoked_at IS NULL").Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: revoke invitation: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrNotFound
	}
	return nil
}

// OpenInvitationByHash is the open invitation whose link has that token
// hash, with its organisation and inviter, without using it.
func (s *Store) OpenInvitationByHash(ctx context.Context, hash string, now time.Time) (*Invitation, error) {
	inv := new(Invitation)
	err := s.db.NewSelect().Model(inv).Relation("Organisation").Relation("Inviter").
		Where("inv.token_hash = ?", hash).Where(openWhere, now.UTC()).Scan(ctx)
	if err != nil {
		return nil, notFound("invitation by token", err)
	}
	return inv, nil
}

// OpenInvitationsFor lists the open invitations to an address, with their
// organisations and inviters, newest first.
func (s *Store) OpenInvitationsFor(ctx context.Context, email string, now time.Time) ([]Invitation, error) {
	var list []Invitation
	err := s.db.NewSelect().Model(&list).Relation("Organisation").Relation("Inviter").
		Where("inv.email = ?", strings.ToLower(email)).Where(openWhere, now.UTC()).
		OrderExpr("inv.created_at DESC, inv.id DESC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: invitations for address: %w", err)
	}
	return list, nil
}

// AcceptInvitationByHash uses the open invitation with that token hash for
// userID (0: named later, by SetInvitationAcceptedBy) in one conditional UPDATE: of many concurrent calls exactly one
// gets the invitation, the others ErrNotFound.
func (s *Store) AcceptInvitationByHash(ctx context.Context, hash string, userID int64, now time.Time) (*Invitation, error) {
	return s.closeInvitation(ctx, "accepted", userID, now, "inv.token_hash = ?", hash)
}

// AcceptInvitation is AcceptInvitationByHash for a signed-in person
// accepting from the list of their invitations: by public id, and only
// an invitation to their own address.
func (s *Store) AcceptInvitation(ctx context.Context, publicID, email string, userID int64, now time.Time) (*Invitation, error) {
	return s.closeInvitation(ctx, "accepted", userID, now, "inv.public_id = ? AND inv.email = ?", publicID, strings.ToLower(email))
}

// DeclineInvitation closes an open invitation to email, by public id.
func (s *Store) DeclineInvitation(ctx context.Context, publicID, email string, now time.Time) (*Invitation, error) {
	return s.closeInvitation(ctx, "declined", 0, now, "inv.public_id = ? AND inv.email = ?", publicID, strings.ToLower(email))
}

func (s *Store) closeInvitation(ctx context.Context, how string, userID int64, now time.Time, where string, args ...any) (*Invitation, error) {
	now = now.UTC()
	q := s.db.NewUpdate().Model((*Invitation)(nil)).ModelTableExpr("invitations AS inv")
	if how == "accepted" {
		q = q.Set("accepted_at = ?", now)
		if userID != 0 {
			q = q.Set("accepted_by = ?", userID)
		}
	} else {
		q = q.Set("declined_at = ?", now)
	}
	var list []Invitation
	err := q.Where(where, args...).Where(openWhere, now).Returning("*").Scan(ctx, &list)
	if err != nil {
		return nil, fmt.Errorf("store: %s invitation: %w", how, err)
	}
	if len(list) != 1 {
		return nil, ErrNotFound
	}
	return &list[0], nil
}

// SetInvitationAcceptedBy names the account an invitation used up by its
// link made, in the transaction that made it.
func (s *Store) SetInvitationAcceptedBy(ctx context.Context, id, userID int64) error {
	_, err := s.db.NewUpdate().Model((*Invitation)(nil)).ModelTableExpr("invitations AS inv").
		Set("accepted_by = ?", userID).Where("inv.id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: invitation accepted by: %w", err)
	}
	return nil
}

// SetUserProfile replaces an account's names and company.
func (s *Store) SetUserProfile(ctx context.Context, userID int64, first, last, company string, now time.Time) error {
	_, err := s.db.NewUpdate().Model((*User)(nil)).Set("first_name = ?", first).Set("last_name = ?", last).
		Set("company = ?", company).Set("updated_at = ?", now.UTC()).Where("id = ?", userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: set profile: %w", err)
	}
	return nil
}
