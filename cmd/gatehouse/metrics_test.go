package main

import (
	"strings"
	"testing"
	"time"

	"gatehouse/internal/store/storetest"
)

// TestRunMetrics: run wires the metrics to the worker, the hasher and the
// store; METRICS_ENABLED=false takes /metrics away.
func TestRunMetrics(t *testing.T) {
	in := start(t, map[string]string{"DATABASE_URL": storetest.DSN(t, storetest.SQLite)})
	c := in.client(t)
	if code, _ := c.post("/register", registration("grace@example.com")); code != 200 {
		t.Fatalf("register: %d", code)
	}
	c.post("/login", map[string][]string{"email": {"nobody@example.com"}, "password": {pw}})
	var body string
	for i := 0; i < 50; i++ {
		var code int
		code, body = c.get("/metrics")
		if code != 200 {
			t.Fatalf("/metrics: %d", code)
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
		"gatehouse_password_hash_wait_seconds_count ",
		"process_resident_memory_bytes ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if strings.Contains(body, "gatehouse_password_hash_wait_seconds_count 0") {
		t.Error("the sign-in's hash wait was not observed")
	}

	off := start(t, map[string]string{"DATABASE_URL": storetest.DSN(t, storetest.SQLite), "METRICS_ENABLED": "false"})
	if code, _ := off.client(t).get("/metrics"); code != 404 {
		t.Fatalf("/metrics with METRICS_ENABLED=false: %d, want 404", code)
	}
}
