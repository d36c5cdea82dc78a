package account

import (
	"sync"
	"time"

	"gatehouse/internal/logctx"
)

// DefaultRepeatWindow is how long a second request for the same email,
// from the same client, is taken as the first one again: a double click on
// "send" (without script nothing stops the second post) must not send
// twice.
const DefaultRepeatWindow = 5 * time.Second

// maxRepeats bounds the requests remembered; past it a repeat is served
// as a new request, as before this guard, rather than memory growing.
const maxRepeats = 10000

// repeats remembers, for the window, the answer to each email request by
// what it asked for and who asked, so that a repeat (even one that arrives
// while the first is still running) gets exactly the first one's answer
// and writes nothing. It is per instance: a repeat that reaches another
// instance is served afresh, as the limits still bound it.
type repeats struct {
	mu   sync.Mutex
	seen map[string]*repeat
}

type repeat struct {
	done chan struct{} // closed once sent and err are set
	at   time.Time
	sent Sent
	err  error
}

// repeatKey names a request: its kind, the address and the client (IP
// prefix and browser), never the address in clear.
func (s *Service) repeatKey(kind, addr string, m Meta) string {
	return kind + "|" + logctx.EmailHash(addr) + "|" + s.cfg.Limits.ipKey(m.IP) + "|" + m.UserAgent
}

// once runs send for key unless a request with that key ran within window
// (or is running), in which case it answers as that one did.
func (r *repeats) once(key string, now time.Time, window time.Duration, send func() (Sent, error)) (Sent, error) {
	if window < 0 {
		return send()
	}
	r.mu.Lock()
	if r.seen == nil {
		r.seen = map[string]*repeat{}
	}
	if p, ok := r.seen[key]; ok && now.Sub(p.at) < window && now.Sub(p.at) >= 0 {
		r.mu.Unlock()
		<-p.done
		return p.sent, p.err
	}
	if len(r.seen) >= maxRepeats {
		for k, p := range r.seen {
			if now.Sub(p.at) >= window || now.Sub(p.at) < 0 {
				delete(r.seen, k)
			}
		}
	}
	p := &repeat{done: make(chan struct{}), at: now}
	remember := len(r.seen) < maxRepeats
	if remember {
		r.seen[key] = p
	}
	r.mu.Unlock()
	p.sent, p.err = send()
	close(p.done)
	return p.sent, p.err
}
