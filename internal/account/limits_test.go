package account_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"gatehouse/internal/account"
	"gatehouse/internal/password"
	"gatehouse/internal/ratelimit"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// Both rate limits of an email request are counted in one statement, and
// a request over one limit still counts against the other. Over the
// per-IP limit the client is told to wait; over the per-address limit the
// answer is the usual one and nothing is sent, so nobody can keep the
// owner out of "Forgot password?" (rule 22) or learn when someone last
// asked from a Retry-After.
func TestEmailLimitsCountTogether(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		cfg := config()
		cfg.Limits = account.Limits{
			EmailPerIP:      ratelimit.Rule{Max: 3, Window: time.Hour},
			EmailPerAddress: ratelimit.Rule{Max: 5, Window: 10 * time.Minute},
		}
		now := time.Date(2030, 1, 2, 9, 0, 0, 0, time.UTC)
		svc := newService(t, st, password.NewHasher(password.Params{Memory: 64, Time: 1, Threads: 1}, 2), func() time.Time { return now }, cfg)
		ctx := context.Background()
		other := account.Meta{IP: "198.51.100.7", UserAgent: "other", Locale: "en"}
		mails := func() int {
			rows, err := st.OutboxByStatus(ctx, store.OutboxPending, 100)
			if err != nil {
				t.Fatal(err)
			}
			return len(rows)
		}
		for i, tc := range []struct {
			m     account.Meta
			retry time.Duration // 0: answered as usual
			sends bool
		}{
			{meta, 0, true}, {meta, 0, true}, {meta, 0, true},
			{meta, time.Hour, false}, // over the IP rule; the address counts 4
			{other, 0, true},         // the address counts 5
			{other, 0, false},        // over the address rule: the usual answer, no email
		} {
			before := mails()
			_, err := svc.Register(ctx, registration("grace@example.com"), tc.m)
			if tc.retry == 0 {
				if err != nil {
					t.Fatalf("request %d: %v", i+1, err)
				}
				if sent := mails() > before; sent != tc.sends {
					t.Fatalf("request %d sent an email: %v, want %v", i+1, sent, tc.sends)
				}
				continue
			}
			rl, ok := err.(*account.RateLimitedError)
			if !ok || rl.RetryAfter != tc.retry {
				t.Fatalf("request %d = %v, want rate limited, retry after %s", i+1, err, tc.retry)
			}
		}
	})
}

// The per-IP limits count a client once however its address is spelled,
// and an IPv6 client as its /64: every address of one network shares a
// bucket, a neighbouring network has its own (issue: spellings and /128s
// each had a bucket of their own).
func TestPerIPLimitsCountAClientOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		cfg := config()
		cfg.Limits = noRateLimits()
		cfg.Limits.EmailPerIP = ratelimit.Rule{Max: 3, Window: time.Hour}
		now := time.Date(2030, 1, 2, 9, 0, 0, 0, time.UTC)
		svc := newService(t, st, password.NewHasher(password.Params{Memory: 64, Time: 1, Threads: 1}, 2), func() time.Time { return now }, cfg)
		ctx := context.Background()
		ask := func(ip string, i int) error {
			_, err := svc.Request(ctx, account.Recovery, "nobody"+string(rune('a'+i))+"@example.com", account.Meta{IP: ip, Locale: "en"})
			return err
		}
		for _, group := range [][]string{
			{"2001:db8::5", "2001:DB8::5", "2001:db8:0:0:ffff::1", "2001:db8::abcd"},
			{"192.0.2.1", "::ffff:192.0.2.1", "::ffff:c000:201", " 192.0.2.1"},
			{"fe80::1%eth0", "fe80::2", "fe80::1", "fe80::3%lo"},
		} {
			for i, ip := range group {
				err := ask(ip, i)
				if i < 3 && err != nil {
					t.Fatalf("%s (request %d of the client): %v", ip, i+1, err)
				}
				if i == 3 {
					var rl *account.RateLimitedError
					if !errors.As(err, &rl) {
						t.Errorf("%s: the 4th request of %v was not limited (%v)", ip, group[:3], err)
					}
				}
			}
		}
		if err := ask("2001:db8:0:1::5", 0); err != nil {
			t.Errorf("a neighbouring /64 shares the bucket: %v", err)
		}
	})
}

// Rule 22 under a race: many wrong passwords at once against one account,
// spread over two instances, are checked no more often than one after
// another would be (the free ones and the one that starts the delay);
// the rest get the throttled answer without their password being checked,
// and the account is not hard-locked by a burst.
func TestParallelWrongPasswordsAreThrottled(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, password.Params{Memory: 64, Time: 1, Threads: 1}, 8)
		e.activate("ada@example.com", goodPW)
		other := newService(t, st, password.NewHasher(password.Params{Memory: 64, Time: 1, Threads: 1}, 8), e.clk.Now, config())
		const n = 60
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			svc := e.svc
			if i%2 == 1 {
				svc = other
			}
			wg.Go(func() {
				_, err := svc.Login(e.ctx, "ada@example.com", "not the password at all", "", meta)
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if !errors.Is(err, account.ErrBadCredentials) {
				t.Fatalf("a wrong password = %v, want ErrBadCredentials", err)
			}
		}
		u := e.user("ada@example.com")
		events, err := st.AuditEventsByUser(e.ctx, u.ID, 1000)
		if err != nil {
			t.Fatal(err)
		}
		checked := 0
		for _, ev := range events {
			if ev.Kind == string(account.EventLoginFailed) {
				checked++
			}
		}
		free := account.DefaultLimits.LoginFreeFailures
		if checked < 1 || checked > free+1 {
			t.Errorf("%d parallel wrong passwords: %d were checked, want 1 to %d", n, checked, free+1)
		}
		lt, err := st.LoginThrottleFor(e.ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if lt.Failures != checked {
			t.Errorf("throttle counts %d failures, %d passwords were checked", lt.Failures, checked)
		}
		// Once the delay is over, the owner gets in.
		e.clk.Add(time.Hour)
		if _, err := e.svc.Login(e.ctx, "ada@example.com", goodPW, "", meta); err != nil {
			t.Fatalf("the owner after the delay: %v", err)
		}
	})
}

