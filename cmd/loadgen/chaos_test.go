package main

import (
	"bytes"
	"context"
	"database/sql"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
	"gatehouse/internal/testkit/resendfake"
	"gatehouse/internal/testkit/tcpproxy"
)

// instance is one Gatehouse process of the chaos test, restartable on its address.
type instance struct {
	t    *testing.T
	bin  string
	addr string
	env  []string

	mu   sync.Mutex
	cmd  *exec.Cmd
	logs bytes.Buffer
}

func (in *instance) start() {
	in.t.Helper()
	cmd := exec.Command(in.bin)
	cmd.Env = append(in.env, "ADDR="+in.addr)
	in.mu.Lock()
	cmd.Stdout, cmd.Stderr = &syncWriter{mu: &in.mu, w: &in.logs}, &syncWriter{mu: &in.mu, w: &in.logs}
	in.cmd = cmd
	in.mu.Unlock()
	if err := cmd.Start(); err != nil {
		in.t.Fatal(err)
	}
	for i := 0; ; i++ {
		if code := get("http://" + in.addr + "/healthz"); code == http.StatusOK {
			return
		}
		if i > 300 {
			in.t.Fatalf("gatehouse on %s did not start", in.addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill ends the process with SIGKILL: no drain, no goodbye.
func (in *instance) kill() {
	in.mu.Lock()
	cmd := in.cmd
	in.mu.Unlock()
	cmd.Process.Kill()
	cmd.Wait()
}

type syncWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func get(u string) int {
	c := &http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get(u)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestChaos walks sign-ups and resets through two instances on one PostgreSQL database while
// the fake Resend API fails a fifth of its sends at random (500, 429, 503, hangs before and
// after accepting), then: PostgreSQL goes away for 3 s (every connection cut, as a restart
// does), one instance is killed with SIGKILL and started again, and Resend is down for 3 s.
// Every email a walk was promised arrives exactly once, /readyz tells the outage, and walks
// complete again afterwards without restarting the instance that stayed up.
func TestChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs cmd/gatehouse twice")
	}
	dsn := storetest.DSN(t, storetest.Postgres)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy, err := tcpproxy.Start(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Down()
	u.Host = proxy.Addr()

	fake := resendfake.New()
	defer fake.Close()
	fake.SetFaultRate(0.2)
	// The random fifth alone can miss a kind: batches make few requests in a short run.
	fake.FailRotation(int(resendfake.FaultHangAfter) + 1)

	tmp := t.TempDir()
	bin := buildGatehouse(t, tmp)
	a, b := freeAddr(t), freeAddr(t)
	env := append(os.Environ(),
		"DATABASE_URL="+u.String(), "BASE_URL=http://"+a,
		"RESEND_API_KEY=re_test", "RESEND_BASE_URL="+fake.URL(),
		"RATE_LIMIT_EMAIL_PER_IP=1000000/1h", "RATE_LIMIT_LOGIN_PER_IP=1000000/1m",
		"RATE_LIMIT_EMAIL_PER_ADDRESS=100/1h", "TOKEN_ATTEMPTS_PER_IP=1000000",
		"MAIL_POLL_INTERVAL=200ms", "MAIL_RETRY_DELAY=200ms", "MAIL_SEND_TIMEOUT=1s", "MAIL_CLAIM_LEASE=3s",
		"LOG_LEVEL=warn", "METRICS_ADDR=127.0.0.1:0") // two instances: no fixed metrics port
	ia := &instance{t: t, bin: bin, addr: a, env: env}
	ib := &instance{t: t, bin: bin, addr: b, env: env}
	ia.start()
	ib.start()
	defer func() {
		ia.kill()
		ib.kill()
		if t.Failed() {
			t.Logf("instance A:\n%s\ninstance B:\n%s", ia.logs.String(), ib.logs.String())
		}
	}()

	cfg, err := parseFlags([]string{"loadgen", "-target", "http://" + a + ",http://" + b,
		"-users", "4", "-duration", "22s", "-mail-grace", "40s", "-reset-ratio", "0.5", "-timeout", "10s"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	done := make(chan *flowReport, 1)
	go func() {
		rep, err := flows(ctx, cfg, fake)
		if err != nil {
			t.Error(err)
		}
		done <- rep
	}()

	sleep := func(d time.Duration) {
		select {
		case <-time.After(d):
		case <-ctx.Done():
		}
	}
	sleep(4 * time.Second)
	proxy.Down() // PostgreSQL "restarts"
	sleep(time.Second)
	readyDuring := get("http://" + b + "/readyz")
	sleep(2 * time.Second)
	if err := proxy.Up(); err != nil {
		t.Fatal(err)
	}
	sleep(3 * time.Second)
	ia.kill() // mid-send, mid-request, whatever it was doing
	sleep(time.Second)
	ia.start()
	sleep(2 * time.Second)
	fake.SetOutage(true)
	sleep(3 * time.Second)
	fake.SetOutage(false)
	rep := <-done
	if rep == nil {
		t.Fatal("no report")
	}

	var out bytes.Buffer
	rep.print(&out)
	printFaults(&out, fake)
	t.Log(out.String())

	if readyDuring != http.StatusServiceUnavailable {
		t.Errorf("/readyz while PostgreSQL was away: %d, want 503", readyDuring)
	}
	if rep.lost != 0 || rep.duplicated != 0 || rep.expected == 0 {
		t.Errorf("emails: expected %d, lost %d, duplicated %d; want none lost or duplicated", rep.expected, rep.lost, rep.duplicated)
	}
	if rep.failed == 0 {
		// Possible when every user was waiting for mail through both cuts;
		// /readyz above proves the database was away under load all the same.
		t.Log("no walk failed: every user was between requests during the cuts")
	}
	f := fake.Faults()
	if f[resendfake.FaultHangAfter] == 0 || f[resendfake.FaultServerError] == 0 {
		t.Errorf("the fake served too few faults: %v", f)
	}
	// Service resumed: walks completed in the last seconds, after every fault had ended.
	rep.st.mu.Lock()
	late := 0
	for _, s := range rep.st.secs[min(19, len(rep.st.secs)):] {
		late += s.ok
	}
	errs := rep.st.errors
	rep.st.mu.Unlock()
	if late == 0 {
		t.Error("no request succeeded in the last seconds of the run: service did not resume")
	}
	// Failures are clean: an error status or a refused/cut connection, never a wrong page.
	for kind := range errs {
		if strings.Contains(kind, "landed on") || strings.Contains(kind, "status 4") {
			t.Errorf("unclean failure: %s", kind)
		}
	}

	// Nothing left behind in the outbox: every row was sent (walks cut off at the end
	// included), none failed for good.
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var pending, failed int
		if err := db.QueryRow(`SELECT count(*) FILTER (WHERE status = $1), count(*) FILTER (WHERE status = $2) FROM outbox`,
			store.OutboxPending, store.OutboxFailed).Scan(&pending, &failed); err != nil {
			t.Fatal(err)
		}
		if failed > 0 {
			t.Fatalf("%d outbox rows failed for good", failed)
		}
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d outbox rows still unsent 30 s after the run", pending)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
