package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// ReserveSend reserves the next slot of the request budget name, one
// request every interval across every instance sharing the database, if
// that slot begins by latest, and returns when it begins (now or later;
// the caller waits for it). When the first free slot is later than
// latest, nothing is reserved (a slot taken and not used would push every
// later caller back) and it returns that slot with ok false. It is one
// upsert, so concurrent reservations each get their own slot. Slots are
// spaced evenly rather than counted per second, so no second ever holds
// more than its share, wherever the provider's window falls.
func (s *Store) ReserveSend(ctx context.Context, name string, interval time.Duration, now, latest time.Time) (slot time.Time, ok bool, err error) {
	nowUS, step, lastUS := now.UnixMicro(), interval.Microseconds(), latest.UnixMicro()
	var next []int64
	err = s.db.NewRaw(`INSERT INTO mail_send_budget AS b (name, next_us) VALUES (?, ?)
ON CONFLICT (name) DO UPDATE SET next_us = CASE WHEN b.next_us > ? THEN b.next_us ELSE ? END + ?
WHERE b.next_us <= ?
RETURNING next_us`, name, nowUS+step, nowUS, nowUS, step, lastUS).Scan(ctx, &next)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("store: reserve send: %w", err)
	}
	if len(next) == 1 {
		return time.UnixMicro(next[0] - step), true, nil
	}
	var first int64
	if err := s.db.NewRaw(`SELECT next_us FROM mail_send_budget WHERE name = ?`, name).Scan(ctx, &first); err != nil {
		return time.Time{}, false, fmt.Errorf("store: reserve send: %w", err)
	}
	return time.UnixMicro(first), false, nil
}

// HoldSends moves the first free slot of budget name to until at the
// earliest: the provider answered 429 and asked every caller to wait.
func (s *Store) HoldSends(ctx context.Context, name string, until time.Time) error {
	u := until.UnixMicro()
	_, err := s.db.NewRaw(`INSERT INTO mail_send_budget AS b (name, next_us) VALUES (?, ?)
ON CONFLICT (name) DO UPDATE SET next_us = CASE WHEN b.next_us > ? THEN b.next_us ELSE ? END`, name, u, u, u).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: hold sends: %w", err)
	}
	return nil
}

// The delivery states an event can report, in the order they can follow
// one another; a state is never replaced by an earlier one, so events that
// arrive late or out of order leave the furthest one. Bounced and
// complained are final.
const (
	DeliveryDelayed    = "delivery_delayed"
	DeliveryDelivered  = "delivered"
	DeliveryBounced    = "bounced"
	DeliveryComplained = "complained"
)

// deliveryRank orders the states for SQL, as in the list above.
const deliveryRank = `CASE delivery WHEN 'delivery_delayed' THEN 1 WHEN 'delivered' THEN 2 WHEN 'bounced' THEN 3 WHEN 'complained' THEN 4 ELSE 0 END`

func rankOf(state string) int {
	switch state {
	case DeliveryDelayed:
		return 1
	case DeliveryDelivered:
		return 2
	case DeliveryBounced:
		return 3
	case DeliveryComplained:
		return 4
	}
	return 0
}

// The reasons an address is suppressed.
const (
	SuppressedBounce    = "bounce"
	SuppressedComplaint = "complaint"
)

// MailEvent is one delivery event from the provider, verified.
type MailEvent struct {
	ID        string // the webhook message id (svix-id), the same on every redelivery
	Type      string // one of the Delivery… states
	MessageID string // the provider's id of the email
	To        []string
	At        time.Time // when the provider says it happened
	// Suppress is the reason to stop sending to To ("" none): a hard
	// bounce or a complaint.
	Suppress string
	Detail   string // the provider's words, for the operator
	// Received is when Gatehouse took the event in; zero is now.
	Received time.Time
}

