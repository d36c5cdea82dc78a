// Package paths names every route once, for the router, the components and
// the links in emails.
package paths

// The public routes (DESIGN.md, "Public contract").
const (
	Home           = "/"
	Login          = "/login"
	Logout         = "/logout"
	Register       = "/register"
	RegisterSent   = "/register/sent"
	Activate       = "/activate"
	PasswordSet    = "/password/set"
	PasswordForgot = "/password/forgot"
	PasswordSent   = "/password/forgot/sent"
	PasswordReset  = "/password/reset"
	Account        = "/account"
	EndSessions    = "/account/sessions/end-others"
	Healthz        = "/healthz"
	Readyz         = "/readyz"
	DevMailbox     = "/dev/mailbox"
	Static         = "/static"
)
