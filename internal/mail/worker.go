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
	MarkOutboxBatchSent(ctx context.Context, ids []int64, now time.Time) error
	MarkOutboxRetry(ctx context.Context, id int64, next time.Time, lastErr string) error
	MarkOutboxFailed(ctx context.Context, id int64, lastErr string) error
	ReleaseOutbox(ctx context.Context, id int64, next time.Time) error
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
	Concurrency int // sending loops, each with its own batch, so one slow or hanging call holds up only its own
	Log         *slog.Logger
	Now         func() time.Time
	// OnResult, when set, is told the outcome of each claimed row:
	// ResultSent, ResultRetry or ResultFailed (metrics).
	OnResult func(result Result)

	wake        chan struct{}
	mu          sync.Mutex
	pausedUntil time.Time // the provider answered 429: no send before this
}

// NewWorker returns a worker with defaults for everything but its parts.
func NewWorker(o Outbox, s Sender, render RenderFunc, from string) *Worker {
	return &Worker{Outbox: o, Sender: s, Render: render, From: from, Poll: 2 * time.Second, MaxAttempts: 12,
		Lease: 30 * time.Second, SendTimeout: 15 * time.Second, RetryDelay: 5 * time.Second, Batch: 20, Concurrency: 4, Log: slog.Default(), Now: time.Now,
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
// and send a batch of their own (Batch shared out among them), so a call
// that hangs until SendTimeout holds up only its own loop's batch while
// the others go on. A batch already claimed is finished (each send bounded
// by SendTimeout) before Run returns, so a graceful shutdown leaves nothing
// half-sent.
func (w *Worker) Run(ctx context.Context) {
	loops := max(w.Concurrency, 1)
	batch := max(w.Batch/loops, 1)
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

// RunOnce claims one batch of up to Batch due rows and sends them one
// after another, oldest first; it returns how many it claimed.
func (w *Worker) RunOnce(ctx context.Context) (int, error) { return w.runBatch(ctx, w.Batch) }

// runBatch claims up to limit rows and sends them in order. The rows sent
// are marked so in one UPDATE at the end of the batch, or at once after
// each send once half the lease has gone, so no row stays unmarked near the
// end of its claim (the idempotency key covers a row sent again after its
// claim ran out all the same), and rows whose send could outlive the claim
// are given back. Once the provider answers 429, the rows not yet sent are
// released until its Retry-After. A row that waits for a retry holds back
// its recipient's later rows in the batch: they are given back, and the
// claim leaves them until it has gone, so one person's mail keeps its
// order. Rows given back spend no attempt.
func (w *Worker) runBatch(ctx context.Context, limit int) (int, error) {
	claimed := w.Now()
	rows, err := w.Outbox.ClaimOutbox(ctx, claimed, limit, w.Lease)
	if err != nil {
		return 0, err
	}
	var sent []int64
	flush := func() {
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
	// held lists the recipients whose message in this batch was not sent
	// and waits for a retry: their later messages go back unsent, or they
	// would overtake it.
	held := map[string]bool{}
	for i, row := range rows {
		if w.Now().Add(w.SendTimeout).After(claimed.Add(w.Lease)) {
			// The next send could outlive the claim, and another worker
			// would then send the row too: give the rest back instead.
			for _, rest := range rows[i:] {
				w.record(ctx, w.Log.With("outbox_id", rest.ID), w.Outbox.ReleaseOutbox(ctx, rest.ID, w.Now()))
			}
			break
		}
		if until, paused := w.paused(); paused {
			w.record(ctx, w.Log.With("outbox_id", row.ID), w.Outbox.ReleaseOutbox(ctx, row.ID, until))
			continue
		}
		if held[row.Recipient] {
			w.record(ctx, w.Log.With("outbox_id", row.ID), w.Outbox.ReleaseOutbox(ctx, row.ID, w.Now()))
			continue
		}
		switch w.handle(ctx, row) {
		case ResultSent:
			sent = append(sent, row.ID)
			if w.Now().Sub(claimed) > w.Lease/2 {
				flush()
			}
		case ResultRetry:
			held[row.Recipient] = true
		}
	}
	flush()
	return len(rows), nil
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

// handle renders and sends one row and records a failure or a retry; it
// returns the outcome, and the caller records a send.
func (w *Worker) handle(ctx context.Context, row store.OutboxMessage) Result {
	log := w.Log.With("outbox_id", row.ID, "kind", row.Kind, "attempt", row.Attempts)
	m, err := w.Render(ctx, row)
	if err != nil {
		log.ErrorContext(ctx, "outbox render failed", "err", err)
		w.result(ResultFailed)
		w.record(ctx, log, w.Outbox.MarkOutboxFailed(ctx, row.ID, "render: "+err.Error()))
		return ResultFailed
	}
	m.From, m.To, m.IdempotencyKey = w.From, row.Recipient, row.IdempotencyKey
	sctx, cancel := context.WithTimeout(ctx, w.SendTimeout)
	err = w.Sender.Send(sctx, m)
	cancel()
	if err == nil {
		log.InfoContext(ctx, "outbox sent")
		w.result(ResultSent)
		return ResultSent
	}
	retry, after := Retryable(err)
	if !retry || row.Attempts >= w.MaxAttempts {
		log.ErrorContext(ctx, "outbox send failed for good", "err", err)
		w.result(ResultFailed)
		w.record(ctx, log, w.Outbox.MarkOutboxFailed(ctx, row.ID, err.Error()))
		return ResultFailed
	}
	if after > 0 {
		w.pause(after)
	}
	next := w.Now().Add(max(after, Backoff(w.RetryDelay, row.Attempts)))
	log.WarnContext(ctx, "outbox send failed, will retry", "err", err, "next_attempt_at", next)
	w.result(ResultRetry)
	w.record(ctx, log, w.Outbox.MarkOutboxRetry(ctx, row.ID, next, err.Error()))
	return ResultRetry
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
