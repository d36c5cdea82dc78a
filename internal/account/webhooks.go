package account

import (
	"context"
	"encoding/json"

	"gatehouse/internal/store"
)

// WebhookEvent is an event the platform is told about at WEBHOOK_URL. Its
// value is the Standard Webhooks "type" receivers switch on, so it never
// changes.
type WebhookEvent string

// The webhook events.
const (
	WebhookUserRegistered  WebhookEvent = "user.registered"
	WebhookUserActivated   WebhookEvent = "user.activated"
	WebhookPasswordChanged WebhookEvent = "user.password_changed"
	WebhookSignedIn        WebhookEvent = "user.signed_in"
	WebhookSessionEnded    WebhookEvent = "session.ended"
	// WebhookEmailChanged is sent when the address changes, and again when
	// the old address undoes it (previous_email says from what).
	WebhookEmailChanged WebhookEvent = "user.email_changed"
	// WebhookUserDeleted is the last event of an account, which is erased.
	WebhookUserDeleted WebhookEvent = "user.deleted"

	WebhookOrgCreated       WebhookEvent = "org.created"
	WebhookOrgMemberJoined  WebhookEvent = "org.member_joined"
	WebhookOrgMemberRemoved WebhookEvent = "org.member_removed"
	WebhookOrgRoleChanged   WebhookEvent = "org.role_changed"
	WebhookOrgJoinRequested WebhookEvent = "org.join_requested"
	WebhookPasskeyAdded     WebhookEvent = "user.passkey_added"
	WebhookPasskeyRemoved   WebhookEvent = "user.passkey_removed"
)

// WebhookEvents lists every webhook event.
var WebhookEvents = []WebhookEvent{WebhookUserRegistered, WebhookUserActivated, WebhookPasswordChanged, WebhookSignedIn, WebhookSessionEnded,
	WebhookEmailChanged, WebhookUserDeleted,
	WebhookOrgCreated, WebhookOrgMemberJoined, WebhookOrgMemberRemoved, WebhookOrgRoleChanged, WebhookOrgJoinRequested,
	WebhookPasskeyAdded, WebhookPasskeyRemoved}

// Why sessions ended, in a session.ended event.
const (
	EndedSignOut       = "sign_out"
	EndedOthers        = "ended_by_user"
	EndedPasswordReset = "password_reset"
	EndedPasswordSet   = "password_changed"
	EndedEmailRestored = "email_restored"
	EndedOne           = "ended_one_by_user"
	// EndedRemovedFromOrg: an owner or admin removed the person from
	// their organisation.
	EndedRemovedFromOrg = "removed_from_org"
	// EndedByOperator: an operator disabled the account or ended its
	// sessions (the console or gatehouse users).
	EndedByOperator = "ended_by_operator"
	// EndedExpired: the session reached SESSION_ABSOLUTE_TIMEOUT.
	EndedExpired = "expired"
	// EndedIdle: the session went unused for SESSION_IDLE_TIMEOUT.
	EndedIdle = "idle_timeout"
)

// Webhook is one event as the platform receives it, in the Standard
// Webhooks shape ({type, timestamp, data}). It carries no password,
// token, code or link (SECURITY.md rule 44).
type Webhook struct {
	Type      WebhookEvent `json:"type"`
	Timestamp string       `json:"timestamp"`
	Data      WebhookData  `json:"data"`
}

// WebhookData is what an event says: whose account, for session events
// which session (the token's sid) or how many ended, and why, and for
// organisation events which organisation and role.
type WebhookData struct {
	UserID        string `json:"user_id"`
	Email         string `json:"email"`
	SessionID     string `json:"session_id,omitempty"`
	SessionsEnded int    `json:"sessions_ended,omitempty"`
	Reason        string `json:"reason,omitempty"`
	// PreviousEmail is the address a user.email_changed moved from.
	PreviousEmail string `json:"previous_email,omitempty"`
	// For org.* events: the organisation (its public id and name), the
	// person's role in it, and who did it (a user id; empty when the
	// person's own sign-up did) as what (ActorType, set with ActorID).
	OrgID     string `json:"org_id,omitempty"`
	OrgName   string `json:"org_name,omitempty"`
	OrgRole   string `json:"org_role,omitempty"`
	ActorID   string `json:"actor_id,omitempty"`
	ActorType string `json:"actor_type,omitempty"`
}

// The actor types of an org.* webhook: its actor_id acted as a member of
// the organisation (an owner or admin, or the person themselves), or as
// an operator from the console, who need not be one.
const (
	ActorMember   = "member"
	ActorOperator = "operator"
)

// webhookRecipient is every webhook row's recipient: the outbox sends one
// recipient's rows in order, so the platform hears of an account's events
// in the order they happened.
const webhookRecipient = "platform"

// notify writes event to the outbox inside tx, in the transaction of the
// change it reports, when webhooks are on; the webhook worker delivers it.
func (s *Service) notify(ctx context.Context, tx *store.Store, event WebhookEvent, userID, email string, d WebhookData) error {
	out, err := s.webhooks(event, userID, email, d)
	for _, m := range out {
		if err := tx.Enqueue(ctx, m); err != nil {
			return err
		}
	}
	return err
}

// webhooks are the outbox rows of notify: none when no webhook is set.
func (s *Service) webhooks(event WebhookEvent, userID, email string, d WebhookData) ([]*store.OutboxMessage, error) {
	if !s.cfg.Webhooks {
		return nil, nil
	}
	now := s.now()
	d.UserID, d.Email = userID, email
	b, err := json.Marshal(Webhook{Type: event, Timestamp: now.Format("2006-01-02T15:04:05.000000Z07:00"), Data: d})
	if err != nil {
		return nil, err
	}
	return []*store.OutboxMessage{{Kind: store.KindWebhook, Recipient: webhookRecipient, Data: string(b), CreatedAt: now}}, nil
}
