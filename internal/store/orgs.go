package store

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Organisations, their claimed domains, memberships and audit trail. Every
// query that reads or changes an organisation's members, requests or
// domains takes the organisation's id, so that a guessed id of another
// organisation's row matches nothing (ErrNotFound).

// ErrTaken is returned when a unique thing is already someone else's: a
// domain claimed by an organisation, a person who already has a membership.
var ErrTaken = errors.New("store: already taken")

var orgIDEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewOrgPublicID is a random 128-bit identifier for an organisation:
// "org_" and 26 lower-case base32 characters.
func NewOrgPublicID() string {
	var b [16]byte
	rand.Read(b[:])
	return "org_" + strings.ToLower(orgIDEncoding.EncodeToString(b[:]))
}

// CreateOrganisation inserts o, giving it a public id when it has none.
func (s *Store) CreateOrganisation(ctx context.Context, o *Organisation) error {
	if o.PublicID == "" {
		o.PublicID = NewOrgPublicID()
	}
	if _, err := s.db.NewInsert().Model(o).Returning("id").Exec(ctx); err != nil {
		return fmt.Errorf("store: create organisation: %w", err)
	}
	return nil
}

// OrganisationByID finds an organisation by its row id.
func (s *Store) OrganisationByID(ctx context.Context, id int64) (*Organisation, error) {
	o := new(Organisation)
	if err := s.db.NewSelect().Model(o).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFound("organisation", err)
	}
	return o, nil
}

// OrganisationByPublicID finds an organisation by its public id.
func (s *Store) OrganisationByPublicID(ctx context.Context, publicID string) (*Organisation, error) {
	o := new(Organisation)
	if err := s.db.NewSelect().Model(o).Where("public_id = ?", publicID).Scan(ctx); err != nil {
		return nil, notFound("organisation by public id", err)
	}
	return o, nil
}

// RenameOrganisation sets the organisation's name.
func (s *Store) RenameOrganisation(ctx context.Context, orgID int64, name string, now time.Time) error {
	res, err := s.db.NewUpdate().Model((*Organisation)(nil)).
		Set("name = ?", name).Set("updated_at = ?", now.UTC()).Where("id = ?", orgID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: rename organisation: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrNotFound
	}
	return nil
}

// SetRequireSecondFactor turns the organisation's second-factor rule on
// or off.
func (s *Store) SetRequireSecondFactor(ctx context.Context, orgID int64, on bool, now time.Time) error {
	res, err := s.db.NewUpdate().Model((*Organisation)(nil)).
		Set("require_second_factor = ?", on).Set("updated_at = ?", now.UTC()).Where("id = ?", orgID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: organisation second factor: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrNotFound
	}
	return nil
}

// LockOrganisation holds the organisation's row until the transaction
// ends, so that changes checked against the whole membership (the last
// owner) take turns. SQLite transactions already take the write lock at
// their start, so there it does nothing.
func (s *Store) LockOrganisation(ctx context.Context, orgID int64) error {
	if !s.Postgres() {
		return nil
	}
	var id int64
	err := s.db.NewSelect().Model((*Organisation)(nil)).Column("id").Where("id = ?", orgID).For("UPDATE").Scan(ctx, &id)
	if err != nil {
		return notFound("lock organisation", err)
	}
	return nil
}

// AddMembership inserts m; ErrTaken when the person already has a
// membership (one organisation per person, for now).
func (s *Store) AddMembership(ctx context.Context, m *Membership) error {
	if m.CreatedAt.IsZero() {
		return fmt.Errorf("store: add membership: no created time")
	}
	res, err := s.db.NewInsert().Model(m).On("CONFLICT DO NOTHING").Returning("id").Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: add membership: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrTaken
	}
	return nil
}

// MembershipByUser is the person's membership with its organisation.
func (s *Store) MembershipByUser(ctx context.Context, userID int64) (*Membership, error) {
	m := new(Membership)
	err := s.db.NewSelect().Model(m).Relation("Organisation").Where("membership.user_id = ?", userID).
		OrderExpr("membership.id").Limit(1).Scan(ctx)
	if err != nil {
		return nil, notFound("membership by user", err)
	}
	return m, nil
}

