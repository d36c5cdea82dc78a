// Package tcpproxy forwards TCP connections to a backend until it is cut, for tests that
// need a server (PostgreSQL) to go away and come back on the same address, as a restart
// does, without touching the real server other tests share.
package tcpproxy

import (
	"io"
	"net"
	"sync"
	"time"
)

// Proxy listens on one address and forwards every connection to Backend.
type Proxy struct {
	backend string

	mu    sync.Mutex
	addr  string
	ln    net.Listener
	conns []net.Conn
}

// Start listens on a free loopback port and forwards to backend.
func Start(backend string) (*Proxy, error) {
	p := &Proxy{backend: backend, addr: "127.0.0.1:0"}
	return p, p.Up()
}

// Addr is the address clients dial; it stays the same across Down and Up.
func (p *Proxy) Addr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.addr
}

// Up listens again after Down, on the same address.
func (p *Proxy) Up() error {
	p.mu.Lock()
	addr := p.addr
	p.mu.Unlock()
	var ln net.Listener
	var err error
	for range 50 { // the port may linger briefly after a cut
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		return err
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go p.serve(ln)
	return nil
}

func (p *Proxy) serve(ln net.Listener) {
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
		if p.ln != ln { // cut while dialling
			p.mu.Unlock()
			c.Close()
			b.Close()
			continue
		}
		p.conns = append(p.conns, c, b)
		p.mu.Unlock()
		go func() { io.Copy(b, c); b.Close() }()
		go func() { io.Copy(c, b); c.Close() }()
	}
}

// Down stops listening and closes every connection, as a server restart does: clients see
// their connections reset and new ones refused until Up.
func (p *Proxy) Down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}
