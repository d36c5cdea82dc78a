package mail

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"gatehouse/internal/testkit/resendfake"
)

// testKey is distinctive so a test can prove it never leaks into an error message.
const testKey = "re_SECRET_test_key_4f9a"

func newSender(t *testing.T, fake *resendfake.Server, timeout time.Duration) *Resend {
	t.Helper()
	r, err := NewResend(testKey, fake.URL(), timeout)
	if err != nil {
		t.Fatalf("NewResend: %v", err)
	}
	return r
}

func sampleMessage(key string) Message {
	return Message{
		From:           "Gatehouse <noreply@example.com>",
		To:             "ada@example.com",
		Subject:        "Activate your account",
		HTML:           "<p>Hello &amp; welcome</p>",
		Text:           "Hello & welcome",
		IdempotencyKey: key,
	}
}

func TestResendSendSuccess(t *testing.T) {
	fake := resendfake.New()
	defer fake.Close()
	r := newSender(t, fake, 5*time.Second)

	m := sampleMessage("outbox-1-attempt")
	if err := r.Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := fake.Emails()
	if len(got) != 1 {
		t.Fatalf("fake recorded %d emails, want 1", len(got))
	}
	e := got[0]
	if e.From != m.From || e.To != m.To || e.Subject != m.Subject || e.HTML != m.HTML || e.Text != m.Text {
		t.Errorf("recorded %+v, want fields of %+v", e, m)
	}
	if e.IdempotencyKey != m.IdempotencyKey {
		t.Errorf("Idempotency-Key = %q, want %q", e.IdempotencyKey, m.IdempotencyKey)
	}
	if e.ID == "" {
		t.Error("recorded email has no id")
	}
}

func TestResendSendClassifiesFailures(t *testing.T) {
	tests := []struct {
		name       string
		setup      func(*resendfake.Server)
		msg        func(Message) Message
		timeout    time.Duration
		wantStatus int
		wantRetry  bool
		wantAfter  time.Duration
	}{
		{name: "500", setup: func(f *resendfake.Server) { f.FailNext(1, 500) }, wantStatus: 500, wantRetry: true},
		{name: "503", setup: func(f *resendfake.Server) { f.FailNext(1, 503) }, wantStatus: 503, wantRetry: true},
		{name: "408", setup: func(f *resendfake.Server) { f.FailNext(1, 408) }, wantStatus: 408, wantRetry: true},
		{name: "429 retry-after 7", setup: func(f *resendfake.Server) { f.RateLimitNext(1, 7) }, wantStatus: 429, wantRetry: true, wantAfter: 7 * time.Second},
		{name: "422 injected", setup: func(f *resendfake.Server) { f.FailNext(1, 422) }, wantStatus: 422},
		{name: "422 missing subject", msg: func(m Message) Message { m.Subject = ""; return m }, wantStatus: 422},
		{name: "400", setup: func(f *resendfake.Server) { f.FailNext(1, 400) }, wantStatus: 400},
		{name: "403", setup: func(f *resendfake.Server) { f.FailNext(1, 403) }, wantStatus: 403},
		{name: "timeout", setup: func(f *resendfake.Server) { f.SetDelay(2 * time.Second) }, timeout: 100 * time.Millisecond, wantStatus: 0, wantRetry: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := resendfake.New()
			defer fake.Close()
			if tt.setup != nil {
				tt.setup(fake)
			}
			timeout := tt.timeout
			if timeout == 0 {
				timeout = 5 * time.Second
			}
			r := newSender(t, fake, timeout)
			m := sampleMessage("key-" + tt.name)
			if tt.msg != nil {
				m = tt.msg(m)
			}

			err := r.Send(context.Background(), m)
			var se *SendError
			if !errors.As(err, &se) {
				t.Fatalf("Send error = %v (%T), want *SendError", err, err)
			}
			if se.Status != tt.wantStatus || se.Retryable != tt.wantRetry || se.RetryAfter != tt.wantAfter {
				t.Errorf("SendError{Status:%d Retryable:%v RetryAfter:%s}, want {%d %v %s}",
					se.Status, se.Retryable, se.RetryAfter, tt.wantStatus, tt.wantRetry, tt.wantAfter)
			}
			if retry, after := Retryable(err); retry != tt.wantRetry || after != tt.wantAfter {
				t.Errorf("Retryable = (%v, %s), want (%v, %s)", retry, after, tt.wantRetry, tt.wantAfter)
			}
			if strings.Contains(err.Error(), testKey) {
				t.Errorf("error message leaks the API key: %q", err)
			}
			if n := len(fake.Emails()); n != 0 {
				t.Errorf("fake recorded %d emails for a failed send, want 0", n)
			}
		})
	}
}

