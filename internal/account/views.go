package account

import (
	"crypto/sha256"
	"encoding/base64"
	"time"

	"gatehouse/internal/store"
)

// User is an account as the pages see it: never its password hash.
type User struct {
	ID int64
	// PublicID is the stable, opaque identifier the platform sees.
	PublicID            string
	Email               string
	FirstName, LastName string
	Company             string
	Country, Region     string
	Phone               string
	Locale              string
	// TimeZone is the IANA zone the account's times are shown in; ""
	// means UTC.
	TimeZone          string
	CreatedAt         time.Time
	ActivatedAt       *time.Time
	PasswordChangedAt *time.Time
	// AwaitingApproval is a new account that waits for an operator
	// (SIGNUP_MODE=approval): no access until approved.
	AwaitingApproval bool
	// Org is the person's organisation and role, nil for none. It is
	// filled in for the signed-in user (Authenticate) only.
	Org *OrgMembership
	// Operator marks the people who may use the console.
	Operator bool
	// hasSecondFactor is known only where the organisation requires one
	// (Authenticate); see NeedsSecondFactor.
	hasSecondFactor bool
}

// Name is the person's full name as entered.
func (u User) Name() string { return u.FirstName + " " + u.LastName }

// withOrg is u with its membership m: a member's company is the
// organisation's name, which owners and admins keep up to date.
func withOrg(u User, m *store.Membership) User {
	u.Org = membershipView(m)
	if u.Org != nil && !u.Org.Pending {
		u.Company = u.Org.OrgName
	}
	return u
}

func userView(u *store.User) User {
	return User{ID: u.ID, PublicID: u.PublicID, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName, Company: u.Company,
		Country: u.Country, Region: u.Region, Phone: u.Phone, Locale: u.Locale, TimeZone: u.TimeZone, CreatedAt: u.CreatedAt,
		ActivatedAt: u.ActivatedAt, PasswordChangedAt: u.PasswordChangedAt, AwaitingApproval: u.Approval == store.ApprovalPending,
		Operator: u.Operator}
}

// Session is a signed-in browser as the pages see it: never its token.
type Session struct {
	ID int64
	// PublicID names the session to the platform (the token's sid): it
	// is derived from the stored hash, so it neither is nor reveals the
	// cookie's token.
	PublicID   string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	IP         string
	UserAgent  string
	// Methods are how the person signed in (RFC 8176 amr values).
	Methods Methods
	// AuthTime is when the password or strong factor was last entered.
	AuthTime time.Time
}

// ACR is the authentication context class the session reached.
func (s Session) ACR() string { return s.Methods.ACR() }

func sessionView(s *store.Session) Session {
	return Session{ID: s.ID, PublicID: sessionPublicID(s.Hash), CreatedAt: s.CreatedAt, LastSeenAt: s.LastSeenAt, ExpiresAt: s.ExpiresAt,
		IP: s.IP, UserAgent: s.UserAgent, Methods: parseMethods(s.AuthMethods), AuthTime: authTimeOf(s)}
}

// AuditEntry is one event of the account's audit trail.
type AuditEntry struct {
	Kind      Event
	At        time.Time
	IP        string
	UserAgent string
	// Actor is the operator who caused the event ("" for the person
	// themselves): their address from the console, "cli USER" from the
	// command line. Only the console shows it; the person is told that an
	// operator acted, not who.
	Actor string
}

func sessionPublicID(hash string) string {
	sum := sha256.Sum256([]byte("gatehouse session id:" + hash))
	return base64.RawURLEncoding.EncodeToString(sum[:18])
}
