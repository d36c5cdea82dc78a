package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gatehouse/internal/testkit/resendfake"
)

// submitReport is the outcome of -register or -signin mode.
type submitReport struct {
	name    string
	unit    string // "submits" or "sign-ins"
	conns   int
	elapsed time.Duration
	st      *stats
	ok      int
	busy    int64  // 503 answers (hashing slots full)
	account string // -signin: the account signed in to
	hwmKB   int64  // -pid: highest VmHWM seen, in KiB (0: not sampled)
	rssKB   int64  // -pid: highest VmRSS seen, in KiB
}

// submit hammers POST /register (unique addresses) or POST /login (one account) from
// cfg.conns goroutines until the duration ends. Success is a 303 to wantPath; redirects
// are not followed.
func submit(ctx context.Context, cfg config, email, pw string) *submitReport {
	tr := &http.Transport{
		MaxIdleConns:        cfg.conns,
		MaxIdleConnsPerHost: cfg.conns,
		MaxConnsPerHost:     cfg.conns,
		IdleConnTimeout:     30 * time.Second,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: cfg.timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	rep := &submitReport{name: "POST /register", unit: "submits", conns: cfg.conns, st: newStats()}
	wantPath := "/register/sent"
	form := func(i int) url.Values {
		return url.Values{
			"first_name": {"Load"}, "last_name": {fmt.Sprintf("Submit%d", i)}, "company": {"Acme Widgets"},
			"country": {"GB"}, "email": {fmt.Sprintf("lg-%s-r%d@example.test", cfg.runID, i)}, "accept_terms": {"on"},
		}
	}
	path := "/register"
	if cfg.signin {
		rep.name, rep.unit, rep.account, wantPath, path = "POST /login", "sign-ins", email, "/account", "/login"
		body := url.Values{"email": {email}, "password": {pw}}
		form = func(int) url.Values { return body }
	}

	runCtx, cancel := context.WithTimeout(ctx, cfg.duration)
	defer cancel()
	var sampled sync.WaitGroup
	if cfg.pid > 0 {
		sampled.Add(1)
		go func() {
			defer sampled.Done()
			for {
				if hwm, rss, err := readMem(cfg.pid); err == nil {
					rep.hwmKB, rep.rssKB = max(rep.hwmKB, hwm), max(rep.rssKB, rss)
				}
				select {
				case <-runCtx.Done():
					return
				case <-time.After(100 * time.Millisecond):
				}
			}
		}()
	}
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < cfg.conns; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := newStats()
			for i := w; runCtx.Err() == nil; i += cfg.conns {
				reqCtx, rcancel := context.WithTimeout(runCtx, cfg.timeout)
				req, _ := http.NewRequestWithContext(reqCtx, http.MethodPost, cfg.base()+path, strings.NewReader(form(i).Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				t0 := time.Now()
				resp, err := client.Do(req)
				kind := ""
				if err != nil {
					kind = errClass(err)
				} else {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					loc, _ := resp.Location()
					switch {
					case err != nil:
						kind = "read: " + errClass(err)
					case resp.StatusCode == http.StatusServiceUnavailable:
						kind = "status 503 (busy)"
					case resp.StatusCode != http.StatusSeeOther:
						kind = fmt.Sprintf("status %d", resp.StatusCode)
					case loc == nil || loc.Path != wantPath:
						kind = "redirected elsewhere"
					}
				}
				d := time.Since(t0)
				rcancel()
				if runCtx.Err() != nil && kind != "" {
					break // cut off by the end of the run, not a failure
				}
				if kind == "status 503 (busy)" {
					atomic.AddInt64(&rep.busy, 1)
				}
				local.record(rep.name, d, kind)
			}
			rep.st.merge(local)
		}()
	}
	wg.Wait()
	rep.elapsed = time.Since(start)
	cancel()
	sampled.Wait()
	if cfg.pid > 0 { // one last look: VmHWM only grows
		if hwm, rss, err := readMem(cfg.pid); err == nil {
			rep.hwmKB, rep.rssKB = max(rep.hwmKB, hwm), max(rep.rssKB, rss)
		}
	}
	rep.ok, _ = rep.st.total()
	return rep
}

func (r *submitReport) print(w io.Writer) {
	ok, failed := r.st.total()
	fmt.Fprintf(w, "%s at %d connections for %s: %d ok, %d failed (%d of them 503 busy)\n",
		r.name, r.conns, r.elapsed.Round(time.Millisecond), ok, failed, r.busy)
	if r.account != "" {
		fmt.Fprintf(w, "account: %s\n", r.account)
	}
	fmt.Fprintf(w, "%s/s: %.1f\n", r.unit, float64(ok)/r.elapsed.Seconds())
	if r.hwmKB > 0 {
		fmt.Fprintf(w, "Gatehouse memory: VmHWM %.1f MiB, highest VmRSS sampled %.1f MiB\n",
			float64(r.hwmKB)/1024, float64(r.rssKB)/1024)
	}
	fmt.Fprintln(w)
	r.st.print(w, r.elapsed)
	r.st.printTimeline(w)
}

// readMem reads VmHWM and VmRSS (KiB) of a local process.
func readMem(pid int) (hwm, rss int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || (k != "VmHWM" && k != "VmRSS") {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			return 0, 0, err
		}
		if k == "VmHWM" {
			hwm = n
		} else {
			rss = n
		}
	}
	if hwm == 0 {
		return 0, 0, errors.New("no VmHWM in /proc/<pid>/status")
	}
	return hwm, rss, sc.Err()
}

// createAccount walks sign-up once (register, activation email from the fake, link, set
// password) and returns the new account's address.
func createAccount(ctx context.Context, cfg config, fake *resendfake.Server) (string, error) {
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	w := &walk{cfg: cfg, n: 0, st: newStats(), mail: watchMail(wctx, fake), led: &ledger{expected: map[string]int{}}}
	w.client = &http.Client{Timeout: cfg.timeout}
	w.client.Jar, _ = cookiejar.New(nil)
	email := fmt.Sprintf("lg-%s-signin@example.test", cfg.runID)
	if err := w.step(ctx, "POST /register", http.MethodPost, "/register", url.Values{
		"first_name": {"Load"}, "last_name": {"Signin"}, "company": {"Acme Widgets"},
		"country": {"GB"}, "email": {email}, "accept_terms": {"on"},
	}, "/register/sent"); err != nil {
		return "", err
	}
	link, err := w.awaitMail(ctx, "mail activation", email, "/activate")
	if err != nil {
		return "", fmt.Errorf("%w (is Gatehouse's RESEND_BASE_URL loadgen's fake? see -resend-listen)", err)
	}
	if err := w.step(ctx, "GET activation link", http.MethodGet, link, nil, "/password/set"); err != nil {
		return "", err
	}
	if err := w.step(ctx, "POST /password/set", http.MethodPost, "/password/set",
		url.Values{"password": {cfg.password}, "password_confirm": {cfg.password}}, "/login"); err != nil {
		return "", err
	}
	return email, nil
}
