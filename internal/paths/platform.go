package paths

import "strings"

// The routes a platform behind Gatehouse talks to (DESIGN.md, "Public
// contract").
const (
	AuthVerify  = "/auth/verify"
	AuthSession = "/auth/session"
	JWKS        = "/.well-known/jwks.json"
	// ResendWebhook is where Resend posts delivery events.
	ResendWebhook = "/webhooks/resend"
)

// Reserved are the path prefixes Gatehouse keeps for itself: with
// UPSTREAM_URL set, a request under one of them is never proxied, whether
// or not a route answers it today, so the platform cannot use them. The
// README lists them.
var Reserved = []string{
	Login, Logout, Register, Activate, "/password", Account, Healthz, Readyz, "/dev", Static,
	ServiceWorker, Manifest, Offline, "/favicon.ico", "/auth", "/.well-known", "/org", "/invite", "/admin", "/webhooks", PasskeyPrefix,
}

// IsReserved reports whether path is Gatehouse's own: a reserved prefix
// itself or anything below it.
func IsReserved(path string) bool {
	for _, p := range Reserved {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}
