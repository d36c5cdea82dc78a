package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// DevMail is one message the dev mailbox received, as it was rendered.
type DevMail struct {
	bun.BaseModel `bun:"table:dev_mail"`

	ID int64 `bun:"id,pk,autoincrement"`
	// IdempotencyKey is empty (NULL) for a message sent without one.
	IdempotencyKey string    `bun:"idempotency_key,nullzero"`
	Sender         string    `bun:"sender,notnull"`
	Recipient      string    `bun:"recipient,notnull"`
	Subject        string    `bun:"subject,notnull"`
	HTML           string    `bun:"html,notnull"`
	Text           string    `bun:"text,notnull"`
	CreatedAt      time.Time `bun:"created_at,notnull"`
}

// AddDevMail keeps m, unless a message with its idempotency key is kept
// already (a retried send), and then drops all but the newest keep
// messages, so a long-running demo cannot grow the table without limit.
func (s *Store) AddDevMail(ctx context.Context, m *DevMail, keep int) error {
	m.CreatedAt = m.CreatedAt.UTC()
	q := s.db.NewInsert().Model(m)
	if m.IdempotencyKey != "" {
		q = q.On("CONFLICT (idempotency_key) DO NOTHING")
	}
	if _, err := q.Exec(ctx); err != nil {
		return fmt.Errorf("store: add dev mail: %w", err)
	}
	if m.ID <= int64(keep) {
		return nil
	}
	if _, err := s.db.NewDelete().Model((*DevMail)(nil)).Where("id <= ?", m.ID-int64(keep)).Exec(ctx); err != nil {
		return fmt.Errorf("store: trim dev mail: %w", err)
	}
	return nil
}

// DevMails lists the kept messages, newest first, at most limit.
func (s *Store) DevMails(ctx context.Context, limit int) ([]DevMail, error) {
	var out []DevMail
	if err := s.db.NewSelect().Model(&out).Order("id DESC").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: dev mails: %w", err)
	}
	return out, nil
}

// DevMailByID returns one kept message, or ErrNotFound.
func (s *Store) DevMailByID(ctx context.Context, id int64) (DevMail, error) {
	var m DevMail
	if err := s.db.NewSelect().Model(&m).Where("id = ?", id).Scan(ctx); err != nil {
		return DevMail{}, notFound("dev mail", err)
	}
	return m, nil
}

// PurgeDevMail deletes dev mailbox messages received at or before before:
// the janitor gives them the retention of the sent outbox rows they
// mirror, so a message goes when its row does.
func (s *Store) PurgeDevMail(ctx context.Context, before time.Time, limit int) (int, error) {
	pick := s.db.NewSelect().Model((*DevMail)(nil)).Column("id").Where("created_at <= ?", before.UTC())
	return s.purge(ctx, "dev mail", (*DevMail)(nil), "id", pick, limit)
}
