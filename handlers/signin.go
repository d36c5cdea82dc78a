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
		c.Redirect(http.StatusFound, paths.Account)
		return
	}
	v := components.LoginView{Form: components.Form{}, Notice: notice(c)}
	s.render(c, http.StatusOK, components.LoginPage(v))
}

func (s *server) login(c *gin.Context) {
	if !s.parseForm(c) {
		return
	}
	email, pw := c.PostForm("email"), c.PostForm("password")
	if errs := account.CheckLoginForm(email, pw); errs != nil {
		v := components.LoginView{Form: formOf(c, errs, "email")}
		s.render(c, http.StatusUnprocessableEntity, components.LoginPage(v))
		return
	}
	raw, err := s.Account.Login(c.Request.Context(), email, pw, s.sessionToken(c), s.meta(c))
	if errors.Is(err, account.ErrBadCredentials) {
		// One answer for unknown address, wrong password and pending account.
		v := components.LoginView{Form: formOf(c, nil, "email"), Failed: true}
		s.render(c, http.StatusUnauthorized, components.LoginPage(v))
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.setSession(c, raw)
	redirect(c, paths.Account)
}

func (s *server) logout(c *gin.Context) {
	if err := s.Account.Logout(c.Request.Context(), s.sessionToken(c), s.meta(c)); err != nil {
		s.fail(c, err)
		return
	}
	s.clearCookie(c, s.sessionCookie(), "/")
	redirect(c, withNotice(paths.Login, account.NoticeSignedOut))
}
