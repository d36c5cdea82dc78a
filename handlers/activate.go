package handlers

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"gatehouse/components"
	"gatehouse/internal/account"
	"gatehouse/internal/paths"
	"gatehouse/internal/store"
)

// activate is the email's "Activate Registration" link. Its GET changes
// nothing (mail scanners open links): it checks the token, moves it into a
// cookie scoped to the set-password page, and redirects there.
func (s *server) activate(c *gin.Context) {
	s.openLink(c, store.PurposeActivation, activationFlow, paths.PasswordSet)
}

// openLink handles the GET of an emailed link for either purpose.
func (s *server) openLink(c *gin.Context, purpose, flow, next string) {
	if !s.allowTokenUse(c) {
		return
	}
	raw := c.Query("token")
	if _, err := s.Account.CheckToken(c.Request.Context(), purpose, raw); err != nil {
		s.tokenError(c, err)
		return
	}
	s.setCookie(c, s.flowCookie(flow), raw, flowPaths[flow], flowLifetime)
	c.Redirect(http.StatusSeeOther, next)
}

// tokenError answers every unusable link alike.
func (s *server) tokenError(c *gin.Context, err error) {
	if !errors.Is(err, account.ErrInvalidToken) {
		s.fail(c, err)
		return
	}
	// One page for every unusable link, wherever it was opened: even the
	// language links lead to the same place, the form for a new link.
	c.Request = c.Request.WithContext(components.WithURL(c.Request.Context(), &url.URL{Path: paths.PasswordForgot}))
	s.render(c, http.StatusGone, components.InvalidLinkPage(components.Form{}))
}

// passwordForm shows the password form for the token in the flow cookie.
func (s *server) passwordForm(c *gin.Context, purpose, flow string) {
	raw, _ := c.Cookie(s.flowCookie(flow))
	u, err := s.Account.CheckToken(c.Request.Context(), purpose, raw)
	if err != nil {
		s.tokenError(c, err)
		return
	}
	v := components.PasswordView{Reset: purpose == store.PurposeReset, Email: u.Email, MinLength: s.Account.Policy().MinLength,
		Check: components.Checklist{MinLength: s.Account.Policy().MinLength}}
	s.render(c, http.StatusOK, components.PasswordPage(v))
}

// choosePassword completes either flow with the posted password.
func (s *server) choosePassword(c *gin.Context, purpose, flow string, done string,
	complete func(*gin.Context, string, string, string) error) {
	if !s.parseForm(c) || !s.allowTokenUse(c) {
		return
	}
	raw := c.Query("token")
	if raw == "" {
		raw, _ = c.Cookie(s.flowCookie(flow))
	}
	err := complete(c, raw, c.PostForm("password"), c.PostForm("password_confirm"))
	var errs account.FieldErrors
	if errors.As(err, &errs) {
		u, cerr := s.Account.CheckToken(c.Request.Context(), purpose, raw)
		if cerr != nil {
			s.tokenError(c, cerr)
			return
		}
		pw, confirm := c.PostForm("password"), c.PostForm("password_confirm")
		e, _ := s.Account.EvaluatePassword(c.Request.Context(), purpose, raw, pw)
		v := components.PasswordView{Reset: purpose == store.PurposeReset, Email: u.Email,
			MinLength: s.Account.Policy().MinLength, Form: components.Form{Errors: errs}, Check: checklist(e, pw, confirm)}
		s.render(c, http.StatusUnprocessableEntity, components.PasswordPage(v))
		return
	}
	if err != nil {
		s.tokenError(c, err)
		return
	}
	s.clearCookie(c, s.flowCookie(flow), flowPaths[flow])
	// The password is set; every old session is gone. Sign in afresh.
	s.clearCookie(c, s.sessionCookie(), "/")
	redirect(c, withNotice(paths.Login, done))
}

func (s *server) passwordSetForm(c *gin.Context) {
	s.passwordForm(c, store.PurposeActivation, activationFlow)
}

func (s *server) passwordSet(c *gin.Context) {
	s.choosePassword(c, store.PurposeActivation, activationFlow, "password_set", func(c *gin.Context, raw, pw, confirm string) error {
		return s.Account.SetPassword(c.Request.Context(), raw, pw, confirm, s.meta(c))
	})
}
