// Package token makes and hashes the secrets behind links and sessions:
// 32 bytes from crypto/rand, base64url for the wire, SHA-256 hex at rest.
package token

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// rawLen is the length of a base64url (unpadded) encoding of 32 bytes.
const rawLen = 43

// New returns a fresh token and the hash to store in its place.
func New() (raw, hash string) {
	var b [32]byte
	rand.Read(b[:]) // never fails (crypto/rand panics instead)
	raw = base64.RawURLEncoding.EncodeToString(b[:])
	return raw, Hash(raw)
}

// Hash returns the stored form of a token.
func Hash(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:])
}

// WellFormed reports whether s could be a token New made; anything else is
// rejected before it reaches the database.
func WellFormed(s string) bool {
	if len(s) != rawLen {
		return false
	}
	// Strict refuses the spellings whose unused low bits are set, so one
	// token has exactly one written form.
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	return err == nil && len(b) == 32
}
