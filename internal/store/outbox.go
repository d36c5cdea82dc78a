package store

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Enqueue writes an email to the outbox; call it inside the transaction of
// the change that causes the email, so both happen or neither does.
func (s *Store) Enqueue(ctx context.Context, m *OutboxMessage) error {
	if _, err := s.enqueueQuery(m).Returning("id").Exec(ctx); err != nil {
		return fmt.Errorf("store: enqueue: %w", err)
	}
	return nil
}

// enqueueQuery is Enqueue's insert, with the message's defaults filled in.
func (s *Store) enqueueQuery(m *OutboxMessage) *bun.InsertQuery {
	if m.IdempotencyKey == "" {
		var b [16]byte
		rand.Read(b[:])
		m.IdempotencyKey = "gatehouse-" + hex.EncodeToString(b[:])
	}
	m.Status = OutboxPending
	m.CreatedAt = m.CreatedAt.UTC()
	if m.NextAttemptAt.IsZero() {
		m.NextAttemptAt = m.CreatedAt
	}
	return s.db.NewInsert().Model(m)
}

// ClaimOutbox leases up to limit due messages to the caller until now+lease.
// A message whose lease runs out (its sender died) becomes due again; the
// idempotency key keeps that second send from reaching the inbox twice.
//
// One person's mail goes out in the order it was written, however many
// loops and instances send: a recipient with a message in flight (claimed,
// its lease running) or waiting for a retry is skipped, so a later message
// never overtakes an earlier one, and the messages claimed are the oldest
// first by id, so a claim that takes some of a recipient's messages takes
// the earliest. It returns them in that order; a caller that cannot send
// one must give back the same recipient's later ones (ReleaseOutbox).
//
// On PostgreSQL the check and the claim must not interleave with another
// claim: two claims in the same instant would each see the recipient idle
// and take different messages of theirs (SKIP LOCKED makes the second skip
// the first's rows rather than wait for them). A transaction-scoped
// advisory lock makes claims take turns; each is one short UPDATE, and
// sends run outside it, so instances still send in parallel. FOR UPDATE
// SKIP LOCKED stays, so a claim never waits on a row being marked.
func (s *Store) ClaimOutbox(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]OutboxMessage, error) {
	return s.claimOutbox(ctx, now, limit, lease, false)
}

// claimOutbox is ClaimOutbox over the email rows, or with webhooks the
// webhook rows (Webhooks), so the two are sent by workers of their own: a
// slow platform never holds up mail, nor Resend's pauses the webhooks.
func (s *Store) claimOutbox(ctx context.Context, now time.Time, limit int, lease time.Duration, webhooks bool) ([]OutboxMessage, error) {
	now = now.UTC()
	var list []OutboxMessage
	claim := func(ctx context.Context, tx *Store) error {
		due := tx.dueQuery(now, limit, webhooks)
		if tx.Postgres() {
			due = due.For("UPDATE SKIP LOCKED")
		}
		// A row last tried in a batch comes with the rest of that batch,
		// so the batch can be sent again exactly as it was, under the same
		// key. Its members share next_attempt_at (one UPDATE set it), so
		// they are due together, and each is its recipient's earliest.
		members := tx.db.NewSelect().Model((*OutboxMessage)(nil)).Column("batch_key").
			Where("id IN (?)", due).Where("batch_key NOT IN ('', ?)", BatchAlone)
		return tx.db.NewUpdate().Model(&list).
			Set("claimed_until = ?", now.Add(lease)).
			Set("attempts = attempts + 1").
			WhereGroup(" AND ", func(q *bun.UpdateQuery) *bun.UpdateQuery {
				return q.Where("id IN (?)", due).
					WhereOr("status = ? AND batch_key IN (?) AND (claimed_until IS NULL OR claimed_until <= ?)", OutboxPending, members, now)
			}).
			Returning("*").
			Scan(ctx)
	}
	var err error
	if s.Postgres() {
		err = s.Tx(ctx, func(ctx context.Context, tx *Store) error {
			// The lock waits at most lockWait, so a claim stuck behind a
			// lost connection fails and is tried again at the next poll.
			// The schema is part of the key: deployments (and tests) in
			// separate schemas of one database do not wait on each other.
			_, err := tx.db.ExecContext(ctx,
				"SELECT set_config('lock_timeout', ?, true), pg_advisory_xact_lock(?, hashtext(current_schema()))",
				claimLockWait, claimLockKey)
			if err != nil {
				return err
			}
			return claim(ctx, tx)
		})
	} else {
		// SQLite runs one statement at a time on one connection: the
		// UPDATE is its own turn.
		err = claim(ctx, s)
	}
	if err != nil {
		return nil, fmt.Errorf("store: claim outbox: %w", err)
	}
	// UPDATE … RETURNING has no order; mail goes out oldest first.
	slices.SortFunc(list, func(a, b OutboxMessage) int { return cmp.Compare(a.ID, b.ID) })
	return list, nil
}

