package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"gatehouse/internal/testkit/resendfake"
)

// flowReport is the outcome of a flow run.
type flowReport struct {
	elapsed   time.Duration
	users     int
	started   int64
	completed int64
	failed    int64
	cutOff    int64
	st        *stats

	expected, received, lost, duplicated, unexpected, replays int
	lostTo                                                    []string
}

// mailWatch indexes what the fake Resend API records by recipient, for the walks to wait on.
type mailWatch struct {
	mu      sync.Mutex
	byTo    map[string][]resendfake.Email
	changed chan struct{}
}

func watchMail(ctx context.Context, fake *resendfake.Server) *mailWatch {
	m := &mailWatch{byTo: map[string][]resendfake.Email{}, changed: make(chan struct{})}
	go func() {
		seen := 0
		for {
			all, err := fake.WaitFor(ctx, seen+1)
			if err != nil {
				return
			}
			m.mu.Lock()
			for _, e := range all[seen:] {
				to := strings.ToLower(e.To)
				m.byTo[to] = append(m.byTo[to], e)
			}
			seen = len(all)
			close(m.changed)
			m.changed = make(chan struct{})
			m.mu.Unlock()
		}
	}()
	return m
}

var linkRE = regexp.MustCompile(`https?://[^\s"'<>]+`)

// awaitLink waits for an email to `to` holding a link whose path is path, and returns that
// link's path and query, for a request to whichever target comes next (the email's host is
// Gatehouse's BASE_URL, which may differ).
func (m *mailWatch) awaitLink(ctx context.Context, to, path string) (string, error) {
	to = strings.ToLower(to)
	for {
		m.mu.Lock()
		for _, e := range m.byTo[to] {
			for _, raw := range linkRE.FindAllString(e.Text+" "+strings.ReplaceAll(e.HTML, "&amp;", "&"), -1) {
				u, err := url.Parse(raw)
				if err == nil && u.Path == path && u.Query().Get("token") != "" {
					m.mu.Unlock()
					return u.Path + "?" + u.RawQuery, nil
				}
			}
		}
		ch := m.changed
		m.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
}

// ledger is what the walks expect the fake to have received, per recipient.
type ledger struct {
	mu       sync.Mutex
	expected map[string]int
}

func (l *ledger) expect(to string) {
	l.mu.Lock()
	l.expected[strings.ToLower(to)]++
	l.mu.Unlock()
}

// failurePause is how long a virtual user waits after a failed walk before the next.
const failurePause = 250 * time.Millisecond

// flows runs the virtual users, then checks the mail.
func flows(ctx context.Context, cfg config, fake *resendfake.Server) (*flowReport, error) {
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	mw := watchMail(watchCtx, fake)
	led := &ledger{expected: map[string]int{}}
	rep := &flowReport{users: cfg.users, st: newStats()}

	tr := &http.Transport{MaxIdleConns: 4 * cfg.users, MaxIdleConnsPerHost: 4 * cfg.users, IdleConnTimeout: 30 * time.Second}
	defer tr.CloseIdleConnections()

	runCtx, cancel := context.WithTimeout(ctx, cfg.duration)
	defer cancel()
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for u := 0; u < cfg.users; u++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for runCtx.Err() == nil {
				n := next.Add(1) - 1
				if cfg.flows > 0 && n >= int64(cfg.flows) {
					return
				}
				atomic.AddInt64(&rep.started, 1)
				w := &walk{cfg: cfg, n: n, user: u, st: rep.st, mail: mw, led: led}
				w.client = &http.Client{Transport: tr, Timeout: cfg.timeout}
				w.client.Jar, _ = cookiejar.New(nil)
				err := w.run(runCtx)
				switch {
				case err == nil:
					atomic.AddInt64(&rep.completed, 1)
				case runCtx.Err() != nil:
					atomic.AddInt64(&rep.cutOff, 1)
				default:
					atomic.AddInt64(&rep.failed, 1)
					// A person whose page failed does not try again within a millisecond;
					// without a pause an outage turns into thousands of instant walks.
					select {
					case <-time.After(failurePause):
					case <-runCtx.Done():
					}
				}
			}
		}()
	}
	wg.Wait()
	rep.elapsed = time.Since(start)

	// Give the outbox the grace period to deliver everything expected.
	graceCtx, gcancel := context.WithTimeout(ctx, cfg.mailGrace)
	defer gcancel()
	for !rep.tally(fake, led, cfg.runID) {
		select {
		case <-graceCtx.Done():
		case <-time.After(100 * time.Millisecond):
			continue
		}
		break
	}
	if rep.lost == 0 {
		// A duplicate from a retried send would land a moment later.
		select {
		case <-time.After(500 * time.Millisecond):
		case <-ctx.Done():
		}
	}
	rep.tally(fake, led, cfg.runID)
	return rep, nil
}

