package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"gatehouse/handlers"
	"gatehouse/internal/i18n"
	"gatehouse/internal/mail"
	"gatehouse/internal/store/storetest"
)

// mailboxHandler is the application with a dev mailbox holding one
// message (id 1), behind trustedProxies.
func mailboxHandler(t *testing.T, trustedProxies ...string) http.Handler {
	t.Helper()
	catalog, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	box := mail.NewMailbox(storetest.Open(t, storetest.SQLite))
	if err := box.Send(context.Background(), mail.Message{To: "ada@example.com", Subject: "Reset",
		Text: "http://localhost:8080/password/reset?token=s3cret", HTML: "<p>reset</p>"}); err != nil {
		t.Fatal(err)
	}
	h, err := handlers.New(handlers.Deps{Catalog: catalog, Mailbox: box, TrustedProxies: trustedProxies,
		Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestMailboxLoopbackOnly (issue 12 item 5): the dev mailbox answers only a
// client whose TCP peer is loopback and that no proxy forwarded; everyone
// else gets the ordinary 404, whatever X-Forwarded-For claims.
func TestMailboxLoopbackOnly(t *testing.T) {
	tests := []struct {
		name    string
		proxies []string
		remote  string
		header  map[string]string
		want    int
	}{
		{"loopback v4", nil, "127.0.0.1:40000", nil, 200},
		{"loopback v6", nil, "[::1]:40000", nil, 200},
		{"other host", nil, "192.0.2.7:40000", nil, 404},
		{"other host claiming loopback", nil, "192.0.2.7:40000", map[string]string{"X-Forwarded-For": "127.0.0.1"}, 404},
		{"trusted proxy on loopback", []string{"127.0.0.1"}, "127.0.0.1:40000", map[string]string{"X-Forwarded-For": "203.0.113.9"}, 404},
		{"trusted proxy forwarding loopback", []string{"127.0.0.1"}, "127.0.0.1:40000", map[string]string{"X-Forwarded-For": "127.0.0.1"}, 404},
		{"untrusted forwarded header", nil, "127.0.0.1:40000", map[string]string{"Forwarded": "for=203.0.113.9"}, 404},
		{"x-real-ip", nil, "127.0.0.1:40000", map[string]string{"X-Real-IP": "203.0.113.9"}, 404},
		{"private network", nil, "10.0.0.5:40000", nil, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := mailboxHandler(t, tt.proxies...)
			for _, path := range []string{"/dev/mailbox", "/dev/mailbox/1"} {
				req := httptest.NewRequest("GET", path, nil)
				req.RemoteAddr = tt.remote
				for k, v := range tt.header {
					req.Header.Set(k, v)
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				body, _ := io.ReadAll(rec.Body)
				if rec.Code != tt.want {
					t.Fatalf("%s from %s: %d, want %d", path, tt.remote, rec.Code, tt.want)
				}
				if tt.want == 404 && strings.Contains(string(body), "s3cret") {
					t.Fatalf("%s from %s shows the link", path, tt.remote)
				}
				if tt.want == 200 && path == "/dev/mailbox" && !strings.Contains(string(body), "s3cret") {
					t.Fatalf("%s from %s: the message is missing", path, tt.remote)
				}
			}
		})
	}
}

// TestMailboxOverTCP: a real loopback connection reaches the mailbox, so
// the check reads the peer address the server sees.
func TestMailboxOverTCP(t *testing.T) {
	srv := httptest.NewServer(mailboxHandler(t))
	defer srv.Close()
	resp, body := get(t, srv.URL+"/dev/mailbox")
	if resp.StatusCode != 200 || !strings.Contains(body, "s3cret") {
		t.Fatalf("loopback client: %d", resp.StatusCode)
	}
	resp, _ = get(t, srv.URL+"/dev/mailbox", "X-Forwarded-For", "127.0.0.1")
	if resp.StatusCode != 404 {
		t.Fatalf("forwarded request: %d, want 404", resp.StatusCode)
	}
}
