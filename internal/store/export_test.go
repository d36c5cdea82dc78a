package store

import "context"

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