// tally compares what the fake recorded with the ledger; it reports whether nothing is missing.
func (r *flowReport) tally(fake *resendfake.Server, led *ledger, runID string) bool {
	prefix := "lg-" + runID + "-"
	got := map[string]int{}
	bySubject := map[string]int{}
	byKey := map[string]int{}
	for _, e := range fake.Emails() {
		to := strings.ToLower(e.To)
		if !strings.HasPrefix(to, prefix) {
			continue
		}
		got[to]++
		bySubject[to+"\x00"+e.Subject]++
		if e.IdempotencyKey != "" {
			byKey[e.IdempotencyKey]++
		}
	}
	r.replays = 0
	for k, n := range fake.CountByKey() {
		if byKey[k] > 0 && n > 1 {
			r.replays += n - 1
		}
	}
	r.received, r.duplicated, r.lost, r.unexpected, r.expected = 0, 0, 0, 0, 0
	r.lostTo = r.lostTo[:0]
	for _, n := range got {
		r.received += n
	}
	// Every email a walk causes has its own subject, so a recipient+subject seen twice is a
	// duplicate, as is an idempotency key recorded twice.
	for _, n := range bySubject {
		r.duplicated += n - 1
	}
	for _, n := range byKey {
		r.duplicated += n - 1
	}
	led.mu.Lock()
	for to, want := range led.expected {
		r.expected += want
		if have := got[to]; have < want {
			r.lost += want - have
			r.lostTo = append(r.lostTo, to)
		}
	}
	for to, have := range got {
		if have > led.expected[to] {
			r.unexpected += have - led.expected[to]
		}
	}
	led.mu.Unlock()
	sort.Strings(r.lostTo)
	return r.lost == 0
}

func (r *flowReport) print(w io.Writer) {
	fmt.Fprintf(w, "\n%d users, %s: %d walks started, %d completed, %d failed, %d cut off by the end of the run\n",
		r.users, r.elapsed.Round(time.Millisecond), r.started, r.completed, r.failed, r.cutOff)
	fmt.Fprintf(w, "completed flows/s: %.2f\n\n", float64(r.completed)/r.elapsed.Seconds())
	r.st.print(w, r.elapsed)
	r.st.printTimeline(w)
	fmt.Fprintf(w, "\nemails (fake Resend API): expected %d, received %d, lost %d, duplicated %d, unexpected %d, idempotent replays %d\n",
		r.expected, r.received, r.lost, r.duplicated, r.unexpected, r.replays)
	for i, to := range r.lostTo {
		if i == 10 {
			fmt.Fprintf(w, "  … and %d more\n", len(r.lostTo)-10)
			break
		}
		fmt.Fprintf(w, "  lost: %s\n", to)
	}
}

// walk is one virtual user's pass through sign-up (and maybe forgot-password), with its own cookies.
type walk struct {
	cfg    config
	n      int64
	user   int
	client *http.Client
	st     *stats
	mail   *mailWatch
	led    *ledger
}

// doReset spreads the resets evenly: exactly ratio of the walks, up to rounding.
func (w *walk) doReset() bool {
	r := w.cfg.resetRatio
	return int(float64(w.n+1)*r) > int(float64(w.n)*r)
}

