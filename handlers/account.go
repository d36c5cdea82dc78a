package handlers

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"gatehouse/components"
	"gatehouse/internal/account"
	"gatehouse/internal/geo"
	"gatehouse/internal/i18n"
	"gatehouse/internal/paths"
)

// eventMessages names each audit event kind on the account page.
var eventMessages = map[string]string{
	"registered":        "event.registered",
	"register_existing": "event.register_existing",
	"activated":         "event.activated",
	"login_ok":          "event.login_ok",
	"login_failed":      "event.login_failed",
	"reset_requested":   "event.reset_requested",
	"password_reset":    "event.password_reset",
	"sessions_revoked":  "event.sessions_revoked",
	"password_changed":  "event.password_changed",
}

func (s *server) accountPage(c *gin.Context) {
	s.showAccount(c, http.StatusOK, components.Form{})
}

// showAccount renders the account page with the change-password form in
// the given state.
func (s *server) showAccount(c *gin.Context, status int, pwForm components.Form) {
	ctx := c.Request.Context()
	u, current, _ := s.currentUser(c)
	ov, err := s.Account.Overview(ctx, u)
	if err != nil {
		s.fail(c, err)
		return
	}
	tag := i18n.From(ctx).Tag()
	v := components.AccountView{
		Name: u.FirstName + " " + u.LastName, Email: u.Email, Company: u.Company,
		Country: i18n.CountryName(tag, u.Country), Region: geo.RegionName(u.Country, u.Region, tag), Phone: u.Phone, Notice: notice(c),
		Password: pwForm, MinLength: s.Account.Policy().MinLength,
	}
	for _, sess := range ov.Sessions {
		v.Sessions = append(v.Sessions, components.SessionRow{Device: device(sess.UserAgent), IP: sess.IP,
			LastSeen: i18n.Date(ctx, sess.LastSeenAt), Current: sess.ID == current.ID})
	}
	for _, e := range ov.Events {
		kind, ok := eventMessages[e.Kind]
		if !ok {
			continue
		}
		v.Events = append(v.Events, components.EventRow{Kind: kind, When: i18n.Date(ctx, e.CreatedAt), IP: e.IP})
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
	err := s.Account.ChangePassword(c.Request.Context(), u, current, c.PostForm("current_password"),
		c.PostForm("password"), c.PostForm("password_confirm"), s.meta(c))
	var errs account.FieldErrors
	if errors.As(err, &errs) {
		s.showAccount(c, http.StatusUnprocessableEntity, components.Form{Errors: map[string]i18n.Message(errs)})
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	redirect(c, withNotice(paths.Account, "password_changed"))
}

func (s *server) endOtherSessions(c *gin.Context) {
	u, current, _ := s.currentUser(c)
	if _, err := s.Account.EndOtherSessions(c.Request.Context(), u, current, s.meta(c)); err != nil {
		s.fail(c, err)
		return
	}
	redirect(c, withNotice(paths.Account, "sessions_ended"))
}

// device names a browser and system from a User-Agent, roughly; it is only
// there to help people recognise their sessions.
func device(ua string) string {
	pick := func(pairs ...string) string {
		for i := 0; i < len(pairs); i += 2 {
			if strings.Contains(ua, pairs[i]) {
				return pairs[i+1]
			}
		}
		return ""
	}
	browser := pick("Edg/", "Edge", "OPR/", "Opera", "Firefox/", "Firefox", "Chrome/", "Chrome", "Safari/", "Safari")
	system := pick("Android", "Android", "iPhone", "iOS", "iPad", "iPadOS", "Windows", "Windows", "Mac OS X", "macOS", "CrOS", "ChromeOS", "Linux", "Linux")
	switch {
	case browser != "" && system != "":
		return browser + " · " + system
	case browser != "":
		return browser
	case system != "":
		return system
	case ua != "":
		if len(ua) > 40 {
			ua = ua[:40] + "…"
		}
		return ua
	}
	return "?"
}
