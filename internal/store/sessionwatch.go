package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"
)

// SessionChannel is the PostgreSQL notification channel of the session
// cache. The triggers of migration 20261202001200 send "u:<user id>" or
// "o:<organisation id>" for every change to a table the session lookup
// reads ("*" for a TRUNCATE); instances send "p:<instance>:<n>" heartbeats.
const SessionChannel = "gatehouse_sessions"

// lookupTables are the tables the session lookup reads, taken from its
// own SQL, so a table joined later is watched without anyone listing it.
var lookupTables = func() []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range regexp.MustCompile(`(?i)\b(?:from|join)\s+([a-z_]+)`).FindAllStringSubmatch(sessionUserColumns+" "+sessionUserFrom, -1) {
		if t := strings.ToLower(m[1]); !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}()

// LookupTables lists the tables the session lookup reads (for tests that
// check each is watched).
func LookupTables() []string { return append([]string(nil), lookupTables...) }

type (
	txWritesKey struct{}
	// noIdentityKey marks a statement the store knows changes no
	// identity, whatever its words (identityHook).
	noIdentityKey struct{}
	scopeKey      struct{}
)

// noIdentity is ctx for a statement that changes no one's identity.
func noIdentity(ctx context.Context) context.Context {
	return context.WithValue(ctx, noIdentityKey{}, true)
}

// txWrites is what a transaction wrote, known from its statements: a
// write that could change anyone's cached identity (identity), or only
// the sessions that scoped writes named (drops).
type txWrites struct {
	identity atomic.Bool
	mu       sync.Mutex
	drops    []cacheScope
}

// apply empties what the transaction's writes may have changed, once it
// has committed.
func (w *txWrites) apply(c *sessionCache) {
	if w.identity.Load() {
		c.flush()
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, d := range w.drops {
		d.drop(c)
	}
}

// cacheScope names the only cached sessions a statement can change: one
// session by its hash, or every session of one user. The store methods
// that end sessions, the writes that come with sign-outs and sign-ins,
// say so (scoped), so a sign-out drops its own session from the cache
// rather than every session of every user.
type cacheScope struct {
	hash   string
	userID int64
}

func (sc cacheScope) drop(c *sessionCache) {
	if sc.hash != "" {
		c.dropHash(sc.hash)
		return
	}
	c.dropUser(sc.userID)
}

// scoped marks ctx's statement as changing only what sc names.
func scoped(ctx context.Context, sc cacheScope) context.Context {
	return context.WithValue(ctx, scopeKey{}, sc)
}

// identityHook sees every statement the store runs through Bun: one that
// writes to a table the session lookup reads empties the session cache,
// at once outside a transaction and after the commit inside one
// (Store.Tx), so a lookup cannot refill it with what was just changed.
// It errs on the side of emptying: a statement that names such a table
// and any writing keyword counts.
type identityHook struct{ cache *sessionCache }

func (h identityHook) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

func (h identityHook) AfterQuery(ctx context.Context, e *bun.QueryEvent) {
	if ctx.Value(noIdentityKey{}) != nil || !writesIdentity(e.Query) {
		return
	}
	sc, isScoped := ctx.Value(scopeKey{}).(cacheScope)
	if w, ok := ctx.Value(txWritesKey{}).(*txWrites); ok {
		if !isScoped {
			w.identity.Store(true)
			return
		}
		w.mu.Lock()
		w.drops = append(w.drops, sc)
		w.mu.Unlock()
		return
	}
	if isScoped {
		sc.drop(h.cache)
		return
	}
	h.cache.flush()
}

// writesIdentity reports whether query may change what the session
// lookup reads.
func writesIdentity(query string) bool {
	q := strings.ToLower(query)
	if !hasWord(q, "insert") && !hasWord(q, "update") && !hasWord(q, "delete") && !hasWord(q, "truncate") &&
		!hasWord(q, "alter") && !hasWord(q, "drop") && !hasWord(q, "replace") {
		return false
	}
	if into, ok := insertInto(q); ok {
		// An INSERT writes its own table alone: the others it names
		// (an audit event's organisation, read from memberships) it
		// only reads. A new user, organisation or session is in no
		// one's cached identity either (only sessions found are cached),
		// so a sign-in or a sign-up empties nothing; an upsert's UPDATE
		// may change an identity.
		if !slices.Contains(lookupTables, into) {
			return false
		}
		return !newRowsOnly[into] || hasWord(q, "update") || hasWord(q, "delete")
	}
	for _, t := range lookupTables {
		if hasWord(q, t) {
			return true
		}
	}
	return false
}

// newRowsOnly are the lookup's tables a new row of which changes no
// existing session: the lookup starts from a session, and joins the
// others by what a new row cannot already be named by.
var newRowsOnly = map[string]bool{"sessions": true, "users": true, "organisations": true}

// insertInto is the table a plain INSERT statement (lower case) writes to.
func insertInto(q string) (string, bool) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(q), "insert into ")
	if !ok {
		return "", false
	}
	rest = strings.TrimLeft(rest, " \"")
	end := strings.IndexFunc(rest, func(r rune) bool { return r > 127 || !identChar(byte(r)) })
	if end < 0 {
		return rest, true
	}
	return rest[:end], true
}

