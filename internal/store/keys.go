package store

import (
	"context"
	"fmt"
)

// SigningKeys returns the newest n signing keys, newest first.
func (s *Store) SigningKeys(ctx context.Context, n int) ([]SigningKey, error) {
	var keys []SigningKey
	if err := s.db.NewSelect().Model(&keys).Order("generation DESC").Limit(int64(n)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: signing keys: %w", err)
	}
	return keys, nil
}

// AddSigningKey stores k unless a key of its generation exists already;
// added is false when another instance got there first.
func (s *Store) AddSigningKey(ctx context.Context, k *SigningKey) (added bool, err error) {
	res, err := s.db.NewInsert().Model(k).On("CONFLICT DO NOTHING").Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("store: add signing key: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: add signing key: %w", err)
	}
	return n == 1, nil
}