// dueQuery selects the ids of up to limit messages a claim at now may
// take, oldest first: pending, due, unclaimed, and the earliest of a
// recipient with nothing in flight or waiting.
func (s *Store) dueQuery(now time.Time, limit int, webhooks bool) *bun.SelectQuery {
	kind := "kind <> ?"
	if webhooks {
		kind = "kind = ?"
	}
	// Two index ranges (outbox_status_claimed_idx, outbox_due_idx)
	// rather than one OR, which would read every pending row at
	// every claim.
	blocked := s.db.NewSelect().TableExpr("outbox AS busy").Column("busy.recipient").
		Where("busy.status = ? AND busy.claimed_until > ?", OutboxPending, now).
		UnionAll(s.db.NewSelect().TableExpr("outbox AS waiting").Column("waiting.recipient").
			Where("waiting.status = ? AND waiting.next_attempt_at > ?", OutboxPending, now))
	// SQLite has no statistics and would pick outbox_due_idx for the
	// range on next_attempt_at, then sort every due row by id; the
	// unary + keeps that column off the index, so it walks
	// outbox_status_id_idx in id order and stops at limit.
	dueAt := "next_attempt_at <= ?"
	if !s.Postgres() {
		dueAt = "+" + dueAt
	}
	return s.db.NewSelect().Model((*OutboxMessage)(nil)).Column("id").
		Where("status = ?", OutboxPending).Where(dueAt, now).Where(kind, KindWebhook).
		Where("(claimed_until IS NULL OR claimed_until <= ?)", now).
		Where("recipient NOT IN (?)", blocked).
		Order("id").Limit(int64(limit))
}

// OutboxDue reports whether a claim at now would find an email, so a
// worker can ask before it spends a request slot on a claim that finds
// nothing.
func (s *Store) OutboxDue(ctx context.Context, now time.Time) (bool, error) {
	return s.outboxDue(ctx, now, false)
}

func (s *Store) outboxDue(ctx context.Context, now time.Time, webhooks bool) (bool, error) {
	ok, err := s.dueQuery(now.UTC(), 1, webhooks).Exists(ctx)
	if err != nil {
		return false, fmt.Errorf("store: outbox due: %w", err)
	}
	return ok, nil
}

// claimLockKey names the advisory lock that makes outbox claims take turns
// on PostgreSQL (with the schema as the second half of the key).
const claimLockKey int32 = 0x6f757462 // "outb"

// claimLockWait bounds the wait for claimLockKey, as a PostgreSQL interval.
const claimLockWait = "10s"

// BatchAlone, as an outbox row's BatchKey, means the row may already have
// been sent on its own under its own idempotency key: it must never go in
// a batch (whose key Resend would not know), or it could arrive twice.
const BatchAlone = "-"

// MarkOutboxSent records delivery and erases the message data, which may
// hold a live link.
func (s *Store) MarkOutboxSent(ctx context.Context, id int64, now time.Time) error {
	return s.MarkOutboxBatchSent(ctx, []int64{id}, now)
}

// MarkOutboxBatchSent records the delivery of several messages in one
// UPDATE, erasing their data as MarkOutboxSent does.
func (s *Store) MarkOutboxBatchSent(ctx context.Context, ids []int64, now time.Time) error {
	return s.MarkOutboxSentWithIDs(ctx, ids, nil, now)
}

