package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"gatehouse/components"
	"gatehouse/internal/account"
	"gatehouse/internal/i18n"
	"gatehouse/internal/paths"
)

// loginCodeCookie holds the token of the sign-in waiting for its code,
// which binds that step to this browser; it is scoped to the sign-in
// pages and lives as long as the step.
const loginCodeCookie = "login_code"

// toSecondStep keeps the pending step's token and sends the browser to
// the page that asks for the code, with the deep link.
func (s *server) toSecondStep(c *gin.Context, pending string) {
	s.setCookie(c, s.flowCookie(loginCodeCookie), pending, paths.Login, account.PendingSignInTTL)
	dest := paths.LoginCode
	if rt := returnTo(c); rt != "" {
		dest += "?return_to=" + url.QueryEscape(rt)
	}
	redirect(c, dest)
}

func (s *server) pendingSignIn(c *gin.Context) string {
	v, _ := c.Cookie(s.flowCookie(loginCodeCookie))
	return v
}

// signInAgain ends a second step that is gone (expired, completed, never
// begun): back to the password, saying why.
func (s *server) signInAgain(c *gin.Context) {
	s.clearCookie(c, s.flowCookie(loginCodeCookie), paths.Login)
	dest := withNotice(paths.Login, account.NoticeSignInAgain)
	if rt := returnTo(c); rt != "" {
		dest += "&return_to=" + url.QueryEscape(rt)
	}
	redirect(c, dest)
}

func (s *server) loginCodeView(c *gin.Context, recovery bool) components.LoginCodeView {
	return components.LoginCodeView{Recovery: recovery, Form: components.Form{Values: map[string]string{"return_to": returnTo(c)}}}
}

