package password

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
)

// weakParams are cheap settings below DefaultParams, as an older release
// might have stored them.
var weakParams = Params{Memory: 8192, Time: 1, Threads: 1}

// phcDefault is the exact shape of a hash made with DefaultParams: argon2id,
// m=19 MiB, t=2, p=1, a 16-byte salt (22 base64 characters) and a 32-byte
// key (43 characters).
var phcDefault = regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

// Rule 19: argon2id with at least m=19 MiB, t=2, p=1, a 16-byte salt, stored
// as a PHC string; a fresh salt every time.
func TestHashFormat(t *testing.T) {
	h := NewHasher(DefaultParams, 2)
	ctx := context.Background()
	a, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !phcDefault.MatchString(a) {
		t.Errorf("Hash = %q, want it to match %s", a, phcDefault)
	}
	b, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Errorf("two hashes of one password are equal (%q): the salt is not random", a)
	}
	saltA, saltB := strings.Split(a, "$")[4], strings.Split(b, "$")[4]
	if saltA == saltB {
		t.Errorf("two hashes share the salt %q", saltA)
	}
}

// Rule 19: the baseline itself must not fall below OWASP's minimum.
func TestDefaultParamsAtLeastOWASP(t *testing.T) {
	if DefaultParams.Memory < 19*1024 || DefaultParams.Time < 2 || DefaultParams.Threads < 1 {
		t.Errorf("DefaultParams = %+v, want at least m=19456, t=2, p=1", DefaultParams)
	}
}

// Rule 19: verification uses the parameters stored in the hash and tells
// the caller to rehash when they are weaker than the current setting.
func TestVerify(t *testing.T) {
	ctx := context.Background()
	cur := NewHasher(DefaultParams, 2)
	weak := NewHasher(weakParams, 2)
	strong := NewHasher(Params{Memory: 32 * 1024, Time: 2, Threads: 1}, 2)
	const pw = "correct horse battery staple"
	mk := func(h *Hasher) string {
		s, err := h.Hash(ctx, pw)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	curHash, weakHash, strongHash := mk(cur), mk(weak), mk(strong)
	if !strings.HasPrefix(weakHash, "$argon2id$v=19$m=8192,t=1,p=1$") {
		t.Fatalf("weak hash %q does not carry its own parameters", weakHash)
	}
	tests := []struct {
		name       string
		pw, phc    string
		wantErr    error
		wantRehash bool
	}{
		{"current params, right password", pw, curHash, nil, false},
		{"current params, wrong password", pw + "!", curHash, ErrMismatch, false},
		{"weaker params, right password", pw, weakHash, nil, true},
		{"weaker params, wrong password", "Correct horse battery staple", weakHash, ErrMismatch, false},
		{"stronger params, right password", pw, strongHash, nil, false},
		{"empty password", "", curHash, ErrMismatch, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rehash, err := cur.Verify(ctx, tt.pw, tt.phc)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("Verify err = %v, want %v", err, tt.wantErr)
			}
			if rehash != tt.wantRehash {
				t.Errorf("Verify rehash = %v, want %v", rehash, tt.wantRehash)
			}
		})
	}
}

// Rule 19: anything but a well-formed argon2id PHC string is refused, never
// verified as a match.
func TestVerifyMalformed(t *testing.T) {
	ctx := context.Background()
	h := NewHasher(weakParams, 2)
	good, err := h.Hash(ctx, "pw")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, "$") // "", argon2id, v=19, m=…, salt, key
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	tests := []struct{ name, phc string }{
		{"empty", ""},
		{"plain text", "pw"},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i", with(1, "argon2i")},
		{"argon2d", with(1, "argon2d")},
		{"no leading dollar", strings.TrimPrefix(good, "$")},
		{"missing key", strings.Join(parts[:5], "$")},
		{"extra field", good + "$abc"},
		{"version 16", with(2, "v=16")},
		{"no version", with(2, "19")},
		{"params garbage", with(3, "m=x,t=2,p=1")},
		{"memory zero", with(3, "m=0,t=1,p=1")},
		{"time zero", with(3, "m=8192,t=0,p=1")},
		{"threads zero", with(3, "m=8192,t=1,p=0")},
		{"threads overflow", with(3, "m=8192,t=1,p=300")},
		{"memory beyond cap", with(3, "m=5000000,t=1,p=1")},
		{"salt not base64", with(4, "!!!!!!!!!!!!!!!!!!!!!!")},
		{"salt too short", with(4, "YWJj")},
		{"salt padded url alphabet", with(4, "-_-_-_-_-_-_-_-_-_-_-_")},
		{"key not base64", with(5, "***")},
		{"key too short", with(5, "YWJjZGVm")},
		{"empty salt", with(4, "")},
		{"empty key", with(5, "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rehash, err := h.Verify(ctx, "pw", tt.phc)
			if err == nil {
				t.Fatalf("Verify(%q) = nil error, want malformed", tt.phc)
			}
			if errors.Is(err, ErrMismatch) || errors.Is(err, ErrBusy) {
				t.Errorf("Verify(%q) = %v, want a malformed-hash error", tt.phc, err)
			}
			if rehash {
				t.Errorf("Verify(%q) asked for a rehash", tt.phc)
			}
		})
	}
}

