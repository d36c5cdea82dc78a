package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"
)

// The session lookup runs on every signed-in request, every proxied
// request and every forward-auth call. Bun writes each argument into the
// SQL text, so SQLite would parse the statement afresh every time (a
// quarter of the CPU of /auth/verify); this one statement is prepared once
// per connection with real parameters instead.
const sessionUserColumns = `s.id, s.user_id, s.hash, s.created_at, s.last_seen_at, s.expires_at, s.ip, s.user_agent, s.auth_methods, s.auth_time,
	u.id, u.public_id, u.email, u.first_name, u.last_name, u.company, u.country, u.region, u.phone, u.locale,
	u.status, u.password_hash, u.created_at, u.updated_at, u.activated_at, u.password_changed_at, u.return_to, u.time_zone, u.approval,
	u.operator,
	m.id, m.org_id, m.role, m.status, o.public_id, o.name, COALESCE(o.require_second_factor, FALSE),
	CASE WHEN o.require_second_factor THEN
		EXISTS (SELECT 1 FROM totp_secrets AS t WHERE t.user_id = u.id AND t.confirmed_at IS NOT NULL)
		OR EXISTS (SELECT 1 FROM passkeys AS p WHERE p.user_id = u.id)
	ELSE FALSE END`

// sessionUserFrom is the rest of the lookup: its tables are the ones the
// session cache watches (lookupTables).
const sessionUserFrom = "FROM sessions AS s JOIN users AS u ON u.id = s.user_id " +
	"LEFT JOIN memberships AS m ON m.user_id = u.id LEFT JOIN organisations AS o ON o.id = m.org_id " +
	"WHERE s.hash = ? AND s.expires_at > ? AND s.last_seen_at > ?"

// hotStatements are the prepared statements, and the session cache, a
// Store shares with the transactions made from it.
type hotStatements struct {
	once        sync.Once
	sessionUser *sql.Stmt
	err         error

	cache *sessionCache
	// pg is the connection's configuration on PostgreSQL (nil on
	// SQLite), for the cache's listener.
	pg *pgx.ConnConfig
	// listening is the listener's backend pid while it listens;
	// listened says it got as far as listening since the last failure.
	listening atomic.Uint32
	listened  atomic.Bool
	// lag is the last heartbeat's trip, in nanoseconds.
	lag atomic.Int64
}

func (s *Store) sessionUserStmt(ctx context.Context) (*sql.Stmt, error) {
	h := s.hot
	h.once.Do(func() {
		cols := sessionUserColumns
		if !s.Postgres() {
			// As text, the driver hands the times over as Bun wrote them
			// instead of trying its own layouts on each (a tenth of the
			// lookup's CPU); timeCol parses Bun's layout first.
			for _, c := range []string{"s.created_at", "s.last_seen_at", "s.expires_at", "s.auth_time", "u.created_at", "u.updated_at", "u.activated_at", "u.password_changed_at"} {
				cols = strings.Replace(cols, c+",", "CAST("+c+" AS TEXT),", 1)
			}
		}
		// The membership rides along (at most one row while
		// memberships_user_key holds), so that the handoff and the
		// organisation gate cost no second round trip; so does whether
		// the user has a second factor, asked (two primary-key or indexed
		// lookups) only of members of an organisation that requires one.
		q := "SELECT " + cols + " " + sessionUserFrom
		if s.Postgres() {
			q = strings.Replace(strings.Replace(strings.Replace(q, "?", "$1", 1), "?", "$2", 1), "?", "$3", 1)
		}
		h.sessionUser, h.err = s.root.DB.PrepareContext(context.WithoutCancel(ctx), q)
	})
	return h.sessionUser, h.err
}

// sqliteTime is how Bun writes a time into SQLite, so a parameter compares
// with the stored text as Bun's own queries do.
const sqliteTime = "2006-01-02 15:04:05.999999-07:00"

