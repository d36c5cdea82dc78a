package account

import (
	"time"

	"gatehouse/internal/paths"
	"gatehouse/internal/store"
)

// Flow is one journey that proves an address by email and ends with a new
// password: activation after sign-up, recovery after a forgotten password,
// and the flows added later. Link and code are two ways through the same
// flow: the email carries either or both, and each comes back here. Every
// difference between flows is a field of this type, so code that runs a
// flow never asks which one it is.
type Flow struct {
	// Name names the flow in logs and in its browser cookie.
	Name string
	// linkPurpose and codePurpose are the store's purposes of the flow's
	// link tokens and of its browser-bound codes.
	linkPurpose, codePurpose string
	// ttl is how long the flow's links and codes live.
	ttl func(Config) time.Duration
	// forStatus is the account status the flow serves: a request for an
	// address in another status goes to orElse, if that serves it, or
	// sends nothing.
	forStatus string
	orElse    *Flow
	// email is the message that carries the link and code.
	email func(LinkEmail) Email
	// requested and completed are recorded in the audit trail when the
	// email is asked for and when the password is set.
	requested, completed Event
	// firstPassword says completing the flow sets an account's first
	// password (its "password changed" email says "set").
	firstPassword bool
	// placesInOrg says completing the flow decides the person's
	// organisation (Service.place), now that the address is verified.
	placesInOrg bool
	// SignUp places the flow's pages in the sign-up stepper.
	SignUp bool
	// NewAddress marks a flow that proves an address the account moves
	// to: it is asked for by the signed-in owner (its "check your inbox",
	// code and "send again" pages need the session), its email goes to
	// the new address, and completing it changes the address, not the
	// password. Its link still works in any browser: the token is the
	// proof, as with activation.
	NewAddress bool
	// Paths are the pages the flow moves through.
	Paths FlowPaths
	// Copy is the message IDs of the flow's own words on those pages.
	Copy FlowCopy
	// Done is the notice the sign-in page shows once the password is set.
	Done Notice
}

// FlowPaths are the routes of one flow, from the form that asks for the
// email to the form that completes it.
type FlowPaths struct {
	Start  string // the form that asks for the email (where "back" goes)
	Sent   string // "check your inbox"
	Verify string // where the code from the email is posted
	Resend string // "send again"
	Link   string // the emailed link's page (GET, ?token=)
	Form   string // the new-password form the link leads to
	// Status is the fragment "check your inbox" asks what became of the
	// email ("" for a flow that does not follow it).
	Status string
	Check  string // the form's live password checklist; "" for a flow without a password
}

// FlowCopy is the message IDs of a flow's page texts.
type FlowCopy struct {
	SentTitle, SentBody string // the check-your-inbox page; SentBody takes {{.Email}}
	FormTitle           string // the new-password form
	// FormConfirmed is a success notice above the form (the address is
	// now confirmed), FormIntro a plain paragraph; a flow has one of them.
	// Both take {{.Email}}.
	FormConfirmed, FormIntro string
	FormButton               string
}

// Activation is the flow that proves a new account's address after
// sign-up and sets its first password.
var Activation = &Flow{
	Name:          "activation",
	linkPurpose:   store.PurposeActivation,
	codePurpose:   store.PurposeActivationCode,
	ttl:           func(c Config) time.Duration { return c.ActivationTTL },
	forStatus:     store.UserPending,
	email:         func(l LinkEmail) Email { return ActivationEmail{l} },
	requested:     EventRegistered,
	completed:     EventActivated,
	firstPassword: true,
	placesInOrg:   true,
	SignUp:        true,
	Paths: FlowPaths{Start: paths.Register, Sent: paths.RegisterSent, Verify: paths.RegisterVerify,
		Resend: paths.RegisterResend, Link: paths.Activate, Form: paths.PasswordSet, Check: paths.PasswordSetCheck,
		Status: paths.RegisterSentStatus},
	Copy: FlowCopy{SentTitle: "page.register_sent.title", SentBody: "page.register_sent.body",
		FormTitle: "page.set_password.title", FormConfirmed: "page.set_password.confirmed",
		FormButton: "action.set_password"},
	Done: NoticePasswordSet,
}

// Recovery is the flow that lets an active account's owner choose a new
// password. A pending account asking for it is sent activation instead,
// which is how it gets its first password.
var Recovery = &Flow{
	Name:        "reset",
	linkPurpose: store.PurposeReset,
	codePurpose: store.PurposeResetCode,
	ttl:         func(c Config) time.Duration { return c.ResetTTL },
	forStatus:   store.UserActive,
	orElse:      Activation,
	email:       func(l LinkEmail) Email { return ResetEmail{l} },
	requested:   EventResetRequested,
	completed:   EventPasswordReset,
	Paths: FlowPaths{Start: paths.PasswordForgot, Sent: paths.PasswordSent, Verify: paths.PasswordVerify,
		Resend: paths.PasswordResend, Link: paths.PasswordReset, Form: paths.PasswordReset, Check: paths.PasswordResetCheck,
		Status: paths.PasswordSentStatus},
	Copy: FlowCopy{SentTitle: "page.forgot_sent.title", SentBody: "page.forgot_sent.body",
		FormTitle: "page.reset.title", FormIntro: "page.reset.intro", FormButton: "action.reset_password"},
	Done: NoticePasswordReset,
}

// EmailChange is the flow that moves an active account to a new address:
// the new address is proven by link or code before anything changes, so
// until then the old one stays the sign-in.
var EmailChange = &Flow{
	Name:        "email_change",
	linkPurpose: store.PurposeEmailChange,
	codePurpose: store.PurposeEmailChangeCode,
	// As long as a new account's activation: both prove an address.
	ttl:        func(c Config) time.Duration { return c.ActivationTTL },
	forStatus:  store.UserActive,
	email:      func(l LinkEmail) Email { return EmailChangeEmail{l} },
	requested:  EventEmailChangeRequested,
	completed:  EventEmailChanged,
	NewAddress: true,
	Paths: FlowPaths{Start: paths.Account, Sent: paths.EmailSent, Status: paths.EmailSentStatus, Verify: paths.EmailVerify,
		Resend: paths.EmailResend, Link: paths.EmailConfirm, Form: paths.EmailConfirm},
	Copy: FlowCopy{SentTitle: "page.email_sent.title", SentBody: "page.email_sent.body",
		FormTitle: "page.email_confirm.title", FormIntro: "page.email_confirm.intro", FormButton: "action.confirm_email"},
	Done: NoticeEmailChanged,
}

// Flows lists every flow, for the router.
var Flows = []*Flow{Activation, Recovery, EmailChange}

// allPurposes are the store purposes of every link and code of every flow:
// setting a password voids them all.
func allPurposes() []string {
	out := make([]string, 0, 2*len(Flows))
	for _, f := range Flows {
		out = append(out, f.linkPurpose, f.codePurpose)
	}
	return out
}

// flowNamed is the flow of that name; nil for none.
func flowNamed(name string) *Flow {
	for _, f := range Flows {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// serving is the flow that answers a request of f for an account in
// status: f itself, its fallback, or nil when neither serves it.
func (f *Flow) serving(status string) *Flow {
	switch {
	case f.forStatus == status:
		return f
	case f.orElse != nil && f.orElse.forStatus == status:
		return f.orElse
	}
	return nil
}
