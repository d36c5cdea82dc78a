package store

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// CreateUserIfAbsent inserts u unless an account with its email exists;
// created tells which. Two racing registrations leave exactly one row.
func (s *Store) CreateUserIfAbsent(ctx context.Context, u *User) (created bool, err error) {
	u.Email = strings.ToLower(u.Email)
	if u.PublicID == "" {
		u.PublicID = NewPublicID()
	}
	res, err := s.db.NewInsert().Model(u).On("CONFLICT DO NOTHING").Returning("id").Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("store: create user: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: create user: %w", err)
	}
	return n == 1, nil
}

// UserByEmail finds an account by email, case-insensitively.
func (s *Store) UserByEmail(ctx context.Context, email string) (*User, error) {
	u := new(User)
	err := s.db.NewSelect().Model(u).Where("lower(email) = ?", strings.ToLower(email)).Scan(ctx)
	if err != nil {
		return nil, notFound("user by email", err)
	}
	return u, nil
}

// UserForSignIn is UserByEmail with whether the account has a confirmed
// authenticator app, so that its sign-in asks for a code: one statement,
// where a separate look at totp_secrets after the password cost every
// sign-in another round trip.
func (s *Store) UserForSignIn(ctx context.Context, email string) (u *User, twoStep bool, err error) {
	row := new(struct {
		User    `bun:",extend"`
		TwoStep bool `bun:"two_step,scanonly"`
	})
	err = s.db.NewSelect().Model(row).ColumnExpr("?TableAlias.*").
		ColumnExpr("EXISTS (SELECT 1 FROM totp_secrets AS t WHERE t.user_id = ?TableAlias.id AND t.confirmed_at IS NOT NULL) AS two_step").
		Where("lower(email) = ?", strings.ToLower(email)).Scan(ctx)
	if err != nil {
		return nil, false, notFound("user by email", err)
	}
	return &row.User, row.TwoStep, nil
}

// UserByID finds an account by id.
func (s *Store) UserByID(ctx context.Context, id int64) (*User, error) {
	u := new(User)
	if err := s.db.NewSelect().Model(u).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFound("user by id", err)
	}
	return u, nil
}

// SetUserPassword stores a new password hash and marks the account active.
func (s *Store) SetUserPassword(ctx context.Context, userID int64, hash string, now time.Time) error {
	now = now.UTC()
	res, err := s.db.NewUpdate().Model((*User)(nil)).
		Set("password_hash = ?", hash).
		Set("password_changed_at = ?", now).
		Set("updated_at = ?", now).
		Set("activated_at = COALESCE(activated_at, ?)", now).
		Set("status = ?", UserActive).
		Where("id = ?", userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: set password: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrNotFound
	}
	return nil
}

// UpdatePasswordHash replaces the hash alone, for rehashing with stronger
// parameters at sign-in.
func (s *Store) UpdatePasswordHash(ctx context.Context, userID int64, oldHash, newHash string) error {
	_, err := s.db.NewUpdate().Model((*User)(nil)).
		Set("password_hash = ?", newHash).
		Where("id = ? AND password_hash = ?", userID, oldHash).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: rehash: %w", err)
	}
	return nil
}

// SetUserReturnTo keeps where the person wants to land after signing in.
func (s *Store) SetUserReturnTo(ctx context.Context, userID int64, returnTo string) error {
	_, err := s.db.NewUpdate().Model((*User)(nil)).Set("return_to = ?", returnTo).Where("id = ?", userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: set return_to: %w", err)
	}
	return nil
}

// SetUserTimeZoneIfUnset keeps zone as the account's time zone unless it
// already has one: the zone of sign-up stays, so a trip does not move the
// times in every later email; an account made without one (no script)
// takes the first a browser reports.
func (s *Store) SetUserTimeZoneIfUnset(ctx context.Context, userID int64, zone string) error {
	_, err := s.db.NewUpdate().Model((*User)(nil)).Set("time_zone = ?", zone).
		Where("id = ?", userID).Where("time_zone = ''").Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: set time_zone: %w", err)
	}
	return nil
}

// NewPublicID is a random UUID (version 4) for a new account.
func NewPublicID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// UpdateUserLocale stores the user's chosen language.
func (s *Store) UpdateUserLocale(ctx context.Context, userID int64, locale string) error {
	_, err := s.db.NewUpdate().Model((*User)(nil)).Set("locale = ?", locale).Where("id = ?", userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: update locale: %w", err)
	}
	return nil
}

// SetUserApproval sets whether the account waits for an operator
// (ApprovalPending) or not (""); ErrNotFound for no such account.
func (s *Store) SetUserApproval(ctx context.Context, userID int64, approval string) error {
	res, err := s.db.NewUpdate().Model((*User)(nil)).Set("approval = ?", approval).Where("id = ?", userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: set approval: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrNotFound
	}
	return nil
}

