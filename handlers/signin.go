package handlers

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"gatehouse/components"
	"gatehouse/internal/account"
	"gatehouse/internal/paths"
)

func (s *server) loginForm(c *gin.Context) {
	u, _, err := s.currentUser(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	if u != nil {
		c.Redirect(http.StatusFound, s.landing(returnTo(c)))
		return
	}
	v := s.loginView(c, components.Form{})
	v.Notice = notice(c)
	s.render(c, http.StatusOK, components.LoginPage(v))
}

func (s *server) login(c *gin.Context) {
	if !s.parseForm(c) {
		return
	}
	email, pw := c.PostForm("email"), c.PostForm("password")
	if errs := account.CheckLoginForm(email, pw); errs != nil {
		v := s.loginView(c, formOf(c, errs, "email", TimeZoneField))
		s.render(c, http.StatusUnprocessableEntity, components.LoginPage(v))
		return
	}
	raw, err := s.Account.Login(c.Request.Context(), email, pw, s.sessionToken(c), s.meta(c))
	if errors.Is(err, account.ErrBadCredentials) {
		// One answer for unknown address, wrong password and pending account.
		v := s.loginView(c, formOf(c, nil, "email", TimeZoneField))
		v.Failed = true
		s.render(c, http.StatusUnauthorized, components.LoginPage(v))
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.setSession(c, raw)
	s.clearCookie(c, s.flowCookie(loginHintCookie), paths.Login)
	s.land(c, s.landing(returnTo(c)))
}

func (s *server) logout(c *gin.Context) {
	if err := s.Account.Logout(c.Request.Context(), s.sessionToken(c), s.meta(c)); err != nil {
		s.fail(c, err)
		return
	}
	s.clearCookie(c, s.sessionCookie(), "/")
	redirect(c, withNotice(paths.Login, account.NoticeSignedOut))
}
