package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/uptrace/bun/driver/sqliteshim"

	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// cachedStore opens a migrated store on b with its session cache running,
// and a second, plain connection to the same database: another process,
// whose writes only the triggers (PostgreSQL) or the poll (SQLite) see.
func cachedStore(t *testing.T, b storetest.Backend) (*store.Store, *sql.DB) {
	t.Helper()
	dsn := storetest.DSN(t, b)
	s, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.RunSessionCache(ctx, nil); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	driver, odsn := "pgx", dsn
	if b == storetest.SQLite {
		driver, odsn = sqliteshim.ShimName, "file:"+dsn+"?_pragma=busy_timeout(10000)"
	}
	other, err := sql.Open(driver, odsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	waitFor(t, "the session cache to be current", 5*time.Second, s.SessionCacheFresh)
	return s, other
}

func waitFor(t *testing.T, what string, limit time.Duration, ok func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !ok() {
		if time.Since(start) > limit {
			t.Fatalf("no %s after %v", what, limit)
		}
		time.Sleep(time.Millisecond)
	}
	return time.Since(start)
}

// identityRows makes a user with everything the lookup reads: a session,
// a membership of an organisation that requires a second factor, an
// authenticator app and a passkey. It returns the session's hash.
func identityRows(t *testing.T, s *store.Store, n int) (userID int64, hash string) {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	u := newUser(fmt.Sprintf("cache%d@example.com", n))
	u.Status = store.UserActive
	u.PublicID = fmt.Sprintf("usr_cache%d", n)
	if _, err := s.CreateUserIfAbsent(ctx, u); err != nil {
		t.Fatal(err)
	}
	o := &store.Organisation{PublicID: fmt.Sprintf("org_cache%d", n), Name: "Engines", CreatedAt: now, UpdatedAt: now, RequireSecondFactor: true}
	if err := s.CreateOrganisation(ctx, o); err != nil {
		t.Fatal(err)
	}
	if err := s.AddMembership(ctx, &store.Membership{OrgID: o.ID, UserID: u.ID, Role: store.RoleOwner, Status: store.MemberActive, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.StartTOTPSetup(ctx, u.ID, "secret", now); err != nil {
		t.Fatal(err)
	}
	if err := s.AddPasskey(ctx, &store.Passkey{UserID: u.ID, CredentialID: fmt.Sprintf("cred%d", n), PublicKey: "pk", Name: "key", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	hash = fmt.Sprintf("cache-session-%d", n)
	if err := s.CreateSession(ctx, &store.Session{UserID: u.ID, Hash: hash, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	return u.ID, hash
}

func lookup(t *testing.T, s *store.Store, hash string) (*store.Session, error) {
	t.Helper()
	return s.SessionUserByHash(context.Background(), hash, time.Now(), 30*time.Minute)
}

// cacheIt looks the session up so that it is cached.
//
// On a crowded machine a heartbeat (or a poll) can come late, which turns
// the cache off and empties it, as it should; then it is filled again
// once it is current. A lookup that never caches fails every try.
func cacheIt(t *testing.T, s *store.Store, hash string) {
	t.Helper()
	for try := 1; ; try++ {
		waitFor(t, "the session cache to be current", 5*time.Second, s.SessionCacheFresh)
		// Past the notifications of what the test wrote so far.
		if s.Postgres() {
			store.SyncSessionCache(s)
		}
		before := s.SessionCacheStats()
		if _, err := lookup(t, s, hash); err != nil {
			t.Fatalf("lookup: %v", err)
		}
		n := store.CachedSessions(s)
		if n == 1 {
			return
		}
		after := s.SessionCacheStats()
		if (after.Stale == before.Stale && after.Bypassed == before.Bypassed && after.Serving) || try == 10 {
			t.Fatalf("%d sessions cached, want 1", n)
		}
	}
}

// TestSessionCacheSeesEveryColumn changes, one at a time, every column of
// every table the session lookup reads, and checks the cached session is
// dropped: at once when the change goes through this store, and within
// the stated bound (cacheFreshFor, 1 s) when another process makes it,
// which on PostgreSQL only a trigger can report. A table joined to the
// lookup without a trigger, or a column the triggers ignore, fails here.
func TestSessionCacheSeesEveryColumn(t *testing.T) {
	for _, b := range []storetest.Backend{storetest.SQLite, storetest.Postgres} {
		t.Run(string(b), func(t *testing.T) {
			s, other := cachedStore(t, b)
			ctx := context.Background()
			_, hash := identityRows(t, s, 1)
			cols := store.LookupColumns()
			if tables := store.LookupTables(); !slices.Equal(slices.Sorted(slices.Values(tables)),
				[]string{"memberships", "organisations", "passkeys", "sessions", "totp_secrets", "users"}) {
				t.Errorf("the lookup reads %v: give a new table a trigger (migrations) and a row in identityRows", tables)
			}
			var slowest time.Duration
			for _, table := range slices.Sorted(func(yield func(string) bool) {
				for k := range cols {
					if !yield(k) {
						return
					}
				}
			}) {
				for _, col := range cols[table] {
					q := fmt.Sprintf("UPDATE %s SET %s = %s", table, col, col)
					cacheIt(t, s, hash)
					if err := store.Exec(ctx, s, q); err != nil {
						t.Fatalf("%s: %v", q, err)
					}
					if n := store.CachedSessions(s); n != 0 {
						t.Errorf("%s through the store: still cached", q)
					}
					if b == storetest.SQLite {
						// A change from another SQLite process is seen
						// for the whole file (below); one that changes
						// nothing does not change the file.
						continue
					}
					cacheIt(t, s, hash)
					if _, err := other.ExecContext(ctx, q); err != nil {
						t.Fatalf("%s: %v", q, err)
					}
					took := waitFor(t, q+" from another process reaching the cache", 2*time.Second, func() bool { return store.CachedSessions(s) == 0 })
					slowest = max(slowest, took)
				}
			}
			t.Logf("slowest change from another process to reach the cache: %v", slowest)
			if s.Postgres() {
				t.Logf("last heartbeat's trip through NOTIFY: %v", s.SessionNotifyLag())
			}

			cacheIt(t, s, hash)
			if _, err := other.ExecContext(ctx, "UPDATE memberships SET role = 'admin'"); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "a new role reaching the cache", 2*time.Second, func() bool { return store.CachedSessions(s) == 0 })
			if got, _ := lookup(t, s, hash); got == nil || got.Membership == nil || got.Membership.Role != "admin" {
				t.Fatalf("the new role is not read: %+v", got)
			}

			// New rows: a second factor added, a membership made.
			cacheIt(t, s, hash)
			if _, err := other.ExecContext(ctx, "DELETE FROM passkeys"); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "a deleted passkey reaching the cache", 2*time.Second, func() bool { return store.CachedSessions(s) == 0 })
			cacheIt(t, s, hash)
			if _, err := other.ExecContext(ctx, `INSERT INTO passkeys (user_id, credential_id, public_key, sign_count, clone_warning, transports,
				user_verified, backup_eligible, backup_state, attestation_type, attestation_format, attachment, aaguid, name, created_at)
				SELECT user_id, 'new', 'pk', 0, false, '', false, false, false, '', '', '', '', 'key', created_at FROM sessions`); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "a new passkey reaching the cache", 2*time.Second, func() bool { return store.CachedSessions(s) == 0 })
			cacheIt(t, s, hash)
			if _, err := other.ExecContext(ctx, "DELETE FROM sessions"); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "a deleted session reaching the cache", 2*time.Second, func() bool { return store.CachedSessions(s) == 0 })
			if _, err := lookup(t, s, hash); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("deleted session still found: %v", err)
			}
		})
	}
}

// TestSessionCacheTransactions: a change inside a transaction empties the
// cache when it commits, not before (a lookup in between would store the
// old rows again); a lookup inside a transaction is never cached.
func TestSessionCacheTransactions(t *testing.T) {
	for _, b := range []storetest.Backend{storetest.SQLite, storetest.Postgres} {
		t.Run(string(b), func(t *testing.T) {
			s, _ := cachedStore(t, b)
			ctx := context.Background()
			userID, hash := identityRows(t, s, 2)
			cacheIt(t, s, hash)
			err := s.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
				if _, err := tx.DeleteUserSessions(ctx, userID, 0); err != nil {
					return err
				}
				if n := store.CachedSessions(s); n != 1 {
					t.Errorf("cache emptied before the commit (%d held)", n)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if n := store.CachedSessions(s); n != 0 {
				t.Fatalf("session still cached after its deletion committed")
			}
			if _, err := lookup(t, s, hash); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("deleted session found: %v", err)
			}

			_, hash = identityRows(t, s, 3)
			s.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
				_, err := tx.SessionUserByHash(ctx, hash, time.Now(), time.Hour)
				return err
			})
			if n := store.CachedSessions(s); n != 0 {
				t.Fatalf("a lookup inside a transaction was cached")
			}
		})
	}
}

