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
	// The installable app's files sit at the root: a service worker's
	// scope cannot be wider than its folder.
	ServiceWorker = "/sw.js"
	Manifest      = "/manifest.webmanifest"
	Offline       = "/offline"
)
