package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/testkit/resendfake"
)

func TestRefusesRemoteTarget(t *testing.T) {
	for _, target := range []string{"http://example.com:8080", "http://10.0.0.1", "http://[::2]:80"} {
		if _, err := parseFlags([]string{"loadgen", "-target", target}, &bytes.Buffer{}); err == nil {
			t.Errorf("-target %s accepted without -allow-remote", target)
		}
	}
	for _, target := range []string{"http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:8080"} {
		if _, err := parseFlags([]string{"loadgen", "-target", target}, &bytes.Buffer{}); err != nil {
			t.Errorf("-target %s refused: %v", target, err)
		}
	}
	if _, err := parseFlags([]string{"loadgen", "-target", "http://example.com", "-allow-remote"}, &bytes.Buffer{}); err != nil {
		t.Errorf("-allow-remote ignored: %v", err)
	}
}

// TestFlowsAgainstGatehouse builds the real binary, runs it on SQLite against a fake Resend
// API, and walks six sign-ups through it.
func TestFlowsAgainstGatehouse(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs cmd/gatehouse")
	}
	tmp := t.TempDir()
	bin := buildGatehouse(t, tmp)

	fake := resendfake.New()
	defer fake.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var logs bytes.Buffer
	gh := exec.CommandContext(ctx, bin)
	gh.Env = append(os.Environ(),
		"ADDR="+addr,
		"BASE_URL=http://"+addr,
		"DATABASE_URL="+filepath.Join(tmp, "g.db"),
		"RESEND_API_KEY=x",
		"RESEND_BASE_URL="+fake.URL(),
		"RATE_LIMIT_EMAIL_PER_IP=1000000/1h",
		"RATE_LIMIT_LOGIN_PER_IP=1000000/1m",
		"RATE_LIMIT_EMAIL_PER_ADDRESS=100/1h",
		"TOKEN_ATTEMPTS_PER_IP=1000000",
		"MAIL_POLL_INTERVAL=100ms",
		"LOG_LEVEL=warn",
		"METRICS_ADDR=127.0.0.1:0",
	)
	gh.Stdout, gh.Stderr = &logs, &logs
	if err := gh.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		gh.Process.Kill()
		gh.Wait()
		if t.Failed() {
			t.Logf("gatehouse output:\n%s", logs.String())
		}
	}()

	cfg, err := parseFlags([]string{"loadgen", "-target", "http://" + addr, "-flows", "6", "-users", "2",
		"-duration", "40s", "-wait-ready", "20s", "-reset-ratio", "0.5"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if err := waitReady(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	rep, err := flows(ctx, cfg, fake)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	rep.print(&out)
	t.Log(out.String())
	if rep.completed != 6 || rep.failed != 0 {
		t.Errorf("completed %d flows and failed %d, want 6 and 0", rep.completed, rep.failed)
	}
	// Six activations and six "account ready", plus reset and "changed" for three walks.
	if rep.expected != 18 || rep.received != 18 || rep.lost != 0 || rep.duplicated != 0 {
		t.Errorf("emails: expected %d received %d lost %d duplicated %d, want 18/18/0/0",
			rep.expected, rep.received, rep.lost, rep.duplicated)
	}
}

// buildGatehouse builds cmd/gatehouse into dir and returns the binary's path.
func buildGatehouse(t *testing.T, dir string) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	bin := filepath.Join(dir, "gatehouse")
	build := exec.Command("go", "build", "-o", bin, "./cmd/gatehouse")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		if strings.Contains(string(out), ".go:") { // a compile error is the code's fault
			t.Fatalf("go build ./cmd/gatehouse: %v\n%s", err, out)
		}
		t.Skipf("skipping: go build ./cmd/gatehouse failed outside the code: %v\n%s", err, out)
	}
	return bin
}

