package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
)

const mib = 1 << 20

// One hashing slot per core, fewer when an operator's GOMEMLIMIT could not
// hold two buffers of 19 MiB per slot, never none.
func TestHashSlots(t *testing.T) {
	tests := []struct {
		name     string
		cores    int
		memLimit int64
		want     int
	}{
		{"no limit, 2 cores", 2, math.MaxInt64, 2},
		{"no limit, 16 cores", 16, math.MaxInt64, 16},
		{"no cores reported", 0, math.MaxInt64, 1},
		{"roomy limit", 4, 1024 * mib, 4},
		{"limit for 2 hashes", 8, 4 * 19 * mib, 2},
		{"limit below one hash", 4, 16 * mib, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := hashSlots(tt.cores, tt.memLimit); got != tt.want {
				t.Errorf("hashSlots(%d, %d) = %d, want %d", tt.cores, tt.memLimit, got, tt.want)
			}
		})
	}
}

// The default memory limit grows with the slots and is never set over an
// operator's GOMEMLIMIT, whatever its value.
func TestDefaultMemoryLimit(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "GOMEMLIMIT" {
				return v
			}
			return ""
		}
	}
	for _, set := range []string{"200MiB", "1GiB", "off", "0"} {
		if limit, ok := defaultMemoryLimit(env(set), 2); ok {
			t.Errorf("GOMEMLIMIT=%s: default limit %d set over it", set, limit)
		}
	}
	two, ok := defaultMemoryLimit(env(""), 2)
	if !ok {
		t.Fatal("no GOMEMLIMIT: no default limit")
	}
	if two != 188*mib {
		t.Errorf("limit for 2 slots = %d MiB, want 188 (112 + 2 × 2 × 19)", two/mib)
	}
	if eight, _ := defaultMemoryLimit(env(""), 8); eight-two != 6*2*19*mib {
		t.Errorf("limit for 8 slots = %d MiB, want 2 × 19 MiB more per slot than for 2 (%d MiB)", eight/mib, two/mib)
	}
	// Under the target of 256 MiB resident on the 2-core machine, with
	// room for what the runtime does not count (the binary, SQLite).
	if two > 220*mib {
		t.Errorf("limit for 2 slots = %d MiB, too close to 256 MiB", two/mib)
	}
}

// The server sets the default limit itself, and leaves the runtime's alone
// when GOMEMLIMIT is in its environment.
func TestServeMemoryLimit(t *testing.T) {
	prev := debug.SetMemoryLimit(math.MaxInt64)
	prevGC := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetMemoryLimit(prev); debug.SetGCPercent(prevGC) })

	start(t, map[string]string{"DATABASE_URL": t.TempDir() + "/a.db", "GOMEMLIMIT": "off"})
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("GOMEMLIMIT=off: the server set a memory limit of %d MiB", got/mib)
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOMEMLIMIT=off: the server set GOGC %d without a limit to hold the heap", got)
	}

	start(t, map[string]string{"DATABASE_URL": t.TempDir() + "/b.db"})
	want, _ := defaultMemoryLimit(func(string) string { return "" }, hashSlots(runtime.GOMAXPROCS(0), math.MaxInt64))
	if got := debug.SetMemoryLimit(-1); got != want {
		t.Errorf("no GOMEMLIMIT: memory limit %d MiB, want %d MiB", got/mib, want/mib)
	}
	if got := debug.SetGCPercent(100); got != gcPercent {
		t.Errorf("no GOGC, no GOMEMLIMIT: GOGC %d, want %d", got, gcPercent)
	}

	start(t, map[string]string{"DATABASE_URL": t.TempDir() + "/c.db", "GOGC": "150"})
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOGC=150: the server overrode the operator's GOGC with %d", got)
	}
}
