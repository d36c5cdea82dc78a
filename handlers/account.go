package handlers

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/gin-gonic/gin"

	"gatehouse/components"
	"gatehouse/internal/account"
	"gatehouse/internal/geo"
	"gatehouse/internal/i18n"
	"gatehouse/internal/password"
	"gatehouse/internal/paths"
)

func (s *server) accountPage(c *gin.Context) {
	s.showAccount(c, http.StatusOK, components.Form{Errors: s.takePasswordErrors(c)})
}

// showAccount renders the account page with the change-password form in
// the given state.
func (s *server) showAccount(c *gin.Context, status int, pwForm components.Form) {
	ctx := c.Request.Context()
	u, current, _ := s.currentUser(c)
	ov, err := s.Account.Overview(ctx, *u)
	if err != nil {
		s.fail(c, err)
		return
	}
	tag := i18n.From(ctx).Tag()
	v := components.AccountView{
		Name: u.Name(), Email: u.Email, Company: u.Company,
		Country: i18n.CountryName(tag, u.Country), Region: geo.RegionName(u.Country, u.Region, tag), Phone: u.Phone, Notice: notice(c),
		Password: pwForm, MinLength: s.Account.Policy().MinLength,
	}
	for _, sess := range ov.Sessions {
		v.Sessions = append(v.Sessions, components.SessionRow{Device: account.DeviceName(sess.UserAgent), IP: sess.IP,
			LastSeen: i18n.Date(ctx, sess.LastSeenAt), Current: sess.ID == current.ID})
	}
	for _, e := range ov.Events {
		v.Events = append(v.Events, components.EventRow{Kind: e.Kind, When: i18n.Date(ctx, e.At), IP: e.IP})
	}
	if v.TwoStep, err = s.twoStepView(c, u, components.Form{Errors: s.takeTwoStepErrors(c)}); err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, status, components.AccountPage(v))
}

// changePassword sets a new password from the account page; the current
// one is required, and every other session ends.
func (s *server) changePassword(c *gin.Context) {
	if !s.parseForm(c) {
		return
	}
	u, current, _ := s.currentUser(c)
	err := s.Account.ChangePassword(c.Request.Context(), *u, *current, c.PostForm("current_password"),
		c.PostForm("password"), c.PostForm("password_confirm"), s.meta(c))
	var errs account.FieldErrors
	if errors.As(err, &errs) {
		// Back to the account page, which shows the problems once: a
		// page answered to this POST would leave /account/password in the
		// address bar, and a reload would post the passwords again.
		s.keepPasswordErrors(c, errs)
		redirect(c, paths.Account+"#password-title")
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	redirect(c, withNotice(paths.Account, account.NoticePasswordChanged))
}

// accountPasswordCheck answers the account page's live checklist as the
// new password is typed, scored against the signed-in user's own data.
// Nothing typed is stored or logged.
func (s *server) accountPasswordCheck(c *gin.Context) {
	if !s.parseForm(c) {
		return
	}
	u, _, _ := s.currentUser(c)
	pw, confirm := c.PostForm("password"), c.PostForm("password_confirm")
	e, err := s.Account.EvaluateNewPassword(c.Request.Context(), *u, pw)
	if err != nil {
		s.fail(c, err)
		return
	}
	list := checklist(e, pw, confirm)
	s.renderParts(c, http.StatusOK, templ.Join(components.PasswordChecklist(list), components.ConfirmMatch(list, true)))
}

// The change-password problems cross the redirect to the account page in
// a cookie of message IDs only (never what was typed), read once.
const pwErrorsCookie = "pw_errors"

// passwordFields are the fields whose problems the cookie may carry.
var passwordFields = []string{"current_password", "password", "password_confirm"}

func (s *server) keepPasswordErrors(c *gin.Context, errs account.FieldErrors) {
	var parts []string
	for _, f := range passwordFields {
		if m, ok := errs[f]; ok {
			parts = append(parts, f+":"+m.ID)
		}
	}
	s.setCookie(c, s.flowCookie(pwErrorsCookie), strings.Join(parts, ","), paths.Account, time.Minute)
}

// takePasswordErrors reads and clears the problems kept for the account
// page. Only the password messages below, on the known fields, are
// believed, and their numbers come from the policy, not the cookie.
func (s *server) takePasswordErrors(c *gin.Context) map[string]i18n.Message {
	v, err := c.Cookie(s.flowCookie(pwErrorsCookie))
	if err != nil {
		return nil
	}
	s.clearCookie(c, s.flowCookie(pwErrorsCookie), paths.Account)
	pol := s.Account.Policy()
	out := map[string]i18n.Message{}
	for _, part := range strings.Split(v, ",") {
		field, id, _ := strings.Cut(part, ":")
		data, known := passwordMessages[id]
		if !known || !slices.Contains(passwordFields, field) {
			continue
		}
		m := i18n.Msg(id)
		if data != nil {
			m.Data = data(pol)
		}
		out[field] = m
	}
	return out
}

// passwordMessages are the problems a password change can report, each
// with how to fill in its numbers.
var passwordMessages = map[string]func(password.Policy) map[string]any{
	"error.password.required":        nil,
	"error.password.too_short":       func(p password.Policy) map[string]any { return map[string]any{"Min": p.MinLength} },
	"error.password.too_long":        func(p password.Policy) map[string]any { return map[string]any{"Max": p.MaxLength} },
	"error.password.personal":        nil,
	"error.password.mismatch":        nil,
	"error.password.common":          nil,
	"error.password.predictable":     nil,
	"error.password.composition":     nil,
	"error.password.current_wrong":   nil,
	"error.password.same_as_current": nil,
}

func (s *server) endOtherSessions(c *gin.Context) {
	u, current, _ := s.currentUser(c)
	if _, err := s.Account.EndOtherSessions(c.Request.Context(), *u, *current, s.meta(c)); err != nil {
		s.fail(c, err)
		return
	}
	redirect(c, withNotice(paths.Account, account.NoticeSessionsEnded))
}
