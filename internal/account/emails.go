package account

import (
	"encoding/json"
	"fmt"
	"reflect"
	"time"
)

// Email is one message the flows send, with exactly the fields its copy
// needs. It is stored in the outbox as its Kind and its fields as JSON, and
// rendered by the components package, which switches on its type.
type Email interface {
	// Kind names the email in the outbox row.
	Kind() string
}

// The outbox kinds of the emails. Rows already written carry them, so they
// never change.
const (
	EmailActivation        = "activation"
	EmailAlreadyRegistered = "already_registered"
	EmailReset             = "reset"
	EmailPasswordChanged   = "password_changed"
	EmailSignInThrottled   = "sign_in_throttled"
	EmailTwoStepOn         = "two_step_on"
	EmailTwoStepOff        = "two_step_off"
	EmailInvitation        = "invitation"
	EmailSignupApproved    = "signup_approved"
	EmailSignupDeclined    = "signup_declined"
	EmailSignupToApprove   = "signup_to_approve"
	EmailNoAccount         = "no_account"
	EmailChangeVerify      = "email_change"
	EmailChanged           = "email_changed"
	EmailAddressInUse      = "address_in_use"
	EmailAccountDeleted    = "account_deleted"
	EmailJoinRequest       = "org_join_request"
	EmailJoinApproved      = "org_join_approved"
	EmailJoinDeclined      = "org_join_declined"
	EmailMemberRemoved     = "org_member_removed"
	EmailPasskeyAdded      = "passkey_added"
	EmailPasskeyRemoved    = "passkey_removed"
)

// LinkEmail is what a flow's email carries: a link, a code, or both, and
// when they stop working.
type LinkEmail struct {
	FirstName string
	// LastName and TimeZone are the greeting's family name (Japanese
	// greets by it) and the IANA zone the times are shown in; rows queued
	// before they were kept have neither, and fall back to the given name
	// and UTC.
	LastName string `json:",omitempty"`
	TimeZone string `json:",omitempty"`
	// Link is empty when the flow sends codes only; Code is empty when it
	// sends links only or the request came from no browser.
	Link      string `json:",omitempty"`
	Code      string `json:",omitempty"`
	ExpiresAt time.Time
}

// ActivationEmail asks a new account's owner to confirm the address.
type ActivationEmail struct{ LinkEmail }

// Kind is EmailActivation.
func (ActivationEmail) Kind() string { return EmailActivation }

// ResetEmail carries a password reset link and code.
type ResetEmail struct{ LinkEmail }

// Kind is EmailReset.
func (ResetEmail) Kind() string { return EmailReset }

// AlreadyRegisteredEmail answers a sign-up for an address that already has
// an active account: no link to activate, a way to sign in or reset.
type AlreadyRegisteredEmail struct {
	FirstName          string
	LastName           string `json:",omitempty"`
	TimeZone           string `json:",omitempty"`
	LoginURL, ResetURL string
}

// Kind is EmailAlreadyRegistered.
func (AlreadyRegisteredEmail) Kind() string { return EmailAlreadyRegistered }

// PasswordChangedEmail tells the owner the password was set or changed,
// with no password and no token, and what to do if it was not them.
type PasswordChangedEmail struct {
	FirstName string
	LastName  string `json:",omitempty"`
	TimeZone  string `json:",omitempty"`
	// Initial is the first password of a new account. It is written as a
	// string, as rows queued before typed emails had it.
	Initial   bool `json:",string"`
	ResetURL  string
	ChangedAt time.Time
	// Device and IP are where the change came from (DeviceName of its
	// User-Agent), so an owner who did not make it can say so; rows
	// queued before they were kept have neither.
	Device string `json:",omitempty"`
	IP     string `json:",omitempty"`
}

// Kind is EmailPasswordChanged.
func (PasswordChangedEmail) Kind() string { return EmailPasswordChanged }

// SignInThrottledEmail tells an account's owner, once when wrong
// passwords first lock sign-in, that someone is trying to sign in and
// that it slows down: the page itself says nothing about the account
// (rule 21), so the owner trying their own half-remembered password would
// otherwise see only the same refusal again and again.
type SignInThrottledEmail struct {
	FirstName string
	LastName  string `json:",omitempty"`
	TimeZone  string `json:",omitempty"`
	// Minutes is the longest wait between attempts (LoginMaxDelay),
	// written as a string so every kind's data stays a map of strings.
	Minutes  int `json:",string"`
	ResetURL string
	At       time.Time
	// SecondStep says the wrong entries were two-step codes after a right
	// password: someone knows the password. Written as a string; rows
	// queued before it was kept lack it (false).
	SecondStep bool `json:",string,omitempty"`
}

// Kind is EmailSignInThrottled.
func (SignInThrottledEmail) Kind() string { return EmailSignInThrottled }

// TwoStepOnEmail tells the owner two-step verification was turned on,
// from which device and when, and what to do if it was not them.
type TwoStepOnEmail struct {
	FirstName string
	LastName  string `json:",omitempty"`
	TimeZone  string `json:",omitempty"`
	At        time.Time
	Device    string `json:",omitempty"`
	IP        string `json:",omitempty"`
	ResetURL  string
}

