package handlers

import (
	"errors"

	"github.com/gin-gonic/gin"

	"gatehouse/internal/account"
	"gatehouse/internal/i18n"
	"gatehouse/internal/logctx"
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
// the request: a choice made now (?lang=) is stored, and with no choice in
// this browser the stored one applies.
func (s *server) userLanguage(c *gin.Context, u *account.User) {
	ctx := c.Request.Context()
	chosen := ""
	if c.Query("lang") != "" {
		chosen = i18n.Lang(ctx)
	}
	_, err := c.Cookie(langCookie)
	locale, err2 := s.Account.Language(ctx, u, chosen, err == nil)
	if err2 != nil {
		logctx.From(ctx).WarnContext(ctx, "storing the language failed", "err", err2)
		return
	}
	if locale != "" {
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
