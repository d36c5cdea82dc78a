package paths

import "strconv"

// The operator's console (DESIGN.md: `/admin…`, operators only). Routes
// with an id are spelled for the router with ":id"; the functions below
// build the addresses the pages link to.
const (
	Admin                = "/admin"
	AdminUsers           = "/admin/users"
	AdminUser            = "/admin/users/:id"
	AdminUserResend      = "/admin/users/:id/resend-activation"
	AdminUserDisable     = "/admin/users/:id/disable"
	AdminUserEnable      = "/admin/users/:id/enable"
	AdminUserEndSessions = "/admin/users/:id/end-sessions"
	AdminUserUnlock      = "/admin/users/:id/unlock"
	AdminUserDelete      = "/admin/users/:id/delete"
	// AdminUserResetTwoStep removes two-step verification, as
	// `gatehouse users reset-2fa` does.
	AdminUserResetTwoStep = "/admin/users/:id/reset-2fa"
	AdminMail             = "/admin/mail"
	AdminMessage          = "/admin/mail/:id"
	AdminMessageRetry     = "/admin/mail/:id/retry"
	AdminSuppressionLift  = "/admin/suppressions/lift"
	AdminAudit            = "/admin/audit"
	AdminAuditExport      = "/admin/audit/export"
	AdminOrgs             = "/admin/orgs" // GET the list; POST name= a new organisation, with no members
	AdminApprovals        = "/admin/approvals"
	AdminUserApprove      = "/admin/users/:id/approve"
	AdminUserDecline      = "/admin/users/:id/decline"
	AdminOrg              = "/admin/orgs/:id"
	// An organisation's owner actions from the console, as the owners'
	// page has them (paths.Org…).
	AdminOrgRename        = "/admin/orgs/:id/name"
	AdminOrgApprove       = "/admin/orgs/:id/requests/approve"
	AdminOrgDecline       = "/admin/orgs/:id/requests/decline"
	AdminOrgRole          = "/admin/orgs/:id/members/role"
	AdminOrgRemove        = "/admin/orgs/:id/members/remove"
	AdminOrgDomainClaim   = "/admin/orgs/:id/domains/claim"
	AdminOrgDomainPolicy  = "/admin/orgs/:id/domains/policy"
	AdminOrgDomainRelease = "/admin/orgs/:id/domains/release"
	AdminOrgSecondFactor  = "/admin/orgs/:id/second-factor"
	// AdminOrgInvite… are the organisation's invitations from the
	// console, as the owners' page sends them (paths.OrgInvitations…).
	AdminOrgInvite       = "/admin/orgs/:id/invitations"
	AdminOrgInviteResend = "/admin/orgs/:id/invitations/resend"
	AdminOrgInviteRevoke = "/admin/orgs/:id/invitations/revoke"
)

// AdminOrgAction is route (one of the AdminOrg… routes) for the
// organisation with the public id.
func AdminOrgAction(route, publicID string) string { return fill(route, publicID) }

// AdminOrgURL is the console's page of the organisation with the public id.
func AdminOrgURL(publicID string) string { return fill(AdminOrg, publicID) }

// AdminUserURL is route (one of the AdminUser… routes) for the account
// with the public id.
func AdminUserURL(route, publicID string) string { return fill(route, publicID) }

// AdminMessageURL is route (AdminMessage or AdminMessageRetry) for the
// outbox row id.
func AdminMessageURL(route string, id int64) string { return fill(route, strconv.FormatInt(id, 10)) }

func fill(route, id string) string {
	for i := 0; i+3 <= len(route); i++ {
		if route[i:i+3] == ":id" {
			return route[:i] + id + route[i+3:]
		}
	}
	return route
}

// IsAdmin reports whether path is in the console.
func IsAdmin(path string) bool {
	return path == Admin || len(path) > len(Admin) && path[:len(Admin)+1] == Admin+"/"
}
