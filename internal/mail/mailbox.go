package mail

import (
	"context"
	"errors"
	"time"

	"gatehouse/internal/store"
)

// mailboxSize bounds the dev mailbox so a long-running demo cannot grow without limit.
const mailboxSize = 200

// Delivered is a message the dev mailbox accepted, with the number and time it is listed under.
type Delivered struct {
	Message
	ID int
	At time.Time
}

// MailboxStore is what the dev mailbox needs of the store.
type MailboxStore interface {
	AddDevMail(ctx context.Context, m *store.DevMail, keep int) error
	DevMails(ctx context.Context, limit int) ([]store.DevMail, error)
	DevMailByID(ctx context.Context, id int64) (store.DevMail, error)
}

// Mailbox is the development Sender: it keeps the newest messages for /dev/mailbox in the
// database, beside the pending sign-ups they are about, so a restart keeps both.
type Mailbox struct {
	// Now is the clock for Delivered.At; nil means time.Now. Set it before the first Send.
	Now   func() time.Time
	store MailboxStore
}

// NewMailbox returns the dev mailbox kept in s.
func NewMailbox(s MailboxStore) *Mailbox { return &Mailbox{store: s} }

// Send stores m. A repeated idempotency key is accepted without storing again, as Resend does,
// so the outbox behaves the same in development as in production.
func (b *Mailbox) Send(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := time.Now
	if b.Now != nil {
		now = b.Now
	}
	return b.store.AddDevMail(ctx, &store.DevMail{IdempotencyKey: m.IdempotencyKey, Sender: m.From, Recipient: m.To,
		Subject: m.Subject, HTML: m.HTML, Text: m.Text, CreatedAt: now()}, mailboxSize)
}

// List returns the stored messages, newest first.
func (b *Mailbox) List(ctx context.Context) ([]Delivered, error) {
	rows, err := b.store.DevMails(ctx, mailboxSize)
	if err != nil {
		return nil, err
	}
	out := make([]Delivered, len(rows))
	for i, r := range rows {
		out[i] = delivered(r)
	}
	return out, nil
}

// Get returns the message with the given ID, if it is still kept.
func (b *Mailbox) Get(ctx context.Context, id int) (Delivered, bool, error) {
	r, err := b.store.DevMailByID(ctx, int64(id))
	if errors.Is(err, store.ErrNotFound) {
		return Delivered{}, false, nil
	}
	if err != nil {
		return Delivered{}, false, err
	}
	return delivered(r), true, nil
}

func delivered(r store.DevMail) Delivered {
	return Delivered{Message: Message{From: r.Sender, To: r.Recipient, Subject: r.Subject, HTML: r.HTML, Text: r.Text,
		IdempotencyKey: r.IdempotencyKey}, ID: int(r.ID), At: r.CreatedAt}
}
