package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// Mail and webhooks share the outbox but never a worker: each claim takes
// only its own kind, so a slow platform cannot hold up mail.
func TestWebhookRowsClaimedApart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Microsecond)
		for _, m := range []*store.OutboxMessage{
			{Kind: "activation", Recipient: "ada@example.com", Data: "{}", CreatedAt: now},
			{Kind: store.KindWebhook, Recipient: "platform", Data: `{"type":"user.registered"}`, CreatedAt: now},
			{Kind: store.KindWebhook, Recipient: "platform", Data: `{"type":"user.activated"}`, CreatedAt: now},
		} {
			if err := s.Enqueue(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		mail, err := s.ClaimOutbox(ctx, now, 10, time.Minute)
		if err != nil || len(mail) != 1 || mail[0].Kind != "activation" {
			t.Fatalf("mail claim: %v %v", mail, err)
		}
		hooks, err := store.Webhooks{Store: s}.ClaimOutbox(ctx, now, 10, time.Minute)
		if err != nil || len(hooks) != 2 || hooks[0].Kind != store.KindWebhook || hooks[0].ID > hooks[1].ID {
			t.Fatalf("webhook claim: %v %v", hooks, err)
		}
		if again, _ := (store.Webhooks{Store: s}).ClaimOutbox(ctx, now, 10, time.Minute); len(again) != 0 {
			t.Errorf("claimed rows claimed again: %v", again)
		}
	})
}

// The prepared session lookup finds exactly what SessionByHash finds, with
// its user, on both databases, and refuses what has expired either way.
func TestSessionUserByHash(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Microsecond)
		u := &store.User{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", Company: "AE", Country: "GB",
			Locale: "en", Status: store.UserActive, CreatedAt: now, UpdatedAt: now, ActivatedAt: &now}
		if _, err := s.CreateUserIfAbsent(ctx, u); err != nil {
			t.Fatal(err)
		}
		// A whole second, so the stored text has no fraction: the case
		// where text comparison could go wrong.
		seen := now.Truncate(time.Second)
		sess := &store.Session{UserID: u.ID, Hash: "h1", CreatedAt: seen, LastSeenAt: seen, ExpiresAt: seen.Add(time.Hour), IP: "ip", UserAgent: "ua"}
		if err := s.CreateSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
		got, err := s.SessionUserByHash(ctx, "h1", now, 30*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := s.SessionByHash(ctx, "h1", now, 30*time.Minute)
		if got.ID != want.ID || !got.LastSeenAt.Equal(seen) || !got.ExpiresAt.Equal(want.ExpiresAt) || got.User == nil ||
			got.User.PublicID != u.PublicID || got.User.Email != u.Email || got.User.ActivatedAt == nil || got.User.PasswordChangedAt != nil {
			t.Fatalf("got %+v (user %+v), want %+v", got, got.User, want)
		}
		for _, tc := range []struct {
			name string
			at   time.Time
			idle time.Duration
		}{
			{"idle exactly at the limit", seen.Add(30 * time.Minute), 30 * time.Minute},
			{"idle past the limit", seen.Add(30*time.Minute + time.Microsecond), 30 * time.Minute},
			{"absolute expiry", seen.Add(time.Hour), 2 * time.Hour},
		} {
			if _, err := s.SessionUserByHash(ctx, "h1", tc.at, tc.idle); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s: %v, want ErrNotFound", tc.name, err)
			}
			_, err := s.SessionByHash(ctx, "h1", tc.at, tc.idle)
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s: SessionByHash disagrees: %v", tc.name, err)
			}
		}
		if _, err := s.SessionUserByHash(ctx, "h1", seen.Add(30*time.Minute-time.Microsecond), 30*time.Minute); err != nil {
			t.Errorf("a microsecond before the idle limit: %v", err)
		}
		err = s.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
			_, err := tx.SessionUserByHash(ctx, "h1", now, 30*time.Minute)
			return err
		})
		if err != nil {
			t.Errorf("inside a transaction: %v", err)
		}
	})
}
