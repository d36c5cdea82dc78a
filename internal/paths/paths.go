// Package paths names every route once, for the router, the components and
// the links in emails.
package paths

// The public routes (DESIGN.md, "Public contract").
const (
	Home                 = "/"
	Login                = "/login"
	Logout               = "/logout"
	Register             = "/register"
	RegisterSent         = "/register/sent"
	RegisterVerify       = "/register/verify"
	RegisterResend       = "/register/resend"
	Activate             = "/activate"
	PasswordSet          = "/password/set"
	PasswordSetCheck     = "/password/set/check"
	PasswordForgot       = "/password/forgot"
	PasswordSent         = "/password/forgot/sent"
	PasswordVerify       = "/password/forgot/verify"
	PasswordResend       = "/password/forgot/resend"
	PasswordReset        = "/password/reset"
	PasswordResetCheck   = "/password/reset/check"
	Account              = "/account"
	EndSessions          = "/account/sessions/end-others"
	AccountPassword      = "/account/password"
	AccountPasswordCheck = "/account/password/check"
	RegisterValidate     = "/register/validate"
	Language             = "/language"
	Healthz              = "/healthz"
	Readyz               = "/readyz"
	DevMailbox           = "/dev/mailbox"
	Static               = "/static"
	// "Check your inbox" asks here what became of its email.
	RegisterSentStatus = "/register/sent/status"
	PasswordSentStatus = "/password/forgot/sent/status"
	// The rest of an account's life: a new address (proven by the
	// email-change flow, undone from the old address), deletion, export,
	// profile edits and signing out one session.
	AccountEmail    = "/account/email"
	EmailSent       = "/account/email/sent"
	EmailSentStatus = "/account/email/sent/status"
	EmailVerify     = "/account/email/verify"
	EmailResend     = "/account/email/resend"
	EmailConfirm    = "/account/email/confirm"
	EmailRevert     = "/account/email/revert"
	AccountDelete   = "/account/delete"
	AccountExport   = "/account/export"
	AccountProfile  = "/account/profile"
	ProfileCheck    = "/account/profile/validate"
	EndSession      = "/account/sessions/end"
	// The installable app's files sit at the root: a service worker's
	// scope cannot be wider than its folder.
	ServiceWorker = "/sw.js"
	Manifest      = "/manifest.webmanifest"
	Offline       = "/offline"
)
