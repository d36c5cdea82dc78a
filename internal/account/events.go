package account

// Event is a kind of security-relevant event in an account's audit trail.
// Its value is what the store keeps, so a value never changes.
type Event string

// The audit events; each is recorded by the flows (a test holds every one
// to a call site and a message).
const (
	EventRegistered      Event = "registered"
	EventRegisterExists  Event = "register_existing"
	EventActivated       Event = "activated"
	EventLoginOK         Event = "login_ok"
	EventLoginFailed     Event = "login_failed"
	EventLogout          Event = "logout"
	EventResetRequested  Event = "reset_requested"
	EventPasswordReset   Event = "password_reset"
	EventSessionsRevoked Event = "sessions_revoked"
	EventPasswordChanged Event = "password_changed"

	// The rest of an account's life, from the account page.
	EventEmailChangeRequested Event = "email_change_requested"
	EventEmailChanged         Event = "email_changed"
	EventEmailChangeReverted  Event = "email_change_reverted"
	// EventEmailClaimRefused is recorded on the account whose address
	// another account asked to move to: nothing changed, and its owner is
	// told why, as the one asking never is.
	EventEmailClaimRefused Event = "email_claim_refused"
	EventProfileUpdated    Event = "profile_updated"
	EventSessionEnded      Event = "session_ended"
	EventDataExported      Event = "data_exported"
	// EventAccountDeleted belongs to no account: it is what the trail
	// keeps of the one erased.
	EventAccountDeleted Event = "account_deleted"
	// Passkeys.
	EventPasskeyAdded        Event = "passkey_added"
	EventPasskeyRenamed      Event = "passkey_renamed"
	EventPasskeyRemoved      Event = "passkey_removed"
	EventPasskeySignIn       Event = "passkey_sign_in"
	EventPasskeyCloneWarning Event = "passkey_clone_warning"

	// What operators do from the command line (gatehouse users …).
	EventDisabledByOperator         Event = "disabled_by_operator"
	EventEnabledByOperator          Event = "enabled_by_operator"
	EventDeletedByOperator          Event = "deleted_by_operator"
	EventActivationResentByOperator Event = "activation_resent_by_operator"
	EventSessionsEndedByOperator    Event = "sessions_ended_by_operator"
	EventUnlockedByOperator         Event = "unlocked_by_operator"

	// Two-step verification.
	EventTwoStepOn                Event = "two_step_on"
	EventTwoStepOff               Event = "two_step_off"
	EventTwoStepFailed            Event = "two_step_failed"
	EventRecoveryCodeUsed         Event = "recovery_code_used"
	EventRecoveryCodesRenewed     Event = "recovery_codes_renewed"
	EventTwoStepRemovedByOperator Event = "two_step_removed_by_operator"
	// Invitations and sign-up approval.
	EventInvitationSent     Event = "invitation_sent"
	EventInvitationAccepted Event = "invitation_accepted"
	EventInvitationDeclined Event = "invitation_declined"
	EventAwaitingApproval   Event = "awaiting_approval"
	EventApprovedByOperator Event = "approved_by_operator"
	EventDeclinedByOperator Event = "declined_by_operator"
	// The operator role and what operators do in the console.
	EventOperatorGranted             Event = "operator_granted"
	EventOperatorRevoked             Event = "operator_revoked"
	EventPasswordConfirmed           Event = "password_confirmed"
	EventMailRetriedByOperator       Event = "mail_retried_by_operator"
	EventSuppressionLiftedByOperator Event = "suppression_lifted_by_operator"
	EventAuditExported               Event = "audit_exported"
	// EventOrgChangedByOperator is an operator acting on an organisation
	// from the console, recorded on the member concerned (or on no
	// account, for the organisation's name, domains and rules); the
	// organisation's trail says what.
	EventOrgChangedByOperator Event = "org_changed_by_operator"
)

