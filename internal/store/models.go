package store

import (
	"time"

	"github.com/uptrace/bun"
)

// User statuses. A disabled account was switched off by an operator: it
// signs in, recovers and authenticates like an address with no account.
const (
	UserPending  = "pending"
	UserActive   = "active"
	UserDisabled = "disabled"
)

// Token purposes. A code purpose is a verification code sent with the
// link of the same flow, usable only from the browser that asked for it.
const (
	PurposeActivation     = "activation"
	PurposeReset          = "reset"
	PurposeActivationCode = "activation_code"
	PurposeResetCode      = "reset_code"
	// An email change proves the new address (link and code); the old
	// address is sent a link that restores it.
	PurposeEmailChange     = "email_change"
	PurposeEmailChangeCode = "email_code"
	PurposeEmailRevert     = "email_revert"
)

// Outbox row statuses.
const (
	OutboxPending = "pending"
	OutboxSent    = "sent"
	OutboxFailed  = "failed"
)

// User is one person's account. Email is stored canonical (lower case).
type User struct {
	bun.BaseModel `bun:"table:users"`

	ID int64 `bun:"id,pk,autoincrement"`
	// PublicID is what the platform knows the person by: random, so it
	// reveals nothing of how many accounts exist, and never changed.
	PublicID  string `bun:"public_id,notnull"`
	Email     string `bun:"email,notnull"`
	FirstName string `bun:"first_name,notnull"`
	LastName  string `bun:"last_name,notnull"`
	Company   string `bun:"company,notnull"`
	Country   string `bun:"country,notnull"`
	Region    string `bun:"region,notnull"`
	Phone     string `bun:"phone,notnull"`
	Locale    string `bun:"locale,notnull"`
	// TimeZone is the IANA zone the person's browser reported at sign-up
	// (or at a later sign-in, if it had none), for the times in emails
	// and on the account page; "" shows them in UTC.
	TimeZone          string     `bun:"time_zone,notnull"`
	Status            string     `bun:"status,notnull"`
	PasswordHash      string     `bun:"password_hash,notnull"`
	CreatedAt         time.Time  `bun:"created_at,notnull"`
	UpdatedAt         time.Time  `bun:"updated_at,notnull"`
	ActivatedAt       *time.Time `bun:"activated_at"`
	PasswordChangedAt *time.Time `bun:"password_changed_at"`
	// ReturnTo is the local path the person was heading to when they
	// signed up or asked for a reset, kept until the password is set so
	// it survives a switch of device.
	ReturnTo string `bun:"return_to,notnull"`
	// Approval is ApprovalPending while a new account waits for an
	// operator (SIGNUP_MODE=approval), "" otherwise.
	Approval string `bun:"approval,notnull"`
	// Operator marks the people who run Gatehouse: they may use the
	// console. Only the command line grants or removes it.
	Operator bool `bun:"operator,notnull"`
}

// ApprovalPending marks an account waiting for an operator's approval.
const ApprovalPending = "pending"

// Token is a single-use activation or reset token; only its SHA-256 is kept.
type Token struct {
	bun.BaseModel `bun:"table:tokens"`

	ID        int64      `bun:"id,pk,autoincrement"`
	UserID    int64      `bun:"user_id,notnull"`
	Purpose   string     `bun:"purpose,notnull"`
	Hash      string     `bun:"hash,notnull"`
	CreatedAt time.Time  `bun:"created_at,notnull"`
	ExpiresAt time.Time  `bun:"expires_at,notnull"`
	UsedAt    *time.Time `bun:"used_at"`
	// CodeHash and Attempts are for verification codes only.
	CodeHash string `bun:"code_hash,notnull"`
	Attempts int    `bun:"attempts,notnull"`
	// Email is the address the token is about when it is not the
	// account's own: the new address of an email change, the old one of
	// its revert link; empty otherwise.
	Email string `bun:"email,notnull"`
}

// Session is a signed-in browser; the cookie holds the token, the row its hash.
type Session struct {
	bun.BaseModel `bun:"table:sessions"`

	ID         int64     `bun:"id,pk,autoincrement"`
	UserID     int64     `bun:"user_id,notnull"`
	Hash       string    `bun:"hash,notnull"`
	CreatedAt  time.Time `bun:"created_at,notnull"`
	LastSeenAt time.Time `bun:"last_seen_at,notnull"`
	ExpiresAt  time.Time `bun:"expires_at,notnull"`
	IP         string    `bun:"ip,notnull"`
	UserAgent  string    `bun:"user_agent,notnull"`
	// AuthMethods are the RFC 8176 methods the person signed in with,
	// space-separated ("pwd", "pwd otp mfa").
	AuthMethods string `bun:"auth_methods,notnull"`
	// AuthTime is when the password (or another strong factor) was last
	// entered for this session; the zero time reads as CreatedAt.
	AuthTime time.Time `bun:"auth_time,nullzero"`
	// User is filled in by SessionUserByHash only.
	User *User `bun:"rel:belongs-to,join:user_id=id"`
	// Membership is the user's, with its organisation's id, public id and
	// name, filled in by SessionUserByHash only (nil for none).
	Membership *Membership `bun:"-"`
	// SecondFactor is filled in by SessionUserByHash, only when the
	// organisation requires one: whether the user has a confirmed
	// authenticator app or a passkey.
	SecondFactor bool `bun:"-"`
}

