package handlers

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/text/language"

	"gatehouse/components"
	"gatehouse/internal/account"
	"gatehouse/internal/geo"
	"gatehouse/internal/i18n"
	"gatehouse/internal/paths"
)

// adminPageSize is how many accounts a page of the console's list shows.
const adminPageSize = 50

// adminUsers is the account list: a search by a part of the email, name
// or company, a status filter, and pages that stay put while accounts are
// created.
func (s *server) adminUsers(c *gin.Context) {
	ctx := c.Request.Context()
	q := strings.TrimSpace(c.Query("q"))
	if len(q) > 200 {
		q = q[:200]
	}
	status := c.Query("status")
	if !slices.Contains(account.Statuses, status) {
		status = ""
	}
	after := c.Query("after")
	p, err := s.Account.ListUsersPage(ctx, account.UserQuery{Status: status, Text: q, Limit: adminPageSize}, after)
	if err != nil {
		s.fail(c, err)
		return
	}
	v := components.AdminUsersView{Query: q, Status: status, Statuses: account.Statuses, Notice: doneNotice(c)}
	for _, m := range p.Users {
		r := components.AdminUserRow{PublicID: m.PublicID, Email: m.Email, Name: i18n.FullName(ctx, m.FirstName, m.LastName), Company: m.Company,
			Status: m.Status, Created: i18n.Date(ctx, m.CreatedAt)}
		if m.LastSignInAt != nil {
			r.LastSignIn = i18n.Date(ctx, *m.LastSignInAt)
		}
		r.Org = orgLink(m.Membership)
		v.Rows = append(v.Rows, r)
	}
	if p.Next != "" {
		v.Next = components.UsersPageURL(q, status, p.Next)
	}
	if after != "" {
		v.First = components.UsersPageURL(q, status, "")
	}
	s.render(c, http.StatusOK, components.AdminUsersPage(v))
}

// adminUser is one account's page.
func (s *server) adminUser(c *gin.Context) {
	ctx := c.Request.Context()
	d, err := s.Account.ConsoleUser(ctx, c.Param("id"))
	if err != nil {
		if !s.adminRefusal(c, err) {
			s.fail(c, err)
		}
		return
	}
	me, _, _ := s.current(c)
	tag := i18n.From(ctx).Tag()
	v := components.AdminUserView{PublicID: d.PublicID, Email: d.Email, Name: i18n.FullName(ctx, d.FirstName, d.LastName), Company: d.Company,
		Country: i18n.CountryName(tag, d.Country), Region: geo.RegionName(d.Country, d.Region, tag), Phone: d.Phone,
		Locale: languageName(c, d.Locale), Status: d.Status, Created: i18n.Date(ctx, d.CreatedAt), Operator: d.Operator, Awaiting: d.AwaitingApproval,
		Activated: dateOr(c, d.ActivatedAt), PasswordChanged: dateOr(c, d.PasswordChangedAt), LastSignIn: dateOr(c, d.LastSignInAt),
		Failures: d.Failures, Suppressed: d.Suppressed, Notice: doneNotice(c), Self: d.ID == me.ID}
	v.Org = orgLink(d.Membership)
	if b := d.DeleteBlocked; b != nil {
		v.LastOwnerOf = components.AdminOrgLink{PublicID: b.OrgPublicID, Name: b.OrgName}
	}
	if !d.LockedUntil.IsZero() {
		v.LockedUntil = i18n.Date(ctx, d.LockedUntil)
	}
	if d.TwoStep.On {
		v.TwoStepSince = i18n.Date(ctx, d.TwoStep.Since)
	}
	for _, sess := range d.Sessions {
		v.Sessions = append(v.Sessions, components.AdminSessionRow{Device: account.DeviceName(sess.UserAgent), IP: sess.IP,
			LastSeen: i18n.Date(ctx, sess.LastSeenAt), Created: i18n.Date(ctx, sess.CreatedAt)})
	}
	for _, e := range d.Events {
		v.Events = append(v.Events, components.AdminEventRow{Message: eventText(c, e.Kind), When: i18n.Date(ctx, e.At), IP: e.IP, Actor: e.Actor})
	}
	for _, m := range d.Emails {
		v.Emails = append(v.Emails, emailRow(c, m))
	}
	s.render(c, http.StatusOK, components.AdminUserPage(v))
}

