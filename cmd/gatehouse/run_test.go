package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/store/storetest"
	"gatehouse/internal/testkit/resendfake"
	"gatehouse/migrations"
)

// instance is a Gatehouse started through run, as main starts it.
type instance struct {
	base string
	// metrics is the URL of the scrape on the metrics listener; "" when off.
	metrics string
	done    chan error
	stop    context.CancelFunc
	out     *lineWriter
}

// lineWriter hands run's output to the test line by line.
type lineWriter struct {
	pw    *io.PipeWriter
	lines chan string
}

func newLineWriter() *lineWriter {
	pr, pw := io.Pipe()
	lw := &lineWriter{pw: pw, lines: make(chan string, 1000)}
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			select {
			case lw.lines <- sc.Text():
			default: // the test reads only the start; drop the rest
			}
		}
	}()
	return lw
}

func (l *lineWriter) Write(p []byte) (int, error) { return l.pw.Write(p) }

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// start runs Gatehouse with env (plus ADDR and BASE_URL on a free port,
// and metrics on a port of the system's choosing, so that tests never
// meet on the default one) and waits until it listens.
func start(t *testing.T, env map[string]string) *instance {
	t.Helper()
	addr := freeAddr(t)
	vars := map[string]string{"ADDR": addr, "BASE_URL": "http://" + addr, "MAIL_POLL_INTERVAL": "100ms", "MAIL_RETRY_DELAY": "100ms",
		"METRICS_ADDR": "127.0.0.1:0"}
	for k, v := range env {
		vars[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	in := &instance{base: "http://" + addr, done: make(chan error, 1), stop: cancel, out: newLineWriter()}
	go func() { in.done <- run(ctx, []string{"gatehouse"}, func(k string) string { return vars[k] }, in.out) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-in.done:
		case <-time.After(30 * time.Second):
			t.Error("gatehouse did not shut down")
		}
	})
	deadline := time.After(30 * time.Second)
	for {
		select {
		case line := <-in.out.lines:
			if u, ok := strings.CutPrefix(line, "Prometheus metrics at "); ok {
				in.metrics = u
			}
			if strings.Contains(line, "Gatehouse is listening on") {
				return in
			}
		case err := <-in.done:
			t.Fatalf("gatehouse stopped at start-up: %v", err)
		case <-deadline:
			t.Fatal("gatehouse did not start")
		}
	}
}

type client struct {
	t    *testing.T
	base string
	c    *http.Client
}

func (in *instance) client(t *testing.T) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: in.base, c: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
}

// get and post follow redirects like a browser and return the final page.
func (c *client) get(path string) (int, string) {
	c.t.Helper()
	resp, err := c.c.Get(c.url(path))
	return c.read(resp, err)
}

func (c *client) post(path string, form url.Values) (int, string) {
	c.t.Helper()
	resp, err := c.c.PostForm(c.url(path), form)
	return c.read(resp, err)
}

func (c *client) url(path string) string {
	if strings.HasPrefix(path, "http") {
		return path
	}
	return c.base + path
}

