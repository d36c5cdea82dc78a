package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// UserFilter narrows ListUsers: Status (empty for all), Query a part of the
// email, name or company matched case-insensitively, and at most Limit rows.
type UserFilter struct {
	Status string
	Query  string
	Limit  int
}

// UserRow is one account of an operator's list with the time of its last
// sign-in, taken from the audit trail (nil when it never signed in).
type UserRow struct {
	User
	LastSignInAt *time.Time `bun:"last_sign_in_at"`
	// The organisation and the role in it ("" for none); OrgStatus is the
	// membership's (MemberActive or MemberPending).
	OrgPublicID string `bun:"org_public_id"`
	OrgName     string `bun:"org_name"`
	OrgRole     string `bun:"org_role"`
	OrgStatus   string `bun:"org_status"`
}

// ListUsers lists accounts newest first. signInKind is the audit kind of a
// successful sign-in, which the account package owns.
func (s *Store) ListUsers(ctx context.Context, f UserFilter, signInKind string) ([]UserRow, error) {
	var rows []UserRow
	q := s.usersQuery(&rows, f, signInKind)
	if f.Limit > 0 {
		q = q.Limit(int64(f.Limit))
	}
	if err := q.OrderExpr("u.created_at DESC, u.id DESC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: list users: %w", err)
	}
	return rows, nil
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// LastAuditEvent is when the user's newest event of kind happened; nil for
// never.
func (s *Store) LastAuditEvent(ctx context.Context, userID int64, kind string) (*time.Time, error) {
	var list []AuditEvent
	err := s.db.NewSelect().Model(&list).Where("user_id = ? AND kind = ?", userID, kind).
		Order("created_at DESC", "id DESC").Limit(1).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: last audit event: %w", err)
	}
	if len(list) == 0 {
		return nil, nil
	}
	return &list[0].CreatedAt, nil
}

// SetUserStatus moves the account from status from to status to; ErrNotFound
// when it is not in from (anymore), so a race with another change loses.
func (s *Store) SetUserStatus(ctx context.Context, userID int64, from, to string, now time.Time) error {
	res, err := s.db.NewUpdate().Model((*User)(nil)).
		Set("status = ?", to).Set("updated_at = ?", now.UTC()).
		Where("id = ? AND status = ?", userID, from).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: set user status: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrNotFound
	}
	return nil
}

// Erasure names what of an address lives outside the account's own rows:
// its code requests and rate counters are keyed by hashes of it, which the
// account package computes.
type Erasure struct {
	AddressHash string
	RateKeys    []string
	// Addresses are the person's other addresses: one an email change was
	// asking for, or one it moved away from. Mail to them goes too, and
	// their code requests (by AddressHashes).
	Addresses     []string
	AddressHashes []string
}

// DeleteUser erases the account and everything kept about it: sessions,
// tokens, its sign-in throttle, its passkeys and open WebAuthn challenges
// (by their foreign keys, and explicitly, in case a database was created
// without them), code requests and rate
// counters of its address, every email to it (sent or not: a sent row
// keeps the address, an unsent one may carry a live link), its messages
// in the dev mailbox, any suppression of the address and the invitations
// it sent, accepted or was sent. Audit events
// stay, for the operator, without the user id, IP, browser or
// organisation that would tie them to the person.
func (s *Store) DeleteUser(ctx context.Context, u *User, e Erasure) error {
	addrs := []string{strings.ToLower(u.Email)}
	for _, a := range e.Addresses {
		addrs = append(addrs, NormalizeAddress(a))
	}
	type step struct {
		what string
		q    *bun.DeleteQuery
	}
	steps := []step{
		{"sessions", s.db.NewDelete().Model((*Session)(nil)).Where("user_id = ?", u.ID)},
		{"tokens", s.db.NewDelete().Model((*Token)(nil)).Where("user_id = ?", u.ID)},
		{"login throttle", s.db.NewDelete().Model((*LoginThrottle)(nil)).Where("user_id = ?", u.ID)},
		{"passkeys", s.db.NewDelete().Model((*Passkey)(nil)).Where("user_id = ?", u.ID)},
		{"webauthn challenges", s.db.NewDelete().Model((*WebAuthnChallenge)(nil)).Where("user_id = ?", u.ID)},
		{"totp secret", s.db.NewDelete().Model((*TOTPSecret)(nil)).Where("user_id = ?", u.ID)},
		{"recovery codes", s.db.NewDelete().Model((*RecoveryCode)(nil)).Where("user_id = ?", u.ID)},
		{"pending sign-ins", s.db.NewDelete().Model((*PendingSignIn)(nil)).Where("user_id = ?", u.ID)},
		{"code requests", s.db.NewDelete().Model((*CodeRequest)(nil)).Where("address_hash IN (?)", bun.In(append([]string{e.AddressHash}, e.AddressHashes...)))},
		{"outbox", s.db.NewDelete().Model((*OutboxMessage)(nil)).Where("lower(recipient) IN (?)", bun.In(addrs))},
		{"dev mailbox", s.db.NewDelete().Model((*DevMail)(nil)).Where("lower(recipient) IN (?)", bun.In(addrs))},
		{"suppressions", s.db.NewDelete().Model((*Suppression)(nil)).Where("address IN (?)", bun.In(addrs))},
		// Invitations it sent, accepted or was sent: each names the person
		// (an inviter, an address) and a sent one's link would outlive them.
		{"invitations", s.db.NewDelete().Model((*Invitation)(nil)).ModelTableExpr("invitations AS inv").
			Where("invited_by = ? OR accepted_by = ? OR lower(email) IN (?)", u.ID, u.ID, bun.In(addrs))},
	}
	if len(e.RateKeys) > 0 {
		steps = append(steps, step{"rate counters", s.db.NewDelete().Model((*RateCounter)(nil)).Where("key IN (?)", bun.In(e.RateKeys))})
	}
	for _, st := range steps {
		if _, err := st.q.Exec(ctx); err != nil {
			return fmt.Errorf("store: delete user: %s: %w", st.what, err)
		}
	}
	_, err := s.db.NewUpdate().Model((*AuditEvent)(nil)).Set("user_id = NULL").Set("ip = ''").Set("user_agent = ''").Set("org_id = NULL").
		Where("user_id = ?", u.ID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: delete user: audit: %w", err)
	}
	res, err := s.db.NewDelete().Model((*User)(nil)).Where("id = ?", u.ID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: delete user: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrNotFound
	}
	return nil
}

// ListAuditEvents lists the newest events of every account and of none,
// for a trail that outlives the accounts it names.
func (s *Store) ListAuditEvents(ctx context.Context, limit int) ([]AuditEvent, error) {
	var list []AuditEvent
	err := s.db.NewSelect().Model(&list).Order("created_at DESC", "id DESC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: list audit events: %w", err)
	}
	return list, nil
}