// OutboxMessage is an email waiting to be rendered and sent by the worker.
// Data holds the template's parameters as JSON and is erased once sent,
// because it may carry a link with a live token.
type OutboxMessage struct {
	bun.BaseModel `bun:"table:outbox"`

	ID             int64      `bun:"id,pk,autoincrement"`
	Kind           string     `bun:"kind,notnull"`
	Recipient      string     `bun:"recipient,notnull"`
	Locale         string     `bun:"locale,notnull"`
	Data           string     `bun:"data,notnull"`
	IdempotencyKey string     `bun:"idempotency_key,notnull"`
	Status         string     `bun:"status,notnull"`
	Attempts       int        `bun:"attempts,notnull"`
	NextAttemptAt  time.Time  `bun:"next_attempt_at,notnull"`
	ClaimedUntil   *time.Time `bun:"claimed_until"`
	LastError      string     `bun:"last_error,notnull"`
	CreatedAt      time.Time  `bun:"created_at,notnull"`
	SentAt         *time.Time `bun:"sent_at"`
	// BatchKey is the idempotency key of the batch the row was last tried
	// in ("" never tried in one, BatchAlone: must go on its own).
	BatchKey   string     `bun:"batch_key,notnull"`
	MessageID  string     `bun:"message_id,notnull"` // Resend's id for the sent message
	Delivery   string     `bun:"delivery,notnull"`   // the furthest delivery event seen
	DeliveryAt *time.Time `bun:"delivery_at"`
	// RequestHash names the browser request that wrote the row (a hash
	// of its binding secret; "" for mail no browser asked for), so that
	// browser, and only it, can follow the message (OutboxForRequest).
	RequestHash string `bun:"request_hash,notnull"`
	// ForgetRecipient erases Recipient once the message is sent: the last
	// email to an account that no longer exists.
	ForgetRecipient bool `bun:"forget_recipient,notnull"`
}

// AuditEvent is one security-relevant event, shown on the account page.
type AuditEvent struct {
	bun.BaseModel `bun:"table:audit_events"`

	ID        int64     `bun:"id,pk,autoincrement"`
	UserID    *int64    `bun:"user_id"`
	Kind      string    `bun:"kind,notnull"`
	IP        string    `bun:"ip,notnull"`
	UserAgent string    `bun:"user_agent,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
	// ActorID is the operator who caused the event, when one did.
	ActorID *int64 `bun:"actor_id"`
	// Actor names the operator who caused the event as it was recorded
	// (their address, or "cli USER" from the command line); "" when the
	// person acted themselves.
	Actor string `bun:"actor,notnull"`
	// OrgID is the organisation the event belongs to: the one its person
	// was in (as a member or asking to join) when it happened, unless the
	// writer names one; nil for none.
	OrgID *int64 `bun:"org_id"`
}

// RateCounter counts hits on one key within a fixed window.
type RateCounter struct {
	bun.BaseModel `bun:"table:rate_counters"`

	Key         string    `bun:"key,pk"`
	WindowStart time.Time `bun:"window_start,notnull"`
	Count       int       `bun:"count,notnull"`
}

// LoginThrottle counts an account's failed sign-ins since the last success.
type LoginThrottle struct {
	bun.BaseModel `bun:"table:login_throttles"`

	UserID        int64     `bun:"user_id,pk"`
	Failures      int       `bun:"failures,notnull"`
	LastFailureAt time.Time `bun:"last_failure_at,notnull"`
	LockedUntil   time.Time `bun:"locked_until,notnull"`
	// Inflight counts attempts reserved and still being checked; it lapses
	// at InflightUntil (an instance that died mid-check).
	Inflight      int       `bun:"inflight,notnull"`
	InflightUntil time.Time `bun:"inflight_until,nullzero"`
}

// CodeRequest is one email a browser asked for, keyed by the hash of that
// browser's binding secret. It exists for every request, whatever the
// address, and counts the guesses at the code; Flow names the flow whose
// code the email carries, empty when it carries none (no account).
type CodeRequest struct {
	bun.BaseModel `bun:"table:code_requests"`

	Hash        string    `bun:"hash,pk"`
	Flow        string    `bun:"flow,notnull"`
	AddressHash string    `bun:"address_hash,notnull"`
	Attempts    int       `bun:"attempts,notnull"`
	CreatedAt   time.Time `bun:"created_at,notnull"`
	ExpiresAt   time.Time `bun:"expires_at,notnull"`
}

// SigningKey is one Ed25519 key that signs identity tokens. Generation
// orders them; the unique key makes two instances that create the first
// key, or two rotations at once, settle on one row.
type SigningKey struct {
	bun.BaseModel `bun:"table:signing_keys"`

	Generation int64     `bun:"generation,pk"`
	KeyID      string    `bun:"kid,notnull"`
	PrivateKey string    `bun:"private_key,notnull"`
	CreatedAt  time.Time `bun:"created_at,notnull"`
}

// TOTPSecret is an account's authenticator-app secret (base32). It is in
// force once ConfirmedAt is set; LastStep is the last time step a code was
// accepted for, so no code is accepted twice. The secret is never logged,
// exported or shown again after setup.
type TOTPSecret struct {
	bun.BaseModel `bun:"table:totp_secrets"`

	UserID      int64      `bun:"user_id,pk"`
	Secret      string     `bun:"secret,notnull"`
	CreatedAt   time.Time  `bun:"created_at,notnull"`
	ConfirmedAt *time.Time `bun:"confirmed_at"`
	LastStep    int64      `bun:"last_step,notnull"`
}

// RecoveryCode is the SHA-256 of one of an account's recovery codes.
type RecoveryCode struct {
	bun.BaseModel `bun:"table:recovery_codes"`

	ID        int64      `bun:"id,pk,autoincrement"`
	UserID    int64      `bun:"user_id,notnull"`
	Hash      string     `bun:"hash,notnull"`
	CreatedAt time.Time  `bun:"created_at,notnull"`
	UsedAt    *time.Time `bun:"used_at"`
}

// PendingSignIn is a sign-in whose password was right and whose second
// step is awaited; Hash is of the token in the browser's cookie.
type PendingSignIn struct {
	bun.BaseModel `bun:"table:pending_signins"`

	Hash      string    `bun:"hash,pk"`
	UserID    int64     `bun:"user_id,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
	ExpiresAt time.Time `bun:"expires_at,notnull"`
}

