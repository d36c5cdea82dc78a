// Package account holds every rule of the sign-up, sign-in and recovery
// flows as plain Go. It knows nothing of HTTP or HTML: handlers call it with
// parsed input and render what it returns, which never includes a
// password hash or a stored token.
package account

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"

	"gatehouse/internal/password"
	"gatehouse/internal/ratelimit"
	"gatehouse/internal/store"
)

// ErrInvalidToken covers unknown, expired, used and wrong-purpose tokens
// alike, so the pages cannot tell them apart.
var ErrInvalidToken = errors.New("account: invalid or expired link")

// ErrBadCredentials covers unknown email, wrong password and accounts that
// are not active yet, so sign-in reveals none of them.
var ErrBadCredentials = errors.New("account: bad credentials")

// ErrNoSession means the session cookie names no live session.
var ErrNoSession = errors.New("account: no session")

// ErrBusy means hashing capacity is exhausted; ask the user to retry soon.
var ErrBusy = password.ErrBusy

// Config holds the settings the flows need.
type Config struct {
	BaseURL       *url.URL
	ActivationTTL time.Duration
	ResetTTL      time.Duration
	// InviteTTL is how long an invitation's link works; zero means
	// DefaultInviteTTL.
	InviteTTL time.Duration
	// SignupMode is who may create an account (SignupOpen when empty).
	SignupMode string
	// ApprovalNotify are the addresses told of each account that waits
	// for approval (SIGNUP_APPROVAL_NOTIFY).
	ApprovalNotify  []string
	SessionIdle     time.Duration
	SessionAbsolute time.Duration
	Policy          password.Policy
	// Verification is how emails let people prove the address: a link, a
	// code, or both (VerificationBoth, the default when empty).
	Verification string
	// Terms are what sign-up asks to accept; the zero value asks nothing.
	Terms Terms
	// Limits are the abuse limits; the zero value means DefaultLimits.
	Limits Limits
	// RepeatWindow is how long a repeat of an email request from the same
	// client answers as the first did (see repeats); zero means
	// DefaultRepeatWindow, a negative value turns the guard off.
	RepeatWindow time.Duration
	// Webhooks turns on the events for the platform (WEBHOOK_URL): each
	// is written to the outbox with the change it reports.
	Webhooks bool
	// SecretKey (TOTP_SECRET_KEY, 32 bytes) encrypts the authenticator
	// secrets at rest; empty stores them as they are.
	SecretKey []byte
	// DeliveryEvents says the mail provider reports what became of each
	// message (RESEND_WEBHOOK_SECRET), so "check your inbox" waits for
	// "delivered" rather than stopping at "sent".
	DeliveryEvents bool
	// AllowDuplicateDomain lets a new account whose domain is claimed by
	// an organisation that joins by invitation only create an
	// organisation of its own (ORG_ALLOW_DUPLICATE_DOMAIN).
	AllowDuplicateDomain bool
	// WebAuthnRPID is the passkeys' relying party id when it is a parent
	// domain of BaseURL's host (WEBAUTHN_RP_ID); "" means the host.
	WebAuthnRPID string
}

// Deps are what a Service runs on. Store, Hasher and Limiter are required:
// a Service without a limiter would silently enforce no abuse limit.
type Deps struct {
	Store   *store.Store
	Hasher  *password.Hasher
	Limiter *ratelimit.Limiter
	// Now is the clock (time.Now when nil); tests move it through expiry.
	Now func() time.Time
	// Queued is called after a transaction that wrote to the outbox has
	// committed, so the worker sends at once instead of at its next poll.
	Queued func()
}

// Service runs the flows against the store.
type Service struct {
	store   *store.Store
	hasher  *password.Hasher
	limiter *ratelimit.Limiter
	cfg     Config
	clock   func() time.Time
	queued  func()
	dummy   string
	repeats repeats
	// rp is the passkeys' relying party; nil when passkeys are off.
	rp *webauthn.WebAuthn
}

