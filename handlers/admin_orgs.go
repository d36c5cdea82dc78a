package handlers

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"gatehouse/components"
	"gatehouse/internal/account"
	"gatehouse/internal/i18n"
	"gatehouse/internal/paths"
)

// adminOrgs is the console's list of organisations, searched by a part
// of the name or of a claimed domain.
func (s *server) adminOrgs(c *gin.Context) {
	s.showAdminOrgs(c, http.StatusOK, components.Form{})
}

// showAdminOrgs renders the list, with form holding the new
// organisation's name and its problem.
func (s *server) showAdminOrgs(c *gin.Context, status int, form components.Form) {
	ctx := c.Request.Context()
	q := strings.TrimSpace(c.Query("q"))
	if len(q) > 200 {
		q = q[:200]
	}
	rows, err := s.Account.ListOrganisations(ctx, q)
	if err != nil {
		s.fail(c, err)
		return
	}
	v := components.AdminOrgsView{Query: q, Limited: len(rows) >= account.ConsoleOrgLimit, Limit: account.ConsoleOrgLimit, Form: form}
	for _, o := range rows {
		v.Rows = append(v.Rows, components.AdminOrgRow{PublicID: o.PublicID, Name: o.Name, Created: i18n.Date(ctx, o.CreatedAt),
			Members: o.Members, Requests: o.Requests, Domains: o.Domains})
	}
	s.render(c, status, components.AdminOrgsPage(v))
}

// adminCreateOrg makes a new organisation with no members and goes to its
// page, where its first owner is invited; a name refused shows the list
// again with the problem.
func (s *server) adminCreateOrg(c *gin.Context) {
	if !s.parseForm(c) {
		return
	}
	_, _, op := s.current(c)
	id, err := s.Account.CreateOrganisation(c.Request.Context(), op, c.PostForm("name"))
	var errs account.FieldErrors
	switch {
	case errors.As(err, &errs):
		s.showAdminOrgs(c, http.StatusUnprocessableEntity, formOf(c, errs, "name"))
	case err == nil:
		redirect(c, withNotice(paths.AdminOrgURL(id), account.NoticeOrgCreated))
	case errors.Is(err, account.ErrOrgForbidden):
		s.notFound(c)
	default:
		s.fail(c, err)
	}
}

// adminOrg is one organisation's page: what its owners see of it, with
// the actions they have.
func (s *server) adminOrg(c *gin.Context) {
	s.showAdminOrg(c, http.StatusOK, components.Form{}, components.Form{})
}

// showAdminOrg renders the organisation's console page, with form holding
// the problems of a refused action and invite those of a refused
// invitation form.
func (s *server) showAdminOrg(c *gin.Context, status int, form, invite components.Form) {
	o, err := s.Account.ConsoleOrg(c.Request.Context(), c.Param("id"))
	var iv components.InvitationsView
	if err == nil {
		iv, err = s.adminInvitations(c, o.PublicID, invite, status == http.StatusOK)
	}
	if errors.Is(err, account.ErrOrgForbidden) {
		// The operator role went since the request began.
		s.notFound(c)
		return
	}
	if err != nil {
		if !s.adminRefusal(c, err) {
			s.fail(c, err)
		}
		return
	}
	if form.Values == nil {
		form.Values = map[string]string{}
	}
	if _, posted := c.GetPostForm("name"); !posted {
		form.Values["name"] = o.Name
	}
	s.render(c, status, components.AdminOrgPage(components.AdminOrgView{Org: o, Notice: notice(c), Form: form, Invitations: iv}))
}

// adminInvitations is the organisation's invitations section on its
// console page, read as the operator (who sees which operator invited);
// skipped reads the addresses the last form left out.
func (s *server) adminInvitations(c *gin.Context, org string, form components.Form, skipped bool) (components.InvitationsView, error) {
	_, _, op := s.current(c)
	inv, err := s.Account.Invitations(c.Request.Context(), account.OrgOperator{Operator: op, Org: org})
	if err != nil {
		return components.InvitationsView{}, err
	}
	v := invitationsSection(c, inv, form)
	if skipped {
		v.Skipped = s.takeSkipped(c, paths.AdminOrgURL(org))
	}
	return v, nil
}

// adminOrgInvite sends the invitations of the console's form as the
// operator, with an owner's rights (owners may be invited), under the
// limits an owner's count against; a refused form is shown again in the
// section (422), an organisation that is gone is a 404.
func (s *server) adminOrgInvite(c *gin.Context) {
	if !s.parseForm(c) {
		return
	}
	_, _, op := s.current(c)
	id := c.Param("id")
	res, err := s.Account.Invite(c.Request.Context(), account.OrgOperator{Operator: op, Org: id}, c.PostForm("emails"), c.PostForm("role"), s.meta(c))
	var errs account.FieldErrors
	switch {
	case errors.As(err, &errs):
		s.showAdminOrg(c, http.StatusUnprocessableEntity, components.Form{}, formOf(c, errs, "emails", "role"))
	case err == nil:
		s.keepSkipped(c, res.AlreadyMembers, paths.AdminOrgURL(id))
		if len(res.Invited) == 0 {
			redirect(c, paths.AdminOrgURL(id))
			return
		}
		redirect(c, withNotice(paths.AdminOrgURL(id), account.NoticeInvited))
	case errors.Is(err, account.ErrUnknownOrg), errors.Is(err, account.ErrOrgForbidden):
		s.notFound(c)
	default:
		s.fail(c, err)
	}
}

