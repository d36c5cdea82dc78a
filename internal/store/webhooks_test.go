package store_test

import (
	"context"
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
