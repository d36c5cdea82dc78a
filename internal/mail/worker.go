package mail

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"gatehouse/internal/store"
)

// Outbox is what the worker needs of the store.
type Outbox interface {
	ClaimOutbox(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]store.OutboxMessage, error)
	MarkOutboxSentWithIDs(ctx context.Context, ids []int64, messageIDs []string, now time.Time) error
	MarkOutboxRetry(ctx context.Context, id int64, next time.Time, lastErr string) error
	MarkOutboxBatchRetry(ctx context.Context, ids []int64, next time.Time, lastErr string) error
	TagOutboxBatch(ctx context.Context, ids []int64, key string) error
	MarkOutboxFailed(ctx context.Context, id int64, lastErr string) error
	MarkOutboxSuppressed(ctx context.Context, id int64, reason, lastErr string) error
	ReleaseOutbox(ctx context.Context, id int64, next time.Time) error
	Suppressions(ctx context.Context, addrs []string) (map[string]store.Suppression, error)
	LiftBounce(ctx context.Context, addr string, since time.Time) (bool, error)
	OutboxDue(ctx context.Context, now time.Time) (bool, error)
}

// RenderFunc turns an outbox row into a message (subject, HTML and text in
// the recipient's language); From and IdempotencyKey are filled in by the
// worker.
type RenderFunc func(ctx context.Context, row store.OutboxMessage) (Message, error)

// Result is the outcome of one claimed row that a Worker reports to OnResult;
// its values are also the result label of the mail sends metric.
type Result string

// The outcomes a Worker reports to OnResult.
const (
	ResultSent   Result = "sent"
	ResultRetry  Result = "retry"
	ResultFailed Result = "failed"
)

// Worker sends the outbox: it claims due rows, renders them and sends them
// (several to a call when the Sender can batch), and records the outcome,
// retrying with backoff on transient failures.
type Worker struct {
	Outbox      Outbox
	Sender      Sender
	Render      RenderFunc
	From        string
	Poll        time.Duration // how often to look for due rows
	MaxAttempts int
	Lease       time.Duration // how long a claim lasts before another worker may retry the row
	SendTimeout time.Duration
	RetryDelay  time.Duration // the first pause after a transient failure; it doubles from there
	Batch       int
	Concurrency int // sending loops, each with its own batch, so one slow or hanging call holds up only its own
	// MaxBatch is the most messages one API call carries when the Sender
	// is a BatchSender (at most MaxBatchSize); 1 sends one per call. Each
	// loop then claims up to MaxBatch rows.
	MaxBatch int
	// Budget, when set, spaces the API calls of every instance to the
	// provider's request rate.
	Budget Budget
	// BounceCooldown is how long after a bounce a new email to the same
	// address lifts its suppression (a complaint never lifts by itself).
	BounceCooldown time.Duration
	Log            *slog.Logger
	Now            func() time.Time
	// OnResult, when set, is told the outcome of each claimed row:
	// ResultSent, ResultRetry or ResultFailed (metrics).
	OnResult func(result Result)

	wake        chan struct{}
	mu          sync.Mutex
	pausedUntil time.Time // the provider answered 429: no send before this
	// gate lets one loop at a time wait for a request slot and then
	// claim (see runBatch).
	gate sync.Mutex
}

// NewWorker returns a worker with defaults for everything but its parts.
func NewWorker(o Outbox, s Sender, render RenderFunc, from string) *Worker {
	return &Worker{Outbox: o, Sender: s, Render: render, From: from, Poll: 2 * time.Second, MaxAttempts: 12,
		Lease: 30 * time.Second, SendTimeout: 15 * time.Second, RetryDelay: 5 * time.Second, Batch: 20, Concurrency: 4, MaxBatch: MaxBatchSize, BounceCooldown: 24 * time.Hour, Log: slog.Default(), Now: time.Now,
		wake: make(chan struct{}, 1)}
}

// Wake asks the worker to look for mail now; it never blocks.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run sends until ctx is cancelled, in Concurrency loops that each claim
// and send a batch of their own (Batch shared out among them, or MaxBatch
// each when the Sender batches), so a call
// that hangs until SendTimeout holds up only its own loop's batch while
// the others go on. A batch already claimed is finished (each send bounded
// by SendTimeout) before Run returns, so a graceful shutdown leaves nothing
// half-sent.
func (w *Worker) Run(ctx context.Context) {
	loops := max(w.Concurrency, 1)
	batch := max(w.Batch/loops, 1)
	if w.batching() {
		batch = max(batch, w.MaxBatch)
	}
	var wg sync.WaitGroup
	for range loops {
		wg.Go(func() { w.loop(ctx, batch) })
	}
	wg.Wait()
}

