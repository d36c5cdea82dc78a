package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"gatehouse/internal/testkit/resendfake"
)

// TestBurstAgainstGatehouse submits 300 sign-ups in 3 s to the real binary
// on SQLite, its mail going to a fake Resend API that takes 2 requests a
// second, as Resend's default does: one call per email would need 150 s,
// batches deliver every email once within seconds.
func TestBurstAgainstGatehouse(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs cmd/gatehouse")
	}
	tmp := t.TempDir()
	bin := buildGatehouse(t, tmp)
	fake := resendfake.New()
	defer fake.Close()
	fake.SetRequestRate(2)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var logs bytes.Buffer
	gh := exec.CommandContext(ctx, bin)
	gh.Env = append(os.Environ(), "ADDR="+addr, "BASE_URL=http://"+addr, "DATABASE_URL="+filepath.Join(tmp, "g.db"),
		"RESEND_API_KEY=x", "RESEND_BASE_URL="+fake.URL(), "RATE_LIMIT_EMAIL_PER_IP=1000000/1h",
		"RATE_LIMIT_EMAIL_PER_ADDRESS=100/1h", "LOG_LEVEL=warn", "METRICS_ADDR=127.0.0.1:0")
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
	cfg, err := parseFlags([]string{"loadgen", "-target", "http://" + addr, "-register", "-count", "300", "-rate", "100/s",
		"-resend-rps", "2", "-mail-grace", "40s", "-wait-ready", "20s"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if err := waitReady(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	rep := burst(ctx, cfg, fake)
	var out bytes.Buffer
	rep.print(&out)
	t.Log(out.String())
	if err := rep.err(); err != nil || rep.submitted != 300 || rep.delivered != 300 {
		t.Fatalf("%d submitted, %d delivered: %v", rep.submitted, rep.delivered, err)
	}
	if p99 := pct(rep.latency, .99); p99 > 15*time.Second {
		t.Errorf("p99 submit to delivery %s, want under 15 s", p99)
	}
	if rep.requests > 60 {
		t.Errorf("%d calls to Resend for 300 emails: not batching", rep.requests)
	}
}

func TestParseBurst(t *testing.T) {
	cfg, err := parseFlags([]string{"loadgen", "-register", "-rate", "100/s", "-count", "1000", "-resend-rps", "2"}, &bytes.Buffer{})
	if err != nil || cfg.count != 1000 || cfg.rate != 100 || cfg.resendRPS != 2 {
		t.Errorf("got %+v, %v", cfg, err)
	}
	for _, bad := range [][]string{{"-count", "10"}, {"-register", "-count", "10", "-rate", "0/s"}, {"-register", "-resend-rps", "-1"}} {
		if _, err := parseFlags(append([]string{"loadgen"}, bad...), &bytes.Buffer{}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
