// Package resendfake is an in-process stand-in for the Resend API, driven through the real
// resend-go client by tests and load tools, with faults that can be injected on demand.
package resendfake

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxBody mirrors Resend's 40 MB request limit closely enough for tests.
const maxBody = 40 << 20

// maxKeyLen is Resend's limit on an idempotency key.
const maxKeyLen = 256

// Email is one message the fake accepted.
type Email struct {
	ID      string
	From    string
	To      string // recipients joined with ", "; the app sends to one address
	Subject string
	HTML    string
	Text    string
	// IdempotencyKey is the request's key; for an email sent in a batch
	// it is the batch's key followed by "#" and the email's index in it,
	// so each email still has a key of its own.
	IdempotencyKey string
	BatchKey       string // the batch call's key, "" for a single send
	At             time.Time
}

// Server is a fake Resend API listening on a loopback port.
type Server struct {
	srv  *httptest.Server
	done chan struct{}

	mu         sync.Mutex
	closed     bool
	emails     []Email
	requests   int
	byKey      map[string]keyed
	countByKey map[string]int
	failN      int
	failStatus int
	limitN     int
	limitAfter int
	delay      time.Duration
	faultRate  float64 // share of requests that fail at random (SetFaultRate)
	outage     bool    // every request fails (SetOutage)
	faultTurn  int     // which Fault the next random or outage failure is
	faultNext  int     // sends still to fail in the rotation whatever the rate (FailRotation)
	faults     map[Fault]int
	changed    chan struct{} // closed and replaced whenever an email is recorded

	rps      float64   // SetRequestRate: requests a second before 429 (0: no limit)
	tokens   float64   // the rate's token bucket, at most rps
	refilled time.Time // when tokens was last brought up to date
	limited  int       // requests refused by the rate
	batches  int       // batch calls accepted (replays included)
}

// Fault is one way the fake fails a request on purpose, in the rotation SetFaultRate and
// SetOutage use.
type Fault int

// The faults, in the order they take turns.
const (
	FaultServerError Fault = iota // 500 internal_server_error, nothing recorded
	FaultRateLimited              // 429 with Retry-After: 1, nothing recorded
	FaultUnavailable              // 503, nothing recorded
	FaultHangBefore               // no answer until the client gives up; nothing recorded
	FaultHangAfter                // the email IS recorded, then no answer until the client gives up
	numFaults
)

func (f Fault) String() string {
	return [...]string{"500", "429", "503", "hang before accepting", "hang after accepting"}[f]
}

// maxHang bounds a hang for a client that never gives up.
const maxHang = 2 * time.Minute

// keyed is what an idempotency key is bound to: the payload it first came with and its answer
// (one id for a single send, one per email for a batch).
type keyed struct {
	sum [sha256.Size]byte
	ids []string
}

// New starts a fake Resend API; Close it when done.
func New() *Server {
	s := &Server{
		done:       make(chan struct{}),
		byKey:      make(map[string]keyed),
		countByKey: make(map[string]int),
		faults:     make(map[Fault]int),
		changed:    make(chan struct{}),
	}
	s.srv = httptest.NewServer(s.Handler())
	return s
}

// URL is the base URL to give resend-go, with the trailing slash it needs.
func (s *Server) URL() string { return s.srv.URL + "/" }

// Handler serves the fake API, sharing this Server's state, so a load tool can mount it anywhere.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serve) }

// Close stops the server and aborts any delayed answers.
func (s *Server) Close() {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.done)
	}
	s.mu.Unlock()
	s.srv.Close()
}

// Emails returns every accepted email, oldest first.
func (s *Server) Emails() []Email {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Email(nil), s.emails...)
}

// Requests is the number of POSTs seen, including ones that failed.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// CountByKey is the number of accepted requests per idempotency key, replays included,
// so a test can see a retry reached the API yet produced one email.
func (s *Server) CountByKey() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.countByKey))
	for k, v := range s.countByKey {
		out[k] = v
	}
	return out
}