// The failure that first locks an account emails its owner, once for the
// lock episode however many guesses follow; a success ends the episode,
// and the next lock tells the owner again. The answer is
// ErrBadCredentials throughout (issue: throttling was silent).
func TestFirstLockEmailsTheOwnerOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, password.Params{Memory: 64, Time: 1, Threads: 1}, 2)
		e.activate("ada@example.com", goodPW)
		throttled := func() int {
			n := 0
			for _, m := range e.mails("ada@example.com") {
				if m.Kind == account.EmailSignInThrottled {
					n++
				}
			}
			return n
		}
		guess := func(times int) {
			for range times {
				_, err := e.svc.Login(e.ctx, "ada@example.com", "not the password at all", "", meta)
				wantErr(t, "a wrong password", err, account.ErrBadCredentials)
				e.clk.Add(time.Hour) // past every lock, so each guess is checked
			}
		}
		free := account.DefaultLimits.LoginFreeFailures
		guess(free)
		if n := throttled(); n != 0 {
			t.Fatalf("%d free failures sent %d throttle emails, want none", free, n)
		}
		guess(1)
		if n := throttled(); n != 1 {
			t.Fatalf("the locking failure sent %d throttle emails, want 1", n)
		}
		guess(5)
		if n := throttled(); n != 1 {
			t.Fatalf("more guesses in the same episode: %d throttle emails, want still 1", n)
		}
		m := e.lastMail("ada@example.com", account.EmailSignInThrottled)
		d, err := account.DecodeEmail(m.Kind, m.Data)
		if err != nil {
			t.Fatal(err)
		}
		em := d.(account.SignInThrottledEmail)
		if em.Minutes != int(account.DefaultLimits.LoginMaxDelay/time.Minute) || em.ResetURL == "" || em.FirstName != "Ada" {
			t.Errorf("throttle email = %+v", em)
		}
		if _, err := e.svc.Login(e.ctx, "ada@example.com", goodPW, "", meta); err != nil {
			t.Fatal(err)
		}
		guess(free + 1)
		if n := throttled(); n != 2 {
			t.Fatalf("a new episode after a success: %d throttle emails, want 2", n)
		}
	})
}

// Parallel right passwords are never taken for guesses: sixteen sign-ins
// of one account at once (several tabs, a double click, a script) all get
// in, though more of them run than the free failures; each waits its turn
// behind the checks already running instead of being counted as one.
func TestParallelRightPasswordsAllSignIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, password.Params{Memory: 64, Time: 1, Threads: 1}, 8)
		e.activate("ada@example.com", goodPW)
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for range 16 {
			wg.Go(func() {
				_, err := e.svc.Login(e.ctx, "ada@example.com", goodPW, "", meta)
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("a right password at the same time as others: %v", err)
			}
		}
	})
}

// Sign-ins whose client goes away mid-check (the request's context
// cancelled while waiting for a hashing slot, hashing, or writing the
// session) give their reservation back: none is left counting as a
// running check, so the owner signs in at once afterwards rather than
// being refused as throttled until the leases run out. Cancelling a flood
// of one's own requests must not lock anyone out.
func TestCancelledSignInsLeaveNoReservation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		// One slot and a hash of some milliseconds: most of the flood
		// waits for the slot when it is cancelled, some are hashing.
		e := newEnv(t, st, password.Params{Memory: 4 * 1024, Time: 2, Threads: 1}, 1)
		e.activate("ada@example.com", goodPW)
		var u *store.User
		u, err := st.UserByEmail(e.ctx, "ada@example.com")
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for i := range 24 {
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(e.ctx, time.Duration(1+i%8)*time.Millisecond)
				defer cancel()
				pw := goodPW
				if i%3 == 0 {
					pw = "a wrong password, cancelled"
				}
				e.svc.Login(ctx, "ada@example.com", pw, "", meta)
			})
		}
		wg.Wait()
		lt, err := st.LoginThrottleFor(e.ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if lt.Inflight != 0 && lt.InflightUntil.After(time.Now()) {
			t.Fatalf("cancelled sign-ins left %d reservations counting", lt.Inflight)
		}
		start := time.Now()
		if _, err := e.svc.Login(e.ctx, "ada@example.com", goodPW, "", meta); err != nil {
			t.Fatalf("the owner's sign-in after a cancelled flood: %v (after %v)", err, time.Since(start))
		}
	})
}