// adminOrgRoutes registers the organisation owner's actions in the
// console (invitations included), each the account function the owners'
// page calls (org.go), with the operator as an owner of the organisation
// in the path (account.OrgOperator): the same rules, the trail naming the
// operator.
// Those that take someone's access or power away, or a domain, ask for
// the password again (destructive).
func (s *server) adminOrgRoutes(admin, destructive *gin.RouterGroup, rel func(string) string) {
	admin.POST(rel(paths.AdminOrgRename), s.adminOrgAction(func(c *gin.Context, by account.OrgOperator) (account.Notice, error) {
		return account.NoticeOrgRenamed, s.Account.RenameOrg(c.Request.Context(), by, c.PostForm("name"), s.meta(c))
	}))
	admin.POST(rel(paths.AdminOrgApprove), s.adminOrgAction(func(c *gin.Context, by account.OrgOperator) (account.Notice, error) {
		return account.NoticeOrgApproved, s.Account.Approve(c.Request.Context(), by, c.PostForm("member"), s.meta(c))
	}))
	admin.POST(rel(paths.AdminOrgDomainClaim), s.adminOrgAction(func(c *gin.Context, by account.OrgOperator) (account.Notice, error) {
		return account.NoticeOrgDomainClaimed, s.Account.ClaimMembersDomain(c.Request.Context(), by, c.PostForm("domain"), s.meta(c))
	}))
	admin.POST(rel(paths.AdminOrgDomainPolicy), s.adminOrgAction(func(c *gin.Context, by account.OrgOperator) (account.Notice, error) {
		return account.NoticeOrgPolicyChanged, s.Account.SetJoinPolicy(c.Request.Context(), by, c.PostForm("domain"), c.PostForm("policy"), s.meta(c))
	}))
	admin.POST(rel(paths.AdminOrgInvite), s.adminOrgInvite)
	admin.POST(rel(paths.AdminOrgInviteResend), s.adminOrgAction(func(c *gin.Context, by account.OrgOperator) (account.Notice, error) {
		return account.NoticeInviteResent, s.Account.ResendInvitation(c.Request.Context(), by, c.PostForm("id"), s.meta(c))
	}))
	destructive.POST(rel(paths.AdminOrgInviteRevoke), s.adminOrgAction(func(c *gin.Context, by account.OrgOperator) (account.Notice, error) {
		return account.NoticeInviteRevoked, s.Account.RevokeInvitation(c.Request.Context(), by, c.PostForm("id"), s.meta(c))
	}))
	destructive.POST(rel(paths.AdminOrgDecline), s.adminOrgAction(func(c *gin.Context, by account.OrgOperator) (account.Notice, error) {
		return account.NoticeOrgDeclined, s.Account.Decline(c.Request.Context(), by, c.PostForm("member"), s.meta(c))
	}))
	destructive.POST(rel(paths.AdminOrgRole), s.adminOrgAction(func(c *gin.Context, by account.OrgOperator) (account.Notice, error) {
		return account.NoticeOrgRoleChanged, s.Account.ChangeRole(c.Request.Context(), by, c.PostForm("member"), c.PostForm("role"), s.meta(c))
	}))
	destructive.POST(rel(paths.AdminOrgRemove), s.adminOrgAction(func(c *gin.Context, by account.OrgOperator) (account.Notice, error) {
		return account.NoticeOrgRemoved, s.Account.RemoveMember(c.Request.Context(), by, c.PostForm("member"), s.meta(c))
	}))
	destructive.POST(rel(paths.AdminOrgDomainRelease), s.adminOrgAction(func(c *gin.Context, by account.OrgOperator) (account.Notice, error) {
		return account.NoticeOrgDomainRemoved, s.Account.ReleaseDomain(c.Request.Context(), by, c.PostForm("domain"), s.meta(c))
	}))
	destructive.POST(rel(paths.AdminOrgSecondFactor), s.adminOrgAction(func(c *gin.Context, by account.OrgOperator) (account.Notice, error) {
		on := c.PostForm("require") == "on"
		n := account.NoticeOrgSecondFactorOff
		if on {
			n = account.NoticeOrgSecondFactorOn
		}
		return n, s.Account.SetRequireSecondFactor(c.Request.Context(), by, on, s.meta(c))
	}))
}

// adminOrgAction runs one of the console's organisation forms as the
// operator, and goes back to the organisation's page with the notice (or
// shows it again with the problem, 422). A member, request or domain that
// is not the organisation's is the 404 of an unknown path, as on the
// owners' page.
func (s *server) adminOrgAction(do func(c *gin.Context, by account.OrgOperator) (account.Notice, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !s.parseForm(c) {
			return
		}
		_, _, op := s.current(c)
		id := c.Param("id")
		n, err := do(c, account.OrgOperator{Operator: op, Org: id})
		var errs account.FieldErrors
		switch {
		case errors.As(err, &errs):
			s.showAdminOrg(c, http.StatusUnprocessableEntity, formOf(c, errs, "name"), components.Form{})
		case err == nil:
			redirect(c, withNotice(paths.AdminOrgURL(id), n))
		case errors.Is(err, account.ErrUnknownOrg), errors.Is(err, account.ErrOrgNotFound), errors.Is(err, account.ErrOrgForbidden):
			s.notFound(c)
		default:
			s.fail(c, err)
		}
	}
}

// orgLink is the console's view of a person's organisation and role.
func orgLink(m *account.OrgMembership) components.AdminOrgLink {
	if m == nil {
		return components.AdminOrgLink{}
	}
	return components.AdminOrgLink{PublicID: m.OrgPublicID, Name: m.OrgName, Role: m.Role.MessageID(), Pending: m.Pending}
}
