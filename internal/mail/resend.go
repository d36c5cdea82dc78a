package mail

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/resend/resend-go/v3"
)

// Resend sends mail through the Resend API.
type Resend struct {
	client *resend.Client
}

// NewResend builds a Resend sender. An empty baseURL keeps resend-go's default endpoint;
// timeout bounds each HTTP call because resend-go has no deadline of its own beyond a minute.
func NewResend(apiKey string, baseURL string, timeout time.Duration) (*Resend, error) {
	apiKey = strings.TrimSpace(apiKey)
	if apiKey == "" {
		return nil, errors.New("mail: resend: empty API key")
	}
	if timeout <= 0 {
		return nil, fmt.Errorf("mail: resend: timeout must be positive, got %s", timeout)
	}
	base := http.DefaultTransport.(*http.Transport).Clone()
	hc := &http.Client{Timeout: timeout, Transport: statusTransport{base: base}}
	c := resend.NewCustomClient(hc, apiKey)
	if baseURL != "" {
		u, err := url.Parse(baseURL)
		if err != nil {
			return nil, fmt.Errorf("mail: resend: parse base URL: %w", err)
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("mail: resend: base URL %q must be an absolute http(s) URL", u.Redacted())
		}
		// resend-go resolves "emails" against BaseURL; without the slash the last path
		// segment would be replaced instead of extended.
		if !strings.HasSuffix(u.Path, "/") {
			u.Path += "/"
		}
		c.BaseURL = u
	}
	return &Resend{client: c}, nil
}

// Send delivers m and classifies any failure as a *SendError.
func (r *Resend) Send(ctx context.Context, m Message) error {
	_, err := r.SendID(ctx, m)
	return err
}

// SendID is Send that also returns Resend's id of the email, which its
// delivery events name.
func (r *Resend) SendID(ctx context.Context, m Message) (string, error) {
	// Each call gets its own holder, so concurrent sends never see each other's status.
	var status atomic.Int32
	ctx = context.WithValue(ctx, statusKey{}, &status)
	resp, err := r.client.Emails.SendWithOptions(ctx, request(m), &resend.SendEmailOptions{IdempotencyKey: m.IdempotencyKey})
	if err != nil {
		return "", classify(int(status.Load()), err)
	}
	return resp.Id, nil
}

// SendBatch delivers ms in one call to Resend's batch endpoint under key,
// all or none (strict validation: one invalid message refuses the batch,
// so the caller can send the rest on their own without sending any
// twice), and returns the emails' ids in the order of ms.
func (r *Resend) SendBatch(ctx context.Context, ms []Message, key string) ([]string, error) {
	if len(ms) == 0 || len(ms) > MaxBatchSize {
		return nil, &SendError{Err: fmt.Errorf("mail: resend: a batch holds 1 to %d emails, got %d", MaxBatchSize, len(ms))}
	}
	var status atomic.Int32
	ctx = context.WithValue(ctx, statusKey{}, &status)
	reqs := make([]*resend.SendEmailRequest, len(ms))
	for i, m := range ms {
		reqs[i] = request(m)
	}
	resp, err := r.client.Batch.SendWithOptions(ctx, reqs, &resend.BatchSendEmailOptions{IdempotencyKey: key, BatchValidation: resend.BatchValidationStrict})
	if err != nil {
		return nil, classify(int(status.Load()), err)
	}
	ids := make([]string, len(ms))
	for i := range min(len(ids), len(resp.Data)) {
		ids[i] = resp.Data[i].Id
	}
	return ids, nil
}

// request is m as resend-go sends it.
func request(m Message) *resend.SendEmailRequest {
	return &resend.SendEmailRequest{From: m.From, To: []string{m.To}, Subject: m.Subject, Html: m.HTML, Text: m.Text}
}

// classify turns a resend-go error plus the recorded HTTP status into a SendError.
func classify(status int, err error) *SendError {
	var rl *resend.RateLimitError
	if errors.As(err, &rl) {
		return &SendError{Status: http.StatusTooManyRequests, Retryable: true, RetryAfter: parseRetryAfter(rl.RetryAfter), Err: err}
	}
	switch {
	case status == 0:
		// No answer at all (DNS, refused, timeout): Resend may be fine a moment later.
		return &SendError{Retryable: true, Err: err}
	case status < 300:
		// A 2xx whose body could not be read: the mail may have left, and the idempotency
		// key makes a second attempt safe.
		return &SendError{Status: status, Retryable: true, Err: err}
	case status >= 500, status == http.StatusRequestTimeout:
		return &SendError{Status: status, Retryable: true, Err: err}
	case status == http.StatusConflict:
		// Resend answers 409 while an earlier request with the same key is still in flight;
		// a later attempt gets that request's result.
		return &SendError{Status: status, Retryable: true, Err: err}
	default:
		// Any other 4xx (bad address, unverified domain, bad key) will fail the same way again.
		return &SendError{Status: status, Retryable: false, Err: err}
	}
}

// parseRetryAfter reads Resend's retry-after header, which is whole seconds.
func parseRetryAfter(v string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return 0
	}
	return time.Duration(n) * time.Second
}

// statusKey is the context key under which Send leaves its status holder.
type statusKey struct{}

// statusTransport records the response status, because resend-go drops it from 4xx and 5xx errors.
type statusTransport struct {
	base http.RoundTripper
}

// RoundTrip forwards the request and notes the status in the holder carried by its context.
func (t statusTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err == nil {
		if h, ok := req.Context().Value(statusKey{}).(*atomic.Int32); ok {
			h.Store(int32(resp.StatusCode))
		}
	}
	return resp, err
}
