// Package store keeps users, tokens, sessions, the outbox and audit events
// with Bun, on PostgreSQL (pgx) or SQLite (sqliteshim), through one code path.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/sqliteshim"
	"github.com/uptrace/bun/migrate"

	"gatehouse/migrations"
)

// ErrNotFound is returned when a row asked for does not exist (or is no
// longer usable, for tokens and sessions).
var ErrNotFound = errors.New("store: not found")

// Store is the database. The same methods work on the root connection and
// inside a transaction (see Tx).
type Store struct {
	db   bun.IDB
	root *bun.DB
	hot  *hotStatements
	// turns wakes sign-ins of this process waiting for their turn on an
	// account (ReserveLoginAttempt); ended lists the accounts whose
	// checks a transaction ended, woken once it is over.
	turns *attemptTurns
	ended *[]int64
}

// Open connects to the database named by dsn: a postgres:// or postgresql://
// URL for PostgreSQL; a file path or sqlite: URL for SQLite.
func Open(ctx context.Context, dsn string) (*Store, error) {
	var db *bun.DB
	hot := &hotStatements{cache: newSessionCache()}
	if isPostgresDSN(dsn) {
		cfg, err := pgx.ParseConfig(dsn)
		if err != nil {
			return nil, fmt.Errorf("store: open postgres: %w", err)
		}
		// Bun writes every argument into the SQL text, so no two statements
		// are alike and pgx's default statement cache would prepare each
		// one (a round trip of its own), keep it for nothing, and later
		// deallocate it. With no parameters left to bind, the simple
		// protocol sends a statement as one message in one round trip, and
		// costs PostgreSQL less CPU than the extended protocol's unnamed
		// statements ("exec"). A DATABASE_URL that names a mode keeps it.
		if !strings.Contains(dsn, "default_query_exec_mode") {
			cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
		}
		hot.pg = cfg.Copy()
		sqldb := stdlib.OpenDB(*cfg)
		sqldb.SetMaxOpenConns(20)
		sqldb.SetMaxIdleConns(20)
		db = bun.NewDB(sqldb, pgdialect.New())
	} else {
		sqldb, err := sql.Open(sqliteshim.ShimName, sqliteDSN(dsn))
		if err != nil {
			return nil, fmt.Errorf("store: open sqlite: %w", err)
		}
		// One connection serialises every statement in the process, so
		// concurrent sign-ups queue instead of failing with "database is
		// locked"; WAL and the busy timeout cover other processes (migrate).
		sqldb.SetMaxOpenConns(1)
		sqldb.SetConnMaxLifetime(0)
		sqldb.SetConnMaxIdleTime(0)
		db = bun.NewDB(sqldb, sqlitedialect.New())
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	db.AddQueryHook(identityHook{hot.cache})
	return &Store{db: db, root: db, hot: hot, turns: newAttemptTurns()}, nil
}

// isPostgresDSN reports whether dsn names a PostgreSQL database (anything
// else is SQLite's).
func isPostgresDSN(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// sqliteDSN turns a path or sqlite: URL into a modernc DSN with the pragmas
// Gatehouse relies on.
func sqliteDSN(dsn string) string {
	path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite://"), "sqlite:")
	query := url.Values{}
	if i := strings.IndexByte(path, '?'); i >= 0 {
		query, _ = url.ParseQuery(path[i+1:])
		path = path[:i]
	}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(NORMAL)"} {
		query.Add("_pragma", p)
	}
	query.Set("_txlock", "immediate")
	if !strings.HasPrefix(path, "file:") {
		path = "file:" + path
	}
	return path + "?" + query.Encode()
}

// Close closes the connection pool.
func (s *Store) Close() error { return s.root.Close() }

// Postgres reports whether the store runs on PostgreSQL.
func (s *Store) Postgres() bool { return s.root.Dialect().Name() == dialect.PG }

// Ping checks the database answers; readiness uses it.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.db.NewSelect().ColumnExpr("1").Scan(ctx, &one); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// AddQueryHook has h see every statement the store runs (BEGIN and COMMIT
// included); tests count statements with it.
func (s *Store) AddQueryHook(h bun.QueryHook) { s.root.AddQueryHook(h) }

// Tx runs fn in one transaction; fn receives a Store bound to it (and a
// context that fn's statements must run with: through it the session
// cache learns, after the commit, that the transaction changed what
// sessions read).
func (s *Store) Tx(ctx context.Context, fn func(ctx context.Context, tx *Store) error) error {
	var ended []int64
	run := func(ctx context.Context, tx bun.Tx) error {
		ended = ended[:0]
		return fn(ctx, &Store{db: tx, root: s.root, hot: s.hot, turns: s.turns, ended: &ended})
	}
	var err error
	if _, nested := ctx.Value(txWritesKey{}).(*txWrites); nested {
		err = s.db.RunInTx(ctx, nil, run)
	} else {
		w := new(txWrites)
		err = s.db.RunInTx(context.WithValue(ctx, txWritesKey{}, w), nil, run)
		w.apply(s.hot.cache)
	}
	// Waiters look again only once the change is visible (or rolled
	// back, which they see as no change).
	for _, id := range ended {
		s.attemptEnded(id)
	}
	return err
}

// Migrate applies every pending migration. On PostgreSQL an advisory lock
// makes instances that start together take turns.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	if s.Postgres() {
		conn, err := s.root.Conn(ctx)
		if err != nil {
			return nil, fmt.Errorf("store: migrate: %w", err)
		}
		defer conn.Close()
		h := fnv.New64a()
		h.Write([]byte("gatehouse migrations"))
		key := int64(h.Sum64() >> 1)
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(?)", key); err != nil {
			return nil, fmt.Errorf("store: migrate: lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(?)", key)
	}
	m := migrate.NewMigrator(s.root, migrations.Migrations, migrate.WithMarkAppliedOnSuccess(true))
	if err := m.Init(ctx); err != nil {
		return nil, fmt.Errorf("store: migrate: init: %w", err)
	}
	group, err := m.Migrate(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: migrate: %w", err)
	}
	var names []string
	for _, mg := range group.Migrations {
		names = append(names, mg.Name)
	}
	return names, nil
}

// notFound maps sql.ErrNoRows to ErrNotFound and wraps anything else.
func notFound(what string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return fmt.Errorf("store: %s: %w", what, err)
}
