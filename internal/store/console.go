package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// SetOperator grants (on true) or removes the operator role. ErrNotFound
// when no account has the id.
func (s *Store) SetOperator(ctx context.Context, userID int64, on bool, now time.Time) error {
	res, err := s.db.NewUpdate().Model((*User)(nil)).Set("operator = ?", on).Set("updated_at = ?", now.UTC()).
		Where("id = ?", userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: set operator: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrNotFound
	}
	return nil
}

// Operators lists the accounts with the operator role, by address.
func (s *Store) Operators(ctx context.Context) ([]User, error) {
	var list []User
	if err := s.db.NewSelect().Model(&list).Where("operator = ?", true).Order("email").Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: operators: %w", err)
	}
	return list, nil
}

// UserByPublicID finds an account by the opaque id the console links to.
func (s *Store) UserByPublicID(ctx context.Context, publicID string) (*User, error) {
	u := new(User)
	if err := s.db.NewSelect().Model(u).Where("public_id = ?", publicID).Scan(ctx); err != nil {
		return nil, notFound("user", err)
	}
	return u, nil
}

// SetSessionPassword records that the session's password was just entered
// again (its auth_time).
func (s *Store) SetSessionPassword(ctx context.Context, id int64, now time.Time) error {
	_, err := s.db.NewUpdate().Model((*Session)(nil)).Set("auth_time = ?", now.UTC()).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: session password: %w", err)
	}
	return nil
}

// UserCursor is where a page of ListUsersPage starts: after the account
// created at CreatedAt with id ID, in the list's order (newest first). The
// zero value starts at the top. Paging by position rather than by offset
// keeps a page stable while accounts are created.
type UserCursor struct {
	CreatedAt time.Time
	ID        int64
}

// IsZero reports whether the cursor is the top of the list.
func (c UserCursor) IsZero() bool { return c.ID == 0 }

// ListUsersPage is ListUsers from cursor on: at most f.Limit rows, and
// whether more follow.
func (s *Store) ListUsersPage(ctx context.Context, f UserFilter, after UserCursor, signInKind string) ([]UserRow, bool, error) {
	var rows []UserRow
	q := s.usersQuery(&rows, f, signInKind)
	if !after.IsZero() {
		t := after.CreatedAt.UTC()
		q = q.Where("(u.created_at < ? OR (u.created_at = ? AND u.id < ?))", t, t, after.ID)
	}
	if err := q.Limit(int64(f.Limit + 1)).OrderExpr("u.created_at DESC, u.id DESC").Scan(ctx); err != nil {
		return nil, false, fmt.Errorf("store: list users: %w", err)
	}
	more := len(rows) > f.Limit
	if more {
		rows = rows[:f.Limit]
	}
	return rows, more, nil
}

// usersQuery is the select of ListUsers without its order and limit.
func (s *Store) usersQuery(rows *[]UserRow, f UserFilter, signInKind string) *bun.SelectQuery {
	q := s.db.NewSelect().Model(rows).ColumnExpr("u.*").
		ColumnExpr("(SELECT max(a.created_at) FROM audit_events AS a WHERE a.user_id = u.id AND a.kind = ?) AS last_sign_in_at", signInKind).
		ColumnExpr("o.public_id AS org_public_id, o.name AS org_name, m.role AS org_role, m.status AS org_status").
		ModelTableExpr("users AS u").
		// At most one membership per person (memberships_user_key).
		Join("LEFT JOIN memberships AS m ON m.user_id = u.id").
		Join("LEFT JOIN organisations AS o ON o.id = m.org_id")
	if f.Status != "" {
		q = q.Where("u.status = ?", f.Status)
	}
	if f.Query != "" {
		// lower() on both sides, and LIKE with its wildcards escaped, so
		// an underscore or a percent sign in the search means itself.
		like := "%" + likeEscaper.Replace(strings.ToLower(f.Query)) + "%"
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where(`lower(u.email) LIKE ? ESCAPE '\'`, like).
				WhereOr(`lower(u.first_name || ' ' || u.last_name) LIKE ? ESCAPE '\'`, like).
				WhereOr(`lower(u.company) LIKE ? ESCAPE '\'`, like)
		})
	}
	return q
}

// OutboxTo lists the emails to addr, newest first: what the console shows
// of an account's mail.
func (s *Store) OutboxTo(ctx context.Context, addr string, limit int) ([]OutboxMessage, error) {
	var list []OutboxMessage
	err := s.db.NewSelect().Model(&list).Where("lower(recipient) = ? AND kind <> ?", strings.ToLower(addr), KindWebhook).
		Order("id DESC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: outbox to: %w", err)
	}
	return list, nil
}