// TestSessionCacheTimeouts: a hit is checked against both timeouts at the
// caller's clock, and "last seen" moves in the cache too, without
// emptying it, so a live session is not written on every request.
func TestSessionCacheTimeouts(t *testing.T) {
	for _, b := range []storetest.Backend{storetest.SQLite, storetest.Postgres} {
		t.Run(string(b), func(t *testing.T) {
			s, _ := cachedStore(t, b)
			ctx := context.Background()
			_, hash := identityRows(t, s, 4)
			cacheIt(t, s, hash)
			sess, _ := lookup(t, s, hash)
			later := time.Now().Add(2 * time.Minute)
			if err := s.TouchSession(ctx, sess.ID, later); err != nil {
				t.Fatal(err)
			}
			if n := store.CachedSessions(s); n != 1 {
				t.Fatalf("touching the session emptied the cache")
			}
			got, err := lookup(t, s, hash)
			if err != nil || !got.LastSeenAt.Equal(later.UTC().Truncate(time.Microsecond)) && !got.LastSeenAt.Equal(later.UTC()) {
				t.Fatalf("cached last seen %v, want %v (%v)", got, later, err)
			}
			if _, err := s.SessionUserByHash(ctx, hash, later.Add(31*time.Minute), 30*time.Minute); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("idle session served from the cache: %v", err)
			}
			if _, err := s.SessionUserByHash(ctx, hash, time.Now().Add(61*time.Minute), 24*time.Hour); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("expired session served from the cache: %v", err)
			}
		})
	}
}