// Rule 17: NFKC at set and at verify time, and no other change: no trim,
// no case folding. Rule 14: no truncation of long passwords.
func TestNormalisation(t *testing.T) {
	ctx := context.Background()
	h := NewHasher(weakParams, 2)
	long := strings.Repeat("0123456789", 20) // 200 characters
	tests := []struct {
		name     string
		set, try string
		match    bool
	}{
		{"precomposed é vs e + combining acute", "caf\u00e9 au lait, s'il vous pla\u00eet", "cafe\u0301 au lait, s'il vous plai\u0302t", true},
		{"decomposed set, precomposed try", "cafe\u0301 au lait", "caf\u00e9 au lait", true},
		{"full-width vs ASCII", "\uff21\uff22\uff23 correct horse", "ABC correct horse", true},
		{"ligature ﬁ vs fi", "\ufb01sh and chips forever", "fish and chips forever", true},
		{"trailing space kept", "pass word ", "pass word", false},
		{"leading space kept", " pass word", "pass word", false},
		{"inner spaces kept", "pass  word", "pass word", false},
		{"case kept", "Pass Word", "pass word", false},
		{"Turkish dotted I not folded", "\u0130stanbul nights", "istanbul nights", false},
		{"no truncation at 72 bytes", long, long[:72], false},
		{"no truncation at 128", long, long[:128], false},
		{"last character counts", long, long[:199] + "x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			phc, err := h.Hash(ctx, tt.set)
			if err != nil {
				t.Fatal(err)
			}
			_, err = h.Verify(ctx, tt.try, phc)
			switch {
			case tt.match && err != nil:
				t.Errorf("Verify(%q) against hash of %q = %v, want a match", tt.try, tt.set, err)
			case !tt.match && !errors.Is(err, ErrMismatch):
				t.Errorf("Verify(%q) against hash of %q = %v, want ErrMismatch", tt.try, tt.set, err)
			}
		})
	}
}

// busyParams make one hash take long enough (hundreds of ms) to hold the
// only slot while the test asks for another.
var busyParams = Params{Memory: 32 * 1024, Time: 10, Threads: 1}

// holdSlot starts a slow hash on h and returns once it holds a slot; the
// returned func waits for it to finish.
func holdSlot(t *testing.T, h *Hasher) (wait func() error) {
	t.Helper()
	slow := *h // shares the semaphore, costs more
	slow.Params = busyParams
	done := make(chan error, 1)
	go func() {
		_, err := slow.Hash(context.Background(), "hold the slot")
		done <- err
	}()
	deadline := time.Now().Add(5 * time.Second)
	for len(h.slots) < cap(h.slots) {
		if time.Now().After(deadline) {
			t.Fatal("slow hash never took the slot")
		}
		time.Sleep(time.Millisecond)
	}
	return func() error { return <-done }
}

// Rule 20: hashing is bounded by a semaphore; excess requests get a fast
// ErrBusy instead of queueing without bound.
func TestHasherBusy(t *testing.T) {
	h := NewHasher(weakParams, 1)
	h.MaxWait = 50 * time.Millisecond
	phc, err := h.Hash(context.Background(), "pw")
	if err != nil {
		t.Fatal(err)
	}
	wait := holdSlot(t, h)

	calls := []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"Hash", func(ctx context.Context) error { _, err := h.Hash(ctx, "pw"); return err }},
		{"Verify", func(ctx context.Context) error { _, err := h.Verify(ctx, "pw", phc); return err }},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			err := c.call(context.Background())
			took := time.Since(start)
			if !errors.Is(err, ErrBusy) {
				t.Fatalf("%s with the only slot held = %v, want ErrBusy", c.name, err)
			}
			if took < 40*time.Millisecond || took > 250*time.Millisecond {
				t.Errorf("%s gave up after %v, want about MaxWait (50ms)", c.name, took)
			}
		})
		t.Run(c.name+" cancelled", func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			h.MaxWait = 10 * time.Second
			defer func() { h.MaxWait = 50 * time.Millisecond }()
			start := time.Now()
			if err := c.call(ctx); !errors.Is(err, ErrBusy) {
				t.Fatalf("%s with a cancelled context = %v, want ErrBusy", c.name, err)
			}
			if took := time.Since(start); took > 250*time.Millisecond {
				t.Errorf("%s with a cancelled context took %v", c.name, took)
			}
		})
	}

	if err := wait(); err != nil {
		t.Fatalf("slow hash: %v", err)
	}
	// The slot is free again: the next hash and verify succeed.
	if _, err := h.Verify(context.Background(), "pw", phc); err != nil {
		t.Errorf("Verify after the slot was released = %v", err)
	}
	if len(h.slots) != 0 {
		t.Errorf("%d slots still held after every hash returned", len(h.slots))
	}
}
