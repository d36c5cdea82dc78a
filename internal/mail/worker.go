package mail

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"gatehouse/internal/store"
)

// Outbox is what the worker needs of the store.
type Outbox interface {
	ClaimOutbox(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]store.OutboxMessage, error)
	MarkOutboxBatchSent(ctx context.Context, ids []int64, now time.Time) error
	MarkOutboxRetry(ctx context.Context, id int64, next time.Time, lastErr string) error
	MarkOutboxFailed(ctx context.Context, id int64, lastErr string) error
	ReleaseOutbox(ctx context.Context, id int64, next time.Time) error
}

// RenderFunc turns an outbox row into a message (subject, HTML and text in
// the recipient's language); From and IdempotencyKey are filled in by the
// worker.
type RenderFunc func(ctx context.Context, row store.OutboxMessage) (Message, error)

// The outcomes a Worker reports to OnResult.
const (
	ResultSent   = "sent"
	ResultRetry  = "retry"
	ResultFailed = "failed"
)

// Worker sends the outbox: it claims due rows, renders and sends each, and
// records the outcome, retrying with backoff on transient failures.
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
	Concurrency int // sends in flight at once, so one slow or hanging call holds up only itself
	Log         *slog.Logger
	Now         func() time.Time
	// OnResult, when set, is told the outcome of each claimed row:
	// ResultSent, ResultRetry or ResultFailed (metrics).
	OnResult func(result string)

	wake        chan struct{}
	mu          sync.Mutex
	pausedUntil time.Time // the provider answered 429: no send before this
}

// NewWorker returns a worker with defaults for everything but its parts.
func NewWorker(o Outbox, s Sender, render RenderFunc, from string) *Worker {
	return &Worker{Outbox: o, Sender: s, Render: render, From: from, Poll: 2 * time.Second, MaxAttempts: 12,
		Lease: 2 * time.Minute, SendTimeout: 15 * time.Second, RetryDelay: 5 * time.Second, Batch: 20, Concurrency: 4, Log: slog.Default(), Now: time.Now,
		wake: make(chan struct{}, 1)}
}

// Wake asks the worker to look for mail now; it never blocks.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run sends until ctx is cancelled. A batch already claimed is finished
// (each send bounded by SendTimeout) before Run returns, so a graceful
// shutdown leaves nothing half-sent.
func (w *Worker) Run(ctx context.Context) {
	t := time.NewTicker(w.Poll)
	defer t.Stop()
	for {
		for {
			if !w.waitPause(ctx) {
				return
			}
			n, err := w.RunOnce(context.WithoutCancel(ctx))
			if err != nil {
				w.Log.ErrorContext(ctx, "outbox claim failed", "err", err)
			}
			if n < w.Batch || ctx.Err() != nil {
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

// RunOnce claims one batch of due rows and sends them, Concurrency at a
// time; it returns how many it claimed. The rows sent are marked so in one
// UPDATE at the end of the batch, or at once after each send once half the
// lease has gone, so no row stays unmarked near the end of its claim (the
// idempotency key covers a row sent again after its claim ran out all the
// same). Once the provider answers 429, the rows not yet sent are released
// until its Retry-After without spending an attempt.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	claimed := w.Now()
	rows, err := w.Outbox.ClaimOutbox(ctx, claimed, w.Batch, w.Lease)
	if err != nil {
		return 0, err
	}
	var mu sync.Mutex
	var sent []int64
	flush := func() { // with mu held
		if len(sent) == 0 {
			return
		}
		if err := w.Outbox.MarkOutboxBatchSent(ctx, sent, w.Now()); err != nil && !errors.Is(err, context.Canceled) {
			// The leases run out and the rows are tried again; the
			// idempotency keys keep that from sending twice.
			w.Log.ErrorContext(ctx, "outbox update failed", "err", err, "outbox_ids", sent)
		}
		sent = sent[:0]
	}
	// Mail to one recipient goes out in the order it was written (a reset
	// link after the "account ready" it follows), so each recipient's rows
	// are one unit of work, sent one after another; units run concurrently.
	next := make(chan []store.OutboxMessage)
	var wg sync.WaitGroup
	units := byRecipient(rows)
	for range min(max(w.Concurrency, 1), len(units)) {
		wg.Go(func() {
			for unit := range next {
				for _, row := range unit {
					if until, paused := w.paused(); paused {
						w.record(ctx, w.Log.With("outbox_id", row.ID), w.Outbox.ReleaseOutbox(ctx, row.ID, until))
						continue
					}
					if w.handle(ctx, row) {
						mu.Lock()
						sent = append(sent, row.ID)
						if w.Now().Sub(claimed) > w.Lease/2 {
							flush()
						}
						mu.Unlock()
					}
				}
			}
		})
	}
	for _, unit := range units { // oldest first, as claimed
		next <- unit
	}
	close(next)
	wg.Wait()
	flush()
	return len(rows), nil
}

// byRecipient groups rows by recipient, keeping the claim's order within
// each group and between the groups' first rows.
func byRecipient(rows []store.OutboxMessage) [][]store.OutboxMessage {
	var units [][]store.OutboxMessage
	index := map[string]int{}
	for _, row := range rows {
		to := strings.ToLower(row.Recipient)
		i, ok := index[to]
		if !ok {
			i = len(units)
			index[to] = i
			units = append(units, nil)
		}
		units[i] = append(units[i], row)
	}
	return units
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
	w.pausedUntil = later(w.pausedUntil, w.Now().Add(d))
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
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

// handle renders and sends one row and records a failure or a retry; it
// reports whether the row was sent, which the caller records.
func (w *Worker) handle(ctx context.Context, row store.OutboxMessage) bool {
	log := w.Log.With("outbox_id", row.ID, "kind", row.Kind, "attempt", row.Attempts)
	m, err := w.Render(ctx, row)
	if err != nil {
		log.ErrorContext(ctx, "outbox render failed", "err", err)
		w.result(ResultFailed)
		w.record(ctx, log, w.Outbox.MarkOutboxFailed(ctx, row.ID, "render: "+err.Error()))
		return false
	}
	m.From, m.To, m.IdempotencyKey = w.From, row.Recipient, row.IdempotencyKey
	sctx, cancel := context.WithTimeout(ctx, w.SendTimeout)
	err = w.Sender.Send(sctx, m)
	cancel()
	if err == nil {
		log.InfoContext(ctx, "outbox sent")
		w.result(ResultSent)
		return true
	}
	retry, after := Retryable(err)
	if !retry || row.Attempts >= w.MaxAttempts {
		log.ErrorContext(ctx, "outbox send failed for good", "err", err)
		w.result(ResultFailed)
		w.record(ctx, log, w.Outbox.MarkOutboxFailed(ctx, row.ID, err.Error()))
		return false
	}
	if after > 0 {
		w.pause(after)
	}
	next := w.Now().Add(max(after, Backoff(w.RetryDelay, row.Attempts)))
	log.WarnContext(ctx, "outbox send failed, will retry", "err", err, "next_attempt_at", next)
	w.result(ResultRetry)
	w.record(ctx, log, w.Outbox.MarkOutboxRetry(ctx, row.ID, next, err.Error()))
	return false
}

func (w *Worker) result(r string) {
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
