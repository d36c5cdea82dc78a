package store

import (
	"context"
	"fmt"
	"github.com/uptrace/bun"
)

// AddAuditEvent records a security event. Unless e names its
// organisation, the event belongs to the one its person is in now, which
// the insert itself looks up (no round trip more on the sign-in path),
// and e.OrgID is set to it.
func (s *Store) AddAuditEvent(ctx context.Context, e *AuditEvent) error {
	if _, err := s.auditQuery(e).Returning("id, org_id").Exec(ctx); err != nil {
		return fmt.Errorf("store: add audit event: %w", err)
	}
	return nil
}

// auditQuery is AddAuditEvent's insert: an event with no organisation
// given belongs to the one its person is in.
func (s *Store) auditQuery(e *AuditEvent) *bun.InsertQuery {
	q := s.db.NewInsert().Model(e)
	if e.OrgID == nil && e.UserID != nil {
		q = q.Value("org_id", "(SELECT m.org_id FROM memberships AS m WHERE m.user_id = ?)", *e.UserID)
	}
	return q
}

// AuditEventsByUser lists the user's newest events first.
func (s *Store) AuditEventsByUser(ctx context.Context, userID int64, limit int) ([]AuditEvent, error) {
	var list []AuditEvent
	err := s.db.NewSelect().Model(&list).Where("user_id = ?", userID).
		Order("created_at DESC", "id DESC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: audit events: %w", err)
	}
	return list, nil
}
