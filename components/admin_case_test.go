package components_test

import (
	"maps"
	"time"

	"github.com/a-h/templ"

	"gatehouse/components"
	"gatehouse/internal/account"
)

// adminPages renders each console page with every action and notice it
// can show, for the checks that hold the console's labels to the same
// rules as the rest of the app (TestCapitalisation).
func adminPages() map[string]templ.Component {
	row := components.AdminEmailRow{ID: 7, Kind: "activation", Status: "failed", Delivery: "bounced", Created: "1 Dec", Error: "timeout", Attempts: 3}
	user := components.AdminUserView{PublicID: "usr_1", Email: "ada@example.com", Name: "Ada Lovelace", Company: "Analytical", Country: "GB",
		Locale: "en", Status: "pending", Created: "1 Dec", Failures: 3, LockedUntil: "2 Dec", Suppressed: "bounce",
		Sessions: []components.AdminSessionRow{{Device: "Firefox", IP: "192.0.2.1", LastSeen: "1 Dec", Created: "1 Dec"}},
		Events:   []components.AdminEventRow{{Message: "event.login_ok", When: "1 Dec", IP: "192.0.2.1", Actor: "cli root"}},
		Emails:   []components.AdminEmailRow{row}}
	user.Org = components.AdminOrgLink{PublicID: "org_1", Name: "Analytical", Pending: true}
	active := user
	active.Status, active.Suppressed, active.Operator = "active", "", true
	active.TwoStepSince, active.Notice = "1 Dec", components.AdminDoneTwoStepRemoved
	active.Org = components.AdminOrgLink{PublicID: "org_1", Name: "Analytical", Role: account.RoleOwner.MessageID()}
	joined := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	org := account.ConsoleOrg{PublicID: "org_1", Name: "Analytical", CreatedAt: joined}
	org.Members = []account.OrgMember{{PublicID: "usr_1", Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", Role: account.RoleOwner, JoinedAt: &joined}}
	org.Requests = []account.OrgMember{{PublicID: "usr_2", Email: "bob@example.com", FirstName: "Bob", Pending: true, RequestedAt: joined}}
	org.Domains = []account.OrgDomain{{Domain: "example.com", Policy: account.JoinRequest, ClaimedAt: joined}}
	org.Trail = []account.OrgEntry{{Kind: account.OrgEventRoleChanged, At: joined, Actor: "Ada Lovelace", Detail: "admin"}}
	disabled := user
	disabled.Status = "disabled"
	return map[string]templ.Component{
		"admin overview": components.AdminOverviewPage(components.AdminOverviewView{Max: 3,
			Funnel: []components.AdminFunnelDay{{Label: "Dec 1", Registered: 3, Activated: 2, SignIn: 1}}}),
		"admin users": components.AdminUsersPage(components.AdminUsersView{Statuses: []string{"pending", "active", "disabled"},
			Rows: []components.AdminUserRow{{PublicID: "usr_1", Email: "ada@example.com", Name: "Ada Lovelace", Status: "active", Created: "1 Dec"}},
			Next: "/admin/users?after=x", First: "/admin/users", Notice: components.AdminDoneDeleted}),
		"admin user pending":  components.AdminUserPage(user),
		"admin user active":   components.AdminUserPage(active),
		"admin user disabled": components.AdminUserPage(disabled),
		"admin mail": components.AdminMailPage(components.AdminMailView{Rows: []components.AdminMailRow{{AdminEmailRow: row, To: "a…@example.com"}},
			Suppressions: []components.AdminSuppressionRow{{Address: "a…@example.com", Reason: "bounce", Since: "1 Dec"}}}),
		"admin message": components.AdminMessagePage(components.AdminMessageView{AdminMailRow: components.AdminMailRow{AdminEmailRow: row, To: "a…@example.com"},
			Events: []components.AdminDeliveryEvent{{State: "bounced", When: "1 Dec"}}}),
		"admin reauth": components.AdminReauthPage(components.AdminReauthView{Action: "/admin/users/usr_1/delete", Email: "root@example.com"}),
		"admin orgs": components.AdminOrgsPage(components.AdminOrgsView{Rows: []components.AdminOrgRow{{PublicID: "org_1", Name: "Analytical", Created: "1 Dec", Members: 2}},
			Limited: true, Limit: 200}),
		"admin orgs none": components.AdminOrgsPage(components.AdminOrgsView{Query: "x"}),
		"admin org":       components.AdminOrgPage(components.AdminOrgView{Org: org}),
		"admin org empty": components.AdminOrgPage(components.AdminOrgView{Org: account.ConsoleOrg{Name: "Analytical"}}),
		"admin audit":     components.AdminAuditPage(components.AdminAuditView{Kinds: []components.AdminKindOption{{Value: "login_ok", Label: "event.login_ok"}}}),
	}
}

// withAdmin is pages and the console's pages.
func withAdmin(pages map[string]templ.Component) map[string]templ.Component {
	all := maps.Clone(pages)
	maps.Copy(all, adminPages())
	return all
}
