package store_test

import (
	"context"
	"testing"
	"time"

	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// CreateTokens revokes the open tokens of every user and purpose it adds
// to, in one UPDATE; AddTokens revokes nothing.
func TestCreateTokensRevokesEachPurpose(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := newUser("ada@example.com")
		if _, err := s.CreateUserIfAbsent(ctx, u); err != nil {
			t.Fatal(err)
		}
		v := newUser("grace@example.com")
		if _, err := s.CreateUserIfAbsent(ctx, v); err != nil {
			t.Fatal(err)
		}
		tok := func(user int64, purpose, hash string) *store.Token {
			return &store.Token{UserID: user, Purpose: purpose, Hash: hash, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
		}
		if err := s.AddTokens(ctx, tok(u.ID, store.PurposeActivation, "a1"), tok(u.ID, store.PurposeActivationCode, "c1"),
			tok(u.ID, store.PurposeReset, "r1"), tok(v.ID, store.PurposeActivation, "v1")); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateTokens(ctx, tok(u.ID, store.PurposeActivation, "a2"), tok(u.ID, store.PurposeActivationCode, "c2")); err != nil {
			t.Fatal(err)
		}
		for hash, purpose := range map[string]string{"a1": store.PurposeActivation, "c1": store.PurposeActivationCode} {
			if _, err := s.ValidToken(ctx, hash, purpose, t0); err == nil {
				t.Errorf("%s still valid after newer tokens of its purpose", hash)
			}
		}
		for hash, purpose := range map[string]string{"a2": store.PurposeActivation, "c2": store.PurposeActivationCode,
			"r1": store.PurposeReset, "v1": store.PurposeActivation} {
			if _, err := s.ValidToken(ctx, hash, purpose, t0); err != nil {
				t.Errorf("%s: %v, want still valid", hash, err)
			}
		}
	})
}
