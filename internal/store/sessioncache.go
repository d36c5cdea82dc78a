package store

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// The session cache keeps what SessionUserByHash found, so forward auth and
// proxied requests cost no database round trip. A sign-out, a password
// reset, a disabled account or a changed role must still reach the very
// next request (SECURITY.md rule 43), so an entry is served only while
// nothing that could have changed it can have gone unnoticed:
//
//   - On this instance, every statement that writes to a table the lookup
//     reads empties the cache once it has committed (identityHook); a new
//     code path cannot forget to, since the store sees the statement. The
//     store methods that end sessions (a sign-out, "end other sessions")
//     say which sessions they end, and drop only those (cacheScope).
//   - Across instances (PostgreSQL), triggers on those tables send a
//     notification naming the user or organisation, which every
//     instance's listener applies. The listener also proves it is current:
//     each instance sends itself a heartbeat through the same channel,
//     and entries are served only within cacheFreshFor of the send time of
//     the last heartbeat received (notifications arrive in commit order,
//     so every change committed before it has been applied). A listener
//     that is down, or behind, turns the cache off until it catches up.
//   - On SQLite, another process (the command line) is noticed by polling
//     PRAGMA data_version, under the same freshness rule.
//
// Every entry is also dropped cacheMaxAge after it was read, and a hit
// checks both expiries against the caller's clock. It is not
// internal/cache: that cache holds values that never change.
const (
	// cacheMaxAge bounds how long an entry is served at all.
	cacheMaxAge = 5 * time.Second
	// cacheFreshFor is how long a heartbeat (or a poll) vouches for the
	// cache: the longest a change on another instance can go unseen.
	cacheFreshFor = time.Second
	// cacheBeat is how often the heartbeat (or the poll) runs.
	cacheBeat = 200 * time.Millisecond
	// maxCachedSessions bounds the memory (about 1 KiB a session); past
	// it the cache starts again.
	maxCachedSessions = 50000
)

// sessionCache maps a session token's hash to the session read with it.
type sessionCache struct {
	mu      sync.RWMutex
	gen     uint64 // bumped by every invalidation, under mu
	entries map[string]*cachedSession
	byID    map[int64]string // session id → hash, for TouchSession

	// base is the monotonic origin of freshUntil.
	base time.Time
	// freshUntil is when the last proof of currency runs out, as
	// nanoseconds since base; 0 (the start) means never fresh.
	freshUntil atomic.Int64

	// What operators' metrics read (SessionCacheStats), on a cache line
	// of their own: every hit writes one, every lookup reads freshUntil.
	_                               [64]byte
	hits, misses, bypassed, flushes atomic.Uint64
	// stale counts the returns to serving after the cache was not
	// current (the start, a late heartbeat, a listener back).
	stale atomic.Uint64
}

type cachedSession struct {
	sess *Session // never changed once cached, but for LastSeenAt under mu
	at   time.Time
}

func newSessionCache() *sessionCache {
	return &sessionCache{entries: map[string]*cachedSession{}, byID: map[int64]string{}, base: time.Now()}
}

// fresh reports whether entries may be served now.
func (c *sessionCache) fresh() bool {
	return int64(time.Since(c.base)) < c.freshUntil.Load()
}

// vouch records a proof, taken at sent, that every change committed
// before sent has been applied.
//
// Coming back from stale, it first drops every entry: a lookup that read
// while changes could go unseen must not be stored once they cannot.
func (c *sessionCache) vouch(sent time.Time) {
	until := int64(sent.Sub(c.base) + cacheFreshFor)
	if !c.fresh() {
		c.stale.Add(1)
		c.flush()
	}
	for {
		old := c.freshUntil.Load()
		if until <= old || c.freshUntil.CompareAndSwap(old, until) {
			return
		}
	}
}

// off stops serving entries until the next vouch, and drops them all.
func (c *sessionCache) off() {
	c.freshUntil.Store(0)
	c.flush()
}

// get returns a copy of the cached session for hash, when it may be
// served and is live at now by both timeouts, and counts the lookup as a
// hit, a miss or bypassed (the cache was not current).
func (c *sessionCache) get(hash string, now time.Time, idle time.Duration) (*Session, bool) {
	if !c.fresh() {
		c.bypassed.Add(1)
		return nil, false
	}
	c.mu.RLock()
	e := c.entries[hash]
	if e == nil || time.Since(e.at) >= cacheMaxAge || !e.sess.ExpiresAt.After(now) || !e.sess.LastSeenAt.After(now.Add(-idle)) {
		c.mu.RUnlock()
		c.misses.Add(1)
		return nil, false
	}
	sess, u := *e.sess, *e.sess.User
	c.mu.RUnlock()
	sess.User = &u
	c.hits.Add(1)
	return &sess, true
}

// begin is called before a lookup whose result may be cached; put stores
// the result only if nothing was invalidated in between, so a lookup
// that read just before a commit cannot put back what it invalidated.
func (c *sessionCache) begin() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.gen
}

