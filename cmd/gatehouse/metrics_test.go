package main

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/store/storetest"
)

// TestRunMetrics: run serves the metrics on their own listener (issue 12
// item 6), never beside the pages, and wires them to the worker, the
// hasher and the store; METRICS_ENABLED=false serves none at all.
func TestRunMetrics(t *testing.T) {
	in := start(t, map[string]string{"DATABASE_URL": storetest.DSN(t, storetest.SQLite)})
	if in.metrics == "" || strings.HasPrefix(in.metrics, in.base) {
		t.Fatalf("metrics at %q, want a listener apart from %s", in.metrics, in.base)
	}
	if u, err := url.Parse(in.metrics); err != nil || u.Hostname() != "127.0.0.1" {
		t.Fatalf("metrics at %q, want loopback", in.metrics)
	}
	c := in.client(t)
	if code, _ := c.post("/register", registration("grace@example.com")); code != 200 {
		t.Fatalf("register: %d", code)
	}
	c.post("/login", map[string][]string{"email": {"nobody@example.com"}, "password": {pw}})
	if code, body := c.get("/metrics"); code != 404 || strings.Contains(body, "go_goroutines") {
		t.Fatalf("/metrics on the public listener: %d, want 404", code)
	}
	var body string
	for i := 0; i < 50; i++ {
		var code int
		code, body = c.get(in.metrics)
		if code != 200 {
			t.Fatalf("%s: %d", in.metrics, code)
		}
		if strings.Contains(body, `gatehouse_mail_sends_total{result="sent"} 1`) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, want := range []string{
		`gatehouse_mail_sends_total{result="sent"} 1`,
		"gatehouse_outbox_pending 0",
		`gatehouse_http_requests_total{method="POST",route="/register",status="303"} 1`,
		`gatehouse_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		"gatehouse_password_hash_wait_seconds_count ",
		"process_resident_memory_bytes ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
	if strings.Contains(body, "gatehouse_password_hash_wait_seconds_count 0") {
		t.Error("the sign-in's hash wait was not observed")
	}
	// The metrics listener serves the scrape and nothing else.
	if code, _ := c.get(strings.TrimSuffix(in.metrics, "/metrics") + "/register"); code != 404 {
		t.Errorf("the metrics listener serves /register: %d", code)
	}

	off := start(t, map[string]string{"DATABASE_URL": storetest.DSN(t, storetest.SQLite), "METRICS_ENABLED": "false"})
	if off.metrics != "" {
		t.Fatalf("METRICS_ENABLED=false still serves metrics at %s", off.metrics)
	}
	if code, _ := off.client(t).get("/metrics"); code != 404 {
		t.Fatalf("/metrics with METRICS_ENABLED=false: %d, want 404", code)
	}
}

// TestMetricsSameForAnyAddress: what a request counts does not depend on
// whether the address it names has an account. Forgot-password for a
// known and for an unknown address move the per-request series alike, and
// each sends one email (a reset link, a "no account here" notice); the mail
// and outbox series count mail by what happened to it, which is why the
// scrape lives on a private listener.
func TestMetricsSameForAnyAddress(t *testing.T) {
	in := start(t, map[string]string{"DATABASE_URL": storetest.DSN(t, storetest.SQLite)})
	c := in.client(t)
	signUp(t, c, "grace@example.com")
	scrape := func() map[string]string {
		_, body := c.get(in.metrics)
		series := map[string]string{}
		for line := range strings.SplitSeq(body, "\n") {
			name, value, ok := strings.Cut(line, " ")
			if !ok || strings.HasPrefix(line, "#") {
				continue
			}
			if strings.HasPrefix(name, "gatehouse_mail_sends_total") {
				name = "mail " + name // not per request: kept to check the premise
			}
			if strings.HasPrefix(name, "mail ") || strings.HasPrefix(name, "gatehouse_http_requests_total") || strings.HasPrefix(name, "gatehouse_rate_limited_total") ||
				strings.HasPrefix(name, "gatehouse_http_request_duration_seconds_count") {
				series[name] = value
			}
		}
		return series
	}
	delta := func(email string) map[string]bool {
		before := scrape()
		c.get("/password/forgot")
		c.post("/password/forgot", url.Values{"email": {email}})
		time.Sleep(500 * time.Millisecond) // room for the worker to send
		after := scrape()
		moved := map[string]bool{}
		for k, v := range after {
			if before[k] != v {
				moved[k] = true
			}
		}
		return moved
	}
	delta("warm-up@example.com") // the first scrape of each series
	known, unknown := delta("grace@example.com"), delta("nobody@example.com")
	if !known[`mail gatehouse_mail_sends_total{result="sent"}`] || !unknown[`mail gatehouse_mail_sends_total{result="sent"}`] {
		t.Fatalf("premise: one email is sent for either address; moved %v and %v", known, unknown)
	}
	for k := range known {
		if strings.HasPrefix(k, "mail ") {
			continue
		}
		if !unknown[k] {
			t.Errorf("%s moved for a known address only", k)
		}
	}
	for k := range unknown {
		if !known[k] && !strings.HasPrefix(k, "mail ") {
			t.Errorf("%s moved for an unknown address only", k)
		}
	}
}

// signUp walks the sign-up of email through the dev mailbox to an active
// account with password pw.
func signUp(t *testing.T, c *client, email string) {
	t.Helper()
	if code, _ := c.post("/register", registration(email)); code != 200 {
		t.Fatalf("register: %d", code)
	}
	var link string
	for i := 0; i < 50 && link == ""; i++ {
		_, box := c.get("/dev/mailbox")
		link = activateLink.FindString(box)
		if link == "" {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if link == "" {
		t.Fatal("no activation link in the dev mailbox")
	}
	c.get(link)
	if code, body := c.post("/password/set", url.Values{"password": {pw}, "password_confirm": {pw}}); code != 200 || !strings.Contains(body, "Your password is set") {
		t.Fatalf("set password: %d", code)
	}
}