// SessionUserByHash is SessionByHash with the session's user, in one
// prepared statement: one round trip, and nothing to parse. Outside a
// transaction the answer may come from the session cache
// (sessioncache.go), which is checked against both timeouts at now.
func (s *Store) SessionUserByHash(ctx context.Context, hash string, now time.Time, idle time.Duration) (*Session, error) {
	if _, ok := s.db.(bun.Tx); ok {
		// Inside a transaction the lookup may see what it has not
		// committed yet, so it is neither served nor stored.
		return s.sessionUser(ctx, hash, now, idle)
	}
	c := s.hot.cache
	if sess, ok := c.get(hash, now, idle); ok {
		return sess, nil
	}
	gen := c.begin()
	sess, err := s.sessionUser(ctx, hash, now, idle)
	if err == nil {
		c.put(hash, sess, gen)
	}
	return sess, err
}

// sessionUser is SessionUserByHash from the database.
func (s *Store) sessionUser(ctx context.Context, hash string, now time.Time, idle time.Duration) (*Session, error) {
	stmt, err := s.sessionUserStmt(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: session: prepare: %w", err)
	}
	if tx, ok := s.db.(bun.Tx); ok {
		// Inside a transaction the statement must run on its connection
		// (SQLite has only the one).
		stmt = tx.StmtContext(ctx, stmt)
		defer stmt.Close()
	}
	now = now.UTC()
	var exp, seen any = now, now.Add(-idle)
	if !s.Postgres() {
		exp, seen = now.Format(sqliteTime), now.Add(-idle).Format(sqliteTime)
	}
	sess, u := new(Session), new(User)
	var times [7]timeCol
	var activated, changed, authTime nullTimeCol
	var mID, orgID sql.NullInt64
	var role, status, orgPublicID, orgName sql.NullString
	var requireSecond, hasSecond bool
	err = stmt.QueryRowContext(ctx, hash, exp, seen).Scan(&sess.ID, &sess.UserID, &sess.Hash, &times[0], &times[1], &times[2], &sess.IP, &sess.UserAgent,
		&sess.AuthMethods, &authTime,
		&u.ID, &u.PublicID, &u.Email, &u.FirstName, &u.LastName, &u.Company, &u.Country, &u.Region, &u.Phone, &u.Locale,
		&u.Status, &u.PasswordHash, &times[3], &times[4], &activated, &changed, &u.ReturnTo, &u.TimeZone, &u.Approval,
		&u.Operator,
		&mID, &orgID, &role, &status, &orgPublicID, &orgName, &requireSecond, &hasSecond)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: session: %w", err)
	}
	sess.CreatedAt, sess.LastSeenAt, sess.ExpiresAt = times[0].t, times[1].t, times[2].t
	if authTime.p != nil {
		sess.AuthTime = *authTime.p
	}
	u.CreatedAt, u.UpdatedAt = times[3].t, times[4].t
	u.ActivatedAt, u.PasswordChangedAt = activated.p, changed.p
	sess.User = u
	if mID.Valid {
		sess.Membership = &Membership{ID: mID.Int64, OrgID: orgID.Int64, UserID: u.ID, Role: role.String, Status: status.String,
			Organisation: &Organisation{ID: orgID.Int64, PublicID: orgPublicID.String, Name: orgName.String, RequireSecondFactor: requireSecond}}
		sess.SecondFactor = hasSecond
	}
	return sess, nil
}

// timeCol scans a time from either database: PostgreSQL's driver gives a
// time.Time, SQLite's the text Bun wrote (or a time.Time for a column it
// recognises as one).
type timeCol struct{ t time.Time }

// Scan reads a time.Time, or the text either database writes.
func (c *timeCol) Scan(v any) error {
	switch x := v.(type) {
	case time.Time:
		c.t = x.UTC()
	case string:
		return c.parse(x)
	case []byte:
		return c.parse(string(x))
	default:
		return fmt.Errorf("store: time of type %T", v)
	}
	return nil
}

func (c *timeCol) parse(s string) error {
	for _, layout := range []string{sqliteTime, "2006-01-02 15:04:05.999999999Z07:00", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			c.t = t.UTC()
			return nil
		}
	}
	return fmt.Errorf("store: time %q", s)
}

// nullTimeCol is timeCol for a column that may be NULL.
type nullTimeCol struct{ p *time.Time }

// Scan reads NULL as nil and anything else as timeCol does.
func (c *nullTimeCol) Scan(v any) error {
	if v == nil {
		c.p = nil
		return nil
	}
	var t timeCol
	if err := t.Scan(v); err != nil {
		return err
	}
	c.p = &t.t
	return nil
}