// Events lists every audit event.
var Events = []Event{EventRegistered, EventRegisterExists, EventActivated, EventLoginOK, EventLoginFailed,
	EventLogout, EventResetRequested, EventPasswordReset, EventSessionsRevoked, EventPasswordChanged,
	EventDisabledByOperator, EventEnabledByOperator, EventDeletedByOperator, EventActivationResentByOperator,
	EventSessionsEndedByOperator, EventUnlockedByOperator,
	EventTwoStepOn, EventTwoStepOff, EventTwoStepFailed, EventRecoveryCodeUsed, EventTwoStepRemovedByOperator,
	EventRecoveryCodesRenewed,
	EventInvitationSent, EventInvitationAccepted, EventInvitationDeclined,
	EventAwaitingApproval, EventApprovedByOperator, EventDeclinedByOperator,
	EventOperatorGranted, EventOperatorRevoked,
	EventPasswordConfirmed, EventMailRetriedByOperator, EventSuppressionLiftedByOperator, EventAuditExported, EventOrgChangedByOperator,
	EventEmailChangeRequested, EventEmailChanged, EventEmailChangeReverted, EventEmailClaimRefused,
	EventProfileUpdated, EventSessionEnded, EventDataExported, EventAccountDeleted,
	EventPasskeyAdded, EventPasskeyRenamed, EventPasskeyRemoved, EventPasskeySignIn, EventPasskeyCloneWarning}

// MessageID is the event's name on the account page; empty for a kind this
// version does not know (a row written by a newer one).
func (e Event) MessageID() string {
	switch e {
	case EventRegistered:
		return "event.registered"
	case EventRegisterExists:
		return "event.register_existing"
	case EventActivated:
		return "event.activated"
	case EventLoginOK:
		return "event.login_ok"
	case EventLoginFailed:
		return "event.login_failed"
	case EventLogout:
		return "event.logout"
	case EventResetRequested:
		return "event.reset_requested"
	case EventPasswordReset:
		return "event.password_reset"
	case EventSessionsRevoked:
		return "event.sessions_revoked"
	case EventPasswordChanged:
		return "event.password_changed"
	case EventDisabledByOperator:
		return "event.disabled_by_operator"
	case EventEnabledByOperator:
		return "event.enabled_by_operator"
	case EventDeletedByOperator:
		return "event.deleted_by_operator"
	case EventActivationResentByOperator:
		return "event.activation_resent_by_operator"
	case EventSessionsEndedByOperator:
		return "event.sessions_ended_by_operator"
	case EventUnlockedByOperator:
		return "event.unlocked_by_operator"
	case EventTwoStepOn:
		return "event.two_step_on"
	case EventTwoStepOff:
		return "event.two_step_off"
	case EventTwoStepFailed:
		return "event.two_step_failed"
	case EventRecoveryCodeUsed:
		return "event.recovery_code_used"
	case EventRecoveryCodesRenewed:
		return "event.recovery_codes_renewed"
	case EventTwoStepRemovedByOperator:
		return "event.two_step_removed_by_operator"
	case EventInvitationSent:
		return "event.invitation_sent"
	case EventInvitationAccepted:
		return "event.invitation_accepted"
	case EventInvitationDeclined:
		return "event.invitation_declined"
	case EventAwaitingApproval:
		return "event.awaiting_approval"
	case EventApprovedByOperator:
		return "event.approved_by_operator"
	case EventDeclinedByOperator:
		return "event.declined_by_operator"
	case EventOperatorGranted:
		return "event.operator_granted"
	case EventOperatorRevoked:
		return "event.operator_revoked"
	case EventPasswordConfirmed:
		return "event.password_confirmed"
	case EventMailRetriedByOperator:
		return "event.mail_retried_by_operator"
	case EventSuppressionLiftedByOperator:
		return "event.suppression_lifted_by_operator"
	case EventAuditExported:
		return "event.audit_exported"
	case EventOrgChangedByOperator:
		return "event.org_changed_by_operator"
	case EventEmailChangeRequested:
		return "event.email_change_requested"
	case EventEmailChanged:
		return "event.email_changed"
	case EventEmailChangeReverted:
		return "event.email_change_reverted"
	case EventEmailClaimRefused:
		return "event.email_claim_refused"
	case EventProfileUpdated:
		return "event.profile_updated"
	case EventSessionEnded:
		return "event.session_ended"
	case EventDataExported:
		return "event.data_exported"
	case EventAccountDeleted:
		return "event.account_deleted"
	case EventPasskeyAdded:
		return "event.passkey_added"
	case EventPasskeyRenamed:
		return "event.passkey_renamed"
	case EventPasskeyRemoved:
		return "event.passkey_removed"
	case EventPasskeySignIn:
		return "event.passkey_sign_in"
	case EventPasskeyCloneWarning:
		return "event.passkey_clone_warning"
	}
	return ""
}

