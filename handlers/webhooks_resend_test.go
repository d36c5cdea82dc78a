package handlers_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"gatehouse/handlers"
	"gatehouse/internal/i18n"
	"gatehouse/internal/mail"
	"gatehouse/internal/paths"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
	"gatehouse/internal/testkit/resendfake"
)

// TestResendWebhookRoute: through the whole handler (cross-origin
// protection and body limit included), a signed event as Svix posts it
// (no Origin, no Sec-Fetch-Site) is recorded, a replay or a bad signature
// gets 400, and without a secret the path is a 404.
func TestResendWebhookRoute(t *testing.T) {
	catalog, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	off, err := handlers.New(handlers.Deps{Catalog: catalog, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		secret := resendfake.NewWebhookSecret()
		h, err := handlers.New(handlers.Deps{Catalog: catalog, Log: log, ResendWebhook: mail.NewWebhooks(secret, st, log)})
		if err != nil {
			t.Fatal(err)
		}
		e := resendfake.Event{ID: "msg_1", Type: "email.bounced", EmailID: "e1", To: []string{"gone@example.com"}, At: time.Now(), BounceType: "Permanent"}
		post := func(h http.Handler, secret string, hdr map[string]string) int {
			body := e.Payload()
			req := httptest.NewRequest(http.MethodPost, paths.ResendWebhook, bytes.NewReader(body))
			req.Header = resendfake.SignWebhook(secret, e.ID, time.Now(), body)
			for k, v := range hdr {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			return rec.Code
		}
		if got := post(off, secret, nil); got != http.StatusNotFound {
			t.Errorf("without a secret: %d, want 404", got)
		}
		if got := post(h, resendfake.NewWebhookSecret(), nil); got != http.StatusBadRequest {
			t.Errorf("wrong secret: %d, want 400", got)
		}
		if got := post(h, secret, nil); got != http.StatusNoContent {
			t.Errorf("signed event: %d, want 204", got)
		}
		if got := post(h, secret, nil); got != http.StatusBadRequest {
			t.Errorf("replay: %d, want 400", got)
		}
		// A browser's cross-site post is still refused by cross-origin protection.
		if got := post(h, secret, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}); got != http.StatusForbidden {
			t.Errorf("cross-site browser post: %d, want 403", got)
		}
		sup, err := st.Suppressions(context.Background(), []string{"gone@example.com"})
		if err != nil || len(sup) != 1 {
			t.Errorf("suppressions %+v, %v; want the bounce", sup, err)
		}
	})
}