// MemberRow is one person of an organisation as its page lists them: the
// membership, the person's profile and their last sign-in (nil for never).
type MemberRow struct {
	UserID       int64      `bun:"user_id"`
	PublicID     string     `bun:"public_id"`
	Email        string     `bun:"email"`
	FirstName    string     `bun:"first_name"`
	LastName     string     `bun:"last_name"`
	Locale       string     `bun:"locale"`
	Role         string     `bun:"role"`
	Status       string     `bun:"status"`
	CreatedAt    time.Time  `bun:"created_at"`
	JoinedAt     *time.Time `bun:"joined_at"`
	LastSignInAt *time.Time `bun:"last_sign_in_at"`
}

func (s *Store) memberQuery(orgID int64, signInKind string) *bun.SelectQuery {
	return s.db.NewSelect().TableExpr("memberships AS m").
		Join("JOIN users AS u ON u.id = m.user_id").
		ColumnExpr("m.user_id, u.public_id, u.email, u.first_name, u.last_name, u.locale, m.role, m.status, m.created_at, m.joined_at").
		ColumnExpr("(SELECT max(a.created_at) FROM audit_events AS a WHERE a.user_id = u.id AND a.kind = ?) AS last_sign_in_at", signInKind).
		Where("m.org_id = ?", orgID)
}

// Members lists the organisation's memberships of status (active members,
// or pending requests), oldest first. signInKind is the audit kind of a
// successful sign-in, which the account package owns.
func (s *Store) Members(ctx context.Context, orgID int64, status, signInKind string) ([]MemberRow, error) {
	var rows []MemberRow
	err := s.memberQuery(orgID, signInKind).Where("m.status = ?", status).
		OrderExpr("m.created_at, m.id").Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("store: members: %w", err)
	}
	return rows, nil
}

// MemberByPublicID is the membership in organisation orgID of the person
// with that public id, whatever its status; ErrNotFound for anyone else,
// members of other organisations included.
func (s *Store) MemberByPublicID(ctx context.Context, orgID int64, userPublicID, signInKind string) (*MemberRow, error) {
	var rows []MemberRow
	if err := s.memberQuery(orgID, signInKind).Where("u.public_id = ?", userPublicID).Limit(1).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("store: member: %w", err)
	}
	if len(rows) == 0 {
		return nil, ErrNotFound
	}
	return &rows[0], nil
}

// CountOwners counts the organisation's active owners.
func (s *Store) CountOwners(ctx context.Context, orgID int64) (int, error) {
	n, err := s.db.NewSelect().Model((*Membership)(nil)).
		Where("org_id = ? AND role = ? AND status = ?", orgID, RoleOwner, MemberActive).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: count owners: %w", err)
	}
	return int(n), nil
}

// ActivateMembership turns the person's pending membership of orgID into an
// active one; ErrNotFound when there is no such pending membership (it was
// declined, or approved by someone else first).
func (s *Store) ActivateMembership(ctx context.Context, orgID, userID int64, now time.Time) error {
	res, err := s.db.NewUpdate().Model((*Membership)(nil)).
		Set("status = ?", MemberActive).Set("joined_at = ?", now.UTC()).
		Where("org_id = ? AND user_id = ? AND status = ?", orgID, userID, MemberPending).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: activate membership: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrNotFound
	}
	return nil
}

// SetMembershipRole changes an active member's role.
func (s *Store) SetMembershipRole(ctx context.Context, orgID, userID int64, role string) error {
	res, err := s.db.NewUpdate().Model((*Membership)(nil)).Set("role = ?", role).
		Where("org_id = ? AND user_id = ? AND status = ?", orgID, userID, MemberActive).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: set role: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrNotFound
	}
	return nil
}

// DeleteMembership removes the person's membership of orgID (a member who
// leaves or is removed, a request declined) whatever its status.
func (s *Store) DeleteMembership(ctx context.Context, orgID, userID int64) error {
	res, err := s.db.NewDelete().Model((*Membership)(nil)).Where("org_id = ? AND user_id = ?", orgID, userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: delete membership: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrNotFound
	}
	return nil
}

// CountMembers counts the organisation's memberships, pending requests
// included.
func (s *Store) CountMembers(ctx context.Context, orgID int64) (int, error) {
	n, err := s.db.NewSelect().Model((*Membership)(nil)).Where("org_id = ?", orgID).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: count members: %w", err)
	}
	return int(n), nil
}

