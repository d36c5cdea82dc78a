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
	u, sess, err := s.currentUser(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	var stale bool
	if u != nil {
		// A platform may ask for a password entered within max_age
		// seconds (a sensitive action): an older sign-in is asked again.
		if age, ok := maxAge(c); !ok || s.Account.Fresh(*sess, age) {
			c.Redirect(http.StatusFound, s.landing(returnTo(c)))
			return
		}
		stale = true
	}
	v := s.loginView(c, components.Form{})
	v.Notice = notice(c)
	v.PasskeyOffer = v.Passkeys && s.passkeyOffered(c)
	if stale {
		v.Form.Values["email"] = u.Email
		v.Notice = account.NoticeSignInAgain
	}
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
	var second *account.SecondStepRequired
	if errors.As(err, &second) {
		s.toSecondStep(c, second.Pending)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.setSession(c, raw)
	s.clearCookie(c, s.flowCookie(loginHintCookie), paths.Login)
	dest := s.landing(returnTo(c))
	// A password alone, where the organisation requires a second step
	// the person has not set up: the page that asks comes first. (A
	// code or a passkey sign-in has one already.)
	if u, _, err := s.Account.Authenticate(c.Request.Context(), raw); err == nil && u.NeedsSecondFactor() {
		s.keepSecondStepDest(c, dest)
		dest = paths.SecondStep
	}
	s.land(c, dest)
}

func (s *server) logout(c *gin.Context) {
	if err := s.Account.Logout(c.Request.Context(), s.sessionToken(c), s.meta(c)); err != nil {
		s.fail(c, err)
		return
	}
	s.clearCookie(c, s.sessionCookie(), "/")
	redirect(c, withNotice(paths.Login, account.NoticeSignedOut))
}
