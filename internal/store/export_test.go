package store

import (
	"context"
	"regexp"
	"time"
)

// InsertAuditEvents writes many events in one statement each thousand,
// for tests that need a long trail quickly.
func InsertAuditEvents(ctx context.Context, s *Store, events []AuditEvent) error {
	for len(events) > 0 {
		n := min(len(events), 1000)
		chunk := events[:n]
		if _, err := s.db.NewInsert().Model(&chunk).Exec(ctx); err != nil {
			return err
		}
		events = events[n:]
	}
	return nil
}

// CachedSessions is how many sessions the session cache holds.
func CachedSessions(s *Store) int { return s.hot.cache.len() }

// StopServing turns the session cache off until its poll or listener
// vouches for it again, as a late heartbeat does.
func StopServing(s *Store) { s.hot.cache.off() }

// Exec runs q on the store's own connection, through Bun as every store
// method does (so the session cache's hook sees it).
func Exec(ctx context.Context, s *Store, q string) error {
	_, err := s.db.ExecContext(ctx, q)
	return err
}

// LookupColumns are the columns the session lookup reads, by table.
func LookupColumns() map[string][]string {
	sql := sessionUserColumns + " " + sessionUserFrom
	tables := map[string]string{}
	for _, m := range regexp.MustCompile(`\b([a-z_]+) AS ([a-z])\b`).FindAllStringSubmatch(sql, -1) {
		tables[m[2]] = m[1]
	}
	out := map[string][]string{}
	seen := map[string]bool{}
	for _, m := range regexp.MustCompile(`\b([a-z])\.([a-z_]+)\b`).FindAllStringSubmatch(sql, -1) {
		t := tables[m[1]]
		if t == "" {
			panic("no table for alias " + m[1])
		}
		if !seen[t+"."+m[2]] {
			seen[t+"."+m[2]] = true
			out[t] = append(out[t], m[2])
		}
	}
	return out
}

// SyncSessionCache waits until the cache has been vouched for by a
// heartbeat (or poll) sent after the call: every change committed before
// it has then reached the cache.
func SyncSessionCache(s *Store) {
	c := s.hot.cache
	want := int64(time.Since(c.base) + cacheFreshFor)
	for c.freshUntil.Load() < want {
		time.Sleep(time.Millisecond)
	}
}

// Count is how many rows table has.
func Count(ctx context.Context, s *Store, table string) (int64, error) {
	return s.db.NewSelect().Table(table).Count(ctx)
}