// hasWord reports whether w occurs in s between characters that cannot
// be part of an identifier.
func hasWord(s, w string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(w)
		if (j == 0 || !identChar(s[j-1])) && (end == len(s) || !identChar(s[end])) {
			return true
		}
		i = j + 1
	}
}

func identChar(b byte) bool {
	return b == '_' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9'
}

// listen applies the triggers' notifications to the cache and vouches for
// it with the heartbeat, reconnecting after a failure (the cache is off,
// and every lookup reads the database, until the listener is back).
func (s *Store) listen(ctx context.Context, log *slog.Logger) {
	c := s.hot.cache
	defer c.off()
	var b [8]byte
	rand.Read(b[:])
	beat := &heartbeat{self: hex.EncodeToString(b[:])}
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() { s.sendHeartbeats(ctx, beat) })
	wait := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := s.listenOnce(ctx, beat, log)
		c.off()
		if ctx.Err() != nil {
			return
		}
		log.Warn("session cache off: its listener is down, so every session lookup reads the database until it is back", "error", err)
		if s.hot.listened.Swap(false) {
			wait = 100 * time.Millisecond
		}
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// heartbeat remembers when each recent beat was sent.
type heartbeat struct {
	self string
	mu   sync.Mutex
	seq  uint64
	sent [64]struct {
		seq uint64
		at  time.Time
	}
}

func (h *heartbeat) next() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seq++
	slot := &h.sent[h.seq%uint64(len(h.sent))]
	slot.seq, slot.at = h.seq, time.Now()
	return "p:" + h.self + ":" + strconv.FormatUint(h.seq, 10)
}

// sentAt is when beat seq was sent, if it is recent enough to be known.
func (h *heartbeat) sentAt(seq uint64) (time.Time, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	slot := h.sent[seq%uint64(len(h.sent))]
	return slot.at, slot.seq == seq
}

func (s *Store) sendHeartbeats(ctx context.Context, beat *heartbeat) {
	t := time.NewTicker(cacheBeat)
	defer t.Stop()
	for {
		// Through the pool, like every change: the beat is delivered
		// after every change committed before it.
		s.root.ExecContext(ctx, "SELECT pg_notify(?, ?)", SessionChannel, beat.next())
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// listenOnce listens on one connection until it fails or ctx ends.
func (s *Store) listenOnce(ctx context.Context, beat *heartbeat, log *slog.Logger) error {
	c := s.hot.cache
	conn, err := pgx.ConnectConfig(ctx, s.hot.pg.Copy())
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+SessionChannel); err != nil {
		return err
	}
	s.hot.listened.Store(true)
	s.hot.listening.Store(conn.PgConn().PID())
	defer s.hot.listening.Store(0)
	log.Info("session cache listening", "channel", SessionChannel)
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		kind, rest, _ := strings.Cut(n.Payload, ":")
		switch kind {
		case "p":
			self, seq, _ := strings.Cut(rest, ":")
			if self != beat.self {
				continue // another instance's
			}
			k, _ := strconv.ParseUint(seq, 10, 64)
			if at, ok := beat.sentAt(k); ok {
				s.hot.lag.Store(int64(time.Since(at)))
				c.vouch(at)
			}
		case "u", "o":
			id, err := strconv.ParseInt(rest, 10, 64)
			switch {
			case err != nil:
				c.flush()
			case kind == "u":
				c.dropUser(id)
			default:
				c.dropOrg(id)
			}
		default:
			c.flush()
		}
	}
}

// ListenOn makes the session cache's listener connect to dsn instead of
// DATABASE_URL: a connection pooler in transaction or statement mode
// (PgBouncer's usual setting) passes NOTIFY through but cannot hold a
// LISTEN, so the listener needs the server itself. It must be called
// before RunSessionCache, and is an error on SQLite or for a dsn that is
// not a postgres:// URL.
func (s *Store) ListenOn(dsn string) error {
	if !s.Postgres() {
		return errors.New("store: a listen URL is for PostgreSQL only")
	}
	if !isPostgresDSN(dsn) {
		return errors.New("store: the listen URL must be a postgres:// URL")
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return fmt.Errorf("store: listen URL: %w", err)
	}
	s.hot.pg = cfg
	return nil
}

// SessionListenerPID is the PostgreSQL backend of the session cache's
// listener, 0 when it is not listening (tests cut it).
func (s *Store) SessionListenerPID() uint32 { return s.hot.listening.Load() }

// SessionNotifyLag is how long the last heartbeat took from its send to
// its receipt by the listener: what a change on another instance takes to
// reach this one's cache.
func (s *Store) SessionNotifyLag() time.Duration { return time.Duration(s.hot.lag.Load()) }
