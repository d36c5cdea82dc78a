package handlers

import (
	"errors"

	"github.com/gin-gonic/gin"

	"gatehouse/internal/account"
	"gatehouse/internal/i18n"
	"gatehouse/internal/paths"
)

const (
	userKey    = "gatehouse.user"
	sessionKey = "gatehouse.session"
)

// currentUser returns the signed-in user, or nil; errors other than "no
// session" are reported through err.
func (s *server) currentUser(c *gin.Context) (*account.User, *account.Session, error) {
	if u, ok := c.Get(userKey); ok {
		return u.(*account.User), c.MustGet(sessionKey).(*account.Session), nil
	}
	raw := s.sessionToken(c)
	if raw == "" {
		return nil, nil, nil
	}
	u, sess, err := s.Account.Authenticate(c.Request.Context(), raw)
	if errors.Is(err, account.ErrNoSession) {
		s.clearCookie(c, s.sessionCookie(), "/")
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	c.Set(userKey, &u)
	c.Set(sessionKey, &sess)
	s.userLanguage(c, &u)
	return &u, &sess, nil
}

// userLanguage applies the account's language rule (account.Language) to
// the request: with no choice in this browser (no cookie, no ?lang=) the
// stored one applies. Nothing is stored here: that takes the switcher's
// POST (switchLanguage).
func (s *server) userLanguage(c *gin.Context, u *account.User) {
	ctx := c.Request.Context()
	_, err := c.Cookie(langCookie)
	remembered := err == nil || c.Query("lang") != ""
	if locale := s.Account.Language(u, remembered); locale != "" {
		c.Request = c.Request.WithContext(i18n.With(ctx, s.localizer(s.Catalog.Match(locale))))
	}
}

// requireUser sends visitors who are not signed in to the login page.
func (s *server) requireUser(c *gin.Context) {
	u, _, err := s.currentUser(c)
	if err != nil {
		s.fail(c, err)
		c.Abort()
		return
	}
	if u == nil {
		redirect(c, paths.Login)
		c.Abort()
		return
	}
	c.Next()
}

func (s *server) home(c *gin.Context) {
	u, _, err := s.currentUser(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	if u != nil {
		c.Redirect(302, paths.Account)
		return
	}
	c.Redirect(302, paths.Login)
}