// ListMail lists up to limit emails (never webhooks) in status, newest
// first; status "" means any.
func (s *Store) ListMail(ctx context.Context, status string, limit int) ([]OutboxMessage, error) {
	var list []OutboxMessage
	q := s.db.NewSelect().Model(&list).Where("kind <> ?", KindWebhook).Order("id DESC").Limit(int64(limit))
	if status != "" {
		q = q.Where("status = ?", status)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: list mail: %w", err)
	}
	return list, nil
}

// OutboxByID is one outbox row.
func (s *Store) OutboxByID(ctx context.Context, id int64) (*OutboxMessage, error) {
	m := new(OutboxMessage)
	if err := s.db.NewSelect().Model(m).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFound("outbox", err)
	}
	return m, nil
}

// MailEventRow is one delivery event the provider reported for a message.
type MailEventRow struct {
	Type       string
	ReceivedAt time.Time
}

// MailEventsFor lists the delivery events of the message the provider
// knows as messageID, oldest first.
func (s *Store) MailEventsFor(ctx context.Context, messageID string) ([]MailEventRow, error) {
	if messageID == "" {
		return nil, nil
	}
	var list []mailEvent
	if err := s.db.NewSelect().Model(&list).Where("message_id = ?", messageID).Order("received_at", "id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: mail events: %w", err)
	}
	out := make([]MailEventRow, len(list))
	for i, e := range list {
		out[i] = MailEventRow{Type: e.Type, ReceivedAt: e.ReceivedAt}
	}
	return out, nil
}

// CountAuditKinds counts the events of each kind at or after since.
func (s *Store) CountAuditKinds(ctx context.Context, since time.Time) (map[string]int, error) {
	var rows []struct {
		Kind  string `bun:"kind"`
		Count int    `bun:"n"`
	}
	err := s.db.NewSelect().TableExpr("audit_events").ColumnExpr("kind, count(*) AS n").
		Where("created_at >= ?", since.UTC()).GroupExpr("kind").Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("store: count audit kinds: %w", err)
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.Kind] = r.Count
	}
	return out, nil
}

// MailCounts are the emails that went wrong in a period.
type MailCounts struct{ Failed, Bounced int }

// CountMailTrouble counts the emails created at or after since that
// failed for good, and those the provider reported bounced since then.
func (s *Store) CountMailTrouble(ctx context.Context, since time.Time) (MailCounts, error) {
	var c MailCounts
	n, err := s.db.NewSelect().Model((*OutboxMessage)(nil)).
		Where("status = ? AND created_at >= ? AND kind <> ?", OutboxFailed, since.UTC(), KindWebhook).Count(ctx)
	if err != nil {
		return c, fmt.Errorf("store: count failed mail: %w", err)
	}
	c.Failed = int(n)
	n, err = s.db.NewSelect().Model((*OutboxMessage)(nil)).Where("delivery = ? AND delivery_at >= ?", DeliveryBounced, since.UTC()).Count(ctx)
	if err != nil {
		return c, fmt.Errorf("store: count bounces: %w", err)
	}
	c.Bounced = int(n)
	return c, nil
}

// Cohort is one account of a sign-up funnel: when it registered, when it
// was activated, and whether it ever signed in.
type Cohort struct {
	CreatedAt   time.Time  `bun:"created_at"`
	ActivatedAt *time.Time `bun:"activated_at"`
	SignedIn    bool       `bun:"signed_in"`
}

// CohortSince lists the accounts created at or after since, in three small
// columns, for the funnel; signInKind is the audit kind of a sign-in.
func (s *Store) CohortSince(ctx context.Context, since time.Time, signInKind string) ([]Cohort, error) {
	var list []Cohort
	err := s.db.NewSelect().TableExpr("users AS u").ColumnExpr("u.created_at, u.activated_at").
		ColumnExpr("EXISTS (SELECT 1 FROM audit_events AS a WHERE a.user_id = u.id AND a.kind = ?) AS signed_in", signInKind).
		Where("u.created_at >= ?", since.UTC()).Scan(ctx, &list)
	if err != nil {
		return nil, fmt.Errorf("store: cohort: %w", err)
	}
	return list, nil
}

// AuditFilter narrows EachAuditEvent: a period [Since, Until) (zero for
// open), one account's events (UserID, 0 for all), one organisation's
// events (OrgID: those of the people in it, members or asking to join,
// when they happened, and of operators acting on it; 0 for all) and kinds
// (empty for all).
type AuditFilter struct {
	Since, Until time.Time
	UserID       int64
	OrgID        int64
	Kinds        []string
}

// AuditRow is one event of an export, with the address of its account
// and of the operator who caused it, while those accounts exist.
type AuditRow struct {
	AuditEvent
	Email      string `bun:"email"`
	ActorEmail string `bun:"actor_email"`
}

// auditChunk is how many events EachAuditEvent reads at a time: the
// memory an export holds, whatever its length.
const auditChunk = 500

