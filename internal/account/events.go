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

	// What operators do from the command line (gatehouse users …).
	EventDisabledByOperator         Event = "disabled_by_operator"
	EventEnabledByOperator          Event = "enabled_by_operator"
	EventDeletedByOperator          Event = "deleted_by_operator"
	EventActivationResentByOperator Event = "activation_resent_by_operator"
	EventSessionsEndedByOperator    Event = "sessions_ended_by_operator"
	EventUnlockedByOperator         Event = "unlocked_by_operator"

	// The operator role and what operators do in the console.
	EventOperatorGranted             Event = "operator_granted"
	EventOperatorRevoked             Event = "operator_revoked"
	EventPasswordConfirmed           Event = "password_confirmed"
	EventMailRetriedByOperator       Event = "mail_retried_by_operator"
	EventSuppressionLiftedByOperator Event = "suppression_lifted_by_operator"
	EventAuditExported               Event = "audit_exported"
)

// Events lists every audit event.
var Events = []Event{EventRegistered, EventRegisterExists, EventActivated, EventLoginOK, EventLoginFailed,
	EventLogout, EventResetRequested, EventPasswordReset, EventSessionsRevoked, EventPasswordChanged,
	EventDisabledByOperator, EventEnabledByOperator, EventDeletedByOperator, EventActivationResentByOperator,
	EventSessionsEndedByOperator, EventUnlockedByOperator, EventOperatorGranted, EventOperatorRevoked,
	EventPasswordConfirmed, EventMailRetriedByOperator, EventSuppressionLiftedByOperator, EventAuditExported}

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
)

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
	}
	return ""
}