// Organisation roles, membership statuses and domain join policies.
const (
	RoleOwner  = "owner"
	RoleAdmin  = "admin"
	RoleMember = "member"

	// MemberActive is a member; MemberPending asked to join through a
	// claimed domain and waits for an owner or admin.
	MemberActive  = "active"
	MemberPending = "pending"

	JoinInvite  = "invite"
	JoinRequest = "request"
	JoinAuto    = "auto"
)

// Organisation is a customer company. PublicID is what the platform knows
// it by: random, never changed, never the sequential row id.
type Organisation struct {
	bun.BaseModel `bun:"table:organisations"`

	ID        int64     `bun:"id,pk,autoincrement"`
	PublicID  string    `bun:"public_id,notnull"`
	Name      string    `bun:"name,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
	UpdatedAt time.Time `bun:"updated_at,notnull"`
	// RequireSecondFactor asks every member for a passkey or two-step
	// verification before the platform.
	RequireSecondFactor bool `bun:"require_second_factor,notnull,default:false"`
}

// OrgDomain is an email domain an organisation has claimed, stored
// normalised (lower case, IDNA A-labels) and unique across organisations.
type OrgDomain struct {
	bun.BaseModel `bun:"table:org_domains"`

	ID         int64     `bun:"id,pk,autoincrement"`
	OrgID      int64     `bun:"org_id,notnull"`
	Domain     string    `bun:"domain,notnull"`
	JoinPolicy string    `bun:"join_policy,notnull"`
	ClaimedBy  *int64    `bun:"claimed_by"`
	ClaimedAt  time.Time `bun:"claimed_at,notnull"`
	// Organisation is filled in by OrgDomainByName only.
	Organisation *Organisation `bun:"rel:belongs-to,join:org_id=id"`
}

// Membership ties a person to an organisation with a role. JoinedAt is nil
// while the membership is pending.
type Membership struct {
	bun.BaseModel `bun:"table:memberships"`

	ID        int64      `bun:"id,pk,autoincrement"`
	OrgID     int64      `bun:"org_id,notnull"`
	UserID    int64      `bun:"user_id,notnull"`
	Role      string     `bun:"role,notnull"`
	Status    string     `bun:"status,notnull"`
	CreatedAt time.Time  `bun:"created_at,notnull"`
	JoinedAt  *time.Time `bun:"joined_at"`
	// Organisation is filled in by MembershipByUser only.
	Organisation *Organisation `bun:"rel:belongs-to,join:org_id=id"`
}

// OrgEvent is one entry of an organisation's audit trail: who (Actor) did
// what (Kind) to whom (Subject), with Detail naming a role, domain or name.
type OrgEvent struct {
	bun.BaseModel `bun:"table:org_events"`

	ID        int64     `bun:"id,pk,autoincrement"`
	OrgID     int64     `bun:"org_id,notnull"`
	ActorID   *int64    `bun:"actor_id"`
	SubjectID *int64    `bun:"subject_id"`
	Kind      string    `bun:"kind,notnull"`
	Detail    string    `bun:"detail,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
	// ByOperator is an entry an operator made from the console, acting
	// with an owner's rights; its owners are told an operator acted.
	ByOperator bool `bun:"by_operator,notnull"`
}