// WaitFor blocks until at least n emails are recorded or ctx ends, and returns what it has.
func (s *Server) WaitFor(ctx context.Context, n int) ([]Email, error) {
	for {
		s.mu.Lock()
		if len(s.emails) >= n {
			out := append([]Email(nil), s.emails...)
			s.mu.Unlock()
			return out, nil
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			got := s.Emails()
			return got, fmt.Errorf("resendfake: waiting for %d emails, have %d: %w", n, len(got), ctx.Err())
		}
	}
}

// FailNext makes the next n requests answer status with a JSON error and record nothing.
// It replaces any failures still pending from an earlier call.
func (s *Server) FailNext(n int, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failN, s.failStatus = n, status
}

// RateLimitNext makes the next n requests answer 429 with retry-after set to retryAfter seconds.
// FailNext faults are served first when both are pending.
func (s *Server) RateLimitNext(n int, retryAfter int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limitN, s.limitAfter = n, retryAfter
}

// SetDelay makes every later request wait d before it is handled; a client that gives up
// meanwhile leaves no email behind.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// SetFaultRate makes a share p (0 to 1) of later sends fail at random, the Fault kinds
// taking turns, so a sender meets every kind of failure a real API can give: errors to
// retry, rate limiting, and timeouts both before and after the email was accepted (a
// retry of the latter must carry the same idempotency key or the email goes out twice).
func (s *Server) SetFaultRate(p float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faultRate = min(max(p, 0), 1)
}

// SetOutage makes every later send fail (the same rotation as SetFaultRate) while on.
func (s *Server) SetOutage(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outage = on
}

// FailRotation makes the next n sends fail, the Fault kinds taking turns as under
// SetFaultRate, so a test meets every kind at least once whatever the random draw: with n of
// at least one per kind, the first sends serve 500, 429, 503 and both hangs in that order.
func (s *Server) FailRotation(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faultNext = max(n, 0)
}

// Faults counts the random and outage faults served so far, by kind.
func (s *Server) Faults() map[Fault]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[Fault]int, len(s.faults))
	for k, v := range s.faults {
		out[k] = v
	}
	return out
}

// pickFault decides whether a send fails at random or by outage, and how.
func (s *Server) pickFault() (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.faultNext > 0:
		s.faultNext--
	case !s.outage && (s.faultRate == 0 || mrand.Float64() >= s.faultRate):
		return 0, false
	}
	f := Fault(s.faultTurn % int(numFaults))
	s.faultTurn++
	s.faults[f]++
	return f, true
}

// hang holds a request until its client gives up, the fake closes, or maxHang passes.
func (s *Server) hang(r *http.Request) {
	t := time.NewTimer(maxHang)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	case <-s.done:
	}
}

