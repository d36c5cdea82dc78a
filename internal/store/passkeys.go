package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// WebAuthn ceremonies a stored challenge belongs to. An enrolment is not a
// challenge: it is the short grant, given right after a password is set,
// to add a passkey before signing in.
const (
	CeremonyRegister = "register"
	CeremonyLogin    = "login"
	CeremonyEnrol    = "enrol"
)

// Passkey is one WebAuthn credential of a user. CredentialID and PublicKey
// are base64url (unpadded); Transports is comma-separated.
type Passkey struct {
	bun.BaseModel `bun:"table:passkeys"`

	ID                int64      `bun:"id,pk,autoincrement"`
	UserID            int64      `bun:"user_id,notnull"`
	CredentialID      string     `bun:"credential_id,notnull"`
	PublicKey         string     `bun:"public_key,notnull"`
	SignCount         int64      `bun:"sign_count,notnull"`
	CloneWarning      bool       `bun:"clone_warning,notnull"`
	Transports        string     `bun:"transports,notnull"`
	UserVerified      bool       `bun:"user_verified,notnull"`
	BackupEligible    bool       `bun:"backup_eligible,notnull"`
	BackupState       bool       `bun:"backup_state,notnull"`
	AttestationType   string     `bun:"attestation_type,notnull"`
	AttestationFormat string     `bun:"attestation_format,notnull"`
	Attachment        string     `bun:"attachment,notnull"`
	AAGUID            string     `bun:"aaguid,notnull"`
	Name              string     `bun:"name,notnull"`
	CreatedAt         time.Time  `bun:"created_at,notnull"`
	LastUsedAt        *time.Time `bun:"last_used_at"`
}