// Kind is EmailTwoStepOn.
func (TwoStepOnEmail) Kind() string { return EmailTwoStepOn }

// TwoStepOffEmail tells the owner two-step verification was turned off,
// by them (from a device) or by an operator at their request.
type TwoStepOffEmail struct {
	FirstName string
	LastName  string `json:",omitempty"`
	TimeZone  string `json:",omitempty"`
	At        time.Time
	// ByOperator is written as a string, so every kind's data stays a map
	// of strings.
	ByOperator bool   `json:",string"`
	Device     string `json:",omitempty"`
	IP         string `json:",omitempty"`
	ResetURL   string
}

// Kind is EmailTwoStepOff.
func (TwoStepOffEmail) Kind() string { return EmailTwoStepOff }

// InvitationEmail invites an address to an organisation: who invited,
// to what, with which role, and the link that works once until ExpiresAt.
// It goes out in the invitee's language if they have an account, else in
// the inviter's.
type InvitationEmail struct {
	// FirstName and LastName greet an invitee who has an account; empty,
	// the greeting names no one.
	FirstName string `json:",omitempty"`
	LastName  string `json:",omitempty"`
	// TimeZone is the invitee's if they have an account, else the
	// inviter's, for the expiry time.
	TimeZone string `json:",omitempty"`
	// Inviter is the inviter's full name; "" for an operator's invitation
	// (ByOperator, written as a string as TwoStepOffEmail's is), which
	// says an administrator invited and names no one.
	Inviter    string
	ByOperator bool `json:",string,omitempty"`
	Org        string
	Role       string
	Link       string
	ExpiresAt  time.Time
}

// Kind is EmailInvitation.
func (InvitationEmail) Kind() string { return EmailInvitation }

// SignupApprovedEmail tells a person waiting for an operator that their
// account is open.
type SignupApprovedEmail struct {
	FirstName string
	LastName  string `json:",omitempty"`
	LoginURL  string
}

// Kind is EmailSignupApproved.
func (SignupApprovedEmail) Kind() string { return EmailSignupApproved }

// SignupDeclinedEmail tells a person waiting for an operator that their
// sign-up was declined.
type SignupDeclinedEmail struct {
	FirstName string
	LastName  string `json:",omitempty"`
}

// Kind is EmailSignupDeclined.
func (SignupDeclinedEmail) Kind() string { return EmailSignupDeclined }

// SignupToApproveEmail tells an operator that a new account waits for
// approval: who, from which company, and the commands that decide.
type SignupToApproveEmail struct {
	Name    string
	Email   string
	Company string
}

// Kind is EmailSignupToApprove.
func (SignupToApproveEmail) Kind() string { return EmailSignupToApprove }

// NoAccountEmail answers a request for a link (forgot password, send
// again) for an address that has no account: nothing to reset, a way to
// sign up, and nothing to do if it was not them. It goes to the address as
// typed, in the asker's language.
type NoAccountEmail struct {
	SignUpURL string
}

// Kind is EmailNoAccount.
func (NoAccountEmail) Kind() string { return EmailNoAccount }

// EmailChangeEmail asks the owner to confirm the address the account is
// moving to; it goes to that new address.
type EmailChangeEmail struct{ LinkEmail }

// Kind is EmailChangeVerify.
func (EmailChangeEmail) Kind() string { return EmailChangeVerify }

// EmailChangedEmail tells the old address that the account moved, to
// where, from which device, and gives a link that undoes it.
type EmailChangedEmail struct {
	FirstName string
	LastName  string `json:",omitempty"`
	TimeZone  string `json:",omitempty"`
	NewEmail  string
	RevertURL string
	// RevertUntil is when the link stops working.
	RevertUntil time.Time
	ChangedAt   time.Time
	Device      string `json:",omitempty"`
	IP          string `json:",omitempty"`
}

// Kind is EmailChanged.
func (EmailChangedEmail) Kind() string { return EmailChanged }

// AddressInUseEmail tells an account's owner that someone asked to move
// another account to their address, which was refused: the one asking is
// told nothing of it, so only the owner learns that the address is taken.
type AddressInUseEmail struct {
	FirstName          string
	LastName           string `json:",omitempty"`
	TimeZone           string `json:",omitempty"`
	LoginURL, ResetURL string
	At                 time.Time
}

// Kind is EmailAddressInUse.
func (AddressInUseEmail) Kind() string { return EmailAddressInUse }

// AccountDeletedEmail is the last email to an erased account. It is
// rendered from its own fields, as the account is gone by then, and names
// no one.
type AccountDeletedEmail struct {
	DeletedAt   time.Time
	RegisterURL string
}

// Kind is EmailAccountDeleted.
func (AccountDeletedEmail) Kind() string { return EmailAccountDeleted }

// JoinRequestEmail tells an organisation's owner or admin that someone
// with a verified address of a claimed domain asks to join.
type JoinRequestEmail struct {
	FirstName      string
	LastName       string `json:",omitempty"`
	OrgName        string
	RequesterName  string
	RequesterEmail string
	OrgURL         string
}

