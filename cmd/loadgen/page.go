package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// pageReport is the outcome of -page or -validate mode.
type pageReport struct {
	name    string
	conns   int
	elapsed time.Duration
	st      *stats
	ok      int
}

// hammer sends one kind of request from cfg.conns goroutines, each with its own keep-alive
// connection, until the duration ends.
func hammer(ctx context.Context, cfg config) pageReport {
	tr := &http.Transport{
		MaxIdleConns:        cfg.conns,
		MaxIdleConnsPerHost: cfg.conns,
		MaxConnsPerHost:     cfg.conns,
		IdleConnTimeout:     30 * time.Second,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: cfg.timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	name := "GET " + cfg.page
	newReq := func(ctx context.Context, i int) *http.Request {
		r, _ := http.NewRequestWithContext(ctx, http.MethodGet, cfg.base()+cfg.page, nil)
		if cfg.cookie != "" {
			r.Header.Set("Cookie", cfg.cookie)
		}
		return r
	}
	if cfg.validate {
		name = "POST /register/validate?field=email"
		newReq = func(ctx context.Context, i int) *http.Request {
			body := url.Values{"email": {fmt.Sprintf("lg-%s-%d@example.test", cfg.runID, i)}}.Encode()
			r, _ := http.NewRequestWithContext(ctx, http.MethodPost, cfg.base()+"/register/validate?field=email", strings.NewReader(body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("HX-Request", "true") // as htmx sends it: the answer is the field alone
			return r
		}
	}

	runCtx, cancel := context.WithTimeout(ctx, cfg.duration)
	defer cancel()
	all := newStats()
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < cfg.conns; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := newStats()
			for i := w; runCtx.Err() == nil; i += cfg.conns {
				reqCtx, rcancel := context.WithTimeout(runCtx, cfg.timeout)
				t0 := time.Now()
				resp, err := client.Do(newReq(reqCtx, i))
				kind := ""
				if err != nil {
					kind = errClass(err)
				} else {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					switch {
					case err != nil:
						kind = "read: " + errClass(err)
					case resp.StatusCode != http.StatusOK:
						kind = fmt.Sprintf("status %d", resp.StatusCode)
					}
				}
				d := time.Since(t0)
				rcancel()
				if runCtx.Err() != nil && kind != "" {
					break // cut off by the end of the run, not a failure
				}
				local.record(name, d, kind)
			}
			all.merge(local)
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	ok, _ := all.total()
	return pageReport{name: name, conns: cfg.conns, elapsed: elapsed, st: all, ok: ok}
}

func (r pageReport) print(w io.Writer) {
	ok, failed := r.st.total()
	fmt.Fprintf(w, "%s at %d connections for %s: %d ok, %d failed, %.0f req/s\n",
		r.name, r.conns, r.elapsed.Round(time.Millisecond), ok, failed, float64(ok)/r.elapsed.Seconds())
	r.st.print(w, r.elapsed)
	r.st.printTimeline(w)
}