func (c *sessionCache) put(hash string, sess *Session, gen uint64) {
	if !c.fresh() {
		return
	}
	sess = cloneSession(sess)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if len(c.entries) >= maxCachedSessions {
		c.entries, c.byID = map[string]*cachedSession{}, map[int64]string{}
	}
	c.entries[hash] = &cachedSession{sess: sess, at: time.Now()}
	c.byID[sess.ID] = hash
}

// touched records a session's new last-seen time, so the next hits do
// not write it again.
func (c *sessionCache) touched(id int64, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.entries[c.byID[id]]; e != nil && e.sess.ID == id {
		s := *e.sess
		s.LastSeenAt = at
		c.entries[c.byID[id]] = &cachedSession{sess: &s, at: e.at}
	}
}

// flush drops every entry.
func (c *sessionCache) flush() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.flushes.Add(1)
	if len(c.entries) > 0 {
		c.entries, c.byID = map[string]*cachedSession{}, map[int64]string{}
	}
}

// dropWhere drops the entries for which match is true.
func (c *sessionCache) dropWhere(match func(*Session) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for h, e := range c.entries {
		if match(e.sess) {
			delete(c.entries, h)
			delete(c.byID, e.sess.ID)
		}
	}
}

// dropHash drops the session with the token hash.
func (c *sessionCache) dropHash(hash string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if e := c.entries[hash]; e != nil {
		delete(c.entries, hash)
		delete(c.byID, e.sess.ID)
	}
}

// dropUser drops the sessions of user id.
func (c *sessionCache) dropUser(id int64) {
	c.dropWhere(func(s *Session) bool { return s.UserID == id })
}

// dropOrg drops the sessions of the members of organisation id.
func (c *sessionCache) dropOrg(id int64) {
	c.dropWhere(func(s *Session) bool { return s.Membership != nil && s.Membership.OrgID == id })
}

// len is how many entries are held, for tests.
func (c *sessionCache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries)
}

func cloneSession(s *Session) *Session {
	cp := *s
	if s.User != nil {
		u := *s.User
		cp.User = &u
	}
	if s.Membership != nil {
		m := *s.Membership
		if m.Organisation != nil {
			o := *m.Organisation
			m.Organisation = &o
		}
		cp.Membership = &m
	}
	return &cp
}

// SessionCacheFresh reports whether the session cache is serving entries
// (its listener, or its poll, is current); operators' metrics and tests
// read it.
func (s *Store) SessionCacheFresh() bool { return s.hot.cache.fresh() }

// SessionCacheStats is what the session cache has done since the start,
// for operators' metrics: how the session lookups outside a transaction
// went, how often it was emptied whole, and its state now.
type SessionCacheStats struct {
	// Hits were served from the cache; Misses read the database while
	// the cache was current (not cached, or too old); Bypassed read it
	// while the cache was not current (its listener or poll behind).
	Hits, Misses, Bypassed uint64
	// Flushes counts the times every entry was dropped: a write to a
	// table the lookup reads, a listener coming back, an unreadable
	// notification.
	Flushes uint64
	// Stale counts the times the cache came back to serving after it
	// was not current: once at the start, then after each late
	// heartbeat or listener outage.
	Stale   uint64
	Entries int
	// Serving says entries are served now.
	Serving bool
	// Listening (PostgreSQL) says the listener is connected; NotifyLag
	// is the last heartbeat's trip from send to receipt, what a change
	// on another instance takes to reach this one.
	Listening bool
	NotifyLag time.Duration
}

// SessionCacheStats reports the session cache's counters and state.
func (s *Store) SessionCacheStats() SessionCacheStats {
	c := s.hot.cache
	return SessionCacheStats{
		Hits: c.hits.Load(), Misses: c.misses.Load(), Bypassed: c.bypassed.Load(), Flushes: c.flushes.Load(), Stale: c.stale.Load(),
		Entries: c.len(), Serving: c.fresh(), Listening: s.hot.listening.Load() != 0, NotifyLag: s.SessionNotifyLag(),
	}
}

// RunSessionCache keeps the session cache current until ctx ends: on
// PostgreSQL it listens for the triggers' notifications and sends the
// heartbeat, reconnecting after a failure; on SQLite it polls for
// changes made by other processes. Without it running the cache serves
// nothing, so every lookup reads the database. log (nil for none) is
// told when the listener goes down and comes back.
func (s *Store) RunSessionCache(ctx context.Context, log *slog.Logger) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if s.Postgres() {
		s.listen(ctx, log)
		return
	}
	s.pollDataVersion(ctx)
}

// pollDataVersion flushes the cache when another connection (another
// process: the command line) has committed to the SQLite file, and
// vouches for the cache after each poll that saw nothing new. This
// process's own writes are seen by identityHook, and do not change
// data_version on the connection that made them.
func (s *Store) pollDataVersion(ctx context.Context) {
	c := s.hot.cache
	defer c.off()
	t := time.NewTicker(cacheBeat)
	defer t.Stop()
	last := int64(-1)
	for {
		sent := time.Now()
		var v int64
		if err := s.root.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v); err != nil {
			c.off()
			last = -1
		} else {
			if v != last {
				c.flush()
				last = v
			}
			c.vouch(sent)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
