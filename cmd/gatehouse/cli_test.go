package main

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/store"
)

// untouched runs args in an empty directory with DATABASE_URL pointing at
// a listener, and fails if run read a setting, created a file or connected.
func untouched(t *testing.T, args ...string) (string, error) {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	connected := make(chan struct{}, 1)
	go func() {
		if c, err := ln.Accept(); err == nil {
			c.Close()
			connected <- struct{}{}
		}
	}()
	var read []string
	getenv := func(k string) string {
		read = append(read, k)
		return map[string]string{"DATABASE_URL": "postgres://postgres@" + ln.Addr().String() + "/prod?sslmode=disable"}[k]
	}
	var out strings.Builder
	err = run(context.Background(), append([]string{"gatehouse"}, args...), getenv, &out)
	if len(read) > 0 {
		t.Errorf("%q read the settings %v", args, read)
	}
	select {
	case <-connected:
		t.Errorf("%q connected to the database", args)
	case <-time.After(50 * time.Millisecond):
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Errorf("%q created %v in the working directory", args, entries[0].Name())
	}
	// With the defaults, the database would be gatehouse.db right here.
	var out2 strings.Builder
	run(context.Background(), append([]string{"gatehouse"}, args...), func(string) string { return "" }, &out2)
	if _, err := os.Stat("gatehouse.db"); err == nil {
		t.Errorf("%q created gatehouse.db", args)
	}
	return out.String(), err
}

// TestHelpTouchesNothing (issue 12 item 17): --help and --version are
// answered before any setting is read or the database opened, so pointed
// at production they migrate nothing.
func TestHelpTouchesNothing(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"-help"}, {"migrate", "--help"}, {"outbox", "-h"}, {"serve", "--help"}} {
		out, err := untouched(t, args...)
		if err != nil || !strings.Contains(out, "Usage:") || !strings.Contains(out, "gatehouse migrate") {
			t.Errorf("%q: err %v, output %q; want the usage", args, err, out)
		}
	}
	for _, args := range [][]string{{"--version"}, {"-version"}, {"version"}} {
		out, err := untouched(t, args...)
		if err != nil || !strings.HasPrefix(out, "gatehouse ") || !strings.Contains(out, "commit ") || !strings.Contains(out, runtime.Version()) {
			t.Errorf("%q: err %v, output %q; want version, commit and Go release", args, err, out)
		}
	}
}

// TestWrongCommandLine: an unknown command or flag, or a stray argument,
// is a usage error before anything is opened.
func TestWrongCommandLine(t *testing.T) {
	for _, args := range [][]string{
		{"bogus"}, {"--bogus"}, {"-v"}, {"migrate", "now"}, {"serve", "--port=1"}, {"--version", "x"},
		{"outbox"}, {"outbox", "purge"}, {"outbox", "list", "--nope"}, {"outbox", "list", "--status", "lost"},
		{"outbox", "retry"}, {"outbox", "retry", "x"},
	} {
		_, err := untouched(t, args...)
		if _, ok := errors.AsType[*usageError](err); !ok {
			t.Errorf("%q: err %v, want a usage error", args, err)
			continue
		}
		if !strings.Contains(err.Error(), "usage") && !strings.Contains(err.Error(), "Usage") && !strings.Contains(err.Error(), "want") {
			t.Errorf("%q: %q says nothing of the usage", args, err)
		}
	}
}

// TestVersionFromBuild: a release build's -X main.version wins over the
// build info, which a docker build (no .git) lacks.
func TestVersionFromBuild(t *testing.T) {
	version, commit = "v1.2.3", "abc123"
	defer func() { version, commit = "", "" }()
	var out strings.Builder
	printVersion(&out)
	if !strings.HasPrefix(out.String(), "gatehouse v1.2.3\ncommit abc123") {
		t.Fatalf("version output %q", out.String())
	}
}

// TestMainExitStatus runs main in a child process: help exits 0 on
// stdout, a wrong command 2 with the usage on stderr.
func TestMainExitStatus(t *testing.T) {
	if args, ok := os.LookupEnv("GATEHOUSE_MAIN_ARGS"); ok {
		os.Args = append([]string{"gatehouse"}, strings.Fields(args)...)
		main()
		os.Exit(0)
	}
	for _, tt := range []struct {
		args   string
		status int
		in     string // where the usage must appear
	}{
		{"--help", 0, "stdout"},
		{"bogus", 2, "stderr"},
		{"--bogus", 2, "stderr"},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestMainExitStatus$")
		cmd.Dir = t.TempDir()
		cmd.Env = append(os.Environ(), "GATEHOUSE_MAIN_ARGS="+tt.args)
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		status := 0
		if ee, ok := errors.AsType[*exec.ExitError](err); ok {
			status = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		where := map[string]string{"stdout": stdout.String(), "stderr": stderr.String()}[tt.in]
		if status != tt.status || !strings.Contains(where, "Usage:") {
			t.Errorf("gatehouse %s: exit %d, want %d with the usage on %s\nstdout %q\nstderr %q", tt.args, status, tt.status, tt.in, stdout.String(), stderr.String())
		}
	}
}

// `gatehouse keys rotate` adds a signing key to the database the
// instances share, and names it.
func TestKeysRotate(t *testing.T) {
	if _, err := parseCommand([]string{"gatehouse", "keys"}); err == nil {
		t.Error("keys without rotate was accepted")
	}
	dsn := filepath.Join(t.TempDir(), "gatehouse.db")
	env := func(k string) string { return map[string]string{"DATABASE_URL": dsn}[k] }
	for i := range 2 {
		var out strings.Builder
		if err := run(context.Background(), []string{"gatehouse", "keys", "rotate"}, env, &out); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "new signing key ") {
			t.Errorf("rotation %d: %q", i, out.String())
		}
	}
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if keys, _ := st.SigningKeys(context.Background(), 10); len(keys) != 2 || keys[0].KeyID == keys[1].KeyID {
		t.Errorf("after two rotations: %v", keys)
	}
}