// ErrEmailTaken means another account has the address.
var ErrEmailTaken = errors.New("store: the address belongs to another account")

// SetUserEmail moves the account to a new address; ErrEmailTaken when
// another account has it (checked first, and by the unique index should
// one be created in the same instant).
func (s *Store) SetUserEmail(ctx context.Context, userID int64, email string, now time.Time) error {
	email = strings.ToLower(email)
	n, err := s.db.NewSelect().Model((*User)(nil)).Where("lower(email) = ? AND id <> ?", email, userID).Count(ctx)
	if err != nil {
		return fmt.Errorf("store: set user email: %w", err)
	}
	if n > 0 {
		return ErrEmailTaken
	}
	res, err := s.db.NewUpdate().Model((*User)(nil)).Set("email = ?", email).Set("updated_at = ?", now.UTC()).
		Where("id = ?", userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: set user email: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrNotFound
	}
	return nil
}

// UsersAwaitingApproval lists the accounts waiting for an operator,
// oldest first.
func (s *Store) UsersAwaitingApproval(ctx context.Context, limit int) ([]User, error) {
	var list []User
	err := s.db.NewSelect().Model(&list).Where("approval = ?", ApprovalPending).Order("created_at", "id").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: awaiting approval: %w", err)
	}
	return list, nil
}

// UsersAwaitingApprovalPage is UsersAwaitingApproval from cursor on (the
// account created at CreatedAt with id ID, in the queue's order, oldest
// first; the zero cursor starts at the head): at most limit accounts, and
// whether more follow. Paging by position keeps a page stable while
// accounts are approved and new ones arrive.
func (s *Store) UsersAwaitingApprovalPage(ctx context.Context, after UserCursor, limit int) ([]User, bool, error) {
	var list []User
	q := s.db.NewSelect().Model(&list).Where("approval = ?", ApprovalPending)
	if !after.IsZero() {
		t := after.CreatedAt.UTC()
		q = q.Where("(created_at > ? OR (created_at = ? AND id > ?))", t, t, after.ID)
	}
	if err := q.Order("created_at", "id").Limit(int64(limit + 1)).Scan(ctx); err != nil {
		return nil, false, fmt.Errorf("store: awaiting approval: %w", err)
	}
	more := len(list) > limit
	if more {
		list = list[:limit]
	}
	return list, more, nil
}

// UsersAwaitingApprovalLast is the last page of the queue: its last limit
// accounts, oldest first, and the cursor of the account just before them
// (the zero cursor when they are the head of the queue). It is where a
// page that emptied, because the queue shrank under it, falls back to.
func (s *Store) UsersAwaitingApprovalLast(ctx context.Context, limit int) ([]User, UserCursor, error) {
	var list []User
	err := s.db.NewSelect().Model(&list).Where("approval = ?", ApprovalPending).
		OrderExpr("created_at DESC, id DESC").Limit(int64(limit + 1)).Scan(ctx)
	if err != nil {
		return nil, UserCursor{}, fmt.Errorf("store: awaiting approval: %w", err)
	}
	var before UserCursor
	if len(list) > limit {
		before = UserCursor{CreatedAt: list[limit].CreatedAt, ID: list[limit].ID}
		list = list[:limit]
	}
	slices.Reverse(list)
	return list, before, nil
}

// CountUsersAwaitingApproval is how many accounts wait for an operator.
func (s *Store) CountUsersAwaitingApproval(ctx context.Context) (int, error) {
	n, err := s.db.NewSelect().Model((*User)(nil)).Where("approval = ?", ApprovalPending).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: count awaiting approval: %w", err)
	}
	return int(n), nil
}

// Profile is the part of an account its owner edits on the account page.
type Profile struct {
	FirstName, LastName, Company, Country, Region, Phone string
}

// UpdateUserProfile stores the owner's edited profile.
func (s *Store) UpdateUserProfile(ctx context.Context, userID int64, p Profile, now time.Time) error {
	res, err := s.db.NewUpdate().Model((*User)(nil)).
		Set("first_name = ?", p.FirstName).Set("last_name = ?", p.LastName).Set("company = ?", p.Company).
		Set("country = ?", p.Country).Set("region = ?", p.Region).Set("phone = ?", p.Phone).
		Set("updated_at = ?", now.UTC()).Where("id = ?", userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: update profile: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrNotFound
	}
	return nil
}

// ClearUserPassword voids the account's password: sign-in refuses it until
// a new one is set through recovery, which an active account may use.
func (s *Store) ClearUserPassword(ctx context.Context, userID int64, now time.Time) error {
	_, err := s.db.NewUpdate().Model((*User)(nil)).Set("password_hash = ''").Set("updated_at = ?", now.UTC()).
		Where("id = ?", userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: clear password: %w", err)
	}
	return nil
}
