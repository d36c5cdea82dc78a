package password

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// Whatever a stored hash holds, parsePHC and Verify never panic; a string
// parsePHC refuses is refused by Verify as malformed, never a mismatch, a
// match or a rehash; one it accepts is verified with the parameters it
// names (only cheap ones are run, to keep the fuzzer fast).
func FuzzVerifyMalformed(f *testing.F) {
	ctx := context.Background()
	tiny := Params{Memory: 8, Time: 1, Threads: 1}
	h := NewHasher(tiny, 4)
	good, err := h.Hash(ctx, "pw")
	if err != nil {
		f.Fatal(err)
	}
	parts := strings.Split(good, "$")
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	for _, s := range []string{good, "", "pw", "$", "$$$$$", "$argon2id$v=19$m=8,t=1,p=1$$",
		"$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		with(1, "argon2i"), with(2, "v=16"), with(2, "v=19junk"), with(2, "v=-1"), with(3, "m=8,t=1,p=256"),
		with(3, "m=4194305,t=1,p=1"), with(3, "m=8,t=0,p=1"), with(3, "m=-8,t=1,p=1"), with(3, "m=8,t=1,p=1,x=2"),
		with(3, "t=1,m=8,p=1"), with(4, "YWJj"), with(4, "-_-_-_-_-_-_-_-_-_-_-_"), with(4, "YWJjZGVmZ2g="),
		with(5, ""), with(5, "YWJjZGVmZ2hpamtsbW5vcA"), good + "$", "$argon2id$v=19$m=8,t=1,p=1$\x00$\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, phc string) {
		p, salt, key, perr := parsePHC(phc)
		if perr == nil {
			if p.Memory < 8 || p.Time < 1 || p.Threads < 1 || len(salt) < 8 || len(key) < 16 {
				t.Fatalf("parsePHC(%q) accepted %+v with a %d-byte salt and %d-byte key", phc, p, len(salt), len(key))
			}
			if p.Memory > 64 || p.Time > 2 || p.Threads > 4 || len(key) > 64 {
				return // well formed but too costly to run here
			}
		}
		rehash, err := h.Verify(ctx, "pw", phc)
		switch {
		case perr != nil && (err == nil || errors.Is(err, ErrMismatch) || errors.Is(err, ErrBusy) || rehash):
			t.Fatalf("Verify(%q) = %v, %v; want a malformed-hash error (%v)", phc, rehash, err, perr)
		case perr == nil && err != nil && !errors.Is(err, ErrMismatch):
			t.Fatalf("Verify(%q) = %v for a hash parsePHC accepts", phc, err)
		}
	})
}
