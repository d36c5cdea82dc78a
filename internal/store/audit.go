package store

import (
	"context"
	"fmt"
)

// AddAuditEvent records a security event.
func (s *Store) AddAuditEvent(ctx context.Context, e *AuditEvent) error {
	if _, err := s.db.NewInsert().Model(e).Returning("id").Exec(ctx); err != nil {
		return fmt.Errorf("store: add audit event: %w", err)
	}
	return nil
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
