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

	"gatehouse/internal/resendfake"
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
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "gatehouse")
	build := exec.Command("go", "build", "-o", bin, "./cmd/gatehouse")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		if strings.Contains(string(out), ".go:") { // a compile error is the code's fault
			t.Fatalf("go build ./cmd/gatehouse: %v\n%s", err, out)
		}
		t.Skipf("skipping: go build ./cmd/gatehouse failed outside the code: %v\n%s", err, out)
	}

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