// MarkOutboxSentWithIDs is MarkOutboxBatchSent that also keeps the
// provider's id of each message (messageIDs in the order of ids), which
// its delivery events name; nil keeps none.
func (s *Store) MarkOutboxSentWithIDs(ctx context.Context, ids []int64, messageIDs []string, now time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	q := s.db.NewUpdate().Model((*OutboxMessage)(nil)).
		Set("status = ?", OutboxSent).Set("sent_at = ?", now.UTC()).
		Set("data = ''").Set("claimed_until = NULL").Set("last_error = ''").
		Set("recipient = CASE WHEN forget_recipient THEN '' ELSE recipient END")
	if len(messageIDs) == len(ids) {
		var b strings.Builder
		args := make([]any, 0, 2*len(ids))
		b.WriteString("message_id = CASE id")
		for i, id := range ids {
			b.WriteString(" WHEN ? THEN ?")
			args = append(args, id, messageIDs[i])
		}
		b.WriteString(" ELSE message_id END")
		q = q.Set(b.String(), args...)
	}
	if _, err := q.Where("id IN (?)", bun.In(ids)).Exec(ctx); err != nil {
		return fmt.Errorf("store: mark sent: %w", err)
	}
	if len(messageIDs) == len(ids) {
		return s.applyEarlyEvents(ctx, messageIDs)
	}
	return nil
}

// TagOutboxBatch records that the rows are about to be sent as one batch
// under key, before the call: if the outcome is lost (a timeout, a crash),
// the retry sends the same rows under the same key, which Resend answers
// without sending again.
func (s *Store) TagOutboxBatch(ctx context.Context, ids []int64, key string) error {
	_, err := s.db.NewUpdate().Model((*OutboxMessage)(nil)).Set("batch_key = ?", key).
		Where("id IN (?)", bun.In(ids)).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: tag batch: %w", err)
	}
	return nil
}

// MarkOutboxRetry releases the claim and schedules the next attempt. The
// row was sent on its own, so from now on it goes on its own (BatchAlone).
func (s *Store) MarkOutboxRetry(ctx context.Context, id int64, next time.Time, lastErr string) error {
	_, err := s.db.NewUpdate().Model((*OutboxMessage)(nil)).
		Set("next_attempt_at = ?", next.UTC()).Set("claimed_until = NULL").Set("last_error = ?", lastErr).
		Set("batch_key = CASE WHEN batch_key = '' THEN ? ELSE batch_key END", BatchAlone).
		Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: mark retry: %w", err)
	}
	return nil
}

// MarkOutboxBatchRetry releases a batch's claim and schedules its next
// attempt, one time for every row, so the whole batch comes due (and is
// claimed, ClaimOutbox) together.
func (s *Store) MarkOutboxBatchRetry(ctx context.Context, ids []int64, next time.Time, lastErr string) error {
	_, err := s.db.NewUpdate().Model((*OutboxMessage)(nil)).
		Set("next_attempt_at = ?", next.UTC()).Set("claimed_until = NULL").Set("last_error = ?", lastErr).
		Where("id IN (?)", bun.In(ids)).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: mark batch retry: %w", err)
	}
	return nil
}

// ReleaseOutbox gives a claimed message back unsent, due again at next,
// returning the attempt its claim counted: it was never tried.
func (s *Store) ReleaseOutbox(ctx context.Context, id int64, next time.Time) error {
	_, err := s.db.NewUpdate().Model((*OutboxMessage)(nil)).
		Set("next_attempt_at = ?", next.UTC()).Set("claimed_until = NULL").
		Set("attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END").
		Where("id = ? AND status = ?", id, OutboxPending).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: release outbox: %w", err)
	}
	return nil
}

// MarkOutboxFailed gives up on a message. Its data stays, so an operator
// can retry it once the cause is fixed.
func (s *Store) MarkOutboxFailed(ctx context.Context, id int64, lastErr string) error {
	_, err := s.db.NewUpdate().Model((*OutboxMessage)(nil)).
		Set("status = ?", OutboxFailed).Set("claimed_until = NULL").Set("last_error = ?", lastErr).
		Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: mark failed: %w", err)
	}
	return nil
}

// OutboxByStatus lists messages in a status, oldest first.
func (s *Store) OutboxByStatus(ctx context.Context, status string, limit int) ([]OutboxMessage, error) {
	var list []OutboxMessage
	err := s.db.NewSelect().Model(&list).Where("status = ?", status).Order("id").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: outbox by status: %w", err)
	}
	return list, nil
}

