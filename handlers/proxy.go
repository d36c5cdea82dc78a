package handlers

import (
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"gatehouse/internal/handoff"
	"gatehouse/internal/paths"
	"gatehouse/internal/returnto"
)

// Platform is the hand-off to the application behind Gatehouse. The zero
// value proxies nothing; Keys and Tokens serve forward auth and the key
// set with or without an upstream.
type Platform struct {
	// BaseURL is Gatehouse's public URL: forward auth sends browsers to
	// its sign-in page from whatever host the proxy serves.
	BaseURL *url.URL
	// Upstream is UPSTREAM_URL; nil proxies nothing.
	Upstream    *url.URL
	PublicPaths []string
	Timeout     time.Duration
	// Landing is where sign-in leads without a return_to.
	Landing string
	// CookieDomain, when set, scopes the session cookie to a parent
	// domain (COOKIE_DOMAIN).
	CookieDomain string
	Keys         *handoff.Keyring
	Tokens       *handoff.Issuer
}

// ownHeaders are the headers Gatehouse sets on its own pages that are the
// platform's to decide on its responses; HSTS stays, as it is the host's.
var ownHeaders = []string{"Content-Security-Policy", "Referrer-Policy", "X-Frame-Options",
	"Cross-Origin-Opener-Policy", "Permissions-Policy", "X-Content-Type-Options", "Vary", "Cache-Control"}

func (s *server) newProxy() *httputil.ReverseProxy {
	return handoff.NewProxy(s.Platform.Upstream, s.Platform.Timeout, func(w http.ResponseWriter, r *http.Request, status int) {
		setPageHeaders(w.Header(), s.SecureCookies)
		title, msg := "page.bad_gateway.title", "page.bad_gateway.body"
		if status == http.StatusGatewayTimeout {
			title, msg = "page.gateway_timeout.title", "page.gateway_timeout.body"
		}
		s.Log.WarnContext(r.Context(), "platform did not answer", "status", status, "path", r.URL.Path)
		s.writeError(w, r, status, title, msg)
	})
}

// toPlatform answers every path that is not Gatehouse's own when
// UPSTREAM_URL is set: signed-in people (and anyone, on the public paths)
// are proxied with their identity; everyone else is asked to sign in.
func (s *server) toPlatform(c *gin.Context) {
	path := c.Request.URL.Path
	if paths.IsReserved(path) {
		s.notFound(c)
		return
	}
	u, sess, err := s.currentUser(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	fwd := handoff.Forward{ClientIP: c.ClientIP()}
	if u != nil && !u.HasAccess() {
		// Waiting for approval (or an invitation): no identity reaches
		// the platform; public paths are served as to anyone.
		if !s.publicPath(path) {
			s.waitFirst(c, c.Request.Method)
			return
		}
		u = nil
	}
	if u != nil && u.NeedsSecondFactor() {
		// The organisation requires a second step the person has not
		// set up: likewise, until they have.
		if !s.publicPath(path) {
			s.secondStepFirst(c, c.Request.Method)
			return
		}
		u = nil
	}
	if u != nil {
		id := identityOf(c, u, sess)
		tok, err := s.Platform.Tokens.Token(c.Request.Context(), id)
		if err != nil {
			s.fail(c, err)
			return
		}
		fwd.Identity, fwd.Token = &id, tok
	} else if !s.publicPath(path) {
		s.signInFirst(c, c.Request.URL.RequestURI(), c.Request.Method)
		return
	}
	h := c.Writer.Header()
	for _, k := range ownHeaders {
		h.Del(k)
	}
	// The server's read and write timeouts protect Gatehouse's pages;
	// a proxied download, upload, event stream or WebSocket may rightly
	// last longer. Waiting for the platform is bounded by UPSTREAM_TIMEOUT.
	rc := http.NewResponseController(c.Writer)
	rc.SetReadDeadline(time.Time{})
	rc.SetWriteDeadline(time.Time{})
	r := c.Request.WithContext(handoff.WithForward(c.Request.Context(), fwd))
	r.Body = uncapped(r.Body)
	s.proxy.ServeHTTP(c.Writer, r)
}

// publicPath reports whether path is under one of UPSTREAM_PUBLIC_PATHS.
func (s *server) publicPath(path string) bool {
	for _, p := range s.Platform.PublicPaths {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// signInFirst answers a visitor who must sign in before reaching target
// (a path and query): a browser navigation goes to the sign-in page with
// return_to, htmx is told to go there, and anything else (fetch, an API
// client) gets 401 with a small JSON body, as a redirect would only hand
// it an HTML page it cannot use.
func (s *server) signInFirst(c *gin.Context, target, method string) {
	login := s.loginURL(target)
	switch {
	case c.GetHeader("HX-Request") == "true":
		c.Header("Cache-Control", "no-store")
		c.Header("HX-Redirect", login)
		c.Status(http.StatusNoContent)
	case navigation(method, c.GetHeader("Accept")):
		c.Header("Cache-Control", "no-store")
		c.Redirect(http.StatusSeeOther, login)
	default:
		notSignedIn(c)
	}
}

// loginURL is the sign-in page leading back to target when it is a local
// path, absolute on BASE_URL so that it works from any host a forward-auth
// proxy serves.
func (s *server) loginURL(target string) string {
	login := paths.Login
	if rt := returnto.Clean(target); rt != "" {
		login += "?return_to=" + url.QueryEscape(rt)
	}
	if s.Platform.BaseURL != nil {
		return strings.TrimSuffix(s.Platform.BaseURL.String(), "/") + login
	}
	return login
}

// navigation reports whether a request is a browser loading a page.
func navigation(method, accept string) bool {
	return (method == http.MethodGet || method == http.MethodHead) && strings.Contains(accept, "text/html")
}

func notSignedIn(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusUnauthorized, gin.H{"error": "not_signed_in", "login": paths.Login})
}