// DeleteOrganisation removes an organisation with its domains, memberships
// and trail (their foreign keys cascade).
func (s *Store) DeleteOrganisation(ctx context.Context, orgID int64) error {
	if _, err := s.db.NewDelete().Model((*Organisation)(nil)).Where("id = ?", orgID).Exec(ctx); err != nil {
		return fmt.Errorf("store: delete organisation: %w", err)
	}
	return nil
}

// ClaimDomain inserts d; ErrTaken when any organisation has claimed the
// domain already.
func (s *Store) ClaimDomain(ctx context.Context, d *OrgDomain) error {
	res, err := s.db.NewInsert().Model(d).On("CONFLICT DO NOTHING").Returning("id").Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: claim domain: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrTaken
	}
	return nil
}

// OrgDomainByName is the claim on a normalised domain, with its
// organisation.
func (s *Store) OrgDomainByName(ctx context.Context, domain string) (*OrgDomain, error) {
	d := new(OrgDomain)
	if err := s.db.NewSelect().Model(d).Relation("Organisation").Where("org_domain.domain = ?", domain).Scan(ctx); err != nil {
		return nil, notFound("domain", err)
	}
	return d, nil
}

// DomainsByOrg lists the organisation's claimed domains in name order.
func (s *Store) DomainsByOrg(ctx context.Context, orgID int64) ([]OrgDomain, error) {
	var list []OrgDomain
	if err := s.db.NewSelect().Model(&list).Where("org_id = ?", orgID).Order("domain").Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: domains: %w", err)
	}
	return list, nil
}

// SetDomainPolicy changes the join policy of a domain orgID has claimed.
func (s *Store) SetDomainPolicy(ctx context.Context, orgID int64, domain, policy string) error {
	res, err := s.db.NewUpdate().Model((*OrgDomain)(nil)).Set("join_policy = ?", policy).
		Where("org_id = ? AND domain = ?", orgID, domain).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: set join policy: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrNotFound
	}
	return nil
}

// ReleaseDomain removes orgID's claim on domain.
func (s *Store) ReleaseDomain(ctx context.Context, orgID int64, domain string) error {
	res, err := s.db.NewDelete().Model((*OrgDomain)(nil)).Where("org_id = ? AND domain = ?", orgID, domain).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: release domain: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrNotFound
	}
	return nil
}

// AddOrgEvent records an entry of an organisation's audit trail.
func (s *Store) AddOrgEvent(ctx context.Context, e *OrgEvent) error {
	if _, err := s.db.NewInsert().Model(e).Returning("id").Exec(ctx); err != nil {
		return fmt.Errorf("store: add org event: %w", err)
	}
	return nil
}

// OrgEventRow is an audit entry with the names of its actor and subject
// (empty when the account is gone).
type OrgEventRow struct {
	OrgEvent
	ActorEmail     string `bun:"actor_email"`
	ActorFirstName string `bun:"actor_first_name"`
	ActorLastName  string `bun:"actor_last_name"`
	SubjectEmail   string `bun:"subject_email"`
	SubjectFirst   string `bun:"subject_first_name"`
	SubjectLast    string `bun:"subject_last_name"`
}

// OrgEvents lists the organisation's audit trail, newest first.
func (s *Store) OrgEvents(ctx context.Context, orgID int64, limit int) ([]OrgEventRow, error) {
	var rows []OrgEventRow
	err := s.db.NewSelect().TableExpr("org_events AS e").
		ColumnExpr("e.*").
		ColumnExpr("COALESCE(a.email, '') AS actor_email, COALESCE(a.first_name, '') AS actor_first_name, COALESCE(a.last_name, '') AS actor_last_name").
		ColumnExpr("COALESCE(b.email, '') AS subject_email, COALESCE(b.first_name, '') AS subject_first_name, COALESCE(b.last_name, '') AS subject_last_name").
		Join("LEFT JOIN users AS a ON a.id = e.actor_id").
		Join("LEFT JOIN users AS b ON b.id = e.subject_id").
		Where("e.org_id = ?", orgID).OrderExpr("e.created_at DESC, e.id DESC").Limit(int64(limit)).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("store: org events: %w", err)
	}
	return rows, nil
}
