package mail_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"gatehouse/internal/mail"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// RESEND_MAX_REQUESTS_PER_SECOND holds across instances: two workers, each
// with a budget of its own over the one database (two processes), send
// to a fake limited to 4 calls a second without one 429, and take as long
// as 4 calls a second allows between them (each alone at 4 a second would
// send twice as fast, and the fake would refuse half).
func TestBudgetSharedByInstances(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		r := newRig(t, s)
		r.now = time.Now()
		r.fake.SetRequestRate(4)
		sender, err := mail.NewResend("re_test", r.fake.URL(), 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		other := mail.NewWorker(s, sender, r.w.Render, "Gatehouse <noreply@gatehouse.test>")
		for _, w := range []*mail.Worker{r.w, other} {
			w.Now = time.Now
			w.MaxBatch = 1 // one call per email, so the calls are many
			w.Budget = mail.NewStoreBudget(s, "resend", 4)
			w.Concurrency, w.Poll = 2, 20*time.Millisecond
		}
		const n = 12
		for i := range n {
			r.enqueueTo(t, fmt.Sprintf("i%d@example.com", i))
		}
		start := time.Now()
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for _, w := range []*mail.Worker{r.w, other} {
			wg.Go(func() { w.Run(ctx) })
		}
		wctx, wcancel := context.WithTimeout(ctx, 20*time.Second)
		_, err = r.fake.WaitFor(wctx, n)
		wcancel()
		cancel()
		wg.Wait()
		if err != nil {
			t.Fatal(err)
		}
		if got := r.fake.RateLimited(); got != 0 {
			t.Errorf("%d calls refused by the rate: the instances did not share the budget", got)
		}
		// 12 calls at 4 a second between them: the last after 2.75 s.
		if d := time.Since(start); d < 2500*time.Millisecond {
			t.Errorf("%d calls took %s, want at least 2.5 s at 4 a second in all", n, d)
		}
		sent, _ := s.OutboxByStatus(context.Background(), store.OutboxSent, 100)
		if len(sent) != n || len(r.fake.Emails()) != n {
			t.Errorf("%d rows sent, %d emails at the fake; want %d of each", len(sent), len(r.fake.Emails()), n)
		}
	})
}
