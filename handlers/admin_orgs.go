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
	v := components.AdminOrgsView{Query: q, Limited: len(rows) >= account.ConsoleOrgLimit, Limit: account.ConsoleOrgLimit}
	for _, o := range rows {
		v.Rows = append(v.Rows, components.AdminOrgRow{PublicID: o.PublicID, Name: o.Name, Created: i18n.Date(ctx, o.CreatedAt),
			Members: o.Members, Requests: o.Requests, Domains: o.Domains})
	}
	s.render(c, http.StatusOK, components.AdminOrgsPage(v))
}

// adminOrg is one organisation's page: what its owners see of it, with
// the actions they have.
func (s *server) adminOrg(c *gin.Context) {
	s.showAdminOrg(c, http.StatusOK, components.Form{})
}

// showAdminOrg renders the organisation's console page, with form holding
// the problems of a refused action.
func (s *server) showAdminOrg(c *gin.Context, status int, form components.Form) {
	o, err := s.Account.ConsoleOrg(c.Request.Context(), c.Param("id"))
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
	s.render(c, status, components.AdminOrgPage(components.AdminOrgView{Org: o, Notice: notice(c), Form: form}))
}

// adminOrgRoutes registers the organisation owner's actions in the
// console, each the account function the owners' page calls (org.go),
// with the operator as an owner of the organisation in the path
// (account.OrgOperator): the same rules, the trail naming the operator.
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
			s.showAdminOrg(c, http.StatusUnprocessableEntity, formOf(c, errs, "name"))
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
