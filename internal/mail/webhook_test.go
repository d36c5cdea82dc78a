package mail_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"gatehouse/internal/mail"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
	"gatehouse/internal/testkit/resendfake"
)

// webhookServer serves h as the route does: 400 for ErrBadWebhook, 500
// for any other error.
func webhookServer(t *testing.T, h *mail.Webhooks) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch err := h.Handle(r.Context(), r.Header, body); {
		case errors.Is(err, mail.ErrBadWebhook):
			w.WriteHeader(http.StatusBadRequest)
		case err != nil:
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// Events from Resend arriving late, twice and out of order leave each
// email in its furthest state; a hard bounce and a complaint suppress the
// address, so the next email to it is not sent.
func TestWebhookEventsOutOfOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		r := newRig(t, s)
		for i := range 3 {
			r.enqueueTo(t, fmt.Sprintf("p%d@example.com", i))
		}
		r.runOnce(t)
		emails := r.fake.Emails()
		if len(emails) != 3 {
			t.Fatalf("%d emails", len(emails))
		}
		secret := resendfake.NewWebhookSecret()
		url := webhookServer(t, mail.NewWebhooks(secret, s, nil))
		at := time.Now().Add(-time.Minute)
		ev := func(i int, typ string, d time.Duration) resendfake.Event {
			return resendfake.EventFor(emails[i], typ, at.Add(d))
		}
		events := []resendfake.Event{
			ev(0, "email.sent", 0), ev(0, "email.delivery_delayed", time.Second), ev(0, "email.delivered", 2*time.Second),
			ev(1, "email.delivered", time.Second), ev(1, "email.complained", 5*time.Second),
			ev(2, "email.delivery_delayed", time.Second), ev(2, "email.bounced", 3*time.Second),
		}
		first, second, err := resendfake.DeliverEvents(context.Background(), url, secret, events, 50*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		for i, st := range first {
			if st != http.StatusOK {
				t.Errorf("first delivery %d: %d, want 200", i, st)
			}
		}
		for i, st := range second {
			// email.sent is not kept, so its redelivery is as welcome as the first.
			if want := http.StatusBadRequest; st != want && i != len(second)-1 {
				t.Errorf("redelivery %d: %d, want %d (a replayed id)", i, st, want)
			}
		}
		want := map[string]string{emails[0].ID: store.DeliveryDelivered, emails[1].ID: store.DeliveryComplained, emails[2].ID: store.DeliveryBounced}
		for _, m := range rows(t, s, store.OutboxSent) {
			if m.Delivery != want[m.MessageID] || m.DeliveryAt == nil {
				t.Errorf("row to %s: delivery %q at %v, want %q", m.Recipient, m.Delivery, m.DeliveryAt, want[m.MessageID])
			}
		}
		sup, err := s.Suppressions(context.Background(), []string{"p0@example.com", "p1@example.com", "p2@example.com"})
		if err != nil || len(sup) != 2 || sup["p1@example.com"].Reason != store.SuppressedComplaint || sup["p2@example.com"].Reason != store.SuppressedBounce {
			t.Fatalf("suppressions %+v, %v", sup, err)
		}
		// The next email to a suppressed address is not sent.
		r.enqueueTo(t, "p1@example.com")
		r.enqueueTo(t, "p0@example.com")
		r.runOnce(t)
		if got := len(r.fake.Emails()); got != 4 {
			t.Errorf("%d emails, want 4 (p0's second; p1 suppressed)", got)
		}
	})
}

// Unsigned, wrongly signed, tampered and stale deliveries are refused and
// change nothing.
func TestWebhookRefusesUnverified(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		secret := resendfake.NewWebhookSecret()
		url := webhookServer(t, mail.NewWebhooks(secret, s, nil))
		e := resendfake.Event{ID: "msg_x", Type: "email.complained", EmailID: "e1", To: []string{"x@example.com"}, At: time.Now()}
		if st, _ := resendfake.PostEvent(ctx, url, resendfake.NewWebhookSecret(), e, time.Now()); st != http.StatusBadRequest {
			t.Errorf("wrong secret: %d", st)
		}
		if st, _ := resendfake.PostEvent(ctx, url, secret, e, time.Now().Add(-10*time.Minute)); st != http.StatusBadRequest {
			t.Errorf("stale: %d", st)
		}
		body := e.Payload()
		req, _ := http.NewRequest(http.MethodPost, url, nil)
		req.Header = resendfake.SignWebhook(secret, e.ID, time.Now(), body)
		req.Body = io.NopCloser(bytes.NewReader(append(body[:len(body)-1:len(body)-1], []byte(`,"x":1}`)...)))
		if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusBadRequest {
			t.Errorf("tampered: %v %v", resp, err)
		}
		resp, _ := http.Post(url, "application/json", bytes.NewReader(body))
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("unsigned: %d", resp.StatusCode)
		}
		if sup, _ := s.Suppressions(ctx, []string{"x@example.com"}); len(sup) != 0 {
			t.Errorf("an unverified event suppressed: %+v", sup)
		}
		// The genuine one goes through once; its replay is refused.
		now := time.Now()
		if st, _ := resendfake.PostEvent(ctx, url, secret, e, now); st != http.StatusOK {
			t.Errorf("genuine: %d", st)
		}
		if st, _ := resendfake.PostEvent(ctx, url, secret, e, now); st != http.StatusBadRequest {
			t.Errorf("replay: %d", st)
		}
	})
}