// loop claims and sends batches of up to batch rows until ctx ends.
func (w *Worker) loop(ctx context.Context, batch int) {
	t := time.NewTicker(w.Poll)
	defer t.Stop()
	for {
		for {
			if !w.waitPause(ctx) {
				return
			}
			n, err := w.runBatch(context.WithoutCancel(ctx), batch)
			if err != nil {
				w.Log.ErrorContext(ctx, "outbox claim failed", "err", err)
			}
			if n < batch || ctx.Err() != nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.wake:
		}
	}
}

// RunOnce claims one batch of up to Batch due rows and sends them, oldest
// first; it returns how many it claimed.
func (w *Worker) RunOnce(ctx context.Context) (int, error) { return w.runBatch(ctx, w.Batch) }

// batching reports whether the worker sends several messages per API call.
func (w *Worker) batching() bool {
	_, ok := w.Sender.(BatchSender)
	return ok && w.MaxBatch > 1
}

// unit is what one API call sends: one row on its own, or a batch.
type unit struct {
	rows  []store.OutboxMessage
	batch bool
	// key is the batch's idempotency key, and tagged whether the rows
	// already carry it from an earlier try (which must be repeated as it
	// was).
	key    string
	tagged bool
}

// runBatch claims up to limit rows and sends them, several to a call when
// the Sender can batch. One person's mail keeps its order: the claim is
// cut into waves, the first wave holding each recipient's earliest row,
// the second their next, and so on; a wave is sent (in batches of up to
// MaxBatch distinct recipients) before the next begins, and a recipient
// whose row waits for a retry has the rest of theirs given back (the claim
// leaves them until it has gone).
//
// Exactly once: a row is only ever sent under one idempotency key, which
// Resend keeps 24 h (far longer than every retry together, about 2 h).
// Before a batch is sent, its rows are tagged with the batch's key, a hash
// of their own keys; if the outcome is lost (a timeout, a crash), the
// claim brings back the whole batch and it is sent again as it was, under
// the same key. A row sent on its own (which may have arrived under its
// own key) is marked to stay on its own (store.BatchAlone), and so is a
// row whose last try's claim ran out without a batch tag. A batch refused
// as a whole (a 4xx: Resend validates the whole batch first and sends
// none) is untagged into rows that go on their own, so one bad message
// fails alone.
//
// The rows sent are marked so in one UPDATE at the end (or at once after
// each call once half the lease has gone), and rows whose send could
// outlive the claim are given back. Once the provider answers 429, the
// rows not yet sent are released until its Retry-After. Rows given back
// spend no attempt.
//
// With a Budget and batching, the claim comes after the wait for a request
// slot, not before: the batch then holds everything due when it leaves, so
// mail waits for the next slot rather than for every loop's turn before
// it. One loop at a time per instance waits so (the rest send meanwhile),
// and only when something is due, so idle polls spend no slot.
func (w *Worker) runBatch(ctx context.Context, limit int) (int, error) {
	var pre *time.Time
	if w.Budget != nil && w.batching() {
		slot, n, err := w.reserveFirst(ctx)
		if err != nil || n == 0 {
			return 0, err
		}
		pre = &slot
	}
	claimed := w.Now()
	rows, err := w.Outbox.ClaimOutbox(ctx, claimed, limit, w.Lease)
	if pre != nil {
		w.gate.Unlock()
	}
	if err != nil || len(rows) == 0 {
		return len(rows), err
	}
	n := len(rows)
	rows, err = w.screen(ctx, rows)
	if err != nil {
		for _, r := range rows {
			w.record(ctx, w.Log.With("outbox_id", r.ID), w.Outbox.ReleaseOutbox(ctx, r.ID, w.Now()))
		}
		return n, err
	}
	var sent []int64
	var msgIDs []string
	flush := func() {
		if len(sent) == 0 {
			return
		}
		if err := w.Outbox.MarkOutboxSentWithIDs(ctx, sent, msgIDs, w.Now()); err != nil && !errors.Is(err, context.Canceled) {
			// The leases run out and the rows are tried again; the
			// idempotency keys keep that from sending twice.
			w.Log.ErrorContext(ctx, "outbox update failed", "err", err, "outbox_ids", sent)
		}
		sent, msgIDs = sent[:0], msgIDs[:0]
	}
	release := func(rows []store.OutboxMessage, next time.Time) {
		for _, r := range rows {
			w.record(ctx, w.Log.With("outbox_id", r.ID), w.Outbox.ReleaseOutbox(ctx, r.ID, next))
		}
	}
	// held lists the recipients whose message in this claim was not sent
	// and waits for a retry: their later messages go back unsent, or they
	// would overtake it.
	held := map[string]bool{}
	waves := waves(rows)
	stop := false
	for _, wave := range waves {
		var todo []store.OutboxMessage
		for _, r := range wave {
			if held[r.Recipient] || stop {
				next := w.Now()
				if until, paused := w.paused(); paused {
					next = until
				}
				release([]store.OutboxMessage{r}, next)
				held[r.Recipient] = true
				continue
			}
			todo = append(todo, r)
		}
		units := w.plan(todo)
		for i, u := range units {
			if stop || w.Now().Add(w.SendTimeout).After(claimed.Add(w.Lease)) {
				// The next send could outlive the claim, and another worker
				// would then send the rows too: give the rest back instead.
				stop = true
				for _, rest := range units[i:] {
					release(rest.rows, w.Now())
					for _, r := range rest.rows {
						held[r.Recipient] = true
					}
				}
				break
			}
			if until, paused := w.paused(); paused {
				release(u.rows, until)
				for _, r := range u.rows {
					held[r.Recipient] = true
				}
				continue
			}
			ids, mids, retry := w.sendUnit(ctx, u, claimed, pre)
			pre = nil
			sent, msgIDs = append(sent, ids...), append(msgIDs, mids...)
			for _, r := range retry {
				held[r] = true
			}
			if w.Now().Sub(claimed) > w.Lease/2 {
				flush()
			}
		}
	}
	flush()
	return n, nil
}