func TestParseSubmitModes(t *testing.T) {
	cfg, err := parseFlags([]string{"loadgen", "-register", "-conns", "64", "-duration", "15s", "-resend-delay", "2s"}, &bytes.Buffer{})
	if err != nil || !cfg.register || cfg.signin || cfg.conns != 64 || cfg.duration != 15*time.Second || cfg.resendDelay != 2*time.Second {
		t.Errorf("-register: got %+v, %v", cfg, err)
	}
	cfg, err = parseFlags([]string{"loadgen", "-signin", "-conns", "500", "-duration", "20s",
		"-email", "a@example.test", "-password", "pw pw pw", "-pid", "42"}, &bytes.Buffer{})
	if err != nil || !cfg.signin || cfg.register || cfg.conns != 500 || cfg.email != "a@example.test" || cfg.password != "pw pw pw" || cfg.pid != 42 {
		t.Errorf("-signin: got %+v, %v", cfg, err)
	}
	for _, bad := range [][]string{
		{"-register", "-signin"},
		{"-register", "-page", "/register"},
		{"-signin", "-validate"},
		{"-email", "a@example.test"}, // -email without -signin
		{"-signin", "-pid", "-1"},
		{"-register", "-resend-delay", "-1s"},
		{"-signin", "-conns", "0"},
	} {
		if _, err := parseFlags(append([]string{"loadgen"}, bad...), &bytes.Buffer{}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestParseTargetsAndFaults(t *testing.T) {
	cfg, err := parseFlags([]string{"loadgen", "-target", "http://127.0.0.1:1, http://[::1]:2/",
		"-resend-fail", "0.25", "-resend-outage", "10s+15s"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.targets) != 2 || cfg.targets[1].String() != "http://[::1]:2" || cfg.target != cfg.targets[0] {
		t.Errorf("targets = %v", cfg.targets)
	}
	if cfg.resendFail != 0.25 || cfg.outageAt != 10*time.Second || cfg.outageFor != 15*time.Second {
		t.Errorf("faults: fail %v, outage %v+%v", cfg.resendFail, cfg.outageAt, cfg.outageFor)
	}
	seen := map[string]int{}
	for range 10 {
		seen[cfg.base()]++
	}
	if seen["http://127.0.0.1:1"] != 5 || seen["http://[::1]:2"] != 5 {
		t.Errorf("requests did not take turns among the targets: %v", seen)
	}
	for _, bad := range [][]string{
		{"-target", "http://127.0.0.1:1,http://example.com"},
		{"-resend-fail", "1.5"},
		{"-resend-outage", "10s"},
		{"-resend-outage", "10s+0s"},
		{"-resend-outage", "x+1s"},
		{"-page", "/register", "-resend-fail", "0.1"},
	} {
		if _, err := parseFlags(append([]string{"loadgen"}, bad...), &bytes.Buffer{}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestTimeline(t *testing.T) {
	s := newStats()
	s.start = time.Now().Add(-3 * time.Second) // as if three seconds into the run
	s.record("GET /x", time.Millisecond, "")
	s.record("GET /x", 0, "status 500")
	var out bytes.Buffer
	s.printTimeline(&out)
	if !strings.Contains(out.String(), "3s       1 ok       1 failed") {
		t.Errorf("timeline:\n%s", out.String())
	}
	quiet := newStats()
	quiet.record("GET /x", time.Millisecond, "")
	out.Reset()
	quiet.printTimeline(&out)
	if out.Len() != 0 {
		t.Errorf("timeline printed for a run without failures:\n%s", out.String())
	}
}

// TestBaseline serves the comparison server and loads it briefly in page mode.
func TestBaseline(t *testing.T) {
	addr := "127.0.0.1:0"
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	addr = ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- run(ctx, []string{"loadgen", "-baseline", addr}, &bytes.Buffer{}) }()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"loadgen", "-target", "http://" + addr, "-page", "/",
		"-conns", "4", "-duration", "300ms", "-wait-ready", "5s"}, &out); err != nil {
		t.Fatalf("loading the baseline: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "GET / at 4 connections") || strings.Contains(out.String(), "errors by step") {
		t.Errorf("report:\n%s", out.String())
	}
	cancel()
	if err := <-served; err != nil {
		t.Errorf("baseline server: %v", err)
	}
	if _, err := parseFlags([]string{"loadgen", "-baseline", "0.0.0.0:1"}, &bytes.Buffer{}); err == nil {
		t.Error("-baseline on a non-loopback address accepted")
	}
}
