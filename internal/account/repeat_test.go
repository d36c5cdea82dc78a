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

// TestRepeatSendsNothing: a double click on "send" without script posts
// twice. A repeat of Register or Request for the same address from the same
// client within DefaultRepeatWindow, even one that arrives while the first
// is running, answers exactly as the first did and queues nothing more,
// for known and unknown addresses alike; after the window, or from another
// client, it is a new request.
func TestRepeatSendsNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		cfg := config()
		cfg.RepeatWindow = 0 // the default
		e := newEnvWith(t, st, password.DefaultParams, 4, cfg)

		// Register, twice at once.
		var wg sync.WaitGroup
		sent := make([]account.Sent, 2)
		for i := range sent {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s, err := e.svc.Register(e.ctx, registration("twice@example.com"), meta)
				if err != nil {
					t.Errorf("Register: %v", err)
				}
				sent[i] = s
			}()
		}
		wg.Wait()
		if sent[0] != sent[1] || sent[0].Binding == "" {
			t.Fatalf("two answers to one double click: %+v, %+v", sent[0], sent[1])
		}
		if n := len(e.mails("twice@example.com")); n != 1 {
			t.Fatalf("a double click queued %d emails, want 1", n)
		}
		e.clk.Add(4 * time.Second)
		again, err := e.svc.Register(e.ctx, registration("twice@example.com"), meta)
		if err != nil || again != sent[0] {
			t.Fatalf("repeat within the window: %+v, %v; want the first answer %+v", again, err, sent[0])
		}
		other := meta
		other.IP = "198.51.100.7"
		if s, _ := e.svc.Register(e.ctx, registration("twice@example.com"), other); s == sent[0] {
			t.Fatal("another client got the first client's answer")
		}
		e.clk.Add(2 * time.Second)
		if s, _ := e.svc.Register(e.ctx, registration("twice@example.com"), meta); s == sent[0] {
			t.Fatal("a request after the window was taken as a repeat")
		}
		if n := len(e.mails("twice@example.com")); n != 3 {
			t.Fatalf("%d emails, want 3 (first, other client, after the window)", n)
		}

		// Request: a known and an unknown address answer alike.
		e.clk.Add(time.Minute)
		for _, addr := range []string{"twice@example.com", "nobody@example.com"} {
			before := len(e.mails(addr))
			first, err := e.svc.Request(e.ctx, account.Recovery, addr, meta)
			if err != nil {
				t.Fatal(err)
			}
			second, err := e.svc.Request(e.ctx, account.Recovery, addr, meta)
			if err != nil || second != first {
				t.Errorf("%s: repeat answered %+v, %v; want %+v", addr, second, err, first)
			}
			if addr == "twice@example.com" {
				if n := len(e.mails(addr)) - before; n != 1 {
					t.Errorf("%s: a double click queued %d emails, want 1", addr, n)
				}
			}
		}
	})
}
