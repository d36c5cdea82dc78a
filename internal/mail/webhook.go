package mail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/resend/resend-go/v3"

	"gatehouse/internal/store"
)

// ErrBadWebhook is a delivery event that must not be recorded: its
// signature does not verify, its timestamp is outside Resend's tolerance
// (5 min), it is malformed, or its id was recorded already (a replay; a
// redelivery of an event already applied changes nothing either way).
var ErrBadWebhook = errors.New("mail: webhook rejected")

// eventStore is what Webhooks needs of the store.
type eventStore interface {
	RecordMailEvent(ctx context.Context, e store.MailEvent) (bool, error)
}

// Webhooks records Resend's delivery events against the outbox rows they
// name and suppresses addresses that bounced for good or complained.
type Webhooks struct {
	Secret string // the webhook's signing secret, whsec_…
	Store  eventStore
	Log    *slog.Logger
	client *resend.Client
}

// NewWebhooks returns a receiver verifying with secret.
func NewWebhooks(secret string, st eventStore, log *slog.Logger) *Webhooks {
	if log == nil {
		log = slog.Default()
	}
	// Verify needs no API key: the client is only the way in to it.
	return &Webhooks{Secret: secret, Store: st, Log: log, client: resend.NewClient("")}
}

// resendEvent is the part of a Resend webhook payload that is recorded.
type resendEvent struct {
	Type      string    `json:"type"`
	CreatedAt time.Time `json:"created_at"`
	Data      struct {
		EmailID string   `json:"email_id"`
		To      []string `json:"to"`
		Bounce  struct {
			Message string `json:"message"`
			Type    string `json:"type"`
			SubType string `json:"subType"`
		} `json:"bounce"`
	} `json:"data"`
}

// Handle verifies one delivery (the raw body and its Svix headers) and
// records it once. Events of types it does not keep (sent, opened, …) are
// verified and acknowledged without a change. It returns ErrBadWebhook
// (wrapped) for what the caller must answer 400; any other error is the
// database's, worth a 5xx so that Resend delivers the event again (nothing
// was recorded: the event id and its effects are one transaction).
func (h *Webhooks) Handle(ctx context.Context, header http.Header, body []byte) error {
	id := header.Get("svix-id")
	err := h.client.Webhooks.Verify(&resend.VerifyWebhookOptions{
		Payload:       string(body),
		WebhookSecret: h.Secret,
		Headers: resend.WebhookHeaders{
			Id:        id,
			Timestamp: header.Get("svix-timestamp"),
			Signature: header.Get("svix-signature"),
		},
	})
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadWebhook, err)
	}
	var ev resendEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		return fmt.Errorf("%w: payload: %v", ErrBadWebhook, err)
	}
	e := store.MailEvent{ID: id, MessageID: ev.Data.EmailID, To: ev.Data.To, At: ev.CreatedAt}
	switch ev.Type {
	case resend.EventEmailDelivered:
		e.Type = store.DeliveryDelivered
	case resend.EventEmailDeliveryDelayed:
		e.Type = store.DeliveryDelayed
	case resend.EventEmailBounced:
		e.Type = store.DeliveryBounced
		// Resend sends email.bounced when the receiving server refused the
		// message for good; a bounce it calls transient is not a reason to
		// stop writing.
		if !strings.EqualFold(ev.Data.Bounce.Type, "transient") {
			e.Suppress = store.SuppressedBounce
		}
		e.Detail = strings.TrimSpace(ev.Data.Bounce.Type + " " + ev.Data.Bounce.SubType + ": " + ev.Data.Bounce.Message)
	case resend.EventEmailComplained:
		e.Type, e.Suppress, e.Detail = store.DeliveryComplained, store.SuppressedComplaint, "marked as spam"
	default:
		h.Log.DebugContext(ctx, "resend event not kept", "type", ev.Type, "event_id", id)
		return nil
	}
	if e.At.IsZero() {
		e.At = time.Now()
	}
	fresh, err := h.Store.RecordMailEvent(ctx, e)
	if err != nil {
		return err
	}
	if !fresh {
		return fmt.Errorf("%w: event %s recorded already", ErrBadWebhook, id)
	}
	h.Log.InfoContext(ctx, "resend event recorded", "type", ev.Type, "event_id", id, "message_id", e.MessageID, "suppress", e.Suppress)
	return nil
}
