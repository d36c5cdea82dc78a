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
	s.showAccount(c, http.StatusOK, accountForms{password: components.Form{Errors: s.takePasswordErrors(c)}})
}

// accountForms are the account page's forms in the state a request left
// them: a failed submit shows its problems and what was typed.
type accountForms struct {
	password, email, profile components.Form
	// profileFailed opens the profile form, which is otherwise folded.
	profileFailed bool
	// passkey is a refused rename or removal of a passkey.
	passkey components.PasskeyForm
}

// showAccount renders the account page with its forms in the given state.
func (s *server) showAccount(c *gin.Context, status int, forms accountForms) {
	u, current, _ := s.currentUser(c)
	// Times on the page are the person's own (the zone the account kept
	// from its browser), named beside each, UTC when it kept none.
	ctx := i18n.WithZone(c.Request.Context(), u.TimeZone)
	c.Request = c.Request.WithContext(ctx)
	ov, err := s.Account.Overview(ctx, *u)
	if err != nil {
		s.fail(c, err)
		return
	}
	tag := i18n.From(ctx).Tag()
	profile := forms.profile
	if profile.Values == nil {
		profile = components.Form{Values: map[string]string{"first_name": u.FirstName, "last_name": u.LastName,
			"company": u.Company, "country": u.Country, "region": u.Region, "phone": account.DisplayPhone(u.Phone)}}
	}
	v := components.AccountView{
		Name: i18n.FullName(ctx, u.FirstName, u.LastName), Email: u.Email, Company: u.Company,
		Country: i18n.CountryName(tag, u.Country), Region: geo.RegionName(u.Country, u.Region, tag),
		Phone: account.DisplayPhone(u.Phone), Notice: notice(c),
		Password: forms.password, MinLength: s.Account.Policy().MinLength,
		EmailForm: forms.email, Profile: s.profileView(c, profile), ProfileOpen: forms.profileFailed,
	}
	if v.Passkeys, err = s.passkeysView(c, u, forms.passkey); err != nil {
		s.fail(c, err)
		return
	}
	for _, sess := range ov.Sessions {
		v.Sessions = append(v.Sessions, components.SessionRow{ID: sess.ID, Device: account.DeviceName(sess.UserAgent), IP: sess.IP,
			LastSeen: i18n.Date(ctx, sess.LastSeenAt), Current: sess.ID == current.ID})
	}
	v.Activity = activityDays(c, ov.Events)
	if v.TwoStep, err = s.twoStepView(c, u, components.Form{Errors: s.takeTwoStepErrors(c)}); err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, status, components.AccountPage(v))
}

// activityDays groups the trail by day, newest first, and folds a run of
// the same event from the same place into one line with its count and
// its last time ("Failed sign-in attempt · 7 times, last at 14:02").
func activityDays(c *gin.Context, events []account.AuditEntry) []components.ActivityDay {
	ctx := c.Request.Context()
	var days []components.ActivityDay
	for _, e := range events {
		day := i18n.Day(ctx, e.At)
		if len(days) == 0 || days[len(days)-1].Day != day {
			days = append(days, components.ActivityDay{Day: day})
		}
		d := &days[len(days)-1]
		device, ip := account.DeviceName(e.UserAgent), e.IP
		if e.Actor != "" {
			// The person is told an operator acted, never who or from where.
			device, ip = i18n.T(ctx, "page.account.activity_by_operator"), ""
		}
		if n := len(d.Items); n > 0 && d.Items[n-1].Kind == e.Kind && d.Items[n-1].IP == ip && d.Items[n-1].Device == device {
			d.Items[n-1].Count++
			continue
		}
		d.Items = append(d.Items, components.ActivityItem{Kind: e.Kind, Count: 1, Time: i18n.Clock(ctx, e.At), IP: ip, Device: device})
	}
	return days
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
		s.keepErrors(c, passwordErrors, errs)
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

// keptErrors are a form's problems crossing the redirect to the account
// page: a cookie of field:message-ID pairs for the named fields only
// (never what was typed), read once.
type keptErrors struct {
	cookie string
	fields []string
}

// The change-password and the two-step forms keep their problems so.
var (
	passwordErrors = keptErrors{cookie: "pw_errors", fields: []string{"current_password", "password", "password_confirm"}}
	twoStepErrors  = keptErrors{cookie: "twostep_errors", fields: []string{"current_password", "code"}}
)

// keepErrors sets k's cookie to the problems errs has on k's fields.
func (s *server) keepErrors(c *gin.Context, k keptErrors, errs account.FieldErrors) {
	var parts []string
	for _, f := range k.fields {
		if m, ok := errs[f]; ok {
			parts = append(parts, f+":"+m.ID)
		}
	}
	s.setCookie(c, s.flowCookie(k.cookie), strings.Join(parts, ","), paths.Account, time.Minute)
}

// takeErrors reads and clears the problems kept, calling keep with each
// one of a known field; keep decides whether to believe the message ID.
func (s *server) takeErrors(c *gin.Context, k keptErrors, keep func(field, id string)) {
	v, err := c.Cookie(s.flowCookie(k.cookie))
	if err != nil {
		return
	}
	s.clearCookie(c, s.flowCookie(k.cookie), paths.Account)
	for _, part := range strings.Split(v, ",") {
		if field, id, _ := strings.Cut(part, ":"); slices.Contains(k.fields, field) {
			keep(field, id)
		}
	}
}

// takePasswordErrors reads and clears the problems kept for the account
// page. Only the password messages below, on the known fields, are
// believed, and their numbers come from the policy, not the cookie.
func (s *server) takePasswordErrors(c *gin.Context) map[string]i18n.Message {
	pol := s.Account.Policy()
	out := map[string]i18n.Message{}
	s.takeErrors(c, passwordErrors, func(field, id string) {
		data, known := passwordMessages[id]
		if !known {
			return
		}
		m := i18n.Msg(id)
		if data != nil {
			m.Data = data(pol)
		}
		out[field] = m
	})
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