// Notice is a one-line message a page shows after an action, carried in
// the address (?notice=) of the page redirected to.
type Notice string

// The notices.
const (
	NoticePasswordSet     Notice = "password_set"
	NoticePasswordReset   Notice = "password_reset"
	NoticeSignedOut       Notice = "signed_out"
	NoticeSessionsEnded   Notice = "sessions_ended"
	NoticeResent          Notice = "resent"
	NoticePasswordChanged Notice = "password_changed"
	NoticeWait            Notice = "wait"
	NoticeTwoStepOff      Notice = "two_step_off"
	NoticeSignInAgain     Notice = "sign_in_again"
	NoticeEmailChanged    Notice = "email_changed"
	NoticeEmailRestored   Notice = "email_restored"
	NoticeAccountDeleted  Notice = "account_deleted"
	NoticeProfileSaved    Notice = "profile_saved"
	NoticeSessionEnded    Notice = "session_ended"
	NoticeJoined          Notice = "joined"
	NoticeAccepted        Notice = "accepted"
	NoticeInvited         Notice = "invited"
	NoticeInviteResent    Notice = "invite_resent"
	NoticeInviteRevoked   Notice = "invite_revoked"
	NoticeInviteDeclined  Notice = "invite_declined"
	// NoticeAwaitingApproval: the password is set and the account waits
	// for an operator (SIGNUP_MODE=approval).
	NoticeAwaitingApproval Notice = "awaiting_approval"

	// After activation, where the person's organisation stands.
	NoticeOrgJoined     Notice = "org_joined"
	NoticeOrgRequested  Notice = "org_requested"
	NoticeOrgInviteOnly Notice = "org_invite_only"
	NoticeOrgBeside     Notice = "org_beside"

	// The organisation page's actions.
	NoticeOrgApproved        Notice = "org_approved"
	NoticeOrgDeclined        Notice = "org_declined"
	NoticeOrgRoleChanged     Notice = "org_role_changed"
	NoticeOrgRemoved         Notice = "org_removed"
	NoticeOrgLeft            Notice = "org_left"
	NoticeOrgRenamed         Notice = "org_renamed"
	NoticeOrgDomainClaimed   Notice = "org_domain_claimed"
	NoticeOrgPolicyChanged   Notice = "org_policy_changed"
	NoticeOrgDomainRemoved   Notice = "org_domain_released"
	NoticeOrgSecondFactorOn  Notice = "org_second_factor_on"
	NoticeOrgSecondFactorOff Notice = "org_second_factor_off"
	NoticeOrgCreated         Notice = "org_created" // the console made an organisation, with no members yet
	NoticePasskeyAdded       Notice = "passkey_added"
	NoticePasskeyRenamed     Notice = "passkey_renamed"
	NoticePasskeyRemoved     Notice = "passkey_removed"
)

