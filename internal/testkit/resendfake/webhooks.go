package resendfake

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/resend/resend-go/v3"
)

// Event is one delivery event as Resend posts it to a webhook.
type Event struct {
	ID         string // the Svix message id, the same on every redelivery
	Type       string // email.delivered, email.delivery_delayed, email.bounced, email.complained, …
	EmailID    string
	To         []string
	At         time.Time // when it happened (the payload's created_at)
	BounceType string    // email.bounced: Permanent or Transient
}

// NewWebhookSecret returns a signing secret in Resend's form (whsec_ and base64).
func NewWebhookSecret() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return "whsec_" + base64.StdEncoding.EncodeToString(b[:])
}

// EventFor is an event of type typ about an email the fake accepted.
func EventFor(e Email, typ string, at time.Time) Event {
	return Event{ID: "msg_" + newID(), Type: typ, EmailID: e.ID, To: strings.Split(e.To, ", "), At: at, BounceType: "Permanent"}
}

// Payload is the event's JSON body, shaped as Resend's.
func (e Event) Payload() []byte {
	data := map[string]any{"email_id": e.EmailID, "to": e.To, "created_at": e.At.UTC().Format(time.RFC3339Nano),
		"from": "Gatehouse <noreply@gatehouse.test>", "subject": "…"}
	if e.Type == resend.EventEmailBounced {
		data["bounce"] = map[string]string{"type": e.BounceType, "subType": "General", "message": "The recipient's mailbox does not exist."}
	}
	b, _ := json.Marshal(map[string]any{"type": e.Type, "created_at": e.At.UTC().Format(time.RFC3339Nano), "data": data})
	return b
}

// SignWebhook returns the Svix headers that sign payload under id at ts.
// resend-go can verify a signature but not make one, and the svix module
// would be a dependency for this alone; the scheme is Svix's documented
// one (HMAC-SHA256 over "id.timestamp.payload" with the secret's
// base64-decoded bytes), and resendfake's tests hold it to resend-go's
// Verify.
func SignWebhook(secret, id string, ts time.Time, payload []byte) http.Header {
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	stamp := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, key)
	fmt.Fprintf(mac, "%s.%s.", id, stamp)
	mac.Write(payload)
	h := http.Header{}
	h.Set("svix-id", id)
	h.Set("svix-timestamp", stamp)
	h.Set("svix-signature", "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "Svix-Webhooks/1.0")
	return h
}

// PostEvent signs e with secret, as sent at ts, and posts it to url; it
// returns the status. Like Svix, it sends no Origin or Sec-Fetch-Site.
func PostEvent(ctx context.Context, url, secret string, e Event, ts time.Time) (int, error) {
	body := e.Payload()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header = SignWebhook(secret, e.ID, ts, body)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// DeliverEvents posts events (given in the order they happened) as Resend
// can: late (after delay), out of order (last first) and each twice, the
// second time as a redelivery signed anew. It returns the statuses of the
// first and second deliveries, in the order sent.
func DeliverEvents(ctx context.Context, url, secret string, events []Event, delay time.Duration) (first, second []int, err error) {
	select {
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	case <-time.After(delay):
	}
	for i := len(events) - 1; i >= 0; i-- {
		st, err := PostEvent(ctx, url, secret, events[i], time.Now())
		if err != nil {
			return first, second, err
		}
		first = append(first, st)
	}
	for i := len(events) - 1; i >= 0; i-- {
		st, err := PostEvent(ctx, url, secret, events[i], time.Now())
		if err != nil {
			return first, second, err
		}
		second = append(second, st)
	}
	return first, second, nil
}