// WebAuthnChallenge is a ceremony's server-side state (the library's
// session data as JSON), keyed by the hash of the secret the beginning
// browser holds in a cookie.
type WebAuthnChallenge struct {
	bun.BaseModel `bun:"table:webauthn_challenges"`

	Hash      string    `bun:"hash,pk"`
	Ceremony  string    `bun:"ceremony,notnull"`
	UserID    *int64    `bun:"user_id"`
	Data      string    `bun:"data,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
	ExpiresAt time.Time `bun:"expires_at,notnull"`
}

// AddPasskey stores a new credential.
func (s *Store) AddPasskey(ctx context.Context, p *Passkey) error {
	if _, err := s.db.NewInsert().Model(p).Returning("id").Exec(ctx); err != nil {
		return fmt.Errorf("store: add passkey: %w", err)
	}
	return nil
}

// PasskeysByUser lists a user's passkeys, oldest first.
func (s *Store) PasskeysByUser(ctx context.Context, userID int64) ([]Passkey, error) {
	var list []Passkey
	if err := s.db.NewSelect().Model(&list).Where("user_id = ?", userID).Order("created_at", "id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: passkeys: %w", err)
	}
	return list, nil
}

// PasskeyByCredentialID finds the passkey an authenticator names.
func (s *Store) PasskeyByCredentialID(ctx context.Context, credentialID string) (*Passkey, error) {
	p := new(Passkey)
	if err := s.db.NewSelect().Model(p).Where("credential_id = ?", credentialID).Scan(ctx); err != nil {
		return nil, notFound("passkey", err)
	}
	return p, nil
}

// CountPasskeys is how many passkeys the user has.
func (s *Store) CountPasskeys(ctx context.Context, userID int64) (int, error) {
	n, err := s.db.NewSelect().Model((*Passkey)(nil)).Where("user_id = ?", userID).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: count passkeys: %w", err)
	}
	return int(n), nil
}

// UsePasskey records a sign-in with the passkey: its new counter, the
// clone warning, the backup state the authenticator reported, and when.
func (s *Store) UsePasskey(ctx context.Context, p *Passkey, now time.Time) error {
	now = now.UTC()
	_, err := s.db.NewUpdate().Model((*Passkey)(nil)).
		Set("sign_count = ?", p.SignCount).Set("clone_warning = ?", p.CloneWarning).
		Set("backup_state = ?", p.BackupState).Set("last_used_at = ?", now).
		Where("id = ?", p.ID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: use passkey: %w", err)
	}
	p.LastUsedAt = &now
	return nil
}

// MarkPasskeyCloned records that the passkey's signature counter went
// backwards, so it is refused from now on.
func (s *Store) MarkPasskeyCloned(ctx context.Context, id int64) error {
	if _, err := s.db.NewUpdate().Model((*Passkey)(nil)).Set("clone_warning = ?", true).Where("id = ?", id).Exec(ctx); err != nil {
		return fmt.Errorf("store: mark passkey cloned: %w", err)
	}
	return nil
}

// RenamePasskey names one of the user's passkeys; ErrNotFound when the
// user has no passkey of that id.
func (s *Store) RenamePasskey(ctx context.Context, userID, id int64, name string) error {
	res, err := s.db.NewUpdate().Model((*Passkey)(nil)).Set("name = ?", name).
		Where("id = ? AND user_id = ?", id, userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: rename passkey: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrNotFound
	}
	return nil
}

// DeletePasskey removes one of the user's passkeys and returns it;
// ErrNotFound when the user has no passkey of that id.
func (s *Store) DeletePasskey(ctx context.Context, userID, id int64) (*Passkey, error) {
	var list []Passkey
	err := s.db.NewDelete().Model(&list).Where("id = ? AND user_id = ?", id, userID).Returning("*").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: delete passkey: %w", err)
	}
	if len(list) != 1 {
		return nil, ErrNotFound
	}
	return &list[0], nil
}

// LockUser holds the user's row until the transaction ends (PostgreSQL
// takes a row lock on the UPDATE; SQLite writes one at a time anyway), so
// two changes that each check "is something left?" cannot interleave.
func (s *Store) LockUser(ctx context.Context, userID int64) error {
	res, err := s.db.NewUpdate().Model((*User)(nil)).Set("id = id").Where("id = ?", userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: lock user: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrNotFound
	}
	return nil
}

// AddWebAuthnChallenge stores a ceremony's state.
func (s *Store) AddWebAuthnChallenge(ctx context.Context, c *WebAuthnChallenge) error {
	if _, err := s.db.NewInsert().Model(c).Exec(ctx); err != nil {
		return fmt.Errorf("store: add webauthn challenge: %w", err)
	}
	return nil
}

// ConsumeWebAuthnChallenge removes and returns the live challenge of that
// hash and ceremony in one DELETE … RETURNING: of concurrent calls exactly
// one gets it, the others (and any call after expiry) ErrNotFound.
func (s *Store) ConsumeWebAuthnChallenge(ctx context.Context, hash, ceremony string, now time.Time) (*WebAuthnChallenge, error) {
	var list []WebAuthnChallenge
	err := s.db.NewDelete().Model(&list).
		Where("hash = ? AND ceremony = ? AND expires_at > ?", hash, ceremony, now.UTC()).
		Returning("*").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: consume webauthn challenge: %w", err)
	}
	if len(list) != 1 {
		return nil, ErrNotFound
	}
	return &list[0], nil
}

// WebAuthnChallengeByHash reads a live row without using it up (an
// enrolment grant is read at every step and removed at the end).
func (s *Store) WebAuthnChallengeByHash(ctx context.Context, hash, ceremony string, now time.Time) (*WebAuthnChallenge, error) {
	c := new(WebAuthnChallenge)
	err := s.db.NewSelect().Model(c).Where("hash = ? AND ceremony = ? AND expires_at > ?", hash, ceremony, now.UTC()).Scan(ctx)
	if err != nil {
		return nil, notFound("webauthn challenge", err)
	}
	return c, nil
}

// PurgeWebAuthnChallenges deletes challenges and grants expired before
// before, at most limit of them.
func (s *Store) PurgeWebAuthnChallenges(ctx context.Context, before time.Time, limit int) (int, error) {
	pick := s.db.NewSelect().Model((*WebAuthnChallenge)(nil)).Column("hash").Where("expires_at <= ?", before.UTC())
	return s.purge(ctx, "webauthn challenges", (*WebAuthnChallenge)(nil), "hash", pick, limit)
}

// CountWebAuthnChallenges is how many live rows of a ceremony there are.
func (s *Store) CountWebAuthnChallenges(ctx context.Context, ceremony string, now time.Time) (int, error) {
	n, err := s.db.NewSelect().Model((*WebAuthnChallenge)(nil)).Where("ceremony = ? AND expires_at > ?", ceremony, now.UTC()).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: count webauthn challenges: %w", err)
	}
	return int(n), nil
}
