package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
	"gatehouse/internal/testkit/resendfake"
)

// TestRunResendWebhook: with RESEND_WEBHOOK_SECRET set, a bounce Resend
// reports for the activation email suppresses the address: the next email
// to it is not sent, and the operator sees why.
func TestRunResendWebhook(t *testing.T) {
	for _, backend := range []storetest.Backend{storetest.SQLite, storetest.Postgres} {
		t.Run(string(backend), func(t *testing.T) {
			fake := resendfake.New()
			defer fake.Close()
			secret := resendfake.NewWebhookSecret()
			dsn := storetest.DSN(t, backend)
			in := start(t, map[string]string{
				"DATABASE_URL": dsn, "RESEND_API_KEY": "re_test_key", "RESEND_BASE_URL": fake.URL(),
				"RESEND_WEBHOOK_SECRET": secret,
			})
			c := in.client(t)
			if code, _ := c.post("/register", registration("grace@example.com")); code != 200 {
				t.Fatalf("register: %d", code)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			mails, err := fake.WaitFor(ctx, 1)
			if err != nil {
				t.Fatal(err)
			}
			st, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			// The id Resend answered is on the row before the event can name it.
			waitFor(t, func() bool {
				sent, _ := st.OutboxByStatus(ctx, store.OutboxSent, 10)
				return len(sent) == 1 && sent[0].MessageID == mails[0].ID
			})
			ev := resendfake.EventFor(mails[0], "email.bounced", time.Now())
			if code, err := resendfake.PostEvent(ctx, in.base+"/webhooks/resend", secret, ev, time.Now()); err != nil || code != http.StatusNoContent {
				t.Fatalf("event: %d, %v", code, err)
			}
			// From another browser: the same one asking again within seconds
			// is a double click, answered as the first and sending nothing.
			req, err := http.NewRequest(http.MethodPost, c.url("/register"), strings.NewReader(registration("grace@example.com").Encode()))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("User-Agent", "another browser")
			if code, _ := c.read(c.c.Do(req)); code != 200 {
				t.Fatalf("register again: %d", code)
			}
			waitFor(t, func() bool {
				failed, _ := st.OutboxByStatus(ctx, store.OutboxFailed, 10)
				return len(failed) == 1 && strings.Contains(failed[0].LastError, "suppressed")
			})
			if n := len(fake.Emails()); n != 1 {
				t.Errorf("%d emails, want the first only", n)
			}
			sent, _ := st.OutboxByStatus(ctx, store.OutboxSent, 10)
			if len(sent) != 1 || sent[0].Delivery != store.DeliveryBounced {
				t.Errorf("sent row: %+v; want delivery bounced", sent)
			}
			env := func(k string) string { return map[string]string{"DATABASE_URL": dsn}[k] }
			if out, err := runOut(t, env, "mail", "suppressions", "list"); err != nil || !strings.Contains(out, "g***@example.com") || !strings.Contains(out, "bounce") {
				t.Errorf("list: %q, %v", out, err)
			}
		})
	}
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 15 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
