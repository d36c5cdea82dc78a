package paths

// Invitations: the link's page and the invitee's own list under /invite,
// the organisation's side under /org.
const (
	Invite          = "/invite"          // GET ?token= from the email; GET the page, POST the short sign-up
	InviteCheck     = "/invite/check"    // the short sign-up's live password checklist
	MyInvitations   = "/invite/mine"     // a signed-in person's open invitations
	InviteAccept    = "/invite/accept"   // POST id=
	InviteDecline   = "/invite/decline"  // POST id=
	OrgInvitations  = "/org/invitations" // GET the section, POST emails= role=
	OrgInviteResend = "/org/invitations/resend"
	OrgInviteRevoke = "/org/invitations/revoke"
	SignupWaiting   = "/waiting" // an account waiting for an operator
)
