package account_test

import (
	"sync"
	"testing"
	"time"

	"gatehouse/internal/account"
	"gatehouse/internal/password"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// A session that simply times out, idle or at its absolute expiry, is
// ended once and the platform hears session.ended exactly once for it,
// with its sid and the reason, even with two instances ending sessions at
// the same moment; a live session is left alone and reported by nobody.
func TestExpiredSessionsEndOnceWithAWebhook(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		cfg := config()
		cfg.Webhooks = true
		e := newEnvWith(t, st, fastParams, 4, cfg)
		other := newService(t, st, password.NewHasher(fastParams, 4), e.clk.Now, cfg) // a second instance on the same database
		e.activate("ada@example.com", goodPW)
		e.activate("bob@example.com", goodPW)
		hooks := func() []account.Webhook {
			t.Helper()
			var ended []account.Webhook
			for _, h := range e.webhooks() {
				if h.Type == account.WebhookSessionEnded {
					ended = append(ended, h)
				}
			}
			return ended
		}
		sid := func(raw string) string {
			t.Helper()
			_, s, err := e.svc.Authenticate(e.ctx, raw)
			if err != nil {
				t.Fatal(err)
			}
			return s.PublicID
		}
		idle := map[string]string{} // sid → user, for the sessions left to go idle
		for _, who := range []string{"ada@example.com", "ada@example.com", "bob@example.com"} {
			idle[sid(e.session(who))] = who
		}
		hooks()

		// Just short of the idle timeout one session is used again.
		e.clk.Add(cfg.SessionIdle - time.Minute)
		busy := e.session("bob@example.com")
		busySID := sid(busy)
		hooks()
		if n, err := e.svc.EndExpiredSessions(e.ctx, e.clk.Now(), 100); err != nil || n != 0 {
			t.Fatalf("before any timeout: %d ended, %v", n, err)
		}

		// Past the idle timeout: two instances end the three idle sessions
		// between them, in batches of one.
		e.clk.Add(2 * time.Minute)
		var wg sync.WaitGroup
		ended := make([]int, 2)
		for i, svc := range []*account.Service{e.svc, other} {
			wg.Go(func() {
				for {
					n, err := svc.EndExpiredSessions(e.ctx, e.clk.Now(), 1)
					if err != nil {
						t.Errorf("instance %d: %v", i, err)
						return
					}
					ended[i] += n
					if n == 0 {
						return
					}
				}
			})
		}
		wg.Wait()
		if ended[0]+ended[1] != 3 {
			t.Errorf("the instances ended %d + %d sessions, want 3 in all", ended[0], ended[1])
		}
		got := hooks()
		seen := map[string]int{}
		for _, h := range got {
			seen[h.Data.SessionID]++
			if who, ok := idle[h.Data.SessionID]; !ok || h.Data.Email != who || h.Data.Reason != account.EndedIdle || h.Data.SessionsEnded != 1 {
				t.Errorf("webhook %+v", h)
			}
		}
		if len(got) != 3 || len(seen) != 3 {
			t.Errorf("%d session.ended webhooks for %d sessions, want one for each of 3: %+v", len(got), len(seen), got)
		}
		if _, _, err := e.svc.Authenticate(e.ctx, busy); err != nil {
			t.Errorf("the session used in time ended: %v", err)
		}

		// Its absolute expiry ends the busy one too, however recently used.
		for i := 0; ; i++ {
			e.clk.Add(cfg.SessionIdle - time.Minute)
			if _, _, err := e.svc.Authenticate(e.ctx, busy); err != nil {
				break
			}
			if i == 100 {
				t.Fatal("the busy session never reached its absolute expiry")
			}
		}
		if n, err := other.EndExpiredSessions(e.ctx, e.clk.Now(), 100); err != nil || n != 1 {
			t.Errorf("at its absolute expiry: %d ended, %v", n, err)
		}
		if got := hooks(); len(got) != 1 || got[0].Data.SessionID != busySID || got[0].Data.Reason != account.EndedExpired {
			t.Errorf("at its absolute expiry: %+v", got)
		}
		if n, err := e.svc.EndExpiredSessions(e.ctx, e.clk.Now(), 100); err != nil || n != 0 || len(hooks()) != 0 {
			t.Errorf("a second pass ended %d more (%v)", n, err)
		}
	})
}

// Without webhooks, timed-out sessions still end, and nothing is queued.
func TestExpiredSessionsEndWithoutWebhooks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, fastParams, 4)
		e.activate("ada@example.com", goodPW)
		raw := e.session("ada@example.com")
		e.clk.Add(config().SessionIdle + time.Minute)
		before := must(st.OutboxByStatus(e.ctx, store.OutboxPending, 100))
		if n, err := e.svc.EndExpiredSessions(e.ctx, e.clk.Now(), 100); err != nil || n != 1 {
			t.Fatalf("%d ended, %v", n, err)
		}
		if after := must(st.OutboxByStatus(e.ctx, store.OutboxPending, 100)); len(after) != len(before) {
			t.Errorf("outbox rows %d → %d without webhooks", len(before), len(after))
		}
		if _, _, err := e.svc.Authenticate(e.ctx, raw); err == nil {
			t.Error("the timed-out session still signs in")
		}
	})
}
