// Package storetest opens fresh, migrated stores for tests: SQLite always,
// PostgreSQL when TEST_DATABASE_URL is set. With GATEHOUSE_REQUIRE_POSTGRES=1
// (CI) a missing or unreachable PostgreSQL fails the test instead of
// skipping it.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"gatehouse/internal/store"
)

// Backend names a database the suite runs on.
type Backend string

// The backends.
const (
	SQLite   Backend = "sqlite"
	Postgres Backend = "postgres"
)

// Each runs fn once per available backend, each with a fresh migrated store.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, b := range []Backend{SQLite, Postgres} {
		t.Run(string(b), func(t *testing.T) {
			fn(t, Open(t, b))
		})
	}
}

// Open returns a fresh, migrated store on backend b, closed at the end of
// the test; on PostgreSQL each call gets its own schema.
func Open(t testing.TB, b Backend) *store.Store {
	t.Helper()
	dsn := DSN(t, b)
	s, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open %s: %v", b, err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s: %v", b, err)
	}
	return s
}

// DSN returns a DATABASE_URL for a fresh, empty database on backend b; it
// skips (or fails, in CI) when PostgreSQL is not configured.
func DSN(t testing.TB, b Backend) string {
	t.Helper()
	if b == SQLite {
		return filepath.Join(t.TempDir(), "gatehouse.db")
	}
	base := os.Getenv("TEST_DATABASE_URL")
	required := os.Getenv("GATEHOUSE_REQUIRE_POSTGRES") == "1"
	if base == "" {
		if required {
			t.Fatal("GATEHOUSE_REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")
		}
		t.Skip("PostgreSQL suite skipped: set TEST_DATABASE_URL=postgres://… to run it")
	}
	admin, err := sql.Open("pgx", base)
	if err == nil {
		err = admin.Ping()
	}
	if err != nil {
		if required {
			t.Fatalf("PostgreSQL at TEST_DATABASE_URL unreachable: %v", err)
		}
		t.Skipf("PostgreSQL suite skipped: TEST_DATABASE_URL unreachable: %v", err)
	}
	var b8 [6]byte
	rand.Read(b8[:])
	schema := "t_" + hex.EncodeToString(b8[:])
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