// sendRequest is the part of resend-go's SendEmailRequest the fake checks.
type sendRequest struct {
	From    string          `json:"from"`
	To      json.RawMessage `json:"to"`
	Subject string          `json:"subject"`
	HTML    string          `json:"html"`
	Text    string          `json:"text"`
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		s.mu.Lock()
		s.requests++
		s.mu.Unlock()
	}

	s.mu.Lock()
	delay := s.delay
	s.mu.Unlock()
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		case <-s.done:
			t.Stop()
			return
		}
	}

	batch := r.URL.Path == "/emails/batch"
	if r.URL.Path != "/emails" && !batch {
		writeError(w, http.StatusNotFound, "not_found", "The requested endpoint does not exist.")
		return
	}
	if r.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "Method is not allowed for the requested path.")
		return
	}
	if !s.allow() {
		writeRateLimited(w, 1)
		return
	}

	if s.injectFault(w) {
		return
	}
	fault, faulty := s.pickFault()
	if faulty {
		switch fault {
		case FaultServerError, FaultUnavailable:
			status := http.StatusInternalServerError
			if fault == FaultUnavailable {
				status = http.StatusServiceUnavailable
			}
			writeError(w, status, errorName(status), "Injected failure.")
			return
		case FaultRateLimited:
			writeRateLimited(w, 1)
			return
		case FaultHangBefore:
			s.hang(r)
			return
		}
	}

	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || strings.TrimSpace(token) == "" {
		writeError(w, http.StatusUnauthorized, "missing_api_key", "Missing API key in the authorization header.")
		return
	}

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, "validation_error", "Request body is too large.")
		return
	}
	var reqs []sendRequest
	if batch {
		if err := json.Unmarshal(body, &reqs); err != nil {
			writeError(w, http.StatusBadRequest, "invalid_request", "Request body is not a JSON array.")
			return
		}
		if len(reqs) == 0 || len(reqs) > maxBatch {
			writeError(w, http.StatusUnprocessableEntity, "validation_error", "A batch holds 1 to 100 emails.")
			return
		}
		if mode := r.Header.Get("x-batch-validation"); mode != "" && mode != "strict" {
			writeError(w, http.StatusUnprocessableEntity, "validation_error", "The fake serves strict batch validation only.")
			return
		}
	} else {
		var one sendRequest
		if err := json.Unmarshal(body, &one); err != nil {
			writeError(w, http.StatusBadRequest, "invalid_request", "Request body is not valid JSON.")
			return
		}
		reqs = []sendRequest{one}
	}
	// Strict validation, as Resend's default for batches: one invalid email refuses them all.
	tos := make([][]string, len(reqs))
	for i, req := range reqs {
		to, err := recipients(req.To)
		if err != nil {
			writeError(w, http.StatusUnprocessableEntity, "validation_error", "Invalid `to` field.")
			return
		}
		switch {
		case strings.TrimSpace(req.From) == "":
			writeError(w, http.StatusUnprocessableEntity, "validation_error", "Missing `from` field.")
			return
		case len(to) == 0:
			writeError(w, http.StatusUnprocessableEntity, "validation_error", "Missing `to` field.")
			return
		case strings.TrimSpace(req.Subject) == "":
			writeError(w, http.StatusUnprocessableEntity, "validation_error", "Missing `subject` field.")
			return
		}
		tos[i] = to
	}

	key := r.Header.Get("Idempotency-Key")
	if len(key) > maxKeyLen {
		writeError(w, http.StatusBadRequest, "invalid_idempotency_key", "The key must be between 1-256 chars.")
		return
	}
	sum := sha256.Sum256(body)

	s.mu.Lock()
	if batch {
		s.batches++
	}
	if key != "" {
		if prev, ok := s.byKey[key]; ok {
			if prev.sum != sum {
				s.mu.Unlock()
				writeError(w, http.StatusConflict, "invalid_idempotent_request", "Same idempotency key used with a different request payload.")
				return
			}
			s.countByKey[key]++
			s.mu.Unlock()
			writeSent(w, batch, prev.ids)
			return
		}
	}
	ids := make([]string, len(reqs))
	for i, req := range reqs {
		e := Email{
			ID:             newID(),
			From:           req.From,
			To:             strings.Join(tos[i], ", "),
			Subject:        req.Subject,
			HTML:           req.HTML,
			Text:           req.Text,
			IdempotencyKey: key,
			At:             time.Now(),
		}
		if batch {
			e.BatchKey = key
			if key != "" {
				e.IdempotencyKey = key + "#" + strconv.Itoa(i)
			}
		}
		ids[i] = e.ID
		s.emails = append(s.emails, e)
	}
	if key != "" {
		s.byKey[key] = keyed{sum: sum, ids: ids}
		s.countByKey[key]++
	}
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()

	if faulty && fault == FaultHangAfter {
		s.hang(r)
		return
	}
	writeSent(w, batch, ids)
}