// TestSessionCacheListenerOutage: with the listener cut, the cache is off
// and every lookup reads the database, even for a change no one is told
// of (triggers off for that connection); it is back once the listener is.
// And no entry outlives its maximum age, whatever was missed.
func TestSessionCacheListenerOutage(t *testing.T) {
	s, other := cachedStore(t, storetest.Postgres)
	ctx := context.Background()
	_, hash := identityRows(t, s, 5)

	// A change the listener never hears of: the cache answers until its
	// entry is cacheMaxAge (5 s) old, then the database does.
	quiet, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer quiet.Close()
	if _, err := quiet.ExecContext(ctx, "SET session_replication_role = replica"); err != nil {
		t.Fatal(err)
	}
	// On a crowded machine a heartbeat can come late, which turns the cache
	// off (and empties it) for a moment, as it should: then the database
	// answers and the round is tried again. A cache that never serves fails
	// every round.
	for round := 1; ; round++ {
		if _, err := quiet.ExecContext(ctx, "UPDATE users SET first_name = 'Ada'"); err != nil {
			t.Fatal(err)
		}
		cacheIt(t, s, hash)
		if _, err := quiet.ExecContext(ctx, "UPDATE users SET first_name = 'Grace'"); err != nil {
			t.Fatal(err)
		}
		got, _ := lookup(t, s, hash)
		if got != nil && got.User.FirstName == "Ada" {
			break
		}
		if round == 5 {
			t.Fatalf("the cached session was not served in %d rounds: %+v", round, got)
		}
	}
	took := waitFor(t, "the entry to age out", 7*time.Second, func() bool {
		got, _ := lookup(t, s, hash)
		return got != nil && got.User.FirstName == "Grace"
	})
	t.Logf("an unreported change served from the cache for %v more", took)

	pid := s.SessionListenerPID()
	if pid == 0 {
		t.Fatal("no listener")
	}
	cacheIt(t, s, hash)
	if _, err := other.ExecContext(ctx, "SELECT pg_terminate_backend($1)", pid); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the cache to turn off", time.Second, func() bool { return !s.SessionCacheFresh() })
	if _, err := quiet.ExecContext(ctx, "DELETE FROM sessions"); err != nil {
		t.Fatal(err)
	}
	if _, err := lookup(t, s, hash); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("with the listener down, a deleted session was found: %v", err)
	}
	if n := store.CachedSessions(s); n != 0 {
		t.Fatalf("%d sessions cached with the listener down", n)
	}
	waitFor(t, "the listener to come back", 5*time.Second, func() bool { return s.SessionCacheFresh() && s.SessionListenerPID() != 0 })
	if s.SessionListenerPID() == pid {
		t.Fatal("the same listener after it was cut")
	}
	_, hash = identityRows(t, s, 6)
	cacheIt(t, s, hash)
}

