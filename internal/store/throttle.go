package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/uptrace/bun"
	"strings"
	"sync"
	"time"
)

// LoginThrottleFor returns the account's failure record; a zero record
// when it has none.
func (s *Store) LoginThrottleFor(ctx context.Context, userID int64) (LoginThrottle, error) {
	var lt LoginThrottle
	err := s.db.NewSelect().Model(&lt).Where("user_id = ?", userID).Scan(ctx)
	if err != nil {
		if errors.Is(notFound("login throttle", err), ErrNotFound) {
			return LoginThrottle{UserID: userID}, nil
		}
		return LoginThrottle{}, fmt.Errorf("store: login throttle: %w", err)
	}
	return lt, nil
}

// settling is ctx for a statement that takes, settles or gives back a
// reserved attempt: it runs to its end even when the request's context is
// cancelled (the client went away mid-check), since a reservation left
// behind counts as a running check for its lease (inflightLease) and
// holds up every other sign-in of the account: its owner's too.
func settling(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), settleTimeout)
}

// settleTimeout bounds a settling statement.
const settleTimeout = 10 * time.Second

// ClearLoginFailures forgets an account's failures (after a success or a
// password reset), and with them any reservation.
func (s *Store) ClearLoginFailures(ctx context.Context, userID int64) error {
	ctx, cancel := settling(ctx)
	defer cancel()
	if _, err := s.clearQuery(userID).Exec(ctx); err != nil {
		return fmt.Errorf("store: clear login failures: %w", err)
	}
	s.attemptEnded(userID)
	return nil
}

func (s *Store) clearQuery(userID int64) *bun.DeleteQuery {
	return s.db.NewDelete().Model((*LoginThrottle)(nil)).Where("user_id = ?", userID)
}

// ErrContended means the record could not be changed in time: other
// checks of the account held every turn for reserveWait
// (ReserveLoginAttempt), or other requests kept changing it
// (ConfirmLoginFailure); the caller answers as if throttled.
var ErrContended = errors.New("store: login throttle contended")

// inflightLease is how long a reserved attempt counts while its check
// runs; an instance that dies mid-check stops counting after it.
const inflightLease = 30 * time.Second

// reserveWait bounds how long an attempt waits for its turn behind the
// checks of the same account already running.
const reserveWait = 3 * time.Second

// ReserveLoginAttempt decides, atomically, whether one more password may
// be checked for the account: not while it is locked, and not while as
// many checks are already running as the account has failures left before
// its next delay (lock says the delay after a number of failures). Such an
// attempt waits its turn, briefly, instead: parallel guesses are checked
// no more often than one after another would be, and parallel right
// passwords (several tabs, a double click) all get in. Each reservation
// is one conditional upsert of the record (rule 22: the check and the
// count are one step). The caller then reports the outcome: ConfirmLoginFailure,
// ClearLoginFailures (a success) or ReleaseLoginAttempt (not checked). It
// returns the record as it was and whether the attempt may go ahead.
func (s *Store) ReserveLoginAttempt(ctx context.Context, userID int64, now time.Time, lock func(failures int) time.Duration) (LoginThrottle, bool, error) {
	now = now.UTC()
	deadline := time.Now().Add(reserveWait)
	for {
		// One upsert checks and reserves: a new record for an account
		// without one, or one more check running on the record when it is
		// not locked and has room. The database takes concurrent ones on
		// a record one after another and judges each against the record
		// as the one before left it, so they need no retries.
		row := LoginThrottle{UserID: userID, LastFailureAt: now, Inflight: 1, InflightUntil: now.Add(inflightLease)}
		// Not cut short by the request's end: a reservation the database
		// made must reach the caller, who gives it back.
		uctx, cancel := settling(ctx)
		err := s.db.NewInsert().Model(&row).
			On("CONFLICT (user_id) DO UPDATE").
			Set("inflight = CASE WHEN login_throttle.inflight_until < ? THEN 1 ELSE login_throttle.inflight + 1 END", now).
			Set("inflight_until = EXCLUDED.inflight_until").
			Where("login_throttle.locked_until <= ?", now).
			Where("CASE WHEN login_throttle.inflight_until < ? THEN 0 ELSE login_throttle.inflight END < "+allowedSQL(lock), now).
			Returning("failures, locked_until, inflight").Scan(uctx)
		cancel()
		if err == nil {
			s.nextTurn(userID, row.Inflight, row.Failures, lock)
			return LoginThrottle{UserID: userID, Failures: row.Failures, LockedUntil: row.LockedUntil}, true, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return LoginThrottle{}, false, fmt.Errorf("store: reserve login attempt: %w", err)
		}
		// Locked, or as many checks running as it may have: which one?
		var cur LoginThrottle
		err = s.db.NewSelect().Model(&cur).Where("user_id = ?", userID).Scan(ctx)
		if errors.Is(notFound("login throttle", err), ErrNotFound) {
			continue // cleared meanwhile
		}
		if err != nil {
			return LoginThrottle{}, false, fmt.Errorf("store: reserve login attempt: %w", err)
		}
		if now.Before(cur.LockedUntil) {
			return cur, false, nil
		}
		if time.Now().After(deadline) {
			return cur, false, ErrContended
		}
		// Its turn comes when a check of the account ends: in this
		// process that wakes it at once; a check ending on another
		// instance is seen at the next look.
		if err := s.turns.wait(ctx, userID, turnPoll); err != nil {
			return LoginThrottle{}, false, err
		}
	}
}

