package handlers

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"gatehouse/internal/account"
	"gatehouse/internal/handoff"
	"gatehouse/internal/i18n"
)

// identityOf is what the platform is told about the signed-in user.
func identityOf(c *gin.Context, u *account.User, sess *account.Session) handoff.Identity {
	locale := u.Locale
	if locale == "" {
		locale = i18n.Lang(c.Request.Context())
	}
	id := handoff.Identity{UserID: u.PublicID, SessionID: sess.PublicID, Email: u.Email, EmailVerified: u.ActivatedAt != nil,
		GivenName: u.FirstName, FamilyName: u.LastName, Company: u.Company, Locale: locale,
		AuthMethods: sess.Methods.String(), ACR: sess.ACR(), AuthTime: sess.AuthTime.Unix()}
	if u.Org != nil {
		id.OrgID, id.OrgName, id.OrgRole = u.Org.OrgPublicID, u.Org.OrgName, string(u.Org.Role)
	}
	return id
}

// authVerify is forward auth (nginx auth_request, Traefik forwardAuth,
// Caddy forward_auth): 200 with the identity headers for a live session,
// 401 without. A browser navigation whose original URL a trusted proxy
// passed gets 303 to sign-in and back, which Traefik and Caddy relay.
func (s *server) authVerify(c *gin.Context) {
	u, sess, err := s.currentUser(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	if u == nil {
		uri, method, ok := s.originalRequest(c)
		switch {
		case ok && navigation(method, c.GetHeader("Accept")):
			c.Redirect(http.StatusSeeOther, s.loginURL(uri))
			return
		case ok && c.GetHeader("HX-Request") == "true":
			// Never a 2xx here: a proxy takes any 2xx for "let it pass".
			c.Header("HX-Redirect", s.loginURL(uri))
		}
		notSignedIn(c)
		return
	}
	if !u.HasAccess() {
		// Signed in but waiting: never a 2xx, which lets a request pass.
		_, method, ok := s.originalRequest(c)
		if !ok {
			method = ""
		}
		s.waitFirst(c, method)
		return
	}
	if u.NeedsSecondFactor() {
		_, method, ok := s.originalRequest(c)
		if !ok {
			method = ""
		}
		s.secondStepFirst(c, method)
		return
	}
	id := identityOf(c, u, sess)
	tok := ""
	if s.Platform.Tokens != nil {
		if tok, err = s.Platform.Tokens.Token(c.Request.Context(), id); err != nil {
			s.fail(c, err)
			return
		}
	}
	id.Set(c.Writer.Header(), tok)
	c.Status(http.StatusOK)
}

// originalRequest is the URL and method a forward-auth proxy says the
// browser asked for; believed only from TRUSTED_PROXIES, and only when
// both are given (nginx's auth_request cannot relay a redirect, so its
// snippet sends no method and gets 401).
func (s *server) originalRequest(c *gin.Context) (uri, method string, ok bool) {
	if !s.proxies.contains(c.RemoteIP()) {
		return "", "", false
	}
	uri = c.GetHeader("X-Forwarded-Uri")
	if uri == "" {
		uri = c.GetHeader("X-Original-URI")
	}
	method = c.GetHeader("X-Forwarded-Method")
	return uri, method, uri != "" && method != ""
}

// SessionJSON is GET /auth/session's answer.
type SessionJSON struct {
	User    UserJSON    `json:"user"`
	Session SessionInfo `json:"session"`
}

// UserJSON is the signed-in user as /auth/session tells a server.
type UserJSON struct {
	ID            string `json:"id"`
	Email         string `json:"email"`
	EmailVerified bool   `json:"email_verified"`
	GivenName     string `json:"given_name"`
	FamilyName    string `json:"family_name"`
	Company       string `json:"company"`
	Country       string `json:"country"`
	Region        string `json:"region"`
	Locale        string `json:"locale"`
	OrgID         string `json:"org_id"`
	OrgName       string `json:"org_name"`
	OrgRole       string `json:"org_role"`
}

// SessionInfo is the session as /auth/session tells a server.
type SessionInfo struct {
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	// AMR are the RFC 8176 methods of the sign-in, as in the token.
	AMR []string `json:"amr"`
	// ACR is the authentication context class, as in the token.
	ACR string `json:"acr"`
	// AuthTime is when the password or strong factor was last entered.
	AuthTime time.Time `json:"auth_time"`
}

// authSession tells a server who is signed in. It sends no CORS headers:
// it is for servers holding the cookie, never for other sites' scripts.
func (s *server) authSession(c *gin.Context) {
	u, sess, err := s.currentUser(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	if u == nil {
		notSignedIn(c)
		return
	}
	if !u.HasAccess() {
		noAccess(c)
		return
	}
	if u.NeedsSecondFactor() {
		noSecondStep(c)
		return
	}
	id := identityOf(c, u, sess)
	c.JSON(http.StatusOK, SessionJSON{
		User: UserJSON{ID: id.UserID, Email: id.Email, EmailVerified: id.EmailVerified, GivenName: id.GivenName,
			FamilyName: id.FamilyName, Company: id.Company, Country: u.Country, Region: u.Region, Locale: id.Locale,
			OrgID: id.OrgID, OrgName: id.OrgName, OrgRole: id.OrgRole},
		Session: SessionInfo{ID: id.SessionID, CreatedAt: sess.CreatedAt.UTC(), ExpiresAt: sess.ExpiresAt.UTC(),
			AMR: id.AMR(), ACR: id.ACR, AuthTime: sess.AuthTime.UTC()},
	})
}

// jwks publishes the keys that verify identity tokens; platforms may
// cache it for handoff.JWKSMaxAge.
func (s *server) jwks(c *gin.Context) {
	b, err := s.Platform.Keys.JWKS(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "public, max-age="+strconv.Itoa(int(handoff.JWKSMaxAge/time.Second)))
	c.Data(http.StatusOK, "application/jwk-set+json", b)
}