func TestResendRetryAfterFailureDeliversOnce(t *testing.T) {
	fake := resendfake.New()
	defer fake.Close()
	r := newSender(t, fake, 5*time.Second)
	m := sampleMessage("outbox-7")

	fake.FailNext(1, 502)
	if err := r.Send(context.Background(), m); err == nil {
		t.Fatal("first Send succeeded despite injected 502")
	}
	for i := range 2 {
		if err := r.Send(context.Background(), m); err != nil {
			t.Fatalf("Send %d: %v", i+2, err)
		}
	}
	if n := len(fake.Emails()); n != 1 {
		t.Errorf("fake recorded %d emails, want 1", n)
	}
	if n := fake.CountByKey()[m.IdempotencyKey]; n != 2 {
		t.Errorf("accepted requests for key = %d, want 2 (one send, one replay)", n)
	}
	if n := fake.Requests(); n != 3 {
		t.Errorf("Requests = %d, want 3", n)
	}
}

func TestResendConcurrentSends(t *testing.T) {
	fake := resendfake.New()
	defer fake.Close()
	r := newSender(t, fake, 5*time.Second)
	// Some requests fail while others succeed, so a call that read another call's status would misclassify.
	fake.FailNext(10, 500)

	const n = 30
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { errs[i] = r.Send(context.Background(), sampleMessage(fmt.Sprintf("k%d", i))) })
	}
	wg.Wait()
	failed := 0
	for _, err := range errs {
		if err == nil {
			continue
		}
		failed++
		var se *SendError
		if !errors.As(err, &se) || se.Status != 500 || !se.Retryable {
			t.Errorf("failure = %v, want retryable SendError with status 500", err)
		}
	}
	if failed != 10 || len(fake.Emails()) != n-10 {
		t.Errorf("failed %d, delivered %d; want 10 and %d", failed, len(fake.Emails()), n-10)
	}
}

func TestNewResend(t *testing.T) {
	tests := []struct {
		name    string
		key     string
		base    string
		wantURL string
		wantErr bool
	}{
		{name: "default base", key: "k", base: "", wantURL: ""},
		{name: "adds slash", key: "k", base: "http://127.0.0.1:9/api", wantURL: "http://127.0.0.1:9/api/"},
		{name: "keeps slash", key: "k", base: "https://api.example.com/", wantURL: "https://api.example.com/"},
		{name: "empty key", key: "  ", base: "", wantErr: true},
		{name: "relative base", key: "k", base: "/emails", wantErr: true},
		{name: "bad base", key: "k", base: "http://[::1", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewResend(tt.key, tt.base, time.Second)
			if tt.wantErr {
				if err == nil {
					t.Fatal("NewResend succeeded, want error")
				}
				return
			}
			if err != nil {
				t.Fatalf("NewResend: %v", err)
			}
			if tt.wantURL != "" && r.client.BaseURL.String() != tt.wantURL {
				t.Errorf("BaseURL = %q, want %q", r.client.BaseURL, tt.wantURL)
			}
		})
	}
}

func TestRetryable(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		wantRetry bool
		wantAfter time.Duration
	}{
		{name: "nil", err: nil},
		{name: "plain", err: errors.New("connection refused"), wantRetry: true},
		{name: "deadline", err: context.DeadlineExceeded, wantRetry: true},
		{name: "permanent", err: &SendError{Status: 422, Err: errors.New("bad")}},
		{name: "wrapped rate limit", err: fmt.Errorf("outbox: %w", &SendError{Status: 429, Retryable: true, RetryAfter: 3 * time.Second}), wantRetry: true, wantAfter: 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			retry, after := Retryable(tt.err)
			if retry != tt.wantRetry || after != tt.wantAfter {
				t.Errorf("Retryable = (%v, %s), want (%v, %s)", retry, after, tt.wantRetry, tt.wantAfter)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	tests := map[string]time.Duration{"7": 7 * time.Second, " 2 ": 2 * time.Second, "": 0, "soon": 0, "-1": 0, "1.5": 0}
	for in, want := range tests {
		if got := parseRetryAfter(in); got != want {
			t.Errorf("parseRetryAfter(%q) = %s, want %s", in, got, want)
		}
	}
}
