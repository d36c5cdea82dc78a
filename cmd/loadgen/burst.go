package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"gatehouse/internal/testkit/resendfake"
)

// burstReport is the outcome of -register -count N -rate R/s: N sign-ups
// submitted at a steady rate, and how long each activation email took from
// its submit to the fake Resend API.
type burstReport struct {
	count, submitted, failed int
	rate                     float64
	submitFor, elapsed       time.Duration
	delivered, duplicated    int
	lost                     []string
	latency                  []time.Duration // submit to delivery, sorted
	requests, limited        int             // calls to the fake, and how many its rate refused
	batches                  int
	resendRPS                float64
}

// parseRate reads "100/s" (or a bare number) as submits a second.
func parseRate(v string) (float64, error) {
	v = strings.TrimSuffix(strings.TrimSpace(v), "/s")
	r, err := strconv.ParseFloat(v, 64)
	if err != nil || !(r > 0) {
		return 0, fmt.Errorf("-rate %q: want submits a second such as 100/s", v)
	}
	return r, nil
}

// burst submits cfg.count sign-ups at cfg.rate a second (each from its own
// goroutine, so a slow answer never holds back the schedule), then waits
// up to cfg.mailGrace for every activation email and reports the time from
// each submit to its email's arrival. Every address gets exactly one
// email, so a second one is a duplicate.
func burst(ctx context.Context, cfg config, fake *resendfake.Server) *burstReport {
	tr := &http.Transport{MaxIdleConns: cfg.conns, MaxIdleConnsPerHost: cfg.conns, MaxConnsPerHost: cfg.conns, IdleConnTimeout: 30 * time.Second}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: cfg.timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	rep := &burstReport{count: cfg.count, rate: cfg.rate, resendRPS: cfg.resendRPS}
	addr := func(i int) string { return fmt.Sprintf("lg-%s-b%d@example.test", cfg.runID, i) }
	submitted := make([]time.Time, cfg.count)
	ok := make([]bool, cfg.count)
	var wg sync.WaitGroup
	start := time.Now()
	every := time.Duration(float64(time.Second) / cfg.rate)
	for i := range cfg.count {
		at := start.Add(time.Duration(i) * every)
		if d := time.Until(at); d > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(d):
			}
		}
		if ctx.Err() != nil {
			break
		}
		wg.Go(func() {
			form := url.Values{"first_name": {"Load"}, "last_name": {fmt.Sprintf("Burst%d", i)}, "company": {"Acme Widgets"},
				"country": {"GB"}, "email": {addr(i)}, "accept_terms": {"on"}}
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, cfg.base()+"/register", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			submitted[i] = time.Now()
			resp, err := client.Do(req)
			if err != nil {
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			loc, _ := resp.Location()
			ok[i] = resp.StatusCode == http.StatusSeeOther && loc != nil && loc.Path == "/register/sent"
		})
	}
	wg.Wait()
	rep.submitFor = time.Since(start)
	want := map[string]int{}
	for i, good := range ok {
		if good {
			rep.submitted++
			want[addr(i)] = i
		} else if !submitted[i].IsZero() {
			rep.failed++
		}
	}
	// Wait for every promised email, then a moment more for any duplicate.
	deadline := time.Now().Add(cfg.mailGrace)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if arrived(fake, want) == len(want) {
			time.Sleep(time.Second)
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	rep.elapsed = time.Since(start)
	seen := map[string]bool{}
	for _, e := range fake.Emails() {
		i, mine := want[strings.ToLower(e.To)]
		if !mine {
			continue
		}
		if seen[e.To] {
			rep.duplicated++
			continue
		}
		seen[e.To] = true
		rep.delivered++
		rep.latency = append(rep.latency, e.At.Sub(submitted[i]))
	}
	for a := range want {
		if !seen[a] {
			rep.lost = append(rep.lost, a)
		}
	}
	slices.Sort(rep.latency)
	slices.Sort(rep.lost)
	rep.requests, rep.limited, rep.batches = fake.Requests(), fake.RateLimited(), fake.Batches()
	return rep
}

// arrived counts the addresses in want that have an email.
func arrived(fake *resendfake.Server, want map[string]int) int {
	got := map[string]bool{}
	for _, e := range fake.Emails() {
		if _, ok := want[strings.ToLower(e.To)]; ok {
			got[strings.ToLower(e.To)] = true
		}
	}
	return len(got)
}

func (r *burstReport) print(w io.Writer) {
	fmt.Fprintf(w, "%d sign-ups at %.0f/s: %d submitted in %s, %d failed\n", r.count, r.rate, r.submitted,
		r.submitFor.Round(time.Millisecond), r.failed)
	limit := "no limit"
	if r.resendRPS > 0 {
		limit = fmt.Sprintf("limited to %g requests/s", r.resendRPS)
	}
	fmt.Fprintf(w, "fake Resend API (%s): %d requests (%d batch calls), %d answered 429\n", limit, r.requests, r.batches, r.limited)
	fmt.Fprintf(w, "activation emails: %d delivered, %d lost, %d duplicated\n", r.delivered, len(r.lost), r.duplicated)
	if len(r.latency) > 0 {
		fmt.Fprintf(w, "submit to delivery: p50 %s, p90 %s, p99 %s, max %s\n", r.latency[len(r.latency)/2].Round(time.Millisecond),
			pct(r.latency, .90).Round(time.Millisecond), pct(r.latency, .99).Round(time.Millisecond), r.latency[len(r.latency)-1].Round(time.Millisecond))
	}
	for i, a := range r.lost {
		if i == 10 {
			fmt.Fprintf(w, "  … and %d more\n", len(r.lost)-10)
			break
		}
		fmt.Fprintln(w, "  lost:", a)
	}
}

// err is the run's verdict: every email delivered once.
func (r *burstReport) err() error {
	switch {
	case r.submitted == 0:
		return errors.New("no sign-up succeeded")
	case len(r.lost) > 0 || r.duplicated > 0:
		return fmt.Errorf("%d emails lost, %d duplicated", len(r.lost), r.duplicated)
	}
	return nil
}
