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

func (s *server) accountPage(c *gin.Context) {
	s.showAccount(c, http.StatusOK, components.Form{})
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
		v.Sessions = append(v.Sessions, components.SessionRow{Device: device(sess.UserAgent), IP: sess.IP,
			LastSeen: i18n.Date(ctx, sess.LastSeenAt), Current: sess.ID == current.ID})
	}
	for _, e := range ov.Events {
		v.Events = append(v.Events, components.EventRow{Kind: e.Kind, When: i18n.Date(ctx, e.At), IP: e.IP})
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
		s.showAccount(c, http.StatusUnprocessableEntity, components.Form{Errors: map[string]i18n.Message(errs)})
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	redirect(c, withNotice(paths.Account, account.NoticePasswordChanged))
}

func (s *server) endOtherSessions(c *gin.Context) {
	u, current, _ := s.currentUser(c)
	if _, err := s.Account.EndOtherSessions(c.Request.Context(), *u, *current, s.meta(c)); err != nil {
		s.fail(c, err)
		return
	}
	redirect(c, withNotice(paths.Account, account.NoticeSessionsEnded))
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