// waves cuts rows (oldest first) into waves: each recipient's first row,
// then each one's second, and so on, each wave oldest first. A row of a
// batch tried before is its recipient's earliest pending row, so it is
// always in the first wave, with the rest of its batch.
func waves(rows []store.OutboxMessage) [][]store.OutboxMessage {
	var out [][]store.OutboxMessage
	seen := map[string]int{}
	for _, r := range rows {
		k := seen[r.Recipient]
		seen[r.Recipient]++
		if k == len(out) {
			out = append(out, nil)
		}
		out[k] = append(out[k], r)
	}
	return out
}

// plan groups one wave (one row per recipient) into API calls: the
// batches tried before, each as it was; rows that must go on their own;
// and the rest in batches of up to MaxBatch.
func (w *Worker) plan(rows []store.OutboxMessage) []unit {
	var units []unit
	groups := map[string]int{}
	var fresh []store.OutboxMessage
	for _, r := range rows {
		switch {
		case r.BatchKey == store.BatchAlone, r.BatchKey == "" && r.Attempts > 1, !w.batching():
			// Attempts past the first without a batch tag: a single send
			// whose outcome was lost, perhaps delivered under its own key.
			units = append(units, unit{rows: []store.OutboxMessage{r}})
		case r.BatchKey != "":
			i, ok := groups[r.BatchKey]
			if !ok {
				i = len(units)
				groups[r.BatchKey] = i
				units = append(units, unit{batch: true, key: r.BatchKey, tagged: true})
			}
			units[i].rows = append(units[i].rows, r)
		default:
			fresh = append(fresh, r)
		}
	}
	for len(fresh) > 0 {
		k := min(len(fresh), max(w.MaxBatch, 1))
		chunk := fresh[:k:k]
		fresh = fresh[k:]
		if len(chunk) == 1 {
			units = append(units, unit{rows: chunk})
			continue
		}
		units = append(units, unit{rows: chunk, batch: true, key: BatchKey(chunk)})
	}
	return units
}

// screen drops the rows whose recipient is suppressed (marked failed,
// never sent), unless the suppression is a bounce older than
// BounceCooldown when the row was written: the owner asked again after
// the cooldown, so the bounce is lifted and the row goes. A complaint
// never lifts by itself.
func (w *Worker) screen(ctx context.Context, rows []store.OutboxMessage) ([]store.OutboxMessage, error) {
	addrs := make([]string, len(rows))
	for i, r := range rows {
		addrs[i] = r.Recipient
	}
	sup, err := w.Outbox.Suppressions(ctx, addrs)
	if err != nil || len(sup) == 0 {
		return rows, err
	}
	keep := rows[:0:0]
	for _, r := range rows {
		x, ok := sup[store.NormalizeAddress(r.Recipient)]
		if ok && x.Reason == store.SuppressedBounce && r.CreatedAt.After(x.Since.Add(w.BounceCooldown)) {
			lifted, err := w.Outbox.LiftBounce(ctx, r.Recipient, x.Since)
			if err != nil {
				return rows, err
			}
			if lifted {
				w.Log.InfoContext(ctx, "outbox bounce suppression lifted by a new request after the cooldown", "outbox_id", r.ID, "bounced_at", x.Since)
			}
			ok = false
		}
		if !ok {
			keep = append(keep, r)
			continue
		}
		msg := "suppressed: the address " + map[string]string{store.SuppressedBounce: "bounced", store.SuppressedComplaint: "complained"}[x.Reason] +
			" at " + x.Since.UTC().Format(time.RFC3339) + "; not sent (gatehouse mail suppressions remove lifts it)"
		w.Log.WarnContext(ctx, "outbox row not sent: recipient suppressed", "outbox_id", r.ID, "reason", x.Reason)
		w.result(ResultFailed)
		w.record(ctx, w.Log.With("outbox_id", r.ID), w.Outbox.MarkOutboxSuppressed(ctx, r.ID, x.Reason, msg))
	}
	return keep, nil
}