// loginCodeForm is the second step's page; without a live step it leads
// back to the password.
func (s *server) loginCodeForm(c *gin.Context) {
	live, err := s.Account.PendingSignInLive(c.Request.Context(), s.pendingSignIn(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	if !live {
		s.signInAgain(c)
		return
	}
	s.render(c, http.StatusOK, components.LoginCodePage(s.loginCodeView(c, c.Query("recovery") == "1")))
}

// loginCode takes the code from the app or a recovery code. A wrong one,
// one used already and a throttled account get one and the same answer.
func (s *server) loginCode(c *gin.Context) {
	if !s.parseForm(c) {
		return
	}
	recovery := c.PostForm("recovery") == "1"
	code := c.PostForm("code")
	if strings.TrimSpace(code) == "" {
		v := s.loginCodeView(c, recovery)
		v.Form.Errors = map[string]i18n.Message{"code": i18n.Msg("error.twostep.code_required")}
		s.render(c, http.StatusUnprocessableEntity, components.LoginCodePage(v))
		return
	}
	raw, err := s.Account.CompleteSignIn(c.Request.Context(), s.pendingSignIn(c), code, s.sessionToken(c), s.meta(c))
	switch {
	case errors.Is(err, account.ErrBadCode):
		v := s.loginCodeView(c, recovery)
		v.Failed = true
		s.render(c, http.StatusUnauthorized, components.LoginCodePage(v))
		return
	case errors.Is(err, account.ErrNoPendingSignIn):
		s.signInAgain(c)
		return
	case err != nil:
		s.fail(c, err)
		return
	}
	s.setSession(c, raw)
	s.clearCookie(c, s.flowCookie(loginCodeCookie), paths.Login)
	s.clearCookie(c, s.flowCookie(loginHintCookie), paths.Login)
	s.land(c, s.landing(returnTo(c)))
}

// twoStepView is the account page's two-step section, with the turn-off
// form in the given state.
func (s *server) twoStepView(c *gin.Context, u *account.User, form components.Form) (components.TwoStepView, error) {
	ts, err := s.Account.TwoStepStatus(c.Request.Context(), *u)
	if err != nil {
		return components.TwoStepView{}, err
	}
	v := components.TwoStepView{On: ts.On, CodesLeft: ts.CodesLeft, Form: form, Email: u.Email}
	if ts.On {
		v.Since = i18n.Date(c.Request.Context(), ts.Since)
	}
	return v, nil
}

// twoStepStart makes a new secret and shows it.
func (s *server) twoStepStart(c *gin.Context) {
	u, _, _ := s.currentUser(c)
	err := s.Account.BeginTwoStep(c.Request.Context(), *u)
	if errors.Is(err, account.ErrTwoStepOn) {
		redirect(c, paths.Account+"#twostep-title")
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	redirect(c, paths.AccountTwoStep)
}

// twoStepSetup shows the QR code and the secret of the setup in progress.
func (s *server) twoStepSetup(c *gin.Context) {
	s.showTwoStepSetup(c, http.StatusOK, components.Form{})
}

func (s *server) showTwoStepSetup(c *gin.Context, status int, form components.Form) {
	u, _, _ := s.currentUser(c)
	setup, err := s.Account.TwoStepSetupFor(c.Request.Context(), *u)
	if errors.Is(err, account.ErrNoTwoStepSetup) || errors.Is(err, account.ErrTwoStepOn) {
		redirect(c, paths.Account+"#twostep-title")
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, status, components.TwoStepSetupPage(components.TwoStepSetupView{QR: setup.QR, Secret: setup.Secret, Form: form}))
}

// twoStepConfirm turns two-step verification on with the first code and
// shows the recovery codes, this once: the answer is not stored
// (no-store) and a reload posts a used code, which is refused.
func (s *server) twoStepConfirm(c *gin.Context) {
	if !s.parseForm(c) {
		return
	}
	u, _, _ := s.currentUser(c)
	codes, err := s.Account.ConfirmTwoStep(c.Request.Context(), *u, c.PostForm("code"), s.meta(c))
	var errs account.FieldErrors
	switch {
	case errors.As(err, &errs):
		s.showTwoStepSetup(c, http.StatusUnprocessableEntity, components.Form{Errors: map[string]i18n.Message(errs)})
		return
	case errors.Is(err, account.ErrNoTwoStepSetup) || errors.Is(err, account.ErrTwoStepOn):
		redirect(c, paths.Account+"#twostep-title")
		return
	case err != nil:
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, components.RecoveryCodesPage(components.RecoveryCodesView{Codes: codes}))
}

// twoStepOff turns two-step verification off with the password and a code.
func (s *server) twoStepOff(c *gin.Context) {
	if !s.parseForm(c) {
		return
	}
	u, _, _ := s.currentUser(c)
	err := s.Account.DisableTwoStep(c.Request.Context(), *u, c.PostForm("current_password"), c.PostForm("code"), s.meta(c))
	if s.twoStepRefused(c, err) {
		return
	}
	redirect(c, withNotice(paths.Account, account.NoticeTwoStepOff))
}

// renewRecoveryCodes replaces the recovery codes, with the password and a
// code, and shows the new ones this once.
func (s *server) renewRecoveryCodes(c *gin.Context) {
	if !s.parseForm(c) {
		return
	}
	u, _, _ := s.currentUser(c)
	codes, err := s.Account.RenewRecoveryCodes(c.Request.Context(), *u, c.PostForm("current_password"), c.PostForm("code"), s.meta(c))
	if s.twoStepRefused(c, err) {
		return
	}
	s.render(c, http.StatusOK, components.RecoveryCodesPage(components.RecoveryCodesView{Codes: codes, Renewed: true}))
}

// twoStepRefused answers a turn-off or renewal the account refused: the
// problems back on the account page, or just the page when nothing is set
// up; it reports whether it answered.
func (s *server) twoStepRefused(c *gin.Context, err error) bool {
	var errs account.FieldErrors
	switch {
	case err == nil:
		return false
	case errors.As(err, &errs):
		s.keepErrors(c, twoStepErrors, errs)
		redirect(c, paths.Account+"#twostep-title")
	case errors.Is(err, account.ErrNoTwoStepSetup):
		redirect(c, paths.Account)
	default:
		s.fail(c, err)
	}
	return true
}

// The turn-off problems cross the redirect like the password change's;
// only these messages are believed.
var twoStepMessages = []string{"error.password.required", "error.twostep.code_required", "error.twostep.disable_wrong"}

// takeTwoStepErrors reads and clears the turn-off problems kept for the
// account page.
func (s *server) takeTwoStepErrors(c *gin.Context) map[string]i18n.Message {
	out := map[string]i18n.Message{}
	s.takeErrors(c, twoStepErrors, func(field, id string) {
		if slices.Contains(twoStepMessages, id) {
			out[field] = i18n.Msg(id)
		}
	})
	return out
}

// maxAge is the max_age a platform asked for (seconds since the password
// was last entered); ok is false when there is none or it is not a
// number of seconds.
func maxAge(c *gin.Context) (time.Duration, bool) {
	v := c.Query("max_age")
	if v == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || n > 1<<31 {
		return 0, false
	}
	return time.Duration(n) * time.Second, true
}
