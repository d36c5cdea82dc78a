package handlers_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gatehouse/internal/metrics"
	"gatehouse/internal/store/storetest"
)

func fetch(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func postForm(t *testing.T, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return fetch(t, req)
}

func get(t *testing.T, u string, header ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return fetch(t, req)
}

// sample finds the value of the series name{labels} (labels in the
// exposition's order, alphabetical) in a scrape, or -1.
func sample(body, series string) float64 {
	for line := range strings.SplitSeq(body, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err == nil {
				return f
			}
		}
	}
	return -1
}

var routeLabel = regexp.MustCompile(`route="([^"]*)"`)

// scrape reads a's metrics as the metrics listener serves them
// (cmd/gatehouse), with the Accept header given.
func (a *opsApp) scrape(t *testing.T, accept string) (*http.Response, string) {
	t.Helper()
	srv := httptest.NewServer(a.Metrics.Handler())
	defer srv.Close()
	return get(t, srv.URL+"/metrics", "Accept", accept)
}

// TestMetricsScrape: after a few requests, the scrape (plain text, never
// cached) has every family with route templates as labels, never a raw
// path or query.
func TestMetricsScrape(t *testing.T) {
	a := newOpsApp(t, storetest.SQLite, opsOptions{metrics: true})
	must := func(status int) func(*http.Response, string) {
		return func(resp *http.Response, body string) {
			t.Helper()
			if resp.StatusCode != status {
				t.Fatalf("%s %s: %d, want %d\n%s", resp.Request.Method, resp.Request.URL, resp.StatusCode, status, body)
			}
		}
	}
	must(200)(get(t, a.URL+"/login"))
	must(200)(get(t, a.URL+"/login?lang=de&notice=signed_out"))
	must(404)(get(t, a.URL+"/no/such/page?token=s3cret"))
	must(200)(get(t, a.URL+"/static/htmx.min.js"))
	must(200)(postForm(t, a.URL+"/register/validate?field=email", url.Values{"email": {"ada@example.com"}}))
	must(303)(postForm(t, a.URL+"/register", registration("ada@example.com")))
	if n, err := a.Worker.RunOnce(context.Background()); err != nil || n != 1 {
		t.Fatalf("worker: %d %v", n, err)
	}
	must(303)(postForm(t, a.URL+"/register", registration("grace@example.com"))) // stays pending
	failed, _ := postForm(t, a.URL+"/login", url.Values{"email": {"nobody@example.com"}, "password": {goodPassword}})
	metrics.RateLimited("test_rule")

	resp, body := a.scrape(t, "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited")
	must(200)(resp, body)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q, want text/plain even when protobuf is asked for", ct)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}

	for _, family := range []string{
		"gatehouse_http_requests_total", "gatehouse_http_request_duration_seconds",
		"gatehouse_outbox_pending", "gatehouse_outbox_oldest_pending_age_seconds",
		"gatehouse_mail_sends_total", "gatehouse_password_hash_wait_seconds", "gatehouse_rate_limited_total",
		"go_goroutines", "go_memstats_heap_alloc_bytes", "process_resident_memory_bytes", "process_cpu_seconds_total",
	} {
		if !strings.Contains(body, "# TYPE "+family+" ") {
			t.Errorf("no %s family in the scrape", family)
		}
	}
	for series, want := range map[string]float64{
		`gatehouse_http_requests_total{method="GET",route="/login",status="200"}`:                                      2,
		`gatehouse_http_requests_total{method="GET",route="unmatched",status="404"}`:                                   1,
		`gatehouse_http_requests_total{method="GET",route="/static/*file",status="200"}`:                               1,
		`gatehouse_http_requests_total{method="POST",route="/register/validate",status="200"}`:                         1,
		`gatehouse_http_requests_total{method="POST",route="/register",status="303"}`:                                  2,
		`gatehouse_http_requests_total{method="POST",route="/login",status="` + strconv.Itoa(failed.StatusCode) + `"}`: 1,
		`gatehouse_http_request_duration_seconds_count{method="POST",route="/register",status="303"}`:                  2,
		`gatehouse_http_request_duration_seconds_bucket{method="GET",route="/login",status="200",le="+Inf"}`:           2,
		`gatehouse_mail_sends_total{result="sent"}`:                                                                    1,
		`gatehouse_mail_sends_total{result="retry"}`:                                                                   0,
		`gatehouse_mail_sends_total{result="failed"}`:                                                                  0,
		`gatehouse_outbox_pending`: 1,
	} {
		if got := sample(body, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
	if got := sample(body, `gatehouse_rate_limited_total{rule="test_rule"}`); got < 1 {
		t.Errorf("rate-limit counter = %v, want at least 1", got)
	}
	// Sign-in ran argon2id (a dummy hash for the unknown address).
	if got := sample(body, "gatehouse_password_hash_wait_seconds_count"); got < 1 {
		t.Errorf("hash wait count = %v, want at least 1", got)
	}
	if age := sample(body, "gatehouse_outbox_oldest_pending_age_seconds"); age < 0 || age > 60 {
		t.Errorf("oldest pending age = %v s, want a few seconds at most", age)
	}
	for _, m := range routeLabel.FindAllStringSubmatch(body, -1) {
		r := m[1]
		if r != metrics.UnmatchedRoute && !strings.HasPrefix(r, "/") || strings.ContainsAny(r, "?&=") ||
			strings.Contains(r, "no/such") || strings.Contains(r, "htmx") {
			t.Errorf("route label %q is not a route template", r)
		}
	}
	if strings.Contains(body, "s3cret") || strings.Contains(body, "ada@example.com") {
		t.Error("the scrape carries request data")
	}

	// The public listener has no /metrics: it answers 404 like any
	// unknown path, and is counted as one.
	if resp, body := get(t, a.URL+"/metrics"); resp.StatusCode != 404 || strings.Contains(body, "go_goroutines") {
		t.Fatalf("public /metrics: %d, want 404", resp.StatusCode)
	}
	_, body = a.scrape(t, "")
	if got := sample(body, `gatehouse_http_requests_total{method="GET",route="unmatched",status="404"}`); got != 2 {
		t.Errorf("unmatched 404s = %v, want 2 (the public /metrics among them)", got)
	}
	if strings.Contains(body, `route="/metrics"`) {
		t.Error("a /metrics route on the public handler")
	}
}

// TestMetricsNotPublic: the public handler never serves /metrics, with
// metrics on or off.
func TestMetricsNotPublic(t *testing.T) {
	for _, on := range []bool{true, false} {
		a := newOpsApp(t, storetest.SQLite, opsOptions{metrics: on})
		if resp, body := get(t, a.URL+"/metrics"); resp.StatusCode != 404 || strings.Contains(body, "go_goroutines") {
			t.Fatalf("/metrics with metrics %v: %d, want 404", on, resp.StatusCode)
		}
	}
}

var generatedID = regexp.MustCompile(`^[0-9a-f]{16}$`)

// TestRequestIDFromTrustedProxy: X-Request-Id is kept only from a trusted
// proxy and only when well-formed; the log line carries the id answered.
func TestRequestIDFromTrustedProxy(t *testing.T) {
	trusted := newOpsApp(t, storetest.SQLite, opsOptions{trustedProxies: []string{"127.0.0.1"}})
	untrusted := newOpsApp(t, storetest.SQLite, opsOptions{trustedProxies: []string{"10.0.0.0/8"}})
	tests := []struct {
		app  *opsApp
		in   string
		keep bool
	}{
		{trusted, "abcd-1234-EFGH", true},
		{trusted, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true}, // 64
		{trusted, "short12", false},
		{trusted, strings.Repeat("a", 65), false},
		{trusted, "abc def 12345", false},
		{trusted, "abcd1234\" level=ERROR", false},
		{trusted, "abcd_1234_efgh", false},
		{trusted, "", false},
		{untrusted, "abcd-1234-EFGH", false},
	}
	for _, tt := range tests {
		resp, _ := get(t, tt.app.URL+"/healthz", "X-Request-Id", tt.in)
		got := resp.Header.Get("X-Request-Id")
		if tt.keep && got != tt.in {
			t.Errorf("X-Request-Id %q: answered %q, want it kept", tt.in, got)
		}
		if !tt.keep && !generatedID.MatchString(got) {
			t.Errorf("X-Request-Id %q: answered %q, want a fresh id", tt.in, got)
		}
		if !strings.Contains(tt.app.Logs.String(), "request_id="+got+" ") {
			t.Errorf("no log line with request_id=%s:\n%s", got, tt.app.Logs.String())
		}
	}
}
