package store

import (
	"context"
	"fmt"
	"strings"
)

// Mentions lists, as "table.column", every column of every table where
// some row holds needle (compared case-insensitively, as text). It is the
// proof of an erasure: once an account is deleted, nothing may mention its
// address, names, phone or public id. It reads every row of every table,
// so it is for tests and audits, never for a request.
func (s *Store) Mentions(ctx context.Context, needle string) ([]string, error) {
	cols, err := s.columns(ctx)
	if err != nil {
		return nil, err
	}
	find := "instr(lower(CAST(%s AS TEXT)), ?) > 0"
	if s.Postgres() {
		find = "strpos(lower(CAST(%s AS TEXT)), ?) > 0"
	}
	var out []string
	for _, c := range cols {
		var n int
		q := fmt.Sprintf("SELECT count(*) FROM %s WHERE "+find, quoteIdent(c[0]), quoteIdent(c[1]))
		if err := s.db.NewRaw(q, strings.ToLower(needle)).Scan(ctx, &n); err != nil {
			return nil, fmt.Errorf("store: mentions in %s.%s: %w", c[0], c[1], err)
		}
		if n > 0 {
			out = append(out, c[0]+"."+c[1])
		}
	}
	return out, nil
}

// UserReferences lists the tables with a user_id column that still hold
// rows of the account id.
func (s *Store) UserReferences(ctx context.Context, id int64) ([]string, error) {
	cols, err := s.columns(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, c := range cols {
		if c[1] != "user_id" {
			continue
		}
		var n int
		if err := s.db.NewRaw(fmt.Sprintf("SELECT count(*) FROM %s WHERE user_id = ?", quoteIdent(c[0])), id).Scan(ctx, &n); err != nil {
			return nil, fmt.Errorf("store: user references in %s: %w", c[0], err)
		}
		if n > 0 {
			out = append(out, c[0])
		}
	}
	return out, nil
}

// columns is every (table, column) of the database's own tables.
func (s *Store) columns(ctx context.Context) ([][2]string, error) {
	var out [][2]string
	if s.Postgres() {
		var rows []struct {
			Table  string `bun:"table_name"`
			Column string `bun:"column_name"`
		}
		err := s.db.NewRaw(`SELECT table_name, column_name FROM information_schema.columns
WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`).Scan(ctx, &rows)
		if err != nil {
			return nil, fmt.Errorf("store: columns: %w", err)
		}
		for _, r := range rows {
			out = append(out, [2]string{r.Table, r.Column})
		}
		return out, nil
	}
	var tables []string
	if err := s.db.NewRaw(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).Scan(ctx, &tables); err != nil {
		return nil, fmt.Errorf("store: tables: %w", err)
	}
	for _, t := range tables {
		var cols []struct {
			Name string `bun:"name"`
		}
		if err := s.db.NewRaw(fmt.Sprintf("SELECT name FROM pragma_table_info('%s')", strings.ReplaceAll(t, "'", "''"))).Scan(ctx, &cols); err != nil {
			return nil, fmt.Errorf("store: columns of %s: %w", t, err)
		}
		for _, c := range cols {
			out = append(out, [2]string{t, c.Name})
		}
	}
	return out, nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
