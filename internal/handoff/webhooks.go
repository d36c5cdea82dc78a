package handoff

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"gatehouse/internal/mail"
	"gatehouse/internal/store"
)

// WebhookSender delivers the platform's events (WEBHOOK_URL) as the
// outbox worker's Sender, signed per Standard Webhooks: webhook-id is the
// outbox row's idempotency key, the same on every retry, so a receiver
// that keeps the ids it has seen handles each event once.
type WebhookSender struct {
	url    string
	hook   *standardwebhooks.Webhook
	client *http.Client
	now    func() time.Time
}

// NewWebhookSender returns a sender to target signing with secret (whsec_…).
func NewWebhookSender(target, secret string, timeout time.Duration) (*WebhookSender, error) {
	if _, err := url.Parse(target); err != nil {
		return nil, err
	}
	hook, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		return nil, fmt.Errorf("handoff: webhook secret: %w", err)
	}
	return &WebhookSender{url: target, hook: hook, client: &http.Client{Timeout: timeout,
		// A redirect would resend the signed body somewhere else.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}, now: time.Now}, nil
}

// RenderWebhook is the worker's RenderFunc for webhook rows: the payload
// was fixed when the event was written.
func RenderWebhook(_ context.Context, row store.OutboxMessage) (mail.Message, error) {
	if row.Kind != store.KindWebhook {
		return mail.Message{}, fmt.Errorf("handoff: row %d is %q, not a webhook", row.ID, row.Kind)
	}
	return mail.Message{Subject: store.KindWebhook, Text: row.Data}, nil
}

// Send posts one event. A 2xx is delivered; 408, 429 and 5xx (and no
// answer at all) are tried again with the outbox's backoff, honouring
// Retry-After; any other 4xx gives up.
func (w *WebhookSender) Send(ctx context.Context, m mail.Message) error {
	payload := []byte(m.Text)
	ts := w.now()
	sig, err := w.hook.Sign(m.IdempotencyKey, ts, payload)
	if err != nil {
		return &mail.SendError{Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(payload))
	if err != nil {
		return &mail.SendError{Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Gatehouse-Webhooks")
	req.Header.Set(standardwebhooks.HeaderWebhookID, m.IdempotencyKey)
	req.Header.Set(standardwebhooks.HeaderWebhookTimestamp, strconv.FormatInt(ts.Unix(), 10))
	req.Header.Set(standardwebhooks.HeaderWebhookSignature, sig)
	resp, err := w.client.Do(req)
	if err != nil {
		return &mail.SendError{Retryable: true, Err: errors.New("webhook: no answer: " + strings.ReplaceAll(err.Error(), w.url, "WEBHOOK_URL"))}
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode/100 == 2 {
		return nil
	}
	retry := resp.StatusCode == 408 || resp.StatusCode == 429 || resp.StatusCode >= 500
	var after time.Duration
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
		after = time.Duration(min(s, 3600)) * time.Second
	}
	return &mail.SendError{Status: resp.StatusCode, Retryable: retry, RetryAfter: after,
		Err: fmt.Errorf("webhook: answered %d", resp.StatusCode)}
}