// TestSessionCacheStats checks the counters operators' metrics read: a
// first lookup misses, the next one hits, a write empties the cache (a
// flush), and a lookup while the cache is not current bypasses it.
func TestSessionCacheStats(t *testing.T) {
	for _, b := range []storetest.Backend{storetest.SQLite, storetest.Postgres} {
		t.Run(string(b), func(t *testing.T) {
			s, _ := cachedStore(t, b)
			ctx := context.Background()
			uid, hash := identityRows(t, s, 7)
			cacheIt(t, s, hash)
			before := s.SessionCacheStats()
			if !before.Serving || before.Entries != 1 || before.Misses == 0 {
				t.Fatalf("after the first lookup: %+v", before)
			}
			if b == storetest.Postgres && !before.Listening {
				t.Fatalf("no listener reported: %+v", before)
			}
			for range 3 {
				if _, err := lookup(t, s, hash); err != nil {
					t.Fatal(err)
				}
			}
			hit := s.SessionCacheStats()
			if hit.Hits-before.Hits != 3 || hit.Misses != before.Misses {
				t.Fatalf("three cached lookups: %+v, then %+v", before, hit)
			}
			if err := s.SetUserProfile(ctx, uid, "Ada", "Lovelace", "Engines", time.Now()); err != nil {
				t.Fatal(err)
			}
			flushed := s.SessionCacheStats()
			if flushed.Flushes <= hit.Flushes || flushed.Entries != 0 {
				t.Fatalf("a profile change did not flush: %+v, then %+v", hit, flushed)
			}
			// The poll or the heartbeat turns it back on within 200 ms,
			// which may come between; a lookup that never bypasses
			// fails every round.
			for round := 1; ; round++ {
				store.StopServing(s)
				if _, err := lookup(t, s, hash); err != nil {
					t.Fatal(err)
				}
				if off := s.SessionCacheStats(); off.Bypassed > flushed.Bypassed {
					break
				} else if round == 20 {
					t.Fatalf("lookups while the cache is off: %+v, then %+v", flushed, off)
				}
			}
		})
	}
}

// TestSessionListenerURL checks that DATABASE_LISTEN_URL is where the
// listener connects (a pooler in front of DATABASE_URL cannot hold a
// LISTEN): its backend carries the listen URL's application name.
func TestSessionListenerURL(t *testing.T) {
	dsn := storetest.DSN(t, storetest.Postgres)
	s, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.ListenOn("sqlite:/tmp/x.db"); err == nil {
		t.Fatal("a sqlite listen URL was taken")
	}
	if err := s.ListenOn(dsn + "&application_name=gatehouse_listener_test"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.RunSessionCache(ctx, nil); close(done) }()
	defer func() { cancel(); <-done }()
	waitFor(t, "the listener", 5*time.Second, func() bool { return s.SessionListenerPID() != 0 && s.SessionCacheFresh() })
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var app string
	if err := db.QueryRow("SELECT application_name FROM pg_stat_activity WHERE pid = $1", s.SessionListenerPID()).Scan(&app); err != nil {
		t.Fatal(err)
	}
	if app != "gatehouse_listener_test" {
		t.Fatalf("the listener's connection is %q, not the listen URL's", app)
	}

	sqlite, err := store.Open(context.Background(), storetest.DSN(t, storetest.SQLite))
	if err != nil {
		t.Fatal(err)
	}
	defer sqlite.Close()
	if err := sqlite.ListenOn(dsn); err == nil {
		t.Fatal("a listen URL was taken on SQLite")
	}
}

// TestSessionCacheScopedDrops checks that ending sessions drops only
// those sessions from the cache, at once (outside and inside a
// transaction), while every other write still empties it whole: a
// sign-out must not cost every other signed-in person a database read.
func TestSessionCacheScopedDrops(t *testing.T) {
	for _, b := range []storetest.Backend{storetest.SQLite, storetest.Postgres} {
		t.Run(string(b), func(t *testing.T) {
			s, _ := cachedStore(t, b)
			// On a crowded machine a late heartbeat empties the cache
			// whole (as it should), which says nothing of the drops:
			// such a round is run again.
			for round := 0; round < 5; round++ {
				if scopedDropsRound(t, s, 10+10*round) {
					return
				}
				t.Logf("round %d: the cache went stale meanwhile; again", round)
			}
			t.Fatal("the cache went stale in every round")
		})
	}
}