// sendUnit renders and sends one unit and records failures and retries;
// it returns the rows sent (with the provider's ids, "" when unknown) for
// the caller to mark, and the recipients that wait for a retry.
func (w *Worker) sendUnit(ctx context.Context, u unit, claimed time.Time, pre *time.Time) (ids []int64, msgIDs []string, held []string) {
	log := w.Log
	var rows []store.OutboxMessage
	var ms []Message
	for _, row := range u.rows {
		m, err := w.Render(ctx, row)
		if err != nil {
			w.Log.ErrorContext(ctx, "outbox render failed", "outbox_id", row.ID, "kind", row.Kind, "err", err)
			w.result(ResultFailed)
			w.record(ctx, log, w.Outbox.MarkOutboxFailed(ctx, row.ID, "render: "+err.Error()))
			continue
		}
		m.From, m.To, m.IdempotencyKey = w.From, row.Recipient, row.IdempotencyKey
		rows, ms = append(rows, row), append(ms, m)
	}
	if len(rows) == 0 {
		return nil, nil, nil
	}
	rowIDs := make([]int64, len(rows))
	for i, r := range rows {
		rowIDs[i] = r.ID
	}
	if u.batch {
		// The key covers the rows that go, after any failed to render.
		if key := BatchKey(rows); key != u.key {
			if u.tagged {
				// Part of the batch is gone (failed, suppressed, retried by
				// hand): the rest can no longer be sent under the old key.
				log.WarnContext(ctx, "outbox batch incomplete on retry; sending the rest under a new key", "old_key", u.key, "outbox_ids", rowIDs)
			}
			u.key, u.tagged = key, false
		}
		log = log.With("outbox_ids", rowIDs, "batch_key", u.key, "attempt", rows[0].Attempts)
	} else {
		log = log.With("outbox_id", rows[0].ID, "kind", rows[0].Kind, "attempt", rows[0].Attempts)
	}
	if w.Budget != nil && pre == nil {
		slot, ok, err := w.Budget.Reserve(ctx, w.Now(), claimed.Add(w.Lease-w.SendTimeout))
		if err != nil || !ok {
			// The other loops and instances have the budget until after
			// this claim runs out: give the rows back until then.
			if err != nil {
				log.WarnContext(ctx, "outbox send postponed", "err", err)
			}
			next := w.Now()
			if slot.After(next) {
				next = slot
			}
			for _, r := range rows {
				w.record(ctx, log, w.Outbox.ReleaseOutbox(ctx, r.ID, next))
				held = append(held, r.Recipient)
			}
			return nil, nil, held
		}
		if d := slot.Sub(w.Now()); d > 0 {
			time.Sleep(d)
		}
	}
	if u.batch && !u.tagged {
		if err := w.Outbox.TagOutboxBatch(ctx, rowIDs, u.key); err != nil {
			log.ErrorContext(ctx, "outbox batch tag failed; sending later", "err", err)
			for _, r := range rows {
				w.record(ctx, log, w.Outbox.ReleaseOutbox(ctx, r.ID, w.Now()))
				held = append(held, r.Recipient)
			}
			return nil, nil, held
		}
	}
	sctx, cancel := context.WithTimeout(ctx, w.SendTimeout)
	var err error
	mids := make([]string, len(rows))
	switch s := w.Sender.(type) {
	case BatchSender:
		if u.batch {
			var got []string
			got, err = s.SendBatch(sctx, ms, u.key)
			copy(mids, got)
			break
		}
		mids[0], err = sendOne(sctx, w.Sender, ms[0])
	default:
		mids[0], err = sendOne(sctx, w.Sender, ms[0])
	}
	cancel()
	if err == nil {
		log.InfoContext(ctx, "outbox sent", "messages", len(rows))
		for range rows {
			w.result(ResultSent)
		}
		return rowIDs, mids, nil
	}
	retry, after := Retryable(err)
	if u.batch && !retry {
		// Refused whole: nothing went. Each row goes on its own next, with
		// its own key, so only the bad one fails.
		log.WarnContext(ctx, "outbox batch refused; its rows go one by one", "err", err)
		w.record(ctx, log, w.Outbox.TagOutboxBatch(ctx, rowIDs, store.BatchAlone))
		for _, r := range rows {
			w.record(ctx, log, w.Outbox.ReleaseOutbox(ctx, r.ID, w.Now()))
			held = append(held, r.Recipient)
		}
		return nil, nil, held
	}
	if !retry || rows[0].Attempts >= w.MaxAttempts {
		log.ErrorContext(ctx, "outbox send failed for good", "err", err)
		for _, r := range rows {
			w.result(ResultFailed)
			w.record(ctx, log, w.Outbox.MarkOutboxFailed(ctx, r.ID, err.Error()))
		}
		return nil, nil, nil
	}
	if after > 0 {
		w.pause(after)
		if w.Budget != nil {
			w.record(ctx, log, w.Budget.Hold(ctx, w.Now().Add(after)))
		}
	}
	next := w.Now().Add(max(after, Backoff(w.RetryDelay, rows[0].Attempts)))
	log.WarnContext(ctx, "outbox send failed, will retry", "err", err, "next_attempt_at", next)
	for _, r := range rows {
		w.result(ResultRetry)
		held = append(held, r.Recipient)
	}
	if u.batch {
		w.record(ctx, log, w.Outbox.MarkOutboxBatchRetry(ctx, rowIDs, next, err.Error()))
	} else {
		w.record(ctx, log, w.Outbox.MarkOutboxRetry(ctx, rowIDs[0], next, err.Error()))
	}
	return nil, nil, held
}

