package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/store/storetest"
	"gatehouse/internal/testkit/tcpproxy"
)

// TestDatabaseOutage: while PostgreSQL is away, pages that need it fail
// cleanly with the translated error page and /readyz says 503; when it is
// back, service resumes without restarting Gatehouse.
func TestDatabaseOutage(t *testing.T) {
	dsn := storetest.DSN(t, storetest.Postgres)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy, err := tcpproxy.Start(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Down()
	u.Host = proxy.Addr()
	in := start(t, map[string]string{"DATABASE_URL": u.String()})
	c := in.client(t)
	if code, _ := c.get("/readyz"); code != http.StatusOK {
		t.Fatalf("readyz before the outage: %d", code)
	}

	proxy.Down()
	code, body := c.post("/password/forgot", url.Values{"email": {"ada@example.com"}})
	if code != http.StatusInternalServerError || !strings.Contains(body, "Something went wrong") || strings.Contains(strings.ToLower(body), "sql") {
		t.Fatalf("forgot during the outage: %d\n%s", code, body)
	}
	if code, _ := c.get("/readyz"); code != http.StatusServiceUnavailable {
		t.Fatalf("readyz during the outage: %d, want 503", code)
	}
	if code, _ := c.get("/healthz"); code != http.StatusOK {
		t.Fatalf("healthz during the outage: %d, want 200 (the process is alive)", code)
	}

	if err := proxy.Up(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		code, _ := c.get("/readyz")
		if code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("readyz after the outage: %d", code)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if code, body := c.post("/register", registration("back@example.com")); code != http.StatusOK || !strings.Contains(body, "Check your inbox") {
		t.Fatalf("register after the outage: %d", code)
	}
}
