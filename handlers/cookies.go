package handlers

import (
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"gatehouse/internal/paths"
)

// Cookie names. Over HTTPS the session cookie gets the __Host- prefix (so
// it is Secure, host-only and Path=/) and the path-scoped flow cookies get
// __Secure-.
func (s *server) sessionCookie() string {
	if s.SecureCookies {
		return "__Host-gatehouse_session"
	}
	return "gatehouse_session"
}

func (s *server) flowCookie(name string) string {
	if s.SecureCookies {
		return "__Secure-gatehouse_" + name
	}
	return "gatehouse_" + name
}

func (s *server) setCookie(c *gin.Context, name, value, path string, maxAge time.Duration) {
	http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: value, Path: path, MaxAge: int(maxAge / time.Second),
		HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
}

func (s *server) clearCookie(c *gin.Context, name, path string) {
	http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: "", Path: path, MaxAge: -1,
		HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
}

// The session cookie is a browser-session cookie: the server enforces the
// idle and absolute timeouts, and closing the browser ends it too.
func (s *server) setSession(c *gin.Context, raw string) {
	http.SetCookie(c.Writer, &http.Cookie{Name: s.sessionCookie(), Value: raw, Path: "/",
		HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
}

func (s *server) sessionToken(c *gin.Context) string {
	v, _ := c.Cookie(s.sessionCookie())
	return v
}

// Flow cookies carry a link's token from the link's GET to the form's
// POST, so the token leaves the address bar (and history, and Referer).
const (
	activationFlow = "activation"
	resetFlow      = "reset"
	sentFlow       = "sent"
	flowLifetime   = time.Hour
	sentLifetime   = 15 * time.Minute
)

var flowPaths = map[string]string{activationFlow: paths.PasswordSet, resetFlow: paths.PasswordReset, sentFlow: "/"}

// sentTo is the address the last "check your inbox" page is about.
func (s *server) sentTo(c *gin.Context) string {
	v, err := c.Cookie(s.flowCookie(sentFlow))
	if err != nil {
		return ""
	}
	email, err := url.QueryUnescape(v)
	if err != nil {
		return ""
	}
	return email
}
