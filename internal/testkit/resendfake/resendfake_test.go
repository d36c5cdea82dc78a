package resendfake

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/resend/resend-go/v3"
)

const validBody = `{"from":"a@example.com","to":["b@example.com"],"subject":"Hi","html":"<p>x</p>","text":"x"}`

type answer struct {
	Status int
	ID     string `json:"id"`
	Name   string `json:"name"`
	Header http.Header
}

func post(t *testing.T, s *Server, auth, key, body string) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL()+"emails", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	defer resp.Body.Close()
	var a answer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatalf("decode answer: %v", err)
	}
	a.Status, a.Header = resp.StatusCode, resp.Header
	return a
}

func TestValidation(t *testing.T) {
	tests := []struct {
		name       string
		auth       string
		body       string
		wantStatus int
		wantName   string
	}{
		{name: "no auth", auth: "", body: validBody, wantStatus: 401, wantName: "missing_api_key"},
		{name: "empty bearer", auth: "Bearer ", body: validBody, wantStatus: 401, wantName: "missing_api_key"},
		{name: "basic auth", auth: "Basic Zm9vOmJhcg==", body: validBody, wantStatus: 401, wantName: "missing_api_key"},
		{name: "ok", auth: "Bearer re_x", body: validBody, wantStatus: 200},
		{name: "to as string", auth: "Bearer re_x", body: `{"from":"a@x","to":"b@x","subject":"s"}`, wantStatus: 200},
		{name: "missing from", auth: "Bearer re_x", body: `{"to":["b@x"],"subject":"s"}`, wantStatus: 422, wantName: "validation_error"},
		{name: "missing to", auth: "Bearer re_x", body: `{"from":"a@x","to":[],"subject":"s"}`, wantStatus: 422, wantName: "validation_error"},
		{name: "missing subject", auth: "Bearer re_x", body: `{"from":"a@x","to":["b@x"]}`, wantStatus: 422, wantName: "validation_error"},
		{name: "bad json", auth: "Bearer re_x", body: `{`, wantStatus: 400, wantName: "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New()
			defer s.Close()
			a := post(t, s, tt.auth, "", tt.body)
			if a.Status != tt.wantStatus || a.Name != tt.wantName {
				t.Errorf("answer = %d %q, want %d %q", a.Status, a.Name, tt.wantStatus, tt.wantName)
			}
			wantEmails := 0
			if tt.wantStatus == 200 {
				wantEmails = 1
				if a.ID == "" {
					t.Error("200 answer has no id")
				}
			}
			if n := len(s.Emails()); n != wantEmails {
				t.Errorf("recorded %d emails, want %d", n, wantEmails)
			}
			if s.Requests() != 1 {
				t.Errorf("Requests = %d, want 1", s.Requests())
			}
		})
	}
}

func TestIdempotentReplay(t *testing.T) {
	s := New()
	defer s.Close()
	first := post(t, s, "Bearer re_x", "row-1", validBody)
	again := post(t, s, "Bearer re_x", "row-1", validBody)
	if first.Status != 200 || again.Status != 200 || first.ID == "" || first.ID != again.ID {
		t.Errorf("answers %d %q then %d %q, want 200 with the same id", first.Status, first.ID, again.Status, again.ID)
	}
	other := post(t, s, "Bearer re_x", "row-2", validBody)
	if other.ID == first.ID {
		t.Error("a new key returned the old id")
	}
	changed := post(t, s, "Bearer re_x", "row-1", strings.Replace(validBody, "Hi", "Changed", 1))
	if changed.Status != 409 {
		t.Errorf("same key, different body: status %d, want 409", changed.Status)
	}
	if n := len(s.Emails()); n != 2 {
		t.Errorf("recorded %d emails, want 2", n)
	}
	if got := s.CountByKey(); got["row-1"] != 2 || got["row-2"] != 1 {
		t.Errorf("CountByKey = %v, want row-1:2 row-2:1", got)
	}
}

func TestFaults(t *testing.T) {
	s := New()
	defer s.Close()

	s.FailNext(2, 503)
	s.RateLimitNext(1, 7)
	wantStatus := []int{503, 503, 429, 200}
	for i, want := range wantStatus {
		a := post(t, s, "Bearer re_x", "", validBody)
		if a.Status != want {
			t.Errorf("request %d: status %d, want %d", i+1, a.Status, want)
		}
		if want == 429 && a.Header.Get("retry-after") != "7" {
			t.Errorf("retry-after = %q, want 7", a.Header.Get("retry-after"))
		}
	}
	if n := len(s.Emails()); n != 1 {
		t.Errorf("recorded %d emails, want 1", n)
	}
	if s.Requests() != len(wantStatus) {
		t.Errorf("Requests = %d, want %d", s.Requests(), len(wantStatus))
	}
}