// writeSent writes a send's success body: {"id"} for one email, {"data": [{"id"}…]} for a batch.
func writeSent(w http.ResponseWriter, batch bool, ids []string) {
	if !batch {
		writeJSON(w, http.StatusOK, map[string]string{"id": ids[0]})
		return
	}
	data := make([]map[string]string, len(ids))
	for i, id := range ids {
		data[i] = map[string]string{"id": id}
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": data})
}

// maxBatch is Resend's limit on emails in one batch call.
const maxBatch = 100

// SetRequestRate makes the fake allow rps requests a second, as Resend's per-team limit does
// (2 by default), and answer 429 with Retry-After past it; a token bucket holding at most rps,
// so a burst of rps requests is allowed after a pause. 0 lifts the limit.
func (s *Server) SetRequestRate(rps float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rps, s.tokens, s.refilled = rps, rps, time.Now()
}

// allow takes a token for one request under SetRequestRate and reports whether there was one.
func (s *Server) allow() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rps <= 0 {
		return true
	}
	now := time.Now()
	s.tokens = min(s.rps, s.tokens+now.Sub(s.refilled).Seconds()*s.rps)
	s.refilled = now
	if s.tokens < 1 {
		s.limited++
		return false
	}
	s.tokens--
	return true
}

// RateLimited is the number of requests refused by SetRequestRate.
func (s *Server) RateLimited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limited
}

// Batches is the number of batch calls accepted, replays included.
func (s *Server) Batches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.batches
}

// injectFault answers with a pending injected fault, if any, and reports whether it did.
func (s *Server) injectFault(w http.ResponseWriter) bool {
	s.mu.Lock()
	var status, after int
	switch {
	case s.failN > 0:
		s.failN--
		status = s.failStatus
	case s.limitN > 0:
		s.limitN--
		status, after = http.StatusTooManyRequests, s.limitAfter
	}
	s.mu.Unlock()
	switch {
	case status == 0:
		return false
	case status == http.StatusTooManyRequests:
		writeRateLimited(w, after)
	default:
		writeError(w, status, errorName(status), "Injected failure.")
	}
	return true
}

// writeRateLimited answers 429 as Resend does; resend-go builds its RateLimitError from
// these headers, so every 429 carries them.
func writeRateLimited(w http.ResponseWriter, after int) {
	h := w.Header()
	h.Set("ratelimit-limit", "2")
	h.Set("ratelimit-remaining", "0")
	h.Set("ratelimit-reset", strconv.Itoa(after))
	h.Set("retry-after", strconv.Itoa(after))
	writeError(w, http.StatusTooManyRequests, "rate_limit_exceeded", "Too many requests. You can only make 2 requests per second.")
}

// errorName picks the error name Resend uses for a status, so clients see realistic bodies.
func errorName(status int) string {
	switch status {
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		return "validation_error"
	case http.StatusUnauthorized:
		return "missing_api_key"
	case http.StatusForbidden:
		return "invalid_api_key"
	case http.StatusNotFound:
		return "not_found"
	case http.StatusConflict:
		return "concurrent_idempotent_requests"
	case http.StatusTooManyRequests:
		return "rate_limit_exceeded"
	case http.StatusInternalServerError:
		return "internal_server_error"
	default:
		return "application_error"
	}
}

// recipients accepts "to" as Resend does: one address or a list.
func recipients(raw json.RawMessage) ([]string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		if strings.TrimSpace(one) == "" {
			return nil, nil
		}
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil {
		return nil, err
	}
	out := many[:0]
	for _, a := range many {
		if strings.TrimSpace(a) != "" {
			out = append(out, a)
		}
	}
	return out, nil
}

func writeError(w http.ResponseWriter, status int, name, msg string) {
	writeJSON(w, status, map[string]any{"statusCode": status, "name": name, "message": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// newID makes a random version-4 UUID, the shape Resend gives email ids.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