// scopedDropsRound is one round of TestSessionCacheScopedDrops with
// accounts numbered from first; false when the cache went stale during
// it (inconclusive).
func scopedDropsRound(t *testing.T, s *store.Store, first int) bool {
	t.Helper()
	ctx := context.Background()
	var hashes []string
	var users []int64
	for n := first; n < first+3; n++ {
		uid, h := identityRows(t, s, n)
		users, hashes = append(users, uid), append(hashes, h)
	}
	fill := func() {
		t.Helper()
		waitFor(t, "the session cache to be current", 5*time.Second, s.SessionCacheFresh)
		if s.Postgres() {
			store.SyncSessionCache(s)
		}
		for _, h := range hashes {
			lookup(t, s, h)
		}
	}
	// A round counts only while the cache stayed current throughout: a
	// late heartbeat stops it serving (lookups bypass it) and empties it
	// when it comes back (stale).
	base := s.SessionCacheStats()
	undisturbed := func() bool {
		now := s.SessionCacheStats()
		return now.Stale == base.Stale && now.Bypassed == base.Bypassed
	}
	check := func(what string, gone string, want int) {
		t.Helper()
		if n := store.CachedSessions(s); n != want && undisturbed() {
			t.Errorf("after %s: %d sessions cached, want %d", what, n, want)
		}
		if _, err := lookup(t, s, gone); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("after %s the ended session was found: %v", what, err)
		}
	}
	fill()
	base = s.SessionCacheStats()
	if n := store.CachedSessions(s); n != 3 {
		if !undisturbed() {
			return false
		}
		t.Fatalf("%d sessions cached, want 3", n)
	}
	if err := s.DeleteSession(ctx, hashes[0]); err != nil {
		t.Fatal(err)
	}
	check("a sign-out", hashes[0], 2)

	err := s.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		_, err := tx.EndSession(ctx, hashes[1])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	check("a sign-out in a transaction", hashes[1], 1)

	// Ending a user's other sessions drops that user's only.
	now := time.Now().UTC()
	extra := fmt.Sprintf("cache-session-extra%d", first)
	if err := s.CreateSession(ctx, &store.Session{UserID: users[2], Hash: extra, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	hashes = []string{hashes[2], extra}
	fill()
	if _, err := s.DeleteUserSessions(ctx, users[0], 0); err != nil {
		t.Fatal(err)
	}
	if n := store.CachedSessions(s); n != 2 && undisturbed() {
		t.Errorf("ending another user's sessions dropped this one's: %d cached, want 2", n)
	}
	if _, err := s.DeleteUserSessions(ctx, users[2], 0); err != nil {
		t.Fatal(err)
	}
	check("ending a user's sessions", extra, 0)
	check("ending a user's sessions", hashes[0], 0)

	// Anything else still empties the cache whole, inside a
	// transaction with a scoped write too.
	if err := s.CreateSession(ctx, &store.Session{UserID: users[2], Hash: extra, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSession(ctx, &store.Session{UserID: users[1], Hash: fmt.Sprintf("cache-session-other%d", first), CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	hashes = []string{extra, fmt.Sprintf("cache-session-other%d", first)}
	fill()
	if !undisturbed() {
		return false
	}
	if n := store.CachedSessions(s); n != 2 {
		t.Fatalf("%d sessions cached, want 2", n)
	}
	err = s.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		if err := tx.DeleteSession(ctx, "no-such-session"); err != nil {
			return err
		}
		return tx.SetUserProfile(ctx, users[1], "Grace", "Hopper", "Navy", now)
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := store.CachedSessions(s); n != 0 {
		t.Errorf("a profile change beside a sign-out left %d sessions cached", n)
	}
	return true
}

// TestSessionCacheKeepsNewRows: a new session, user or organisation is
// in no cached identity, so making one, in this process or another,
// leaves the cached sessions alone; so does a new row of a table the
// lookup does not read (an audit event). A sign-in inserts a session: before,
// its trigger told every instance to drop all of that user's cached
// sessions. A change to an existing row still drops them
// (TestSessionCacheSeesEveryColumn).
func TestSessionCacheKeepsNewRows(t *testing.T) {
	for _, b := range []storetest.Backend{storetest.SQLite, storetest.Postgres} {
		t.Run(string(b), func(t *testing.T) {
			s, other := cachedStore(t, b)
			ctx := context.Background()
			userID, hash := identityRows(t, s, 1)
			// A late heartbeat empties the cache whole, as it should,
			// which says nothing of new rows: such a round is run again.
			for round := 0; round < 5; round++ {
				cacheIt(t, s, hash)
				base := s.SessionCacheStats()
				now := time.Now().UTC()
				if err := s.CreateSession(ctx, &store.Session{UserID: userID, Hash: fmt.Sprintf("here-%d", round), CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
					t.Fatal(err)
				}
				u := newUser(fmt.Sprintf("new-here-%d@example.com", round))
				u.PublicID = fmt.Sprintf("usr_new_here_%d", round)
				if _, err := s.CreateUserIfAbsent(ctx, u); err != nil {
					t.Fatal(err)
				}
				if err := s.CreateOrganisation(ctx, &store.Organisation{PublicID: fmt.Sprintf("org_new_here_%d", round), Name: "New", CreatedAt: now, UpdatedAt: now}); err != nil {
					t.Fatal(err)
				}
				// Every sign-in records an event, which names memberships
				// to find its organisation, but only reads it; and a
				// sign-in's writes together.
				if err := s.AddAuditEvent(ctx, &store.AuditEvent{UserID: &userID, Kind: "login_ok", CreatedAt: now}); err != nil {
					t.Fatal(err)
				}
				signIn := &store.Session{UserID: userID, Hash: fmt.Sprintf("signed-in-%d", round), CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}
				if err := s.CommitSignIn(ctx, userID, signIn, []*store.AuditEvent{{UserID: &userID, Kind: "login_ok", CreatedAt: now}}, nil); err != nil {
					t.Fatal(err)
				}
				if b == storetest.Postgres {
					// Another instance's sign-in of the same user, and a
					// new user and organisation there: only the triggers
					// could tell this one.
					for _, q := range []string{
						copyRow("sessions", "hash", fmt.Sprintf("there-%d", round)),
						copyRow("users", "email", fmt.Sprintf("new-there-%d@example.com", round), "public_id", fmt.Sprintf("usr_new_there_%d", round)),
						copyRow("organisations", "public_id", fmt.Sprintf("org_new_there_%d", round)),
					} {
						if _, err := other.ExecContext(ctx, q); err != nil {
							t.Fatalf("%s: %v", q, err)
						}
					}
					store.SyncSessionCache(s)
				}
				n := store.CachedSessions(s)
				if now := s.SessionCacheStats(); now.Stale != base.Stale || now.Bypassed != base.Bypassed {
					t.Logf("round %d: the cache went stale meanwhile; again", round)
					continue
				}
				if n != 1 {
					t.Fatalf("new rows dropped the cached session: %d cached, want 1", n)
				}
				if b == storetest.Postgres {
					// The control: a change to the user's new session
					// still reaches the cache.
					if _, err := other.ExecContext(ctx, fmt.Sprintf("UPDATE sessions SET auth_methods = 'otp' WHERE hash = 'there-%d'", round)); err != nil {
						t.Fatal(err)
					}
					waitFor(t, "a changed session reaching the cache", 2*time.Second, func() bool { return store.CachedSessions(s) == 0 })
				}
				return
			}
			t.Fatal("the cache went stale in every round")
		})
	}
}

// copyRow is PostgreSQL that copies the table's newest row as a new one,
// with a new id and the columns named in pairs set to new values.
func copyRow(table string, set ...string) string {
	fields := "'id', nextval(pg_get_serial_sequence('" + table + "', 'id'))"
	for i := 0; i < len(set); i += 2 {
		fields += ", '" + set[i] + "', '" + set[i+1] + "'"
	}
	return "INSERT INTO " + table + " SELECT (jsonb_populate_record(NULL::" + table + ", to_jsonb(t) || jsonb_build_object(" + fields + "))).* FROM " +
		table + " AS t WHERE t.id = (SELECT max(id) FROM " + table + ")"
}
