package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"gatehouse/internal/account"
)

// Cookie names. Over HTTPS the session cookie gets the __Host- prefix (so
// it is Secure, host-only and Path=/) and the path-scoped flow cookies get
// __Secure-.
func (s *server) sessionCookie() string {
	if s.Platform.CookieDomain != "" {
		// A cookie with a Domain cannot be __Host-; __Secure- still
		// demands https.
		if s.SecureCookies {
			return "__Secure-gatehouse_session"
		}
		return "gatehouse_session"
	}
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
	http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: "", Path: path, MaxAge: -1, Domain: s.cookieDomain(name),
		HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
}

// The session cookie is a browser-session cookie: the server enforces the
// idle and absolute timeouts, and closing the browser ends it too.
func (s *server) setSession(c *gin.Context, raw string) {
	http.SetCookie(c.Writer, &http.Cookie{Name: s.sessionCookie(), Value: raw, Path: "/", Domain: s.Platform.CookieDomain,
		HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
}

// cookieDomain is the Domain of cookie name: COOKIE_DOMAIN for the
// session, none (host-only) for every other cookie.
func (s *server) cookieDomain(name string) string {
	if name == s.sessionCookie() {
		return s.Platform.CookieDomain
	}
	return ""
}

func (s *server) sessionToken(c *gin.Context) string {
	v, _ := c.Cookie(s.sessionCookie())
	return v
}

// A flow's cookie carries its link's token from the link's GET to the
// form's POST, so the token leaves the address bar (and history, and
// Referer); it is scoped to the form's path. The "sent" cookie remembers,
// for "check your inbox", the address an email was asked for and when; the
// "verify" cookie holds the secret the email's code is bound to.
const (
	sentCookie      = "sent"
	bindingCookie   = "verify"
	flowLifetime    = time.Hour
	sentLifetime    = 15 * time.Minute
	bindingLifetime = 24 * time.Hour
)

func (s *server) setFlowCookie(c *gin.Context, f *account.Flow, raw string) {
	s.setCookie(c, s.flowCookie(f.Name), raw, f.Paths.Form, flowLifetime)
}

func (s *server) clearFlowCookie(c *gin.Context, f *account.Flow) {
	s.clearCookie(c, s.flowCookie(f.Name), f.Paths.Form)
}

func (s *server) flowToken(c *gin.Context, f *account.Flow) string {
	v, _ := c.Cookie(s.flowCookie(f.Name))
	return v
}

// toSentPage keeps what the browser must remember of the email it asked
// for and redirects to the "check your inbox" page at path.
func (s *server) toSentPage(c *gin.Context, path string, sent account.Sent) {
	s.setCookie(c, s.flowCookie(bindingCookie), sent.Binding, "/", bindingLifetime)
	v := url.QueryEscape(sent.Email) + "|" + strconv.FormatInt(sent.At.Unix(), 10)
	s.setCookie(c, s.flowCookie(sentCookie), v, "/", sentLifetime)
	redirect(c, path)
}

// sentTo is the address the "check your inbox" page is about and when its
// last email was asked for; ok is false when the browser asked for none.
func (s *server) sentTo(c *gin.Context) (account.Sent, bool) {
	v, err := c.Cookie(s.flowCookie(sentCookie))
	if err != nil {
		return account.Sent{}, false
	}
	enc, ts, _ := strings.Cut(v, "|")
	email, err := url.QueryUnescape(enc)
	if err != nil || email == "" {
		return account.Sent{}, false
	}
	sec, _ := strconv.ParseInt(ts, 10, 64)
	return account.Sent{Email: email, At: time.Unix(sec, 0)}, true
}

// binding is the secret this browser's emailed code is bound to.
func (s *server) binding(c *gin.Context) string {
	v, _ := c.Cookie(s.flowCookie(bindingCookie))
	return v
}
