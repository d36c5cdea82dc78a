package main

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"gatehouse/internal/testkit/resendfake"
)

// TestKilledMidSendLosesNothing runs the real binary, kills it with SIGKILL
// while Resend is still answering its send, and starts it again on the same
// database: the email arrives exactly once. While Resend is slow (3 s per
// send), registering still answers at once: the request only writes the
// outbox.
func TestKilledMidSendLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs cmd/gatehouse")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "gatehouse")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	fake := resendfake.New()
	defer fake.Close()
	fake.SetDelay(3 * time.Second)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	env := append(os.Environ(), "ADDR="+addr, "BASE_URL=http://"+addr, "DATABASE_URL="+filepath.Join(tmp, "g.db"),
		"RESEND_API_KEY=re_test", "RESEND_BASE_URL="+fake.URL(), "MAIL_POLL_INTERVAL=200ms",
		"MAIL_SEND_TIMEOUT=5s", "MAIL_CLAIM_LEASE=6s", "METRICS_ADDR=127.0.0.1:0")
	startBin := func() *exec.Cmd {
		cmd := exec.Command(bin)
		cmd.Env = env
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		for i := 0; ; i++ {
			if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
				resp.Body.Close()
				return cmd
			}
			if i > 200 {
				t.Fatal("gatehouse did not start")
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	first := startBin()
	start := time.Now()
	resp, err := http.PostForm("http://"+addr+"/register", registration("crash@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if took := time.Since(start); resp.StatusCode != http.StatusOK || took > 1500*time.Millisecond {
		t.Fatalf("register with a slow Resend: %d after %v", resp.StatusCode, took)
	}
	for i := 0; fake.Requests() == 0; i++ {
		if i > 200 {
			t.Fatal("the worker never called Resend")
		}
		time.Sleep(25 * time.Millisecond)
	}
	// The send is in flight: Resend is sitting on it. Kill the process.
	first.Process.Kill()
	first.Wait()
	if n := len(fake.Emails()); n != 0 {
		t.Fatalf("%d emails recorded before the kill", n)
	}

	fake.SetDelay(0)
	startBin()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := fake.WaitFor(ctx, 1); err != nil {
		t.Fatalf("the email was lost after the crash: %v", err)
	}
	time.Sleep(time.Second)
	mails := fake.Emails()
	if len(mails) != 1 || mails[0].To != "crash@example.com" || !strings.Contains(mails[0].Text, "/activate?token=") {
		t.Fatalf("after restart: %+v", mails)
	}
	for key, n := range fake.CountByKey() {
		if n > 1 {
			t.Errorf("key %s accepted %d times", key, n)
		}
	}
}

// TestSIGTERMDrains: on SIGTERM, Gatehouse stops taking requests, lets the
// send in flight finish, and exits cleanly; the email is not lost.
func TestSIGTERMDrains(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs cmd/gatehouse")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "gatehouse")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	fake := resendfake.New()
	defer fake.Close()
	fake.SetDelay(2 * time.Second)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "ADDR="+addr, "BASE_URL=http://"+addr, "DATABASE_URL="+filepath.Join(tmp, "g.db"),
		"RESEND_API_KEY=re_test", "RESEND_BASE_URL="+fake.URL(), "MAIL_POLL_INTERVAL=200ms", "METRICS_ADDR=127.0.0.1:0")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	for i := 0; ; i++ {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			break
		}
		if i > 200 {
			t.Fatal("gatehouse did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
	resp, err := http.PostForm("http://"+addr+"/register", registration("drain@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for i := 0; fake.Requests() == 0; i++ {
		if i > 200 {
			t.Fatal("the worker never called Resend")
		}
		time.Sleep(25 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no exit 30 s after SIGTERM")
	}
	if mails := fake.Emails(); len(mails) != 1 || mails[0].To != "drain@example.com" {
		t.Fatalf("the send in flight did not finish before exit: %+v", mails)
	}
}
