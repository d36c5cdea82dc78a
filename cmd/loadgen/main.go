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
	"time"

	"gatehouse/internal/resendfake"
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
	target       *url.URL
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
}

func parseFlags(args []string, out io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(out)
	target := fs.String("target", "http://127.0.0.1:8080", "base URL of the running Gatehouse")
	fs.BoolVar(&c.allowRemote, "allow-remote", false, "allow a target (and -resend-listen) that is not a loopback address")
	fs.IntVar(&c.users, "users", 8, "virtual users, each walking the flows one after another")
	fs.DurationVar(&c.duration, "duration", 30*time.Second, "how long to run")
	fs.IntVar(&c.flows, "flows", 0, "stop after this many walks (0: only -duration limits)")
	fs.Float64Var(&c.resetRatio, "reset-ratio", 0.25, "share of walks that go on through forgot-password after sign-up")
	fs.DurationVar(&c.mailGrace, "mail-grace", 10*time.Second, "how long an expected email may take to reach the fake Resend API")
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
	fs.StringVar(&c.runID, "run", "", "run id used in generated addresses (default: from the clock)")
	if err := fs.Parse(args[1:]); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	u, err := url.Parse(strings.TrimRight(*target, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, fmt.Errorf("-target %q: want http(s)://host:port", *target)
	}
	if !c.allowRemote && !isLoopback(u.Hostname()) {
		return c, fmt.Errorf("-target %q is not a loopback address; pass -allow-remote to load another machine", *target)
	}
	if c.resendListen != "" && !c.allowRemote {
		host, _, err := net.SplitHostPort(c.resendListen)
		if err != nil || !isLoopback(host) {
			return c, fmt.Errorf("-resend-listen %q: want a loopback host:port such as 127.0.0.1:8090", c.resendListen)
		}
	}
	c.target = u
	switch {
	case c.users < 1, c.conns < 1:
		return c, errors.New("-users and -conns must be at least 1")
	case c.duration <= 0 || c.timeout <= 0:
		return c, errors.New("-duration and -timeout must be positive")
	case c.resetRatio < 0 || c.resetRatio > 1:
		return c, errors.New("-reset-ratio must be between 0 and 1")
	case modes(c) > 1:
		return c, errors.New("-page, -validate, -register and -signin exclude each other")
	case c.email != "" && !c.signin:
		return c, errors.New("-email needs -signin")
	case c.pid < 0 || c.resendDelay < 0:
		return c, errors.New("-pid and -resend-delay must not be negative")
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
	if cfg.page != "" || cfg.validate {
		if err := waitReady(ctx, cfg); err != nil {
			return err
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

// waitReady polls /healthz until it answers 200, so loadgen can be started before Gatehouse.
func waitReady(ctx context.Context, cfg config) error {
	ctx, cancel := context.WithTimeout(ctx, cfg.waitReady)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, cfg.target.String()+"/healthz", nil)
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
			return fmt.Errorf("target %s did not become ready within %s (last error: %v)", cfg.target, cfg.waitReady, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