// languageName is the account's language named in itself, as the
// language switcher names it; "" for none.
func languageName(c *gin.Context, locale string) string {
	if locale == "" {
		return ""
	}
	tag, err := language.Parse(locale)
	if err != nil {
		return locale
	}
	return i18n.From(c.Request.Context()).SelfName(tag)
}

// eventText is an audit event in words; a kind this version does not
// know shows as it is stored.
func eventText(c *gin.Context, k account.Event) string {
	if id := k.MessageID(); id != "" {
		return i18n.T(c.Request.Context(), id)
	}
	return string(k)
}

func dateOr(c *gin.Context, t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return i18n.Date(c.Request.Context(), *t)
}

func emailRow(c *gin.Context, m account.SentEmail) components.AdminEmailRow {
	return components.AdminEmailRow{ID: m.ID, Kind: m.Kind, Status: m.Status, Delivery: m.Delivery,
		Created: i18n.Date(c.Request.Context(), m.CreatedAt), Sent: dateOr(c, m.SentAt), DeliveredAt: dateOr(c, m.DeliveryAt),
		Error: m.LastError, Attempts: m.Attempts}
}

// adminUserAction is the handler of one action on the account named in
// the path: it runs act with the account's address and the operator, and
// goes back to the account's page (or, after a deletion, the list) with
// the notice done.
func (s *server) adminUserAction(act func(c *gin.Context, email string, by account.Operator) error, done components.AdminNotice) gin.HandlerFunc {
	return s.adminAccountAction(act, func(c *gin.Context, id string) string {
		if done == components.AdminDoneDeleted {
			return adminDone(paths.AdminUsers, done)
		}
		return adminDone(paths.AdminUserURL(paths.AdminUser, id), done)
	})
}

// adminAccountAction runs act with the address of the account named in
// the path and the operator, answers a refusal on the page it came from,
// and sends the browser to back's address when act is done.
func (s *server) adminAccountAction(act func(c *gin.Context, email string, by account.Operator) error, back func(c *gin.Context, id string) string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !s.parseForm(c) {
			return
		}
		id := c.Param("id")
		email, err := s.Account.EmailOf(c.Request.Context(), id)
		if err == nil {
			_, _, by := s.current(c)
			err = act(c, email, by)
		}
		if err != nil {
			if !s.adminRefusal(c, err) {
				s.fail(c, err)
			}
			return
		}
		redirect(c, back(c, id))
	}
}

// The console's actions on one account, each the account method the
// command line's `gatehouse users …` calls.
func (s *server) adminResend(c *gin.Context, email string, by account.Operator) error {
	return s.Account.ResendActivation(c.Request.Context(), email, by)
}

func (s *server) adminDisable(c *gin.Context, email string, by account.Operator) error {
	_, _, err := s.Account.DisableUser(c.Request.Context(), email, by)
	return err
}

func (s *server) adminEnable(c *gin.Context, email string, by account.Operator) error {
	_, _, err := s.Account.EnableUser(c.Request.Context(), email, by)
	return err
}

func (s *server) adminEndSessions(c *gin.Context, email string, by account.Operator) error {
	_, err := s.Account.EndSessions(c.Request.Context(), email, by)
	return err
}

func (s *server) adminUnlock(c *gin.Context, email string, by account.Operator) error {
	return s.Account.UnlockUser(c.Request.Context(), email, by)
}

// adminResetTwoStep removes the account's two-step verification; an
// account without it (the page was stale) is refused with a reason.
func (s *server) adminResetTwoStep(c *gin.Context, email string, by account.Operator) error {
	changed, err := s.Account.ResetSecondFactor(c.Request.Context(), email, by)
	if err == nil && !changed {
		return account.ErrNoTwoStepSetup
	}
	return err
}

func (s *server) adminDelete(c *gin.Context, email string, by account.Operator) error {
	return s.Account.DeleteUser(c.Request.Context(), email, by)
}