// Notices lists every notice.
var Notices = []Notice{NoticePasswordSet, NoticePasswordReset, NoticeSignedOut, NoticeSessionsEnded, NoticeResent,
	NoticePasswordChanged, NoticeWait, NoticeTwoStepOff, NoticeSignInAgain, NoticeOrgJoined, NoticeOrgRequested, NoticeOrgInviteOnly, NoticeOrgBeside,
	NoticeOrgApproved, NoticeOrgDeclined, NoticeOrgRoleChanged, NoticeOrgRemoved, NoticeOrgLeft, NoticeOrgRenamed,
	NoticeOrgDomainClaimed, NoticeOrgPolicyChanged, NoticeOrgDomainRemoved, NoticeOrgSecondFactorOn, NoticeOrgSecondFactorOff,
	NoticeJoined, NoticeAccepted, NoticeInvited, NoticeInviteResent, NoticeInviteRevoked, NoticeInviteDeclined,
	NoticeAwaitingApproval, NoticeOrgCreated}

// ParseNotice is the notice named in an address; anything else is none.
func ParseNotice(s string) Notice {
	if n := Notice(s); n.MessageID() != "" {
		return n
	}
	return ""
}

// MessageID is the notice's text; empty for none.
func (n Notice) MessageID() string {
	switch n {
	case NoticePasswordSet:
		return "notice.password_set"
	case NoticePasswordReset:
		return "notice.password_reset"
	case NoticeSignedOut:
		return "notice.signed_out"
	case NoticeSessionsEnded:
		return "notice.sessions_ended"
	case NoticeResent:
		return "notice.resent"
	case NoticePasswordChanged:
		return "notice.password_changed"
	case NoticeWait:
		return "notice.wait"
	case NoticePasskeyAdded:
		return "notice.passkey_added"
	case NoticePasskeyRenamed:
		return "notice.passkey_renamed"
	case NoticePasskeyRemoved:
		return "notice.passkey_removed"
	case NoticeTwoStepOff:
		return "notice.two_step_off"
	case NoticeOrgSecondFactorOn:
		return "notice.org_second_factor_on"
	case NoticeOrgSecondFactorOff:
		return "notice.org_second_factor_off"
	case NoticeSignInAgain:
		return "notice.sign_in_again"
	case NoticeJoined:
		return "notice.joined"
	case NoticeAccepted:
		return "notice.accepted"
	case NoticeInvited:
		return "notice.invited"
	case NoticeInviteResent:
		return "notice.invite_resent"
	case NoticeInviteRevoked:
		return "notice.invite_revoked"
	case NoticeInviteDeclined:
		return "notice.invite_declined"
	case NoticeAwaitingApproval:
		return "notice.awaiting_approval"
	case NoticeEmailChanged:
		return "notice.email_changed"
	case NoticeEmailRestored:
		return "notice.email_restored"
	case NoticeAccountDeleted:
		return "notice.account_deleted"
	case NoticeProfileSaved:
		return "notice.profile_saved"
	case NoticeSessionEnded:
		return "notice.session_ended"
	case NoticeOrgJoined:
		return "notice.org_joined"
	case NoticeOrgRequested:
		return "notice.org_requested"
	case NoticeOrgInviteOnly:
		return "notice.org_invite_only"
	case NoticeOrgBeside:
		return "notice.org_beside"
	case NoticeOrgApproved:
		return "notice.org_approved"
	case NoticeOrgDeclined:
		return "notice.org_declined"
	case NoticeOrgRoleChanged:
		return "notice.org_role_changed"
	case NoticeOrgRemoved:
		return "notice.org_removed"
	case NoticeOrgLeft:
		return "notice.org_left"
	case NoticeOrgRenamed:
		return "notice.org_renamed"
	case NoticeOrgCreated:
		return "notice.org_created"
	case NoticeOrgDomainClaimed:
		return "notice.org_domain_claimed"
	case NoticeOrgPolicyChanged:
		return "notice.org_policy_changed"
	case NoticeOrgDomainRemoved:
		return "notice.org_domain_released"
	}
	return ""
}

// OrgEventKind is a kind of entry in an organisation's audit trail. Its
// value is what the store keeps, so a value never changes.
type OrgEventKind string

