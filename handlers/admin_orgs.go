package handlers

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"gatehouse/components"
	"gatehouse/internal/account"
	"gatehouse/internal/i18n"
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

// adminOrg is one organisation's page: what its owners see of it.
func (s *server) adminOrg(c *gin.Context) {
	o, err := s.Account.ConsoleOrg(c.Request.Context(), c.Param("id"))
	if err != nil {
		if !s.adminRefusal(c, err) {
			s.fail(c, err)
		}
		return
	}
	s.render(c, http.StatusOK, components.AdminOrgPage(components.AdminOrgView{Org: o}))
}

// orgLink is the console's view of a person's organisation and role.
func orgLink(m *account.OrgMembership) components.AdminOrgLink {
	if m == nil {
		return components.AdminOrgLink{}
	}
	return components.AdminOrgLink{PublicID: m.OrgPublicID, Name: m.OrgName, Role: m.Role.MessageID(), Pending: m.Pending}
}
