// Package password hashes and checks passwords: argon2id in PHC strings,
// NFKC normalisation, the length policy, and a bound on concurrent hashing.
package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost settings.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// DefaultParams is OWASP's argon2id baseline: 19 MiB, two passes, one lane.
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32
)

// ErrMismatch means the password does not match the hash.
var ErrMismatch = errors.New("password: mismatch")

// ErrBusy means too many hashes are running; the caller should ask the user
// to try again shortly rather than queue without bound.
var ErrBusy = errors.New("password: busy")

var b64 = base64.RawStdEncoding

// Hasher runs argon2id with a bound on how many hashes run at once, so a
// flood of sign-ins cannot exhaust memory.
type Hasher struct {
	Params Params
	// MaxWait is how long a hash may queue for a slot before ErrBusy.
	MaxWait time.Duration
	// OnWait, when set, is told how long each hash or verification queued
	// for a slot, including those turned away with ErrBusy (metrics). Set
	// it before the Hasher is used.
	OnWait func(time.Duration)
	slots  chan struct{}
}

// NewHasher returns a Hasher that runs at most concurrency hashes at once.
func NewHasher(p Params, concurrency int) *Hasher {
	if concurrency < 1 {
		concurrency = 1
	}
	return &Hasher{Params: p, MaxWait: 3 * time.Second, slots: make(chan struct{}, concurrency)}
}

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		if h.OnWait != nil {
			h.OnWait(0)
		}
		return nil
	default:
	}
	if h.OnWait != nil {
		start := time.Now()
		defer func() { h.OnWait(time.Since(start)) }()
	}
	t := time.NewTimer(h.MaxWait)
	defer t.Stop()
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-t.C:
		return ErrBusy
	case <-ctx.Done():
		return ErrBusy
	}
}

func (h *Hasher) release() { <-h.slots }

// Hash returns the PHC string of the normalised form of pw (Normalize).
func (h *Hasher) Hash(ctx context.Context, pw string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	salt := make([]byte, saltLen)
	rand.Read(salt)
	p := h.Params
	key := argon2.IDKey([]byte(Normalize(pw)), salt, p.Time, p.Memory, p.Threads, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify checks pw against a PHC string using the parameters stored in it,
// in constant time. rehash reports whether the stored parameters are weaker
// than the Hasher's, so the caller can store a fresh hash.
func (h *Hasher) Verify(ctx context.Context, pw, phc string) (rehash bool, err error) {
	p, salt, want, err := parsePHC(phc)
	if err != nil {
		return false, err
	}
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release()
	got := argon2.IDKey([]byte(Normalize(pw)), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return false, ErrMismatch
	}
	cur := h.Params
	return p.Memory < cur.Memory || p.Time < cur.Time || p.Threads < cur.Threads, nil
}

// parsePHC reads "$argon2id$v=19$m=…,t=…,p=…$salt$key".
func parsePHC(phc string) (Params, []byte, []byte, error) {
	bad := func(why string) (Params, []byte, []byte, error) {
		return Params{}, nil, nil, fmt.Errorf("password: malformed hash: %s", why)
	}
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return bad("not argon2id PHC")
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return bad("version")
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil ||
		p.Memory < 8 || p.Time < 1 || p.Threads < 1 || p.Memory > 4<<20 {
		return bad("parameters")
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return bad("salt")
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < 16 {
		return bad("key")
	}
	return p, salt, key, nil
}
