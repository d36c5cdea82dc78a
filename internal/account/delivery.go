package account

import (
	"context"
	"errors"
	"time"

	"gatehouse/internal/ratelimit"
	"gatehouse/internal/store"
	"gatehouse/internal/token"
)

// DeliveryState is what became of the email a browser asked for, as its
// "check your inbox" page says it. Each has a message (MessageID).
type DeliveryState string

// The states, from the request to the furthest the provider reports.
const (
	DeliveryQueued    DeliveryState = "queued"    // written, not yet handed to the provider
	DeliverySent      DeliveryState = "sent"      // the provider accepted it
	DeliveryDelayed   DeliveryState = "delayed"   // the receiving server has not taken it yet; the provider keeps trying
	DeliveryDelivered DeliveryState = "delivered" // the receiving server took it
	DeliveryBounced   DeliveryState = "bounced"   // the address does not accept mail
	DeliverySpam      DeliveryState = "spam"      // the recipient marked it as spam
	// Not sent at all: the address bounced, or marked mail from here as
	// spam, before.
	DeliverySuppressedBounce DeliveryState = "suppressed_bounce"
	DeliverySuppressedSpam   DeliveryState = "suppressed_spam"
	DeliveryFailed           DeliveryState = "failed" // the provider refused it, or every retry failed
)

// MessageID is the state's text on the page.
func (d DeliveryState) MessageID() string {
	switch d {
	case DeliverySent:
		return "page.delivery.sent"
	case DeliveryDelayed:
		return "page.delivery.delayed"
	case DeliveryDelivered:
		return "page.delivery.delivered"
	case DeliveryBounced:
		return "page.delivery.bounced"
	case DeliverySpam:
		return "page.delivery.spam"
	case DeliverySuppressedBounce:
		return "page.delivery.suppressed_bounce"
	case DeliverySuppressedSpam:
		return "page.delivery.suppressed_spam"
	case DeliveryFailed:
		return "page.delivery.failed"
	}
	return "page.delivery.queued"
}

// Problem says the state asks the person to act (check the address, use
// another): the page shows it as an error, with the change-address link.
func (d DeliveryState) Problem() bool {
	switch d {
	case DeliveryBounced, DeliverySpam, DeliverySuppressedBounce, DeliverySuppressedSpam, DeliveryFailed:
		return true
	}
	return false
}

// Delivery is the state of a browser's email and whether it can still
// change: while it can, the page asks again (Final false).
type Delivery struct {
	State DeliveryState
	Final bool
}

// DeliveryWatch is how long after its request a page keeps asking about
// an email that has not reached a final state; after that it says what it
// knows and the person reloads to ask again.
const DeliveryWatch = 10 * time.Minute

// Phantom timings: for a request that wrote no email (an address that has
// had its share of email for now, a disabled account) the page moves
// through the states a typical email does, on this schedule, so it looks
// like every other (see Delivery).
const (
	phantomSent      = 2 * time.Second
	phantomDelivered = 6 * time.Second
)

// requestHash names a browser's request in the outbox; "" for none. It is
// derived apart from the code's hashes, so no row of one table can be
// matched to the other by its hash.
func requestHash(binding string) string {
	if binding == "" {
		return ""
	}
	return token.Hash("delivery:" + binding)
}

// ErrDeliveryLimited is a status request over the polling limit; the page
// keeps what it shows and asks again later.
var ErrDeliveryLimited = errors.New("account: delivery status asked too often")

// Delivery says what became of the email that the browser holding
// binding asked for at at (its "sent" record). It is keyed by that
// browser's secret alone, never by an address or an id anyone could guess.
//
// It never tells whether an account exists: every request for an address,
// known, pending or unknown, writes one email to it (activation, reset,
// "you already have an account", "no account here"), and the state is that
// email's, driven by what the provider reports of it. The few requests
// that write none (the address has had its share of email for now, which
// holds for any address alike; an account an operator disabled; a browser
// with no secret) move through queued, sent and (when the provider reports
// deliveries) delivered on a typical email's schedule.
//
// Polling is limited per browser and per client IP (ErrDeliveryLimited
// over either).
func (s *Service) Delivery(ctx context.Context, binding string, at time.Time, m Meta) (Delivery, error) {
	if !token.WellFormed(binding) {
		binding = "" // no secret of ours: nothing to look up, nobody to count
	}
	h := requestHash(binding)
	perBrowser := s.cfg.Limits.DeliveryPerBrowser
	if h == "" {
		perBrowser = ratelimit.Rule{} // no browser to count: the IP's limit holds
	}
	err := s.allow(ctx, "delivery",
		check{"delivery:ip:" + s.cfg.Limits.ipKey(m.IP), s.cfg.Limits.DeliveryPerIP},
		check{"delivery:req:" + h, perBrowser})
	var rl *RateLimitedError
	if errors.As(err, &rl) {
		return Delivery{}, ErrDeliveryLimited
	}
	if err != nil {
		return Delivery{}, err
	}
	now := s.clock()
	var d Delivery
	row, err := s.store.OutboxForRequest(ctx, h)
	switch {
	case errors.Is(err, store.ErrNotFound):
		d = s.phantom(now.Sub(at))
	case err != nil:
		return Delivery{}, err
	default:
		d = s.delivery(row)
	}
	if now.Sub(at) > DeliveryWatch {
		d.Final = true
	}
	return d, nil
}

// delivery is the state of an outbox row.
func (s *Service) delivery(r store.OutboxMessage) Delivery {
	switch r.Delivery {
	case store.DeliveryDelayed:
		return Delivery{State: DeliveryDelayed}
	case store.DeliveryDelivered:
		return Delivery{State: DeliveryDelivered, Final: true}
	case store.DeliveryBounced:
		return Delivery{State: DeliveryBounced, Final: true}
	case store.DeliveryComplained:
		return Delivery{State: DeliverySpam, Final: true}
	case store.DeliverySuppressedBounce:
		return Delivery{State: DeliverySuppressedBounce, Final: true}
	case store.DeliverySuppressedComplaint:
		return Delivery{State: DeliverySuppressedSpam, Final: true}
	}
	switch r.Status {
	case store.OutboxSent:
		// Without delivery events nothing more will be known.
		return Delivery{State: DeliverySent, Final: !s.cfg.DeliveryEvents}
	case store.OutboxFailed:
		return Delivery{State: DeliveryFailed, Final: true}
	}
	return Delivery{State: DeliveryQueued}
}

// phantom is the state shown, age after the request, for a request that
// wrote no email.
func (s *Service) phantom(age time.Duration) Delivery {
	switch {
	case age < phantomSent:
		return Delivery{State: DeliveryQueued}
	case !s.cfg.DeliveryEvents:
		return Delivery{State: DeliverySent, Final: true}
	case age < phantomDelivered:
		return Delivery{State: DeliverySent}
	}
	return Delivery{State: DeliveryDelivered, Final: true}
}

// deliveryLimits are the polling limits used when the configuration
// leaves them out: a page asks every few seconds, a reload now and then.
var deliveryLimits = struct{ perBrowser, perIP ratelimit.Rule }{
	perBrowser: ratelimit.Rule{Max: 60, Window: 5 * time.Minute},
	perIP:      ratelimit.Rule{Max: 1200, Window: 5 * time.Minute},
}