func (c *client) read(resp *http.Response, err error) (int, string) {
	c.t.Helper()
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var activateLink = regexp.MustCompile(`https?://[^\s<>"]+/activate\?token=[A-Za-z0-9_-]+`)

const pw = "correct horse battery staple"

func registration(email string) url.Values {
	return url.Values{"first_name": {"Grace"}, "last_name": {"Hopper"}, "company": {"Navy"},
		"country": {"US"}, "email": {email}, "accept_terms": {"on"}}
}

// TestRunDevMailbox starts Gatehouse as a newcomer would (SQLite file, dev
// mailbox) and walks the sign-up through the mailbox page, on both backends.
func TestRunDevMailbox(t *testing.T) {
	for _, backend := range []storetest.Backend{storetest.SQLite, storetest.Postgres} {
		t.Run(string(backend), func(t *testing.T) {
			in := start(t, map[string]string{"DATABASE_URL": storetest.DSN(t, backend)})
			c := in.client(t)
			if code, body := c.get("/healthz"); code != 200 || body != "ok\n" {
				t.Fatalf("healthz: %d %q", code, body)
			}
			if code, _ := c.get("/readyz"); code != 200 {
				t.Fatalf("readyz: %d", code)
			}
			if code, body := c.post("/register", registration("grace@example.com")); code != 200 || !strings.Contains(body, "Check your inbox") {
				t.Fatalf("register: %d\n%s", code, body)
			}
			var link string
			for i := 0; i < 50 && link == ""; i++ {
				_, box := c.get("/dev/mailbox")
				link = activateLink.FindString(box)
				if link == "" {
					time.Sleep(100 * time.Millisecond)
				}
			}
			if link == "" {
				t.Fatal("no activation link in the dev mailbox")
			}
			if code, body := c.get(link); code != 200 || !strings.Contains(body, "Set Password") {
				t.Fatalf("activate: %d\n%s", code, body)
			}
			if code, body := c.post("/password/set", url.Values{"password": {pw}, "password_confirm": {pw}}); code != 200 || !strings.Contains(body, "Your password is set") {
				t.Fatalf("set password: %d\n%s", code, body)
			}
			code, body := c.post("/login", url.Values{"email": {"grace@example.com"}, "password": {pw}})
			if code != 200 || !strings.Contains(body, "Welcome, Grace Hopper.") {
				t.Fatalf("login: %d\n%s", code, body)
			}
		})
	}
}

// TestRunResend sends through a fake Resend API that fails once: the mail
// arrives once, with an idempotency key, and the user's answer is unchanged.
func TestRunResend(t *testing.T) {
	fake := resendfake.New()
	defer fake.Close()
	fake.FailNext(1, http.StatusInternalServerError)
	in := start(t, map[string]string{
		"DATABASE_URL":    storetest.DSN(t, storetest.SQLite),
		"RESEND_API_KEY":  "re_test_key",
		"RESEND_BASE_URL": fake.URL(),
		"MAIL_FROM":       "Gatehouse <noreply@gatehouse.test>",
	})
	c := in.client(t)
	if code, body := c.post("/register", registration("grace@example.com")); code != 200 || !strings.Contains(body, "Check your inbox") {
		t.Fatalf("register with Resend failing: %d\n%s", code, body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	mails, err := fake.WaitFor(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond) // room for a wrong second send
	mails = fake.Emails()
	if len(mails) != 1 || mails[0].IdempotencyKey == "" || mails[0].To != "grace@example.com" ||
		mails[0].From != "Gatehouse <noreply@gatehouse.test>" || !activateLink.MatchString(mails[0].Text) {
		t.Fatalf("want one activation email with an idempotency key, got %+v", mails)
	}
	if fake.Requests() != 2 {
		t.Fatalf("want the failed attempt and one retry, got %d requests", fake.Requests())
	}
	if code, _ := c.get("/dev/mailbox"); code != http.StatusNotFound {
		t.Fatalf("dev mailbox must be off with a Resend key, got %d", code)
	}
}

// TestMigrateCommand applies the migrations without serving.
func TestMigrateCommand(t *testing.T) {
	dsn := storetest.DSN(t, storetest.SQLite)
	env := func(k string) string { return map[string]string{"DATABASE_URL": dsn}[k] }
	var out strings.Builder
	if err := run(context.Background(), []string{"gatehouse", "migrate"}, env, &out); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("%d migrations applied", len(migrations.Migrations.Sorted())); !strings.Contains(out.String(), want) {
		t.Fatalf("first migrate: %q", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"gatehouse", "migrate"}, env, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "0 migrations applied") {
		t.Fatalf("second migrate: %q", out.String())
	}
}

// TestBadConfigStops names the variable at fault.
func TestBadConfigStops(t *testing.T) {
	err := run(context.Background(), []string{"gatehouse"}, func(k string) string {
		return map[string]string{"PASSWORD_MIN_LENGTH": "6"}[k]
	}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "PASSWORD_MIN_LENGTH") {
		t.Fatalf("err = %v, want one naming PASSWORD_MIN_LENGTH", err)
	}
}

// TestServerTimeouts: rule 35, every phase of a connection is bounded.
func TestServerTimeouts(t *testing.T) {
	srv := newHTTPServer(http.NotFoundHandler(), slog.Default())
	for name, d := range map[string]time.Duration{"ReadHeaderTimeout": srv.ReadHeaderTimeout, "ReadTimeout": srv.ReadTimeout,
		"WriteTimeout": srv.WriteTimeout, "IdleTimeout": srv.IdleTimeout} {
		if d <= 0 || d > 2*time.Minute {
			t.Errorf("%s = %v, want a bound of at most 2m", name, d)
		}
	}
	if srv.MaxHeaderBytes <= 0 || srv.MaxHeaderBytes > 64<<10 {
		t.Errorf("MaxHeaderBytes = %d", srv.MaxHeaderBytes)
	}
}

// TestDevMailboxRefused (issue 12 item 5): the dev mailbox is never the
// fall-back. With an https BASE_URL and no key, or DEV_MAILBOX asked for
// beside https or a key, start-up stops saying what to set, before the
// database is opened.
func TestDevMailboxRefused(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"BASE_URL": "https://accounts.example.com"}, "RESEND_API_KEY"},
		{map[string]string{"BASE_URL": "http://accounts.example.com"}, "DEV_MAILBOX=true"},
		{map[string]string{"BASE_URL": "https://accounts.example.com", "DEV_MAILBOX": "true"}, "DEV_MAILBOX"},
		{map[string]string{"RESEND_API_KEY": "re_test", "DEV_MAILBOX": "true"}, "DEV_MAILBOX"},
	} {
		dir := t.TempDir()
		tt.env["DATABASE_URL"] = dir + "/g.db"
		err := run(context.Background(), []string{"gatehouse"}, func(k string) string { return tt.env[k] }, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: err %v, want one naming %s", tt.env, err, tt.want)
		}
		if entries, _ := os.ReadDir(dir); len(entries) > 0 {
			t.Errorf("%v: the database was opened", tt.env)
		}
	}
}

// TestDevMailboxAskedFor: DEV_MAILBOX=true keeps the mailbox on an http
// base URL that is not localhost (a LAN demo), still for loopback
// clients only.
func TestDevMailboxAskedFor(t *testing.T) {
	in := start(t, map[string]string{"DATABASE_URL": storetest.DSN(t, storetest.SQLite), "DEV_MAILBOX": "true",
		"BASE_URL": "http://gatehouse.lan:18399"})
	c := in.client(t)
	if code, _ := c.get("/dev/mailbox"); code != 200 {
		t.Fatalf("/dev/mailbox from loopback: %d", code)
	}
	req, _ := http.NewRequest("GET", in.base+"/dev/mailbox", nil)
	req.Header.Set("X-Forwarded-For", "127.0.0.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("/dev/mailbox forwarded: %d, want 404", resp.StatusCode)
	}
}
