// Command loadgen drives a running Gatehouse over loopback: whole sign-up and password-reset
// walks by N virtual users, checked against a built-in fake Resend API, or one page (or inline
// validation) hammered at a fixed number of connections, or registration submits or sign-ins
// alone. See README.md, "### Load".
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"time"

	"gatehouse/internal/testkit/resendfake"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

// config is every flag, parsed.
type config struct {
	target       *url.URL   // the first of targets
	targets      []*url.URL // requests take turns among these (several instances behind no balancer)
	allowRemote  bool
	users        int
	duration     time.Duration
	flows        int
	resetRatio   float64
	mailGrace    time.Duration
	resendListen string
	spoofIP      bool
	timeout      time.Duration
	waitReady    time.Duration
	password     string
	page         string
	validate     bool
	conns        int
	runID        string
	register     bool
	signin       bool
	email        string
	pid          int
	resendDelay  time.Duration
	resendFail   float64
	baseline     string        // -baseline: serve the minimal comparison server here instead of loading
	outageAt     time.Duration // -resend-outage: when the fake's outage begins, after the start
	outageFor    time.Duration // and how long it lasts (0: no outage)
	session      bool          // -session: -page requests carry a session (signed in once, first)
	cookie       string        // the session's Cookie header, once signed in
	count        int           // -register -count: submit this many sign-ups at -rate, then wait for their mail
	rate         float64       // -rate: submits a second
	resendRPS    float64       // -resend-rps: the fake Resend API's request limit (0: none)
}

// rr takes turns among the targets, across every virtual user.
var rr atomic.Uint64

// base is the target the next request goes to.
func (c config) base() string {
	if len(c.targets) < 2 {
		return c.target.String()
	}
	return c.targets[rr.Add(1)%uint64(len(c.targets))].String()
}