// OutboxStats reports how many rows wait to be sent (status pending, due or
// not, claimed or not) and the age at now of the oldest of them, 0 when
// there are none. Both queries go through outbox_due_idx (status first), so
// they touch only the pending rows, never the sent history; metrics call it
// on every scrape.
func (s *Store) OutboxStats(ctx context.Context, now time.Time) (pending int, oldest time.Duration, err error) {
	n, err := s.db.NewSelect().Model((*OutboxMessage)(nil)).Where("status = ?", OutboxPending).Count(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("store: outbox stats: %w", err)
	}
	pending = int(n)
	if pending == 0 {
		return 0, 0, nil
	}
	var first []OutboxMessage
	err = s.db.NewSelect().Model(&first).Column("id", "created_at").
		Where("status = ?", OutboxPending).Order("created_at", "id").Limit(1).Scan(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("store: outbox stats: %w", err)
	}
	if len(first) == 1 {
		oldest = max(now.Sub(first[0].CreatedAt), 0)
	}
	return pending, oldest, nil
}

// ListOutbox lists up to limit messages, newest first; status "" means any.
func (s *Store) ListOutbox(ctx context.Context, status string, limit int) ([]OutboxMessage, error) {
	var list []OutboxMessage
	q := s.db.NewSelect().Model(&list).Order("id DESC").Limit(int64(limit))
	if status != "" {
		q = q.Where("status = ?", status)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: list outbox: %w", err)
	}
	return list, nil
}

// AllFailed, passed to RetryOutbox as the id, retries every failed message.
const AllFailed int64 = 0

// RetryOutbox makes messages due again from now with a fresh count of
// attempts: the message with that id if it is failed or pending, or every
// failed message when id is AllFailed. A pending message that a worker holds
// keeps its claim; the idempotency key covers a send already under way. Sent
// messages are never retried: their data (the link) is erased. It returns
// how many rows changed, and ErrNotFound when id names no failed or pending
// message.
func (s *Store) RetryOutbox(ctx context.Context, id int64, now time.Time) (int, error) {
	q := s.db.NewUpdate().Model((*OutboxMessage)(nil)).
		Set("status = ?", OutboxPending).Set("attempts = 0").Set("next_attempt_at = ?", now.UTC())
	if id == AllFailed {
		q = q.Where("status = ?", OutboxFailed)
	} else {
		q = q.Where("id = ? AND status IN (?, ?)", id, OutboxFailed, OutboxPending)
	}
	res, err := q.Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: retry outbox: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: retry outbox: %w", err)
	}
	if n == 0 && id != AllFailed {
		return 0, ErrNotFound
	}
	return int(n), nil
}

// KindWebhook is the kind of an outbox row that carries an event to the
// platform (WEBHOOK_URL) rather than an email.
const KindWebhook = "webhook"

// Webhooks is the outbox as the webhook worker sees it: ClaimOutbox takes
// only webhook rows; every other method is the Store's, by row id.
type Webhooks struct{ *Store }

// ClaimOutbox leases due webhook rows, as Store.ClaimOutbox does mail.
func (w Webhooks) ClaimOutbox(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]OutboxMessage, error) {
	return w.Store.claimOutbox(ctx, now, limit, lease, true)
}

// OutboxDue reports whether a webhook is due.
func (w Webhooks) OutboxDue(ctx context.Context, now time.Time) (bool, error) {
	return w.Store.outboxDue(ctx, now, true)
}

// MailSent is one email to an address as its owner may see it: what kind,
// when, and what became of it; never its content or keys.
type MailSent struct {
	Kind       string
	Status     string
	CreatedAt  time.Time
	SentAt     *time.Time
	Delivery   string
	DeliveryAt *time.Time
}

// MailTo lists up to limit emails to addr, newest first.
func (s *Store) MailTo(ctx context.Context, addr string, limit int) ([]MailSent, error) {
	var rows []OutboxMessage
	err := s.db.NewSelect().Model(&rows).Column("kind", "status", "created_at", "sent_at", "delivery", "delivery_at").
		Where("lower(recipient) = ? AND kind <> ?", strings.ToLower(addr), KindWebhook).
		Order("id DESC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: mail to: %w", err)
	}
	out := make([]MailSent, len(rows))
	for i, r := range rows {
		out[i] = MailSent{Kind: r.Kind, Status: r.Status, CreatedAt: r.CreatedAt, SentAt: r.SentAt, Delivery: r.Delivery, DeliveryAt: r.DeliveryAt}
	}
	return out, nil
}
