package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"gatehouse/components"
	"gatehouse/internal/account"
	"gatehouse/internal/paths"
	"gatehouse/internal/returnto"
)

// Deep links survive the whole journey: return_to rides along the sign-in,
// sign-up and recovery forms, is kept with the account when an email is
// sent (so the device that opens the link inherits it), and is followed
// once the person signs in.

// loginHintCookie carries the address whose password was just set to the
// sign-in form, so it is filled in; it never holds more than that.
const (
	loginHintCookie   = "login_hint"
	loginHintLifetime = 15 * time.Minute
)

// secondStepToCookie keeps the deep link of a member whom sign-in sent to
// the page that asks for a second step (their organisation requires one),
// so that setting it up leads where signing in would have: the page that
// asks, the two-step setup and the passkey ceremony are several requests
// and forms apart. It holds a local path only, checked again when read.
const (
	secondStepToCookie   = "second_step_to"
	secondStepToLifetime = time.Hour
)

// keepSecondStepDest remembers dest for afterSecondStep.
func (s *server) keepSecondStepDest(c *gin.Context, dest string) {
	s.setCookie(c, s.flowCookie(secondStepToCookie), url.QueryEscape(dest), "/", secondStepToLifetime)
}

// afterSecondStep is where a member goes once the second step their
// organisation requires is set up: the deep link they signed in for, else
// the account page, as before. The link is used once.
func (s *server) afterSecondStep(c *gin.Context) string {
	v, err := c.Cookie(s.flowCookie(secondStepToCookie))
	if err != nil {
		return paths.Account
	}
	s.clearCookie(c, s.flowCookie(secondStepToCookie), "/")
	raw, err := url.QueryUnescape(v)
	if err != nil {
		return paths.Account
	}
	if s.Platform.Landing != "" && raw == s.Platform.Landing {
		return raw
	}
	if to := returnto.Clean(raw); to != "" {
		return to
	}
	return paths.Account
}

// landing is where a sign-in leads: the deep link when there is one, else
// LANDING_PATH (the platform's front page, or the account page).
func (s *server) landing(rt string) string {
	switch {
	case rt != "":
		return rt
	case s.Platform.Landing != "":
		return s.Platform.Landing
	}
	return paths.Account
}

// land sends a browser that has just signed in to dest. Gatehouse's own
// pages go through redirect; the platform's need a full page load, as
// htmx must not swap another application's page into #content.
func (s *server) land(c *gin.Context, dest string) {
	p, _, _ := strings.Cut(dest, "?")
	if c.GetHeader("HX-Request") == "true" && !paths.IsReserved(p) {
		c.Header("HX-Redirect", dest)
		c.Status(http.StatusNoContent)
		return
	}
	redirect(c, dest)
}

// loginView is the sign-in form carrying the deep link, with the address
// whose password was just set filled in.
func (s *server) loginView(c *gin.Context, form components.Form) components.LoginView {
	if form.Values == nil {
		form.Values = map[string]string{}
	}
	form.Values["return_to"] = returnTo(c)
	if form.Values["email"] == "" {
		if v, err := c.Cookie(s.flowCookie(loginHintCookie)); err == nil {
			if email, err := url.QueryUnescape(v); err == nil {
				form.Values["email"] = email
			}
		}
	}
	return components.LoginView{Form: form, Passkeys: s.Account.PasskeysOn()}
}

// afterPassword leads a completed flow to the sign-in form, filled in and
// carrying the deep link kept with the account.
func (s *server) afterPassword(c *gin.Context, f *account.Flow, l account.Landing) {
	s.setCookie(c, s.flowCookie(loginHintCookie), url.QueryEscape(l.Email), paths.Login, loginHintLifetime)
	s.offerPasskey(c, f, l)
	done := f.Done
	if l.Notice != "" {
		done = l.Notice
	}
	to := withNotice(paths.Login, done)
	if l.ReturnTo != "" {
		to += "&return_to=" + url.QueryEscape(l.ReturnTo)
	}
	redirect(c, to)
}
