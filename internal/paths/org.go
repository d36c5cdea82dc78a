package paths

// The organisation page and its actions (DESIGN.md: GET,POST /org…). Forms
// name the member or domain they act on in their body, never in the path.
const (
	Org              = "/org"
	OrgWaiting       = "/org/waiting"
	OrgApprove       = "/org/requests/approve"
	OrgDecline       = "/org/requests/decline"
	OrgRole          = "/org/members/role"
	OrgRemove        = "/org/members/remove"
	OrgLeave         = "/org/leave"
	OrgRename        = "/org/name"
	OrgDomainClaim   = "/org/domains/claim"
	OrgDomainPolicy  = "/org/domains/policy"
	OrgDomainRelease = "/org/domains/release"
	// OrgSecondFactor is the owner's form turning on or off the rule
	// that members have a passkey or two-step verification; SecondStep
	// is where a member without one is sent until they set one up.
	OrgSecondFactor = "/org/second-factor"
	SecondStep      = "/org/second-step"
)
