package main

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestDockerfile: no Docker engine is needed to check what the image
// would be. The final stage is distroless static or scratch, runs as a
// non-root user and has no HEALTHCHECK; the build line itself is run here
// as written, and must give a static binary that reports the version
// passed as a build argument.
func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	var froms, users []string
	var build string
	for line := range strings.SplitSeq(string(b), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		switch strings.ToUpper(fields[0]) {
		case "FROM":
			froms = append(froms, fields[1])
		case "USER":
			users = append(users, fields[1])
		case "HEALTHCHECK":
			t.Error("a HEALTHCHECK: /healthz and /readyz are for the orchestrator's probes")
		case "RUN":
			if strings.Contains(line, "go build") {
				build = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "RUN"))
			}
		}
	}
	if len(froms) < 2 {
		t.Fatalf("want a multi-stage build, got FROM %v", froms)
	}
	if final := froms[len(froms)-1]; !strings.HasPrefix(final, "gcr.io/distroless/static") && final != "scratch" {
		t.Errorf("final stage %s, want distroless static or scratch", final)
	}
	if len(users) == 0 || users[len(users)-1] == "0" || strings.HasPrefix(users[len(users)-1], "root") || strings.HasPrefix(users[len(users)-1], "0:") {
		t.Errorf("USER %v, want a non-root user last", users)
	}
	for _, want := range []string{"CGO_ENABLED=0 ", " -trimpath ", "-X main.version=${VERSION}", " ./cmd/gatehouse"} {
		if !strings.Contains(build, want) {
			t.Errorf("build line %q lacks %q", build, want)
		}
	}
	ignore, err := os.ReadFile("../../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{".git", ".env", "**/*.db"} {
		if !strings.Contains("\n"+string(ignore), "\n"+want+"\n") {
			t.Errorf(".dockerignore lacks %s", want)
		}
	}

	if testing.Short() {
		t.Skip("builds cmd/gatehouse")
	}
	if runtime.GOOS != "linux" {
		t.Skip("the image's binary is a linux one")
	}
	bin := filepath.Join(t.TempDir(), "gatehouse")
	cmdline := strings.NewReplacer("${VERSION}", "v0.0.0-dockerfile", "${COMMIT}", "0123abc", "/out/gatehouse", bin).Replace(build)
	sh := exec.Command("sh", "-c", cmdline)
	sh.Dir = "../.."
	if out, err := sh.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", cmdline, err, out)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary is dynamically linked: it would not run on distroless static")
		}
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil || !strings.HasPrefix(string(out), "gatehouse v0.0.0-dockerfile\ncommit 0123abc\n") {
		t.Errorf("--version: %q, %v", out, err)
	}
}