// EachAuditEvent calls fn with every event f selects, oldest first. It
// reads them a chunk at a time, each chunk after the last id seen, so an
// export of millions of events holds one chunk in memory, and between
// chunks the connection is free for other work (SQLite has only one).
// An error from fn stops the walk and is returned.
func (s *Store) EachAuditEvent(ctx context.Context, f AuditFilter, fn func(*AuditRow) error) error {
	var after int64
	rows := make([]AuditRow, 0, auditChunk)
	for {
		rows = rows[:0]
		q := s.db.NewSelect().Model(&rows).ModelTableExpr("audit_events AS audit_event").ColumnExpr("audit_event.*").
			ColumnExpr("COALESCE((SELECT u.email FROM users AS u WHERE u.id = audit_event.user_id), '') AS email").
			ColumnExpr("COALESCE((SELECT o.email FROM users AS o WHERE o.id = audit_event.actor_id), '') AS actor_email").
			Where("audit_event.id > ?", after)
		if !f.Since.IsZero() {
			q = q.Where("audit_event.created_at >= ?", f.Since.UTC())
		}
		if !f.Until.IsZero() {
			q = q.Where("audit_event.created_at < ?", f.Until.UTC())
		}
		if f.UserID != 0 {
			q = q.Where("audit_event.user_id = ?", f.UserID)
		}
		if f.OrgID != 0 {
			q = q.Where("audit_event.org_id = ?", f.OrgID)
		}
		if len(f.Kinds) > 0 {
			q = q.Where("audit_event.kind IN (?)", bun.In(f.Kinds))
		}
		if err := q.OrderExpr("audit_event.id").Limit(int64(auditChunk)).Scan(ctx); err != nil {
			return fmt.Errorf("store: audit events: %w", err)
		}
		for i := range rows {
			if err := fn(&rows[i]); err != nil {
				return err
			}
		}
		if len(rows) < auditChunk {
			return nil
		}
		after = rows[len(rows)-1].ID
	}
}

// OrganisationsNamed lists up to limit organisations whose name is name,
// in any case, oldest first.
func (s *Store) OrganisationsNamed(ctx context.Context, name string, limit int) ([]Organisation, error) {
	var list []Organisation
	err := s.db.NewSelect().Model(&list).Where("lower(name) = ?", strings.ToLower(name)).Order("id").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: organisations named: %w", err)
	}
	return list, nil
}

// OrgRow is one organisation of the console's list: its counts of active
// members, join requests and claimed domains.
type OrgRow struct {
	Organisation
	Members  int `bun:"members"`
	Requests int `bun:"requests"`
	Domains  int `bun:"domains"`
}

// ListOrganisations lists organisations by name (then id), those whose
// name or a claimed domain contains query (any case) when it is not
// empty, at most limit.
func (s *Store) ListOrganisations(ctx context.Context, query string, limit int) ([]OrgRow, error) {
	var rows []OrgRow
	q := s.db.NewSelect().Model(&rows).ModelTableExpr("organisations AS organisation").ColumnExpr("organisation.*").
		ColumnExpr("(SELECT count(*) FROM memberships AS m WHERE m.org_id = organisation.id AND m.status = ?) AS members", MemberActive).
		ColumnExpr("(SELECT count(*) FROM memberships AS m WHERE m.org_id = organisation.id AND m.status = ?) AS requests", MemberPending).
		ColumnExpr("(SELECT count(*) FROM org_domains AS d WHERE d.org_id = organisation.id) AS domains")
	if query != "" {
		like := "%" + likeEscaper.Replace(strings.ToLower(query)) + "%"
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where(`lower(organisation.name) LIKE ? ESCAPE '\'`, like).
				WhereOr(`EXISTS (SELECT 1 FROM org_domains AS d WHERE d.org_id = organisation.id AND d.domain LIKE ? ESCAPE '\')`, like)
		})
	}
	if err := q.OrderExpr("lower(organisation.name), organisation.id").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: list organisations: %w", err)
	}
	return rows, nil
}

// DomainsByOrgs lists the claimed domains of the organisations orgIDs, by
// organisation, each in name order: one query for a whole list, where
// DomainsByOrg would take one per organisation.
func (s *Store) DomainsByOrgs(ctx context.Context, orgIDs []int64) (map[int64][]OrgDomain, error) {
	out := map[int64][]OrgDomain{}
	if len(orgIDs) == 0 {
		return out, nil
	}
	var list []OrgDomain
	if err := s.db.NewSelect().Model(&list).Where("org_id IN (?)", bun.In(orgIDs)).Order("domain").Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: domains of organisations: %w", err)
	}
	for _, d := range list {
		out[d.OrgID] = append(out[d.OrgID], d)
	}
	return out, nil
}
