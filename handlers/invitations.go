package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/gin-gonic/gin"

	"gatehouse/components"
	"gatehouse/internal/account"
	"gatehouse/internal/i18n"
	"gatehouse/internal/paths"
)

// Invitations: the organisation's section (owners and admins), the page
// an invitation's link opens, and a signed-in person's own invitations.
// Every decision (who may, which organisation) is the account package's;
// these handlers only parse and render.

// The invitation link's token leaves the address bar for a cookie scoped
// to the invitation's pages, as a flow's link token does.
const (
	inviteCookie   = "invite"
	skippedCookie  = "invite_skipped"
	inviteLifetime = time.Hour
)

// orgError answers the errors every organisation action shares: a role
// that may not (403, nothing changed), an id of no open invitation of the
// actor's organisation (404, whoever's it is).
func (s *server) orgError(c *gin.Context, err error) {
	switch {
	case errors.Is(err, account.ErrOrgForbidden):
		s.errorPage(c, http.StatusForbidden, "page.forbidden.title", "invite.forbidden.body")
	case errors.Is(err, account.ErrNoInvitation):
		s.errorPage(c, http.StatusNotFound, "page.not_found.title", "invite.gone.body")
	default:
		s.fail(c, err)
	}
}

// orgInvitations is the organisation page's invitations section.
func (s *server) orgInvitations(c *gin.Context) {
	s.showOrgInvitations(c, http.StatusOK, components.Form{})
}

func (s *server) showOrgInvitations(c *gin.Context, status int, form components.Form) {
	v, err := s.invitationsView(c, form, status == http.StatusOK)
	if err != nil {
		s.orgError(c, err)
		return
	}
	s.render(c, status, components.InvitationsPage(v))
}

// invitationsView is the invitations section of the signed-in owner or
// admin; skipped reads the addresses the last form left out.
func (s *server) invitationsView(c *gin.Context, form components.Form, skipped bool) (components.InvitationsView, error) {
	u, _, _ := s.currentUser(c)
	inv, err := s.Account.Invitations(c.Request.Context(), *u)
	if err != nil {
		return components.InvitationsView{}, err
	}
	v := invitationsSection(c, inv, form)
	v.Notice = notice(c)
	if c.Request.URL.Path != paths.OrgInvitations {
		// Part of the organisation page, which shows the notice at its top.
		v.Notice, v.OnOrgPage = "", true
	}
	if skipped {
		v.Skipped = s.takeSkipped(c, paths.Org)
	}
	return v, nil
}

// invitationsSection is the invitations section of inv, on the owners'
// page or the console's, with form the problems of a refused invitation
// form (a new form invites members).
func invitationsSection(c *gin.Context, inv account.OrgInvitations, form components.Form) components.InvitationsView {
	ctx := c.Request.Context()
	v := components.InvitationsView{Org: inv.Org, Roles: inv.Grantable, Form: form}
	if v.Form.Values == nil {
		v.Form.Values = map[string]string{"role": string(account.RoleMember)}
	}
	for _, p := range inv.Pending {
		v.Rows = append(v.Rows, components.InvitationRow{ID: p.ID, Email: p.Email, Role: p.Role, InvitedBy: p.InvitedBy, ByOperator: p.ByOperator,
			Sent: i18n.Date(ctx, p.SentAt), Expires: i18n.Date(ctx, p.ExpiresAt), Expired: p.Expired})
	}
	return v
}

// showOrgWithInvitationForm is the organisation page again with the
// problems of a refused invitation form in its section.
func (s *server) showOrgWithInvitationForm(c *gin.Context, form components.Form) {
	u, _, _ := s.currentUser(c)
	ov, err := s.Account.OrgOverview(c.Request.Context(), *u)
	if err != nil {
		s.orgError(c, err)
		return
	}
	iv, err := s.invitationsView(c, form, false)
	if err != nil {
		s.orgError(c, err)
		return
	}
	iv.Notice, iv.OnOrgPage = "", true
	v := components.OrgView{Org: ov, Form: components.Form{Values: map[string]string{"name": ov.Me.OrgName}}, Invitations: &iv}
	s.render(c, http.StatusUnprocessableEntity, components.OrgPage(v))
}

// myInvitationRows are the open invitations to u's address.
func (s *server) myInvitationRows(c *gin.Context, u account.User) ([]components.InvitationRow, error) {
	ctx := c.Request.Context()
	list, err := s.Account.MyInvitations(ctx, u)
	if err != nil {
		return nil, err
	}
	var rows []components.InvitationRow
	for _, p := range list {
		rows = append(rows, components.InvitationRow{ID: p.ID, Org: p.Org, Role: p.Role, InvitedBy: p.InvitedBy, ByOperator: p.ByOperator,
			Expires: i18n.Date(ctx, p.ExpiresAt)})
	}
	return rows, nil
}