// allowedSQL is checksAllowed as an SQL expression of the record's
// failures, so that the reservation's upsert can judge the record the
// database holds at that moment.
func allowedSQL(lock func(int) time.Duration) string {
	var b strings.Builder
	b.WriteString("CASE login_throttle.failures")
	for f := 0; f <= 128; f++ {
		if n := checksAllowed(f, lock); n != 1 {
			fmt.Fprintf(&b, " WHEN %d THEN %d", f, n)
		}
	}
	b.WriteString(" ELSE 1 END")
	return b.String()
}

// turnPoll is how often a sign-in waiting for its turn on an account
// looks at the record again when no check of this process wakes it (the
// running ones are on another instance).
const turnPoll = 50 * time.Millisecond

// nextTurn passes the turn on to the next waiter of this process when a
// reservation left room for another check (running of them now, allowed
// by failures).
func (s *Store) nextTurn(userID int64, running, failures int, lock func(int) time.Duration) {
	if running < checksAllowed(failures, lock) {
		s.turns.wake(userID)
	}
}

// attemptEnded says that a check of the account ended here (a success, a
// failure counted or a reservation given back): one sign-in of this
// process waiting for its turn looks again, after the transaction if
// there is one.
func (s *Store) attemptEnded(userID int64) {
	if s.ended != nil {
		*s.ended = append(*s.ended, userID)
		return
	}
	s.turns.wake(userID)
}

// attemptTurns queues, per account, the sign-ins of this process waiting
// for their turn in ReserveLoginAttempt, so they look at the record again
// when a check ends rather than every few milliseconds: asking over and
// over cost more statements than the sign-ins themselves when many ran on
// one account. The record stays the only judge; a wake only says "look".
type attemptTurns struct {
	mu sync.Mutex
	q  map[int64][]chan struct{}
}

func newAttemptTurns() *attemptTurns { return &attemptTurns{q: map[int64][]chan struct{}{}} }