func (w *walk) run(ctx context.Context) error {
	email := fmt.Sprintf("lg-%s-%d-%d@example.test", w.cfg.runID, w.user, w.n)
	pw := w.cfg.password
	if err := w.step(ctx, "GET /register", http.MethodGet, "/register", nil, "/register"); err != nil {
		return err
	}
	err := w.step(ctx, "POST /register", http.MethodPost, "/register", url.Values{
		"first_name": {"Load"}, "last_name": {fmt.Sprintf("User%d", w.user)}, "company": {"Acme Widgets"},
		"country": {"GB"}, "email": {email}, "accept_terms": {"on"},
	}, "/register/sent")
	if err != nil {
		return err
	}
	w.led.expect(email) // activation
	link, err := w.awaitMail(ctx, "mail activation", email, "/activate")
	if err != nil {
		return err
	}
	if err := w.step(ctx, "GET activation link", http.MethodGet, link, nil, "/password/set"); err != nil {
		return err
	}
	if err := w.step(ctx, "POST /password/set", http.MethodPost, "/password/set",
		url.Values{"password": {pw}, "password_confirm": {pw}}, "/login"); err != nil {
		return err
	}
	w.led.expect(email) // "your account is ready"
	if err := w.signIn(ctx, "POST /login", email, pw); err != nil {
		return err
	}
	if err := w.step(ctx, "GET /account", http.MethodGet, "/account", nil, "/account"); err != nil {
		return err
	}
	if err := w.step(ctx, "POST /logout", http.MethodPost, "/logout", url.Values{}, "/login"); err != nil {
		return err
	}
	if !w.doReset() {
		return nil
	}
	if err := w.step(ctx, "POST /password/forgot", http.MethodPost, "/password/forgot",
		url.Values{"email": {email}}, "/password/forgot/sent"); err != nil {
		return err
	}
	w.led.expect(email) // reset link
	link, err = w.awaitMail(ctx, "mail reset", email, "/password/reset")
	if err != nil {
		return err
	}
	if err := w.step(ctx, "GET reset link", http.MethodGet, link, nil, "/password/reset"); err != nil {
		return err
	}
	pw += " renewed"
	if err := w.step(ctx, "POST /password/reset", http.MethodPost, "/password/reset",
		url.Values{"password": {pw}, "password_confirm": {pw}}, "/login"); err != nil {
		return err
	}
	w.led.expect(email) // "your password was changed"
	return w.signIn(ctx, "POST /login (new pw)", email, pw)
}

func (w *walk) signIn(ctx context.Context, name, email, pw string) error {
	return w.step(ctx, name, http.MethodPost, "/login", url.Values{"email": {email}, "password": {pw}}, "/account")
}

// awaitMail times how long the email took to reach the fake after the request that caused it.
func (w *walk) awaitMail(ctx context.Context, name, to, path string) (string, error) {
	mctx, cancel := context.WithTimeout(ctx, w.cfg.mailGrace)
	defer cancel()
	t0 := time.Now()
	link, err := w.mail.awaitLink(mctx, to, path)
	if err != nil {
		if ctx.Err() == nil {
			w.st.record(name, 0, "not received within -mail-grace")
		}
		return "", fmt.Errorf("%s: %w", name, err)
	}
	w.st.record(name, time.Since(t0), "")
	return link, nil
}

// step sends one request (following redirects) and checks it ends with 200 on wantPath.
func (w *walk) step(ctx context.Context, name, method, target string, form url.Values, wantPath string) error {
	if strings.HasPrefix(target, "/") {
		target = w.cfg.base() + target
	}
	rctx, cancel := context.WithTimeout(ctx, w.cfg.timeout)
	defer cancel()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(rctx, method, target, body)
	if err != nil {
		return err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if w.cfg.spoofIP {
		// One address per walk, 10.0.0.0/8, so per-IP limits see many clients.
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", (w.n>>16)&255, (w.n>>8)&255, w.n&255))
	}
	t0 := time.Now()
	resp, err := w.client.Do(req)
	kind := ""
	if err != nil {
		kind = errClass(err)
	} else {
		_, rerr := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		switch {
		case rerr != nil:
			kind = "read: " + errClass(rerr)
		case resp.StatusCode != http.StatusOK:
			kind = fmt.Sprintf("status %d", resp.StatusCode)
		case resp.Request.URL.Path != wantPath:
			kind = "landed on " + resp.Request.URL.Path
		}
	}
	d := time.Since(t0)
	if kind != "" {
		if ctx.Err() != nil {
			return ctx.Err() // the run ended under it: not the server's failure
		}
		w.st.record(name, d, kind)
		return fmt.Errorf("%s: %s", name, kind)
	}
	w.st.record(name, d, "")
	return nil
}

// errClass names a transport error briefly, for the error table.
func errClass(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "eof"
	case errors.Is(err, syscall.EADDRNOTAVAIL), errors.Is(err, os.ErrDeadlineExceeded):
		return "no local port / deadline"
	}
	return "error"
}