// invite sends the invitations of the section's form.
func (s *server) invite(c *gin.Context) {
	if !s.parseForm(c) {
		return
	}
	u, _, _ := s.currentUser(c)
	res, err := s.Account.Invite(c.Request.Context(), *u, c.PostForm("emails"), c.PostForm("role"), s.meta(c))
	var errs account.FieldErrors
	if errors.As(err, &errs) {
		form := formOf(c, errs, "emails", "role")
		if c.PostForm("from") == "org" {
			s.showOrgWithInvitationForm(c, form)
			return
		}
		s.showOrgInvitations(c, http.StatusUnprocessableEntity, form)
		return
	}
	if err != nil {
		s.orgError(c, err)
		return
	}
	s.keepSkipped(c, res.AlreadyMembers, paths.Org)
	if len(res.Invited) == 0 {
		redirect(c, s.invitationsBack(c, ""))
		return
	}
	redirect(c, s.invitationsBack(c, account.NoticeInvited))
}

// invitationsBack is where an invitation form leads back to: the
// organisation page it was posted from (from=org), or the section's own
// page, showing n.
func (s *server) invitationsBack(c *gin.Context, n account.Notice) string {
	to := paths.OrgInvitations
	if c.PostForm("from") == "org" {
		to = paths.Org
	}
	if n == "" {
		return to
	}
	return withNotice(to, n)
}

// keepSkipped keeps, for the page at path that the form leads back to,
// the addresses it left out as members (none: nothing).
func (s *server) keepSkipped(c *gin.Context, members []string, path string) {
	if len(members) > 0 {
		s.setCookie(c, s.flowCookie(skippedCookie), url.QueryEscape(strings.Join(members, ",")), path, time.Minute)
	}
}

// takeSkipped reads, once, the addresses the last form left out as
// members, kept for the page at path.
func (s *server) takeSkipped(c *gin.Context, path string) []string {
	v, err := c.Cookie(s.flowCookie(skippedCookie))
	if err != nil {
		return nil
	}
	s.clearCookie(c, s.flowCookie(skippedCookie), path)
	raw, err := url.QueryUnescape(v)
	if err != nil {
		return nil
	}
	var out []string
	for _, a := range strings.Split(raw, ",") {
		if c, err := account.CanonicalEmail(a); err == nil {
			out = append(out, c)
		}
	}
	return out
}

// resendInvite and revokeInvite act on one invitation of the actor's own
// organisation, named by its public id.
func (s *server) resendInvite(c *gin.Context) {
	if !s.parseForm(c) {
		return
	}
	u, _, _ := s.currentUser(c)
	if err := s.Account.ResendInvitation(c.Request.Context(), *u, c.PostForm("id"), s.meta(c)); err != nil {
		s.orgError(c, err)
		return
	}
	redirect(c, s.invitationsBack(c, account.NoticeInviteResent))
}

func (s *server) revokeInvite(c *gin.Context) {
	if !s.parseForm(c) {
		return
	}
	u, _, _ := s.currentUser(c)
	if err := s.Account.RevokeInvitation(c.Request.Context(), *u, c.PostForm("id"), s.meta(c)); err != nil {
		s.orgError(c, err)
		return
	}
	redirect(c, s.invitationsBack(c, account.NoticeInviteRevoked))
}

// openInvite is GET /invite: with ?token= the emailed link, which checks
// the token without using it (mail scanners open links), moves it into a
// cookie and redirects to the same page without it; without ?token= the
// page for the token in the cookie.
func (s *server) openInvite(c *gin.Context) {
	ctx := c.Request.Context()
	if raw := c.Query("token"); raw != "" {
		if _, err := s.Account.OpenInvitation(ctx, raw, s.meta(c)); err != nil {
			s.inviteError(c, err)
			return
		}
		s.setCookie(c, s.flowCookie(inviteCookie), raw, paths.Invite, inviteLifetime)
		c.Redirect(http.StatusSeeOther, paths.Invite)
		return
	}
	l, err := s.Account.CheckInvitation(ctx, s.inviteToken(c))
	if err != nil {
		s.inviteError(c, err)
		return
	}
	s.render(c, http.StatusOK, components.InvitePage(s.inviteView(l, components.Form{})))
}

func (s *server) inviteToken(c *gin.Context) string {
	v, _ := c.Cookie(s.flowCookie(inviteCookie))
	return v
}

