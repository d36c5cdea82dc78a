package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"gatehouse/components"
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

// toSentPage remembers the posted address for the "check your inbox" page
// at path and redirects there.
func (s *server) toSentPage(c *gin.Context, path string) {
	s.setCookie(c, s.flowCookie(sentFlow), url.QueryEscape(strings.TrimSpace(c.PostForm("email"))), flowPaths[sentFlow], sentLifetime)
	redirect(c, path)
}

// sentPage shows "check your inbox" for the remembered address, or sends
// the visitor back to the form (at back) when there is none.
func (s *server) sentPage(c *gin.Context, back, title, body string) {
	v, err := c.Cookie(s.flowCookie(sentFlow))
	email, uerr := url.QueryUnescape(v)
	if err != nil || uerr != nil || email == "" {
		c.Redirect(http.StatusFound, back)
		return
	}
	s.render(c, http.StatusOK, components.SentPage(components.SentView{Title: title, Body: body, Email: email}), nil)
}
