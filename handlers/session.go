package handlers

import (
	"errors"

	"github.com/gin-gonic/gin"

	"gatehouse/internal/account"
	"gatehouse/internal/i18n"
	"gatehouse/internal/logctx"
	"gatehouse/internal/paths"
	"gatehouse/internal/store"
)

const (
	userKey    = "gatehouse.user"
	sessionKey = "gatehouse.session"
)

// currentUser returns the signed-in user, or nil; errors other than "no
// session" are reported through err.
func (s *server) currentUser(c *gin.Context) (*store.User, *store.Session, error) {
	if u, ok := c.Get(userKey); ok {
		return u.(*store.User), c.MustGet(sessionKey).(*store.Session), nil
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
	c.Set(userKey, u)
	c.Set(sessionKey, sess)
	s.userLanguage(c, u)
	return u, sess, nil
}

// userLanguage keeps a signed-in user's language on the account: a choice
// made now (?lang=) is stored; with no choice in this browser, the stored
// one applies, so it follows the user to a new device.
func (s *server) userLanguage(c *gin.Context, u *store.User) {
	ctx := c.Request.Context()
	if c.Query("lang") != "" {
		if err := s.Account.SetLocale(ctx, u, i18n.Lang(ctx)); err != nil {
			logctx.From(ctx).WarnContext(ctx, "storing the language failed", "err", err)
		}
		return
	}
	if _, err := c.Cookie(langCookie); err == nil || u.Locale == "" {
		return
	}
	tag := s.Catalog.Match(u.Locale)
	c.Request = c.Request.WithContext(i18n.With(ctx, s.localizer(tag)))
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
