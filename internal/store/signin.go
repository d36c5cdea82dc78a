package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
)

// CommitSignIn writes, atomically, what a sign-in with the right password
// commits when there is nothing to change on the account: its throttle
// record cleared (the failures, and every reservation with them), the new
// session, the audit events and the outbox messages (webhooks). On
// PostgreSQL they go as one message of statements, which the server runs
// as one transaction: one round trip, where BEGIN, the writes and COMMIT
// took one each, and under load every round trip is CPU on both sides
// taken from the cores argon2id needs. SQLite, whose statements cost no
// round trip, writes them in a transaction.
func (s *Store) CommitSignIn(ctx context.Context, userID int64, sess *Session, events []*AuditEvent, out []*OutboxMessage) error {
	qs := []bun.Query{s.clearQuery(userID), s.db.NewInsert().Model(sess)}
	for _, e := range events {
		qs = append(qs, s.auditQuery(e))
	}
	for _, m := range out {
		qs = append(qs, s.enqueueQuery(m))
	}
	parts := make([]string, len(qs))
	joinable := s.Postgres()
	for i, q := range qs {
		b, err := q.AppendQuery(s.root.QueryGen(), nil)
		if err != nil {
			return fmt.Errorf("store: commit sign-in: %w", err)
		}
		parts[i] = string(b)
		// The session cache judges a statement by its words (identityHook),
		// which it cannot tell apart once joined: each is judged here,
		// and only writes that change no identity (a new session is in
		// no one's) are joined, and marked so.
		joinable = joinable && !writesIdentity(parts[i])
	}
	if !joinable {
		return s.Tx(ctx, func(ctx context.Context, tx *Store) error {
			for _, q := range parts {
				if _, err := tx.db.ExecContext(ctx, q); err != nil {
					return fmt.Errorf("store: commit sign-in: %w", err)
				}
			}
			tx.attemptEnded(userID)
			return nil
		})
	}
	// No arguments: pgx sends it with the simple protocol whatever the
	// DATABASE_URL's mode, and Bun passes the text through as it is.
	if _, err := s.db.ExecContext(noIdentity(ctx), strings.Join(parts, ";\n")); err != nil {
		return fmt.Errorf("store: commit sign-in: %w", err)
	}
	s.attemptEnded(userID)
	return nil
}
