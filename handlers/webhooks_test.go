package handlers_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"gatehouse/internal/account"
	"gatehouse/internal/handoff"
	"gatehouse/internal/mail"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

const testWebhookSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// receiver is the platform's webhook endpoint: it verifies every delivery
// with the Standard Webhooks library, keeps the ids it has seen (as a
// receiver should) and fails while told to.
type receiver struct {
	mu      sync.Mutex
	events  []account.Webhook
	ids     map[string]int
	bad     int
	failing bool
	body    []string
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hook, _ := standardwebhooks.NewWebhook(testWebhookSecret)
	b, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if err := hook.Verify(b, r.Header); err != nil {
		rc.bad++
		w.WriteHeader(400)
		return
	}
	if rc.failing {
		w.WriteHeader(503)
		return
	}
	id := r.Header.Get("webhook-id")
	rc.ids[id]++
	if rc.ids[id] > 1 {
		return // seen already: a receiver handles each id once
	}
	var e account.Webhook
	json.Unmarshal(b, &e)
	rc.events = append(rc.events, e)
	rc.body = append(rc.body, string(b))
}

func (rc *receiver) types() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []string
	for _, e := range rc.events {
		out = append(out, string(e.Type)+"/"+e.Data.Reason)
	}
	return out
}

// The platform hears of sign-up, activation, sign-in, password changes and
// ended sessions, signed per Standard Webhooks (rule 44), in order, once
// per event, through the outbox: a receiver that fails changes nothing a
// person sees, and its events arrive once it is back.
func TestRule44Webhooks(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		rc := &receiver{ids: map[string]int{}}
		srv := httptest.NewServer(rc)
		defer srv.Close()
		app := newApp(t, backend, func(o *appOptions) { o.webhooks = true })
		sender, err := handoff.NewWebhookSender(srv.URL, testWebhookSecret, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		hooks := mail.NewWorker(store.Webhooks{Store: app.Store}, sender, handoff.RenderWebhook, "")
		hooks.Now, hooks.RetryDelay, hooks.Log = app.Now, time.Second, slog.New(slog.NewTextHandler(app.Logs, nil))
		deliver := func() {
			t.Helper()
			for range 20 {
				n, err := hooks.RunOnce(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if n == 0 {
					return
				}
			}
		}

		rc.failing = true
		app.signUp("ada@example.com") // the mail still goes: its worker is another
		b := app.signIn("ada@example.com", goodPassword)
		other := app.signIn("ada@example.com", goodPassword)
		must(t, b.Get("/account"), 200)
		deliver()
		if len(rc.types()) != 0 {
			t.Fatal("a failing receiver recorded events")
		}
		b.Post("/account/sessions/end-others", nil)
		mustRedirect(t, b.Post("/logout", nil), "/login?notice=signed_out")
		_ = other
		rc.mu.Lock()
		rc.failing = false
		rc.mu.Unlock()
		app.Advance(time.Hour) // past every backoff
		deliver()
		want := []string{"user.registered/", "user.activated/", "org.created/", "org.member_joined/", "user.signed_in/", "user.signed_in/", "session.ended/ended_by_user", "session.ended/sign_out"}
		if got := rc.types(); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("events %v, want %v", got, want)
		}
		rc.mu.Lock()
		defer rc.mu.Unlock()
		if rc.bad != 0 {
			t.Errorf("%d deliveries failed verification", rc.bad)
		}
		for _, e := range rc.events {
			if !uuidRE.MatchString(e.Data.UserID) || e.Data.Email != "ada@example.com" {
				t.Errorf("event %+v", e)
			}
		}
		for _, body := range rc.body {
			for _, secret := range []string{goodPassword, "token", "password_hash", b.Cookie("gatehouse_session")} {
				if secret != "" && strings.Contains(body, secret) {
					t.Errorf("a webhook carries %q: %s", secret, body)
				}
			}
		}
		for id, n := range rc.ids {
			if n != 1 {
				t.Errorf("webhook %s delivered %d times after success", id, n)
			}
		}
	})
}

// Forged deliveries do not verify: the signature covers id, timestamp and
// body, so a receiver using the library rejects any change.
func TestWebhookSignatureCoversTheBody(t *testing.T) {
	var got http.Header
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, body = r.Header.Clone(), must2(io.ReadAll(r.Body))
	}))
	defer srv.Close()
	s, _ := handoff.NewWebhookSender(srv.URL, testWebhookSecret, time.Second)
	if err := s.Send(context.Background(), mail.Message{Text: `{"type":"user.signed_in"}`, IdempotencyKey: "gatehouse-1"}); err != nil {
		t.Fatal(err)
	}
	hook, _ := standardwebhooks.NewWebhook(testWebhookSecret)
	if err := hook.Verify(body, got); err != nil || got.Get("webhook-id") != "gatehouse-1" {
		t.Fatalf("genuine delivery: %v %v", err, got)
	}
	if err := hook.Verify([]byte(`{"type":"user.activated"}`), got); err == nil {
		t.Error("a changed body verified")
	}
	other, _ := standardwebhooks.NewWebhook("whsec_" + strings.Repeat("QUJD", 8))
	if err := other.Verify(body, got); err == nil {
		t.Error("another secret verified")
	}
	_ = url.Values{}
}

func must2[T any](v T, _ error) T { return v }
