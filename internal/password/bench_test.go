package password

import (
	"context"
	"testing"

	"golang.org/x/crypto/argon2"
)

// BenchmarkArgon2idDefault is raw argon2id at DefaultParams (19 MiB, t=2,
// p=1), the floor under every sign-in, password set and reset.
//
//	go test -run '^$' -bench Argon2id -benchmem ./internal/password/
func BenchmarkArgon2idDefault(b *testing.B) {
	p := DefaultParams
	pw, salt := []byte("correct horse battery staple"), []byte("0123456789abcdef")
	for b.Loop() {
		argon2.IDKey(pw, salt, p.Time, p.Memory, p.Threads, keyLen)
	}
}

// BenchmarkArgon2idParallel hashes on every core at once (GOMAXPROCS
// goroutines), so 1e9 / ns/op is the machine's raw hash rate: what two
// hashes side by side really achieve, memory bandwidth shared, which is
// the ceiling a sign-in rate is compared with.
func BenchmarkArgon2idParallel(b *testing.B) {
	p := DefaultParams
	b.RunParallel(func(pb *testing.PB) {
		pw, salt := []byte("correct horse battery staple"), []byte("0123456789abcdef")
		for pb.Next() {
			argon2.IDKey(pw, salt, p.Time, p.Memory, p.Threads, keyLen)
		}
	})
}

// BenchmarkHasherVerify is the same through the Hasher: NFKC, PHC parsing,
// the slot semaphore and the constant-time compare.
func BenchmarkHasherVerify(b *testing.B) {
	h := NewHasher(DefaultParams, 2)
	ctx := context.Background()
	phc, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := h.Verify(ctx, "correct horse battery staple", phc); err != nil {
			b.Fatal(err)
		}
	}
}
