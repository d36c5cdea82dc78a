package mail_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"gatehouse/internal/mail"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// BenchmarkClaimAndSend is the worker's path for one message: claim (in
// batches of 20), render, send to the dev Mailbox, mark sent. Rendering is
// a fixed message here; the templ emails are measured in components. One
// op is one message.
//
//	go test -run '^$' -bench ClaimAndSend -benchmem ./internal/mail/
func BenchmarkClaimAndSend(b *testing.B) {
	for _, backend := range []storetest.Backend{storetest.SQLite, storetest.Postgres} {
		b.Run(string(backend), func(b *testing.B) {
			s := storetest.Open(b, backend)
			ctx := context.Background()
			now := time.Now()
			err := s.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
				for range b.N {
					m := &store.OutboxMessage{Kind: "activation", Recipient: "ada@example.com", Locale: "en",
						Data: `{"Link":"https://gatehouse.test/activate?token=x"}`, CreatedAt: now}
					if err := tx.Enqueue(ctx, m); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			w := mail.NewWorker(s, mail.NewMailbox(s), func(ctx context.Context, row store.OutboxMessage) (mail.Message, error) {
				return mail.Message{Subject: "Activate your account", HTML: "<p>" + row.Data + "</p>", Text: row.Data}, nil
			}, "Gatehouse <noreply@gatehouse.test>")
			w.Now = func() time.Time { return now.Add(time.Second) }
			w.Log = slog.New(slog.DiscardHandler)
			b.ResetTimer()
			sent := 0
			for sent < b.N {
				n, err := w.RunOnce(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if n == 0 {
					b.Fatalf("outbox ran dry after %d of %d", sent, b.N)
				}
				sent += n
			}
		})
	}
}
