package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// BenchmarkConsumeToken is the single conditional UPDATE that spends a
// link: each iteration consumes a fresh token, made (untimed) beforehand.
//
//	go test -run '^$' -bench ConsumeToken -benchmem ./internal/store/
func BenchmarkConsumeToken(b *testing.B) {
	for _, backend := range []storetest.Backend{storetest.SQLite, storetest.Postgres} {
		b.Run(string(backend), func(b *testing.B) {
			s := storetest.Open(b, backend)
			ctx := context.Background()
			// A new token revokes the user's open ones of its purpose, so
			// each token gets a user of its own.
			hashes := make([]string, b.N)
			err := s.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
				for i := range b.N {
					u := newUser(fmt.Sprintf("bench%d@example.com", i))
					if _, err := tx.CreateUserIfAbsent(ctx, u); err != nil {
						return err
					}
					hashes[i] = fmt.Sprintf("%064x", i)
					tok := &store.Token{UserID: u.ID, Purpose: store.PurposeReset, Hash: hashes[i], CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
					if err := tx.CreateToken(ctx, tok); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := range b.N {
				if _, err := s.ConsumeToken(ctx, hashes[i], store.PurposeReset, t0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