// wait queues for the account until woken, poll passes or ctx ends.
func (t *attemptTurns) wait(ctx context.Context, userID int64, poll time.Duration) error {
	ch := make(chan struct{}, 1)
	t.mu.Lock()
	t.q[userID] = append(t.q[userID], ch)
	t.mu.Unlock()
	timer := time.NewTimer(poll)
	defer timer.Stop()
	select {
	case <-ch:
		return nil
	case <-timer.C:
	case <-ctx.Done():
	}
	t.mu.Lock()
	q := t.q[userID]
	for i, c := range q {
		if c == ch {
			q = append(q[:i:i], q[i+1:]...)
			break
		}
	}
	if len(q) == 0 {
		delete(t.q, userID)
	} else {
		t.q[userID] = q
	}
	t.mu.Unlock()
	select {
	case <-ch: // woken while giving up: the wake goes to the next one
		t.wake(userID)
	default:
	}
	return ctx.Err()
}

// wake lets the first sign-in waiting for the account look again.
func (t *attemptTurns) wake(userID int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	q := t.q[userID]
	if len(q) == 0 {
		return
	}
	q[0] <- struct{}{}
	if len(q) == 1 {
		delete(t.q, userID)
	} else {
		t.q[userID] = q[1:]
	}
}

// checksAllowed is how many checks may run at once for an account with
// that many failures: one for each failure it may still have without a
// delay, and the one that would start it; past the free ones, one.
func checksAllowed(failures int, lock func(int) time.Duration) int {
	n := 1
	for k := 1; k <= 64 && lock(failures+k) == 0; k++ {
		n++
	}
	return n
}

// ConfirmLoginFailure counts the failure of a reserved attempt and sets
// the lock the new count earns; it returns the new record. Like
// ReleaseLoginAttempt it runs even after the request was cancelled.
func (s *Store) ConfirmLoginFailure(ctx context.Context, userID int64, now time.Time, lock func(failures int) time.Duration) (LoginThrottle, error) {
	ctx, cancel := settling(ctx)
	defer cancel()
	now = now.UTC()
	for range 64 {
		var cur LoginThrottle
		err := s.db.NewSelect().Model(&cur).Where("user_id = ?", userID).Scan(ctx)
		if errors.Is(notFound("login throttle", err), ErrNotFound) {
			// A success cleared the record meanwhile: this failure starts
			// a new count.
			next := LoginThrottle{UserID: userID, Failures: 1, LastFailureAt: now, LockedUntil: now.Add(lock(1))}
			res, err := s.db.NewInsert().Model(&next).On("CONFLICT (user_id) DO NOTHING").Exec(ctx)
			if err != nil {
				return LoginThrottle{}, fmt.Errorf("store: record login failure: %w", err)
			}
			if n, err := res.RowsAffected(); err == nil && n == 1 {
				s.attemptEnded(userID)
				return next, nil
			}
			continue
		}
		if err != nil {
			return LoginThrottle{}, fmt.Errorf("store: record login failure: %w", err)
		}
		next := cur
		next.Failures++
		next.LastFailureAt = now
		next.LockedUntil = now.Add(lock(next.Failures))
		next.Inflight = max(cur.Inflight-1, 0)
		res, err := s.db.NewUpdate().Model(&next).Column("failures", "last_failure_at", "locked_until", "inflight").
			Where("user_id = ? AND failures = ? AND inflight = ?", userID, cur.Failures, cur.Inflight).Exec(ctx)
		if err != nil {
			return LoginThrottle{}, fmt.Errorf("store: record login failure: %w", err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 1 {
			s.attemptEnded(userID)
			return next, nil
		}
	}
	return LoginThrottle{}, ErrContended
}

// ReleaseLoginAttempt takes back a reservation whose password was never
// checked (no hashing slot was free, the client went away), or whose
// check could not be finished, so neither counts against the owner; it
// runs even after the request was cancelled.
func (s *Store) ReleaseLoginAttempt(ctx context.Context, userID int64) error {
	ctx, cancel := settling(ctx)
	defer cancel()
	_, err := s.db.NewUpdate().Model((*LoginThrottle)(nil)).Set("inflight = inflight - 1").
		Where("user_id = ? AND inflight > 0", userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: release login attempt: %w", err)
	}
	s.attemptEnded(userID)
	return nil
}