func parseFlags(args []string, out io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(out)
	target := fs.String("target", "http://127.0.0.1:8080", "base URL of the running Gatehouse; several, comma-separated, take turns request by request (instances sharing one database)")
	fs.BoolVar(&c.allowRemote, "allow-remote", false, "allow a target (and -resend-listen) that is not a loopback address")
	fs.IntVar(&c.users, "users", 8, "virtual users, each walking the flows one after another")
	fs.DurationVar(&c.duration, "duration", 30*time.Second, "how long to run")
	fs.IntVar(&c.flows, "flows", 0, "stop after this many walks (0: only -duration limits)")
	fs.Float64Var(&c.resetRatio, "reset-ratio", 0.25, "share of walks that go on through forgot-password after sign-up")
	fs.DurationVar(&c.mailGrace, "mail-grace", 90*time.Second, "how long an expected email may take to reach the fake Resend API (above Gatehouse's MAIL_CLAIM_LEASE, so mail held by a killed instance counts; a run without faults ends as soon as all has arrived)")
	fs.StringVar(&c.resendListen, "resend-listen", "", "serve the fake Resend API on this address (e.g. 127.0.0.1:8090) instead of a random port")
	fs.BoolVar(&c.spoofIP, "spoof-ip", false, "send X-Forwarded-For with a distinct address per walk (Gatehouse believes it only with TRUSTED_PROXIES)")
	fs.DurationVar(&c.timeout, "timeout", 15*time.Second, "timeout of one request")
	fs.DurationVar(&c.waitReady, "wait-ready", 60*time.Second, "how long to wait for the target's /healthz before starting")
	fs.StringVar(&c.password, "password", "violet tractor umbrella seventeen harbour", "password set by every walk (the reset sets it with \" renewed\" appended)")
	fs.StringVar(&c.page, "page", "", "page mode: GET this path at -conns connections (e.g. /register)")
	fs.BoolVar(&c.validate, "validate", false, "validate mode: POST /register/validate?field=email at -conns connections")
	fs.IntVar(&c.conns, "conns", 64, "concurrent connections in -page, -validate, -register and -signin mode")
	fs.BoolVar(&c.register, "register", false, "register mode: only POST /register (a fresh address each time) at -conns connections")
	fs.BoolVar(&c.signin, "signin", false, "sign-in mode: POST /login for one account at -conns connections (the account is created first unless -email is given)")
	fs.StringVar(&c.email, "email", "", "-signin: an existing account to sign in to, with -password")
	fs.IntVar(&c.pid, "pid", 0, "-register, -signin: sample VmHWM and VmRSS of this local process (Gatehouse) from /proc")
	fs.DurationVar(&c.resendDelay, "resend-delay", 0, "make the built-in fake Resend API wait this long before every answer")
	fs.Float64Var(&c.resendFail, "resend-fail", 0, "share of sends (0 to 1) the built-in fake Resend API fails at random: 500, 429 with Retry-After, 503, a hang before accepting and a hang after accepting, taking turns")
	outage := fs.String("resend-outage", "", "START+LENGTH, e.g. 10s+15s: the fake Resend API fails every send from START after the run begins, for LENGTH")
	fs.StringVar(&c.baseline, "baseline", "", "serve a minimal Go HTTP server on this loopback host:port (a fixed page the size of /register, nothing else) until interrupted, to load with -page / for comparison")
	fs.IntVar(&c.count, "count", 0, "-register: submit exactly this many sign-ups at -rate, then wait (up to -mail-grace) for every activation email and report the time from submit to delivery")
	rate := fs.String("rate", "100/s", "-register -count: submits a second")
	fs.Float64Var(&c.resendRPS, "resend-rps", 0, "let the built-in fake Resend API take this many requests a second and answer 429 with Retry-After past it, as Resend's per-team limit (2) does (0: no limit)")
	fs.StringVar(&c.runID, "run", "", "run id used in generated addresses (default: from the clock)")
	fs.BoolVar(&c.session, "session", false, "-page: sign in once first (to -email with -password, or an account loadgen creates through its fake Resend API) and send that session on every request, e.g. for a path Gatehouse proxies to UPSTREAM_URL")
	verify := fs.Bool("verify", false, "forward-auth mode: GET /auth/verify with a live session (-page /auth/verify -session)")
	if err := fs.Parse(args[1:]); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *verify {
		if c.page != "" {
			return c, errors.New("-verify sets the page itself; leave -page out")
		}
		c.page, c.session = "/auth/verify", true
	}
	for _, raw := range strings.Split(*target, ",") {
		raw = strings.TrimSpace(raw)
		u, err := url.Parse(strings.TrimRight(raw, "/"))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return c, fmt.Errorf("-target %q: want http(s)://host:port", raw)
		}
		if !c.allowRemote && !isLoopback(u.Hostname()) {
			return c, fmt.Errorf("-target %q is not a loopback address; pass -allow-remote to load another machine", raw)
		}
		c.targets = append(c.targets, u)
	}
	if *outage != "" {
		at, length, ok := strings.Cut(*outage, "+")
		var err1, err2 error
		c.outageAt, err1 = time.ParseDuration(at)
		c.outageFor, err2 = time.ParseDuration(length)
		if !ok || err1 != nil || err2 != nil || c.outageAt < 0 || c.outageFor <= 0 {
			return c, fmt.Errorf("-resend-outage %q: want START+LENGTH such as 10s+15s", *outage)
		}
	}
	if c.count > 0 {
		r, err := parseRate(*rate)
		if err != nil {
			return c, err
		}
		c.rate = r
	}
	if c.baseline != "" {
		host, _, err := net.SplitHostPort(c.baseline)
		if err != nil || !isLoopback(host) {
			return c, fmt.Errorf("-baseline %q: want a loopback host:port such as 127.0.0.1:18099", c.baseline)
		}
	}
	if c.resendListen != "" && !c.allowRemote {
		host, _, err := net.SplitHostPort(c.resendListen)
		if err != nil || !isLoopback(host) {
			return c, fmt.Errorf("-resend-listen %q: want a loopback host:port such as 127.0.0.1:8090", c.resendListen)
		}
	}
	c.target = c.targets[0]
	switch {
	case c.users < 1, c.conns < 1:
		return c, errors.New("-users and -conns must be at least 1")
	case c.duration <= 0 || c.timeout <= 0:
		return c, errors.New("-duration and -timeout must be positive")
	case c.resetRatio < 0 || c.resetRatio > 1:
		return c, errors.New("-reset-ratio must be between 0 and 1")
	case modes(c) > 1:
		return c, errors.New("-page, -validate, -register and -signin exclude each other")
	case c.email != "" && !c.signin && !c.session:
		return c, errors.New("-email needs -signin or -session")
	case c.session && c.page == "":
		return c, errors.New("-session needs -page (or use -verify)")
	case c.pid < 0 || c.resendDelay < 0:
		return c, errors.New("-pid and -resend-delay must not be negative")
	case c.resendFail < 0 || c.resendFail > 1:
		return c, errors.New("-resend-fail must be between 0 and 1")
	case (c.resendFail > 0 || c.outageFor > 0) && (c.page != "" || c.validate):
		return c, errors.New("-resend-fail and -resend-outage need a mode that sends email (flows, -register or -signin)")
	case c.count < 0 || c.resendRPS < 0:
		return c, errors.New("-count and -resend-rps must not be negative")
	case c.count > 0 && !c.register:
		return c, errors.New("-count needs -register")
	case c.page != "" && !strings.HasPrefix(c.page, "/"):
		return c, errors.New("-page must be a path such as /register")
	}
	if c.runID == "" {
		c.runID = fmt.Sprintf("%x", time.Now().Unix()%0xffffff)
	}
	return c, nil
}