// RecordMailEvent applies e once: the event id is stored in the same
// transaction as its effects, so a redelivered event (on any instance, or
// after a failure rolled the first back) changes nothing. It reports
// whether the event was new.
func (s *Store) RecordMailEvent(ctx context.Context, e MailEvent) (bool, error) {
	rank := rankOf(e.Type)
	if rank == 0 {
		return false, fmt.Errorf("store: mail event: unknown type %q", e.Type)
	}
	fresh := false
	if e.Received.IsZero() {
		e.Received = time.Now()
	}
	err := s.Tx(ctx, func(ctx context.Context, tx *Store) error {
		res, err := tx.db.NewInsert().Model(&mailEvent{ID: e.ID, Type: e.Type, MessageID: e.MessageID, ReceivedAt: e.Received.UTC()}).
			On("CONFLICT (id) DO NOTHING").Exec(ctx)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		fresh = true
		if e.MessageID != "" {
			_, err = tx.db.NewUpdate().Model((*OutboxMessage)(nil)).
				Set("delivery = ?", e.Type).Set("delivery_at = ?", e.At.UTC()).
				Where("message_id = ?", e.MessageID).Where(deliveryRank+" < ?", rank).Exec(ctx)
			if err != nil {
				return err
			}
		}
		if e.Suppress == "" {
			return nil
		}
		for _, addr := range e.To {
			sup := &Suppression{Address: NormalizeAddress(addr), Reason: e.Suppress, Detail: e.Detail, MessageID: e.MessageID, Since: e.At.UTC()}
			// A complaint is never turned back into a bounce.
			_, err := tx.db.NewInsert().Model(sup).On("CONFLICT (address) DO UPDATE").
				Set("reason = CASE WHEN suppression.reason = ? THEN suppression.reason ELSE EXCLUDED.reason END", SuppressedComplaint).
				Set("detail = EXCLUDED.detail").Set("message_id = EXCLUDED.message_id").
				Set("since = CASE WHEN suppression.since > EXCLUDED.since THEN suppression.since ELSE EXCLUDED.since END").
				Exec(ctx)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("store: mail event: %w", err)
	}
	return fresh, nil
}

// mailEvent is a delivery event already applied.
type mailEvent struct {
	bun.BaseModel `bun:"table:mail_events"`

	ID         string    `bun:"id,pk"`
	Type       string    `bun:"type,notnull"`
	MessageID  string    `bun:"message_id,notnull"`
	ReceivedAt time.Time `bun:"received_at,notnull"`
}

// Suppression is an address mail is no longer sent to, and why.
type Suppression struct {
	bun.BaseModel `bun:"table:mail_suppressions,alias:suppression"`

	Address   string    `bun:"address,pk"`
	Reason    string    `bun:"reason,notnull"` // SuppressedBounce or SuppressedComplaint
	Detail    string    `bun:"detail,notnull"`
	MessageID string    `bun:"message_id,notnull"`
	Since     time.Time `bun:"since,notnull"`
}

// NormalizeAddress is the form suppressions are keyed by: mail servers
// treat the domain, and in practice the whole address, case-insensitively.
func NormalizeAddress(addr string) string {
	addr = strings.TrimSpace(addr)
	if i := strings.LastIndex(addr, "<"); i >= 0 && strings.HasSuffix(addr, ">") {
		addr = addr[i+1 : len(addr)-1]
	}
	return strings.ToLower(addr)
}

// Suppressions returns the suppressions among addrs, by normalized address.
func (s *Store) Suppressions(ctx context.Context, addrs []string) (map[string]Suppression, error) {
	if len(addrs) == 0 {
		return nil, nil
	}
	norm := make([]string, len(addrs))
	for i, a := range addrs {
		norm[i] = NormalizeAddress(a)
	}
	var list []Suppression
	if err := s.db.NewSelect().Model(&list).Where("address IN (?)", bun.In(norm)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: suppressions: %w", err)
	}
	out := make(map[string]Suppression, len(list))
	for _, x := range list {
		out[x.Address] = x
	}
	return out, nil
}

// ListSuppressions lists up to limit suppressions, newest first.
func (s *Store) ListSuppressions(ctx context.Context, limit int) ([]Suppression, error) {
	var list []Suppression
	if err := s.db.NewSelect().Model(&list).Order("since DESC", "address").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: list suppressions: %w", err)
	}
	return list, nil
}

// RemoveSuppression lifts the suppression of addr; ErrNotFound when there
// is none.
func (s *Store) RemoveSuppression(ctx context.Context, addr string) error {
	res, err := s.db.NewDelete().Model((*Suppression)(nil)).Where("address = ?", NormalizeAddress(addr)).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: remove suppression: %w", err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return ErrNotFound
	}
	return nil
}