// New returns a Service. It hashes a dummy password once so that sign-in
// with an unknown address costs as much as with a known one.
func New(d Deps, cfg Config) (*Service, error) {
	switch {
	case d.Store == nil:
		return nil, errors.New("account: no store")
	case d.Hasher == nil:
		return nil, errors.New("account: no password hasher")
	case d.Limiter == nil:
		return nil, errors.New("account: no rate limiter")
	case cfg.BaseURL == nil:
		return nil, errors.New("account: no base URL")
	}
	switch cfg.Verification {
	case "":
		cfg.Verification = VerificationBoth
	case VerificationLink, VerificationCode, VerificationBoth:
	default:
		return nil, fmt.Errorf("account: unknown verification method %q", cfg.Verification)
	}
	if n := len(cfg.SecretKey); n != 0 && n != 32 {
		return nil, fmt.Errorf("account: the two-step secret key has %d bytes, want 32", n)
	}
	switch cfg.SignupMode {
	case "":
		cfg.SignupMode = SignupOpen
	case SignupOpen, SignupApproval, SignupInvite:
	default:
		return nil, fmt.Errorf("account: unknown sign-up mode %q", cfg.SignupMode)
	}
	if cfg.Limits == (Limits{}) {
		cfg.Limits = DefaultLimits
	}
	if cfg.Limits.DeliveryPerBrowser == (ratelimit.Rule{}) {
		cfg.Limits.DeliveryPerBrowser = deliveryLimits.perBrowser
	}
	if cfg.Limits.DeliveryPerIP == (ratelimit.Rule{}) {
		cfg.Limits.DeliveryPerIP = deliveryLimits.perIP
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if cfg.RepeatWindow == 0 {
		cfg.RepeatWindow = DefaultRepeatWindow
	}
	if d.Queued == nil {
		d.Queued = func() {}
	}
	rp, err := newRelyingParty(cfg.BaseURL, cfg.WebAuthnRPID)
	if err != nil {
		return nil, err
	}
	dummy, err := d.Hasher.Hash(context.Background(), "gatehouse dummy password for unknown accounts")
	if err != nil {
		return nil, fmt.Errorf("account: dummy hash: %w", err)
	}
	return &Service{store: d.Store, hasher: d.Hasher, limiter: d.Limiter, cfg: cfg, clock: d.Now, queued: d.Queued, dummy: dummy, rp: rp}, nil
}

// Policy is the password policy in force, for pages that describe it.
func (s *Service) Policy() password.Policy { return s.cfg.Policy }

// Meta is what the flows know of the request that triggered them.
type Meta struct {
	IP        string
	UserAgent string
	Locale    string
	// TimeZone is the IANA zone the browser reported (the time_zone form
	// field), checked; "" when it sent none.
	TimeZone string
	// ReturnTo is the deep link the person was heading to, kept with the
	// account by sign-up and recovery so it survives a switch of device.
	ReturnTo string
	// Operator names the operator acting for the person (Operator.Name),
	// recorded as the actor of the events the action writes; "" when the
	// person acts themselves.
	Operator string
	// Account is the signed-in account the request comes from, for the
	// steps of a flow that only its owner takes (0 for none).
	Account int64
}

func (s *Service) now() time.Time { return s.clock().UTC().Truncate(time.Microsecond) }

// link builds an emailed link from BASE_URL (never from the request's
// Host), carrying the token if any and the recipient's language, so the
// journey continues in it whichever browser opens the link.
func (s *Service) link(path, raw, locale string) string {
	u := *s.cfg.BaseURL
	u.Path += path
	var q []string
	if raw != "" {
		q = append(q, "token="+url.QueryEscape(raw))
	}
	if locale != "" {
		q = append(q, "lang="+url.QueryEscape(locale))
	}
	u.RawQuery = strings.Join(q, "&")
	return u.String()
}

// enqueue writes one email to the outbox inside tx.
func (s *Service) enqueue(ctx context.Context, tx *store.Store, to, locale string, e Email) error {
	return s.enqueueFor(ctx, tx, "", to, locale, e)
}

// enqueueFor is enqueue of the email a browser asked for (binding is its
// secret, "" for none), so that browser can follow it (Delivery).
func (s *Service) enqueueFor(ctx context.Context, tx *store.Store, binding, to, locale string, e Email) error {
	data, err := EncodeEmail(e)
	if err != nil {
		return err
	}
	return tx.Enqueue(ctx, &store.OutboxMessage{Kind: e.Kind(), Recipient: to, Locale: locale, Data: data, CreatedAt: s.now(),
		RequestHash: requestHash(binding)})
}

// audit records one event in the trail; userID 0 is an event of no
// account (a request for an unknown address).
func (s *Service) audit(ctx context.Context, tx *store.Store, userID int64, kind Event, m Meta) error {
	return tx.AddAuditEvent(ctx, s.newAudit(userID, kind, m))
}

// newAudit is the row of audit.
func (s *Service) newAudit(userID int64, kind Event, m Meta) *store.AuditEvent {
	e := &store.AuditEvent{Kind: string(kind), IP: clip(m.IP, 64), UserAgent: clip(m.UserAgent, 512), Actor: clip(m.Operator, 512), CreatedAt: s.now()}
	if userID != 0 {
		e.UserID = &userID
	}
	return e
}

// auditBy records an event an operator caused, naming them as its actor.
func (s *Service) auditBy(ctx context.Context, tx *store.Store, userID int64, kind Event, by Operator) error {
	return tx.AddAuditEvent(ctx, s.newAuditBy(userID, kind, by))
}

// auditOrgBy is auditBy of an operator acting on the organisation orgID,
// to which the event belongs whether or not userID (0 for none) is still
// in it.
func (s *Service) auditOrgBy(ctx context.Context, tx *store.Store, orgID, userID int64, kind Event, by Operator) error {
	e := s.newAuditBy(userID, kind, by)
	e.OrgID = &orgID
	return tx.AddAuditEvent(ctx, e)
}

func (s *Service) newAuditBy(userID int64, kind Event, by Operator) *store.AuditEvent {
	e := &store.AuditEvent{Kind: string(kind), IP: clip(by.IP, 64), Actor: clip(by.Name, 512), CreatedAt: s.now()}
	if userID != 0 {
		e.UserID = &userID
	}
	if by.UserID != 0 {
		e.ActorID = &by.UserID
	}
	return e
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
