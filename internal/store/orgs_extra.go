package store

import (
	"context"
	"fmt"
)

// DeleteEmptyOrganisation removes an organisation that has no members
// left (an account declined before anyone joined it); one with members
// stays as it is.
func (s *Store) DeleteEmptyOrganisation(ctx context.Context, orgID int64) error {
	_, err := s.db.NewDelete().Model((*Organisation)(nil)).
		Where("id = ? AND NOT EXISTS (SELECT 1 FROM memberships AS m WHERE m.org_id = ?)", orgID, orgID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: delete empty organisation: %w", err)
	}
	return nil
}