// modes counts the load modes chosen besides the default flow mode.
func modes(c config) int {
	n := 0
	for _, on := range []bool{c.page != "", c.validate, c.register, c.signin} {
		if on {
			n++
		}
	}
	return n
}

// isLoopback accepts localhost and loopback IP literals only.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	cfg, err := parseFlags(args, stdout)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if cfg.baseline != "" {
		return serveBaseline(ctx, cfg, stdout)
	}
	if (cfg.page != "" || cfg.validate) && !(cfg.session && cfg.email == "") {
		if err := waitReady(ctx, cfg); err != nil {
			return err
		}
		if cfg.session {
			if cfg.cookie, err = signInCookie(ctx, cfg, cfg.email); err != nil {
				return err
			}
		}
		rep := hammer(ctx, cfg)
		rep.print(stdout)
		if rep.ok == 0 {
			return errors.New("no request succeeded")
		}
		return nil
	}

	fake := resendfake.New()
	defer fake.Close()
	fake.SetDelay(cfg.resendDelay)
	fake.SetFaultRate(cfg.resendFail)
	fake.SetRequestRate(cfg.resendRPS)
	mailURL := fake.URL()
	if cfg.resendListen != "" {
		ln, err := net.Listen("tcp", cfg.resendListen)
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: fake.Handler(), ReadHeaderTimeout: 5 * time.Second}
		go srv.Serve(ln)
		defer srv.Close()
		mailURL = "http://" + ln.Addr().String() + "/"
	}
	fmt.Fprintf(stdout, "fake Resend API: %s\nstart Gatehouse with RESEND_API_KEY=x RESEND_BASE_URL=%s (and raised rate limits, see README \"### Load\")\n", mailURL, mailURL)
	if err := waitReady(ctx, cfg); err != nil {
		return err
	}
	if cfg.outageFor > 0 {
		begin := time.AfterFunc(cfg.outageAt, func() { fake.SetOutage(true) })
		end := time.AfterFunc(cfg.outageAt+cfg.outageFor, func() { fake.SetOutage(false) })
		defer begin.Stop()
		defer end.Stop()
	}
	defer printFaults(stdout, fake)
	if cfg.session {
		email, err := createAccount(ctx, cfg, fake)
		if err != nil {
			return fmt.Errorf("creating the account for -session: %w", err)
		}
		if cfg.cookie, err = signInCookie(ctx, cfg, email); err != nil {
			return err
		}
		rep := hammer(ctx, cfg)
		rep.print(stdout)
		if rep.ok == 0 {
			return errors.New("no request succeeded")
		}
		return nil
	}
	if cfg.count > 0 {
		rep := burst(ctx, cfg, fake)
		rep.print(stdout)
		return rep.err()
	}
	if cfg.register || cfg.signin {
		email := cfg.email
		if cfg.signin && email == "" {
			if email, err = createAccount(ctx, cfg, fake); err != nil {
				return fmt.Errorf("creating the sign-in account: %w", err)
			}
		}
		rep := submit(ctx, cfg, email, cfg.password)
		rep.print(stdout)
		if rep.ok == 0 {
			return errors.New("no request succeeded")
		}
		return nil
	}
	rep, err := flows(ctx, cfg, fake)
	if err != nil {
		return err
	}
	rep.print(stdout)
	if rep.lost > 0 || rep.duplicated > 0 {
		return fmt.Errorf("%d emails lost, %d duplicated", rep.lost, rep.duplicated)
	}
	if rep.completed == 0 {
		return errors.New("no flow completed")
	}
	return nil
}

// printFaults says which faults the fake Resend API served on purpose, if any.
func printFaults(w io.Writer, fake *resendfake.Server) {
	f := fake.Faults()
	if len(f) == 0 {
		return
	}
	fmt.Fprint(w, "faults served by the fake Resend API:")
	for k := resendfake.FaultServerError; k <= resendfake.FaultHangAfter; k++ {
		fmt.Fprintf(w, " %s %d;", k, f[k])
	}
	fmt.Fprintf(w, " of %d requests\n", fake.Requests())
}

// waitReady polls every target's /healthz until it answers 200, so loadgen can be started
// before Gatehouse.
func waitReady(ctx context.Context, cfg config) error {
	ctx, cancel := context.WithTimeout(ctx, cfg.waitReady)
	defer cancel()
	for _, t := range cfg.targets {
		if err := waitOne(ctx, cfg, t); err != nil {
			return err
		}
	}
	return nil
}

func waitOne(ctx context.Context, cfg config, target *url.URL) error {
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, target.String()+"/healthz", nil)
		resp, err := client.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("target %s did not become ready within %s (last error: %v)", target, cfg.waitReady, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