// The organisation events; each is recorded by the organisation rules (a
// test holds every one to a call site and a message).
const (
	OrgEventCreated        OrgEventKind = "org_created"
	OrgEventJoinedByDomain OrgEventKind = "joined_by_domain"
	OrgEventJoinRequested  OrgEventKind = "join_requested"
	OrgEventApproved       OrgEventKind = "request_approved"
	OrgEventDeclined       OrgEventKind = "request_declined"
	OrgEventRoleChanged    OrgEventKind = "role_changed"
	OrgEventRemoved        OrgEventKind = "member_removed"
	OrgEventLeft           OrgEventKind = "member_left"
	OrgEventRenamed        OrgEventKind = "org_renamed"
	OrgEventDomainClaimed  OrgEventKind = "domain_claimed"
	OrgEventDomainReleased OrgEventKind = "domain_released"
	OrgEventPolicyChanged  OrgEventKind = "join_policy_changed"

	// The rule that members have a passkey or two-step verification.
	OrgEventSecondFactorRequired OrgEventKind = "second_factor_required"
	OrgEventSecondFactorOptional OrgEventKind = "second_factor_optional"

	// Invitations.
	OrgEventInvited            OrgEventKind = "invited"
	OrgEventInvitationResent   OrgEventKind = "invitation_resent"
	OrgEventInvitationRevoked  OrgEventKind = "invitation_revoked"
	OrgEventInvitationAccepted OrgEventKind = "invitation_accepted"
	OrgEventInvitationDeclined OrgEventKind = "invitation_declined"
)

// OrgEventKinds lists every organisation event.
var OrgEventKinds = []OrgEventKind{OrgEventCreated, OrgEventJoinedByDomain, OrgEventJoinRequested, OrgEventApproved,
	OrgEventDeclined, OrgEventRoleChanged, OrgEventRemoved, OrgEventLeft, OrgEventRenamed, OrgEventDomainClaimed,
	OrgEventDomainReleased, OrgEventPolicyChanged, OrgEventSecondFactorRequired, OrgEventSecondFactorOptional,
	OrgEventInvited, OrgEventInvitationResent, OrgEventInvitationRevoked, OrgEventInvitationAccepted, OrgEventInvitationDeclined}

// MessageID is the entry's text on the organisation page, which takes
// {{.Actor}}, {{.Subject}} and {{.Detail}}; empty for a kind this version
// does not know.
func (k OrgEventKind) MessageID() string {
	switch k {
	case OrgEventCreated:
		return "page.org.event.org_created"
	case OrgEventSecondFactorRequired:
		return "page.org.event.second_factor_required"
	case OrgEventSecondFactorOptional:
		return "page.org.event.second_factor_optional"
	case OrgEventInvited:
		return "page.org.event.invited"
	case OrgEventInvitationResent:
		return "page.org.event.invitation_resent"
	case OrgEventInvitationRevoked:
		return "page.org.event.invitation_revoked"
	case OrgEventInvitationAccepted:
		return "page.org.event.invitation_accepted"
	case OrgEventInvitationDeclined:
		return "page.org.event.invitation_declined"
	case OrgEventJoinedByDomain:
		return "page.org.event.joined_by_domain"
	case OrgEventJoinRequested:
		return "page.org.event.join_requested"
	case OrgEventApproved:
		return "page.org.event.request_approved"
	case OrgEventDeclined:
		return "page.org.event.request_declined"
	case OrgEventRoleChanged:
		return "page.org.event.role_changed"
	case OrgEventRemoved:
		return "page.org.event.member_removed"
	case OrgEventLeft:
		return "page.org.event.member_left"
	case OrgEventRenamed:
		return "page.org.event.org_renamed"
	case OrgEventDomainClaimed:
		return "page.org.event.domain_claimed"
	case OrgEventDomainReleased:
		return "page.org.event.domain_released"
	case OrgEventPolicyChanged:
		return "page.org.event.join_policy_changed"
	}
	return ""
}