func (s *server) inviteView(l account.InvitationLink, form components.Form) components.InviteView {
	min := s.Account.Policy().MinLength
	return components.InviteView{Org: l.Org, Inviter: l.InvitedBy, ByOperator: l.ByOperator, Email: l.Email, Role: l.Role, HasAccount: l.HasAccount,
		Form: form, MinLength: min, Check: components.Checklist{MinLength: min}}
}

// inviteError answers every unusable invitation link alike: expired,
// used, revoked and unknown look the same.
func (s *server) inviteError(c *gin.Context, err error) {
	if !errors.Is(err, account.ErrInvalidToken) {
		s.fail(c, err)
		return
	}
	s.clearCookie(c, s.flowCookie(inviteCookie), paths.Invite)
	s.render(c, http.StatusGone, components.InvalidInvitePage())
}

// join is the short sign-up's POST: it uses the invitation up, creates
// the account in the organisation, and sends the person to sign in.
func (s *server) join(c *gin.Context) {
	if !s.parseForm(c) {
		return
	}
	ctx := c.Request.Context()
	raw := s.inviteToken(c)
	f := account.JoinForm{FirstName: c.PostForm("first_name"), LastName: c.PostForm("last_name"),
		Password: c.PostForm("password"), Confirm: c.PostForm("password_confirm")}
	landing, err := s.Account.Join(ctx, raw, f, s.meta(c))
	var errs account.FieldErrors
	var member *account.AlreadyMemberError
	switch {
	case errors.As(err, &errs):
		l, cerr := s.Account.CheckInvitation(ctx, raw)
		if cerr != nil {
			s.inviteError(c, cerr)
			return
		}
		form := formOf(c, errs, "first_name", "last_name")
		v := s.inviteView(l, form)
		if _, bad := errs["password"]; !bad {
			form.Values["password"] = f.Password
		}
		s.render(c, http.StatusUnprocessableEntity, components.InvitePage(v))
		return
	case errors.Is(err, account.ErrHasAccount):
		redirect(c, paths.Login+"?return_to="+url.QueryEscape(paths.MyInvitations))
		return
	case errors.As(err, &member):
		s.writeErrorData(c.Writer, c.Request, http.StatusConflict, "invite.already_member.title", "invite.already_member.body", map[string]any{"Org": member.Org})
		return
	case err != nil:
		s.inviteError(c, err)
		return
	}
	s.clearCookie(c, s.flowCookie(inviteCookie), paths.Invite)
	s.clearCookie(c, s.sessionCookie(), "/")
	s.setCookie(c, s.flowCookie(loginHintCookie), url.QueryEscape(landing.Email), paths.Login, loginHintLifetime)
	redirect(c, withNotice(paths.Login, account.NoticeJoined))
}

// inviteCheck is the short sign-up's live password checklist.
func (s *server) inviteCheck(c *gin.Context) {
	if !s.parseForm(c) {
		return
	}
	pw, confirm := c.PostForm("password"), c.PostForm("password_confirm")
	e, err := s.Account.EvaluateJoinPassword(c.Request.Context(), s.inviteToken(c), c.PostForm("first_name"), c.PostForm("last_name"), pw)
	if err != nil {
		s.inviteError(c, err)
		return
	}
	list := checklist(e, pw, confirm)
	s.renderParts(c, http.StatusOK, templ.Join(components.PasswordChecklist(list), components.ConfirmMatch(list, true)))
}

// myInvitations lists the signed-in person's open invitations.
func (s *server) myInvitations(c *gin.Context) {
	u, _, _ := s.currentUser(c)
	rows, err := s.myInvitationRows(c, *u)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, components.MyInvitationsPage(components.MyInvitationsView{Notice: notice(c), Rows: rows}))
}

func (s *server) acceptInvite(c *gin.Context) {
	if !s.parseForm(c) {
		return
	}
	u, _, _ := s.currentUser(c)
	_, err := s.Account.AcceptInvitation(c.Request.Context(), *u, c.PostForm("id"), s.meta(c))
	var member *account.AlreadyMemberError
	if errors.As(err, &member) {
		s.writeErrorData(c.Writer, c.Request, http.StatusConflict, "invite.already_member.title", "invite.already_member.body", map[string]any{"Org": member.Org})
		return
	}
	if err != nil {
		s.orgError(c, err)
		return
	}
	redirect(c, withNotice(paths.Account, account.NoticeAccepted))
}

func (s *server) declineInvite(c *gin.Context) {
	if !s.parseForm(c) {
		return
	}
	u, _, _ := s.currentUser(c)
	if err := s.Account.DeclineInvitation(c.Request.Context(), *u, c.PostForm("id"), s.meta(c)); err != nil {
		s.orgError(c, err)
		return
	}
	redirect(c, withNotice(paths.MyInvitations, account.NoticeInviteDeclined))
}
