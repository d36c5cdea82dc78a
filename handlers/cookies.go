package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"gatehouse/internal/paths"
	"gatehouse/internal/token"
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
	bindingFlow    = "verify"
	flowLifetime   = time.Hour
	sentLifetime   = 15 * time.Minute
)

var flowPaths = map[string]string{activationFlow: paths.PasswordSet, resetFlow: paths.PasswordReset, sentFlow: "/"}

// toSentPage remembers the posted address, and when its email left, for
// the "check your inbox" page at path and redirects there.
func (s *server) toSentPage(c *gin.Context, path, email, binding string) {
	s.setBinding(c, binding)
	v := url.QueryEscape(strings.TrimSpace(email)) + "|" + strconv.FormatInt(s.Now().Unix(), 10)
	s.setCookie(c, s.flowCookie(sentFlow), v, flowPaths[sentFlow], sentLifetime)
	redirect(c, path)
}

// sentTo is the address the "check your inbox" page is about and when its
// last email was asked for.
func (s *server) sentTo(c *gin.Context) (string, time.Time) {
	v, err := c.Cookie(s.flowCookie(sentFlow))
	if err != nil {
		return "", time.Time{}
	}
	enc, ts, _ := strings.Cut(v, "|")
	email, err := url.QueryUnescape(enc)
	if err != nil {
		return "", time.Time{}
	}
	sec, _ := strconv.ParseInt(ts, 10, 64)
	return email, time.Unix(sec, 0)
}

// newBinding is a fresh secret for the code in the email the browser is
// about to ask for; the code works only with it. setBinding hands it to
// the browser once the request has succeeded.
func newBinding() string {
	raw, _ := token.New()
	return raw
}

func (s *server) setBinding(c *gin.Context, raw string) {
	s.setCookie(c, s.flowCookie(bindingFlow), raw, "/", 24*time.Hour)
}

func (s *server) binding(c *gin.Context) string {
	v, _ := c.Cookie(s.flowCookie(bindingFlow))
	return v
}