func TestWaitFor(t *testing.T) {
	s := New()
	defer s.Close()

	go func() {
		// t.Fatal may not run off the test goroutine, so a failure here shows up as a WaitFor timeout.
		time.Sleep(20 * time.Millisecond)
		req, _ := http.NewRequest(http.MethodPost, s.URL()+"emails", strings.NewReader(validBody))
		req.Header.Set("Authorization", "Bearer re_x")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got, err := s.WaitFor(ctx, 1)
	if err != nil || len(got) != 1 {
		t.Fatalf("WaitFor = %d emails, %v; want 1, nil", len(got), err)
	}

	short, cancel2 := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel2()
	if _, err := s.WaitFor(short, 5); err == nil {
		t.Error("WaitFor(5) returned without error though only 1 email exists")
	}
}

func TestDelayRespectsClientCancel(t *testing.T) {
	s := New()
	defer s.Close()
	s.SetDelay(time.Second)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL()+"emails", strings.NewReader(validBody))
	req.Header.Set("Authorization", "Bearer re_x")
	start := time.Now()
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("request succeeded despite delay longer than its deadline")
	}
	if time.Since(start) > 500*time.Millisecond {
		t.Error("client waited for the full delay")
	}
	if n := len(s.Emails()); n != 0 {
		t.Errorf("recorded %d emails from an abandoned request, want 0", n)
	}
}

// TestOutageRotatesFaults: during an outage every send fails, the kinds taking turns; a
// hang after accepting records the email, so the client's retry with the same key is a
// replay, not a second email.
// An outage and FailRotation both serve every Fault kind in turn; after either, sends succeed.
func TestOutageRotatesFaults(t *testing.T) {
	for name, fail := range map[string]func(*Server){
		"outage":       func(s *Server) { s.SetOutage(true) },
		"FailRotation": func(s *Server) { s.FailRotation(int(numFaults)) },
	} {
		t.Run(name, func(t *testing.T) { testRotation(t, fail) })
	}
}

