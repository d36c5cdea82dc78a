package main

import (
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"gatehouse/internal/store/storetest"
)

// tcpProxy forwards connections to a backend until cut; it stands in for a
// PostgreSQL server going away and coming back on the same address.
type tcpProxy struct {
	addr, backend string
	mu            sync.Mutex
	ln            net.Listener
	conns         []net.Conn
}

func (p *tcpProxy) up(t *testing.T) {
	t.Helper()
	var ln net.Listener
	var err error
	for range 50 { // the port may linger briefly after a cut
		if ln, err = net.Listen("tcp", p.addr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b, err := net.Dial("tcp", p.backend)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, b)
			p.mu.Unlock()
			go func() { io.Copy(b, c); b.Close() }()
			go func() { io.Copy(c, b); c.Close() }()
		}
	}()
}

// down closes the listener and every connection, like a server restart.
func (p *tcpProxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ln.Close()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// TestDatabaseOutage: while PostgreSQL is away, pages that need it fail
// cleanly with the translated error page and /readyz says 503; when it is
// back, service resumes without restarting Gatehouse.
func TestDatabaseOutage(t *testing.T) {
	dsn := storetest.DSN(t, storetest.Postgres)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy := &tcpProxy{addr: "127.0.0.1:0", backend: u.Host}
	proxy.up(t)
	defer proxy.down()
	u.Host = proxy.addr
	in := start(t, map[string]string{"DATABASE_URL": u.String()})
	c := in.client(t)
	if code, _ := c.get("/readyz"); code != http.StatusOK {
		t.Fatalf("readyz before the outage: %d", code)
	}

	proxy.down()
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

	proxy.up(t)
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