// LiftBounce lifts the bounce suppression of addr if it is still the one
// the caller saw (since unchanged): a later bounce, or a complaint, stays.
// It reports whether it lifted.
func (s *Store) LiftBounce(ctx context.Context, addr string, since time.Time) (bool, error) {
	res, err := s.db.NewDelete().Model((*Suppression)(nil)).
		Where("address = ? AND reason = ? AND since <= ?", NormalizeAddress(addr), SuppressedBounce, since.UTC()).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("store: lift bounce: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// Delivery states a row gets without any event: the worker found its
// recipient suppressed and never sent it (the row is failed).
const (
	DeliverySuppressedBounce    = "suppressed_bounce"
	DeliverySuppressedComplaint = "suppressed_complaint"
)

// MarkOutboxSuppressed gives up on a message whose recipient is
// suppressed for reason (SuppressedBounce or SuppressedComplaint): it is
// failed, as MarkOutboxFailed has it, and its delivery says why, for the
// page of the browser that asked for it.
func (s *Store) MarkOutboxSuppressed(ctx context.Context, id int64, reason, lastErr string) error {
	state := DeliverySuppressedBounce
	if reason == SuppressedComplaint {
		state = DeliverySuppressedComplaint
	}
	_, err := s.db.NewUpdate().Model((*OutboxMessage)(nil)).
		Set("status = ?", OutboxFailed).Set("claimed_until = NULL").Set("last_error = ?", lastErr).
		Set("delivery = ?", state).
		Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: mark suppressed: %w", err)
	}
	return nil
}

// OutboxForRequest returns the newest outbox row the browser request
// named by hash wrote (its status, delivery and times; never its data),
// or ErrNotFound when that request wrote none.
func (s *Store) OutboxForRequest(ctx context.Context, hash string) (OutboxMessage, error) {
	var list []OutboxMessage
	if hash == "" {
		return OutboxMessage{}, ErrNotFound
	}
	err := s.db.NewSelect().Model(&list).
		Column("id", "kind", "status", "created_at", "sent_at", "delivery", "delivery_at").
		Where("request_hash = ?", hash).Order("id DESC").Limit(1).Scan(ctx)
	if err != nil {
		return OutboxMessage{}, fmt.Errorf("store: outbox for request: %w", err)
	}
	if len(list) == 0 {
		return OutboxMessage{}, ErrNotFound
	}
	return list[0], nil
}

// applyEarlyEvents applies to the rows just marked sent with messageIDs
// the delivery events that arrived before (an event can overtake the
// worker's own record of the send: a slow database, a retried mark), which
// RecordMailEvent stored but could not yet attach to a row. The furthest
// state wins, as it does for events that come after.
func (s *Store) applyEarlyEvents(ctx context.Context, messageIDs []string) error {
	ids := make([]string, 0, len(messageIDs))
	for _, id := range messageIDs {
		if id != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var evs []mailEvent
	if err := s.db.NewSelect().Model(&evs).Where("message_id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return fmt.Errorf("store: early mail events: %w", err)
	}
	best := map[string]mailEvent{}
	for _, e := range evs {
		if b, ok := best[e.MessageID]; !ok || rankOf(e.Type) > rankOf(b.Type) {
			best[e.MessageID] = e
		}
	}
	for mid, e := range best {
		_, err := s.db.NewUpdate().Model((*OutboxMessage)(nil)).
			Set("delivery = ?", e.Type).Set("delivery_at = ?", e.ReceivedAt.UTC()).
			Where("message_id = ?", mid).Where(deliveryRank+" < ?", rankOf(e.Type)).Exec(ctx)
		if err != nil {
			return fmt.Errorf("store: early mail events: %w", err)
		}
	}
	return nil
}

// PurgeMailEvents deletes the delivery events received at or before
// before: they are kept as long as the sent mail they describe, and a
// redelivery of one that old is past Svix's own tolerance.
func (s *Store) PurgeMailEvents(ctx context.Context, before time.Time, limit int) (int, error) {
	pick := s.db.NewSelect().Model((*mailEvent)(nil)).Column("id").Where("received_at <= ?", before.UTC())
	return s.purge(ctx, "mail events", (*mailEvent)(nil), "id", pick, limit)
}