func testRotation(t *testing.T, fail func(*Server)) {
	s := New()
	defer s.Close()
	fail(s)
	client := &http.Client{Timeout: 200 * time.Millisecond}
	send := func(key string) (int, error) {
		req, _ := http.NewRequest(http.MethodPost, s.URL()+"emails", strings.NewReader(validBody))
		req.Header.Set("Authorization", "Bearer re_x")
		req.Header.Set("Idempotency-Key", key)
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	want := []int{500, 429, 503, 0, 0} // 0: the client timed out
	for i, w := range want {
		status, err := send("k-1")
		if (w == 0) != (err != nil) || status != w {
			t.Errorf("send %d during the outage: status %d, err %v; want %d", i+1, status, err, w)
		}
	}
	if n := len(s.Emails()); n != 1 {
		t.Errorf("after the rotation %d emails are recorded, want 1 (the hang after accepting)", n)
	}
	s.SetOutage(false)
	if status, err := send("k-1"); err != nil || status != 200 {
		t.Fatalf("retry after the outage: %d, %v", status, err)
	}
	if n := len(s.Emails()); n != 1 || s.CountByKey()["k-1"] != 2 {
		t.Errorf("retry recorded %d emails (want 1) and key count %d (want 2: one replay)", n, s.CountByKey()["k-1"])
	}
	f := s.Faults()
	for k := FaultServerError; k < numFaults; k++ {
		if f[k] != 1 {
			t.Errorf("Faults()[%v] = %d, want 1", k, f[k])
		}
	}
}

func TestFaultRate(t *testing.T) {
	s := New()
	defer s.Close()
	s.SetFaultRate(0.5)
	failed := 0
	for range 200 {
		req, _ := http.NewRequest(http.MethodPost, s.URL()+"emails", strings.NewReader(validBody))
		req.Header.Set("Authorization", "Bearer re_x")
		client := &http.Client{Timeout: 50 * time.Millisecond}
		resp, err := client.Do(req)
		if err != nil {
			failed++
			continue
		}
		if resp.StatusCode != 200 {
			failed++
		}
		resp.Body.Close()
	}
	// Binomial(200, 0.5): outside 60..140 has odds below 1e-8. Hangs after accepting
	// count as failures to the client though the email was recorded.
	if failed < 60 || failed > 140 {
		t.Errorf("%d of 200 sends failed at rate 0.5", failed)
	}
	s.SetFaultRate(0)
	a := post(t, s, "Bearer re_x", "", validBody)
	if a.Status != 200 {
		t.Errorf("after SetFaultRate(0): status %d", a.Status)
	}
}

// The fake's signatures are the ones resend-go accepts, and only those.
func TestSignWebhookVerifies(t *testing.T) {
	secret := NewWebhookSecret()
	e := Event{ID: "msg_1", Type: "email.delivered", EmailID: "e1", To: []string{"a@example.com"}, At: time.Now()}
	body := e.Payload()
	h := SignWebhook(secret, e.ID, time.Now(), body)
	verify := func(secret string, body []byte) error {
		return resend.NewClient("").Webhooks.Verify(&resend.VerifyWebhookOptions{Payload: string(body), WebhookSecret: secret,
			Headers: resend.WebhookHeaders{Id: h.Get("svix-id"), Timestamp: h.Get("svix-timestamp"), Signature: h.Get("svix-signature")}})
	}
	if err := verify(secret, body); err != nil {
		t.Fatalf("resend-go refuses the fake's signature: %v", err)
	}
	if err := verify(NewWebhookSecret(), body); err == nil {
		t.Error("another secret verified")
	}
	if err := verify(secret, append(body, ' ')); err == nil {
		t.Error("a changed body verified")
	}
}

// The batch endpoint records every email of a batch with its id in order,
// replays a repeated key, refuses a changed payload under the same key and
// a batch with one invalid email whole.
func TestBatch(t *testing.T) {
	s := New()
	defer s.Close()
	c := resend.NewClient("re_test")
	c.BaseURL, _ = c.BaseURL.Parse(s.URL())
	ctx := context.Background()
	reqs := func(n int) []*resend.SendEmailRequest {
		var out []*resend.SendEmailRequest
		for i := range n {
			out = append(out, &resend.SendEmailRequest{From: "a@example.com", To: []string{fmt.Sprintf("p%d@example.com", i)}, Subject: "Hi", Text: "x"})
		}
		return out
	}
	opts := &resend.BatchSendEmailOptions{IdempotencyKey: "b1"}
	first, err := c.Batch.SendWithOptions(ctx, reqs(3), opts)
	if err != nil || len(first.Data) != 3 {
		t.Fatalf("batch: %+v, %v", first, err)
	}
	again, err := c.Batch.SendWithOptions(ctx, reqs(3), opts)
	if err != nil || again.Data[2].Id != first.Data[2].Id {
		t.Fatalf("replay: %+v, %v", again, err)
	}
	emails := s.Emails()
	if len(emails) != 3 || emails[1].ID != first.Data[1].Id || emails[1].BatchKey != "b1" || emails[1].IdempotencyKey != "b1#1" {
		t.Fatalf("emails: %+v", emails)
	}
	if _, err := c.Batch.SendWithOptions(ctx, reqs(2), opts); err == nil {
		t.Error("a different batch under the same key was accepted")
	}
	bad := reqs(2)
	bad[1].Subject = ""
	if _, err := c.Batch.SendWithOptions(ctx, bad, &resend.BatchSendEmailOptions{IdempotencyKey: "b2"}); err == nil {
		t.Error("a batch with an invalid email was accepted")
	}
	if n := len(s.Emails()); n != 3 {
		t.Errorf("%d emails after the refusals, want 3", n)
	}
}

// Past its request rate the fake answers 429 with Retry-After.
func TestRequestRate(t *testing.T) {
	s := New()
	defer s.Close()
	s.SetRequestRate(2)
	statuses := []int{}
	for range 3 {
		resp, err := http.Post(s.URL()+"emails", "application/json", strings.NewReader(validBody))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		statuses = append(statuses, resp.StatusCode)
		if resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("retry-after") == "" {
			t.Error("429 without retry-after")
		}
	}
	if statuses[0] != 401 && statuses[0] != 200 || statuses[2] != http.StatusTooManyRequests || s.RateLimited() != 1 {
		t.Errorf("statuses %v, %d limited; want the third refused", statuses, s.RateLimited())
	}
}