// reserveFirst takes the gate, and when a claim would find mail, a request
// slot, and waits for it; n is 1 with the gate held and the slot taken, 0
// (gate released) when nothing is due or the budget is taken for longer
// than a claim lasts (the loop tries again at its next poll).
func (w *Worker) reserveFirst(ctx context.Context) (slot time.Time, n int, err error) {
	w.gate.Lock()
	due, err := w.Outbox.OutboxDue(ctx, w.Now())
	if err != nil || !due {
		w.gate.Unlock()
		return time.Time{}, 0, err
	}
	now := w.Now()
	slot, ok, err := w.Budget.Reserve(ctx, now, now.Add(w.Lease-w.SendTimeout))
	if err != nil || !ok {
		w.gate.Unlock()
		return time.Time{}, 0, err
	}
	if d := slot.Sub(w.Now()); d > 0 {
		time.Sleep(d)
	}
	return slot, 1, nil
}

// sendOne sends m on its own, with the provider's id when the Sender tells it.
func sendOne(ctx context.Context, s Sender, m Message) (string, error) {
	if is, ok := s.(IDSender); ok {
		return is.SendID(ctx, m)
	}
	return "", s.Send(ctx, m)
}

// paused reports whether the provider asked for a pause that has not ended.
func (w *Worker) paused() (time.Time, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.pausedUntil, w.Now().Before(w.pausedUntil)
}

// pause holds every send until now+d, as a 429's Retry-After asks: the
// provider's limit is per account, so the next send would be refused too.
func (w *Worker) pause(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if until := w.Now().Add(d); until.After(w.pausedUntil) {
		w.pausedUntil = until
	}
}

// waitPause waits out a pause before the next claim; false when ctx ends first.
func (w *Worker) waitPause(ctx context.Context) bool {
	until, paused := w.paused()
	if !paused {
		return ctx.Err() == nil
	}
	t := time.NewTimer(until.Sub(w.Now()))
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func (w *Worker) result(r Result) {
	if w.OnResult != nil {
		w.OnResult(r)
	}
}

func (w *Worker) record(ctx context.Context, log *slog.Logger, err error) {
	if err != nil && !errors.Is(err, context.Canceled) {
		// The lease runs out and the row is tried again; the idempotency
		// key keeps that from sending twice.
		log.ErrorContext(ctx, "outbox update failed", "err", err)
	}
}

// Backoff is the pause after the given attempt: first doubling to at most
// 30 min, with ±20 % jitter so instances do not retry in step.
func Backoff(first time.Duration, attempt int) time.Duration {
	d := first << min(max(attempt-1, 0), 12)
	d = min(d, 30*time.Minute)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}