// Kind is EmailJoinRequest.
func (JoinRequestEmail) Kind() string { return EmailJoinRequest }

// JoinApprovedEmail tells a requester they are in.
type JoinApprovedEmail struct {
	FirstName string
	LastName  string `json:",omitempty"`
	OrgName   string
	LoginURL  string
}

// Kind is EmailJoinApproved.
func (JoinApprovedEmail) Kind() string { return EmailJoinApproved }

// JoinDeclinedEmail tells a requester their request was turned down.
type JoinDeclinedEmail struct {
	FirstName string
	LastName  string `json:",omitempty"`
	OrgName   string
}

// Kind is EmailJoinDeclined.
func (JoinDeclinedEmail) Kind() string { return EmailJoinDeclined }

// MemberRemovedEmail tells a member an owner or admin removed them.
type MemberRemovedEmail struct {
	FirstName string
	LastName  string `json:",omitempty"`
	OrgName   string
}

// Kind is EmailMemberRemoved.
func (MemberRemovedEmail) Kind() string { return EmailMemberRemoved }

// PasskeyEmail is what the passkey emails say: which passkey, from which
// device and address, when, and where to look or what to do if it was not
// the owner.
type PasskeyEmail struct {
	FirstName string
	// LastName and TimeZone are the greeting's family name and the zone
	// the time is shown in, as in LinkEmail.
	LastName   string `json:",omitempty"`
	TimeZone   string `json:",omitempty"`
	Passkey    string
	Device     string
	IP         string `json:",omitempty"`
	At         time.Time
	AccountURL string
	ResetURL   string
}

// PasskeyAddedEmail tells the owner a passkey was added to the account.
type PasskeyAddedEmail struct{ PasskeyEmail }

// Kind is EmailPasskeyAdded.
func (PasskeyAddedEmail) Kind() string { return EmailPasskeyAdded }

// PasskeyRemovedEmail tells the owner a passkey was removed.
type PasskeyRemovedEmail struct{ PasskeyEmail }

// Kind is EmailPasskeyRemoved.
func (PasskeyRemovedEmail) Kind() string { return EmailPasskeyRemoved }

// emailKinds makes an empty email of each kind, for decoding outbox rows.
var emailKinds = map[string]func() Email{
	EmailActivation:        func() Email { return &ActivationEmail{} },
	EmailReset:             func() Email { return &ResetEmail{} },
	EmailAlreadyRegistered: func() Email { return &AlreadyRegisteredEmail{} },
	EmailPasswordChanged:   func() Email { return &PasswordChangedEmail{} },
	EmailSignInThrottled:   func() Email { return &SignInThrottledEmail{} },
	EmailTwoStepOn:         func() Email { return &TwoStepOnEmail{} },
	EmailTwoStepOff:        func() Email { return &TwoStepOffEmail{} },
	EmailInvitation:        func() Email { return &InvitationEmail{} },
	EmailSignupApproved:    func() Email { return &SignupApprovedEmail{} },
	EmailSignupDeclined:    func() Email { return &SignupDeclinedEmail{} },
	EmailSignupToApprove:   func() Email { return &SignupToApproveEmail{} },
	EmailNoAccount:         func() Email { return &NoAccountEmail{} },
	EmailChangeVerify:      func() Email { return &EmailChangeEmail{} },
	EmailChanged:           func() Email { return &EmailChangedEmail{} },
	EmailAddressInUse:      func() Email { return &AddressInUseEmail{} },
	EmailAccountDeleted:    func() Email { return &AccountDeletedEmail{} },
	EmailJoinRequest:       func() Email { return &JoinRequestEmail{} },
	EmailJoinApproved:      func() Email { return &JoinApprovedEmail{} },
	EmailJoinDeclined:      func() Email { return &JoinDeclinedEmail{} },
	EmailMemberRemoved:     func() Email { return &MemberRemovedEmail{} },
	EmailPasskeyAdded:      func() Email { return &PasskeyAddedEmail{} },
	EmailPasskeyRemoved:    func() Email { return &PasskeyRemovedEmail{} },
}

// EncodeEmail is an email's outbox data.
func EncodeEmail(e Email) (string, error) {
	b, err := json.Marshal(e)
	if err != nil {
		return "", fmt.Errorf("account: encode %s email: %w", e.Kind(), err)
	}
	return string(b), nil
}

// DecodeEmail reads an outbox row's email back; the result is a value of
// the kind's type (ActivationEmail, not a pointer).
func DecodeEmail(kind, data string) (Email, error) {
	mk, ok := emailKinds[kind]
	if !ok {
		return nil, fmt.Errorf("account: unknown email kind %q", kind)
	}
	p := mk()
	if err := json.Unmarshal([]byte(data), p); err != nil {
		return nil, fmt.Errorf("account: decode %s email: %w", kind, err)
	}
	// The value, not the pointer: components switch on value types.
	return reflect.ValueOf(p).Elem().Interface().(Email), nil
}
