// Package platform is a stand-in for the application behind Gatehouse:
// an HTTP server that records what every request brought (headers,
// cookies, body size) and answers with the identity it was given, so
// tests can see exactly what a platform sees. It also streams server-sent
// events, echoes a WebSocket-style upgrade, and can be told to stall.
package platform

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Request is one request as the platform received it.
type Request struct {
	Method   string
	Path     string // with the query
	Header   http.Header
	BodySize int64
}

// Platform is the fake platform server.
type Platform struct {
	*httptest.Server

	mu   sync.Mutex
	reqs []Request
	// Stall, when above zero, is how long every request waits before its
	// headers are sent.
	stall time.Duration
}

// Start starts a platform on a free loopback port; Close stops it.
func Start() *Platform {
	p := &Platform{}
	p.Server = httptest.NewServer(http.HandlerFunc(p.serve))
	return p
}

// SetStall makes every later request wait d before answering.
func (p *Platform) SetStall(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stall = d
}

// Requests returns what the platform has received so far, oldest first.
func (p *Platform) Requests() []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Request(nil), p.reqs...)
}

// Last is the newest request received; ok is false when there is none.
func (p *Platform) Last() (Request, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.reqs) == 0 {
		return Request{}, false
	}
	return p.reqs[len(p.reqs)-1], true
}

func (p *Platform) serve(w http.ResponseWriter, r *http.Request) {
	n, _ := io.Copy(io.Discard, r.Body)
	p.mu.Lock()
	p.reqs = append(p.reqs, Request{Method: r.Method, Path: r.URL.RequestURI(), Header: r.Header.Clone(), BodySize: n})
	stall := p.stall
	p.mu.Unlock()
	if stall > 0 {
		select {
		case <-time.After(stall):
		case <-r.Context().Done():
			return
		}
	}
	switch {
	case r.URL.Path == "/events":
		p.events(w, r)
	case r.Header.Get("Upgrade") == "echo":
		p.echo(w, r)
	default:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'self' 'unsafe-inline'")
		fmt.Fprintf(w, "<!doctype html><title>Platform</title><p>platform page %s</p><p>user %s</p><p>email %s</p>",
			r.URL.Path, r.Header.Get("X-Gatehouse-User-Id"), r.Header.Get("X-Gatehouse-Email"))
	}
}

// events sends three server-sent events a little apart, flushing each,
// so a test can see them arrive before the stream ends.
func (p *Platform) events(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/event-stream")
	for i := range 3 {
		fmt.Fprintf(w, "data: tick %d\n\n", i)
		w.(http.Flusher).Flush()
		select {
		case <-time.After(200 * time.Millisecond):
		case <-r.Context().Done():
			return
		}
	}
}

// echo switches protocols (Upgrade: echo) and sends back every line it
// reads, upper-cased, the way a WebSocket upgrade is passed through.
func (p *Platform) echo(w http.ResponseWriter, _ *http.Request) {
	conn, rw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	fmt.Fprint(rw, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
	rw.Flush()
	sc := bufio.NewScanner(rw)
	for sc.Scan() {
		fmt.Fprintln(rw, strings.ToUpper(sc.Text()))
		rw.Flush()
	}
}
