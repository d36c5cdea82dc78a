package mail

import (
	"context"
	"sync"
	"time"
)

// mailboxSize bounds the dev mailbox so a long-running demo cannot grow without limit.
const mailboxSize = 200

// Delivered is a message the dev mailbox accepted, with the number and time it is listed under.
type Delivered struct {
	Message
	ID int
	At time.Time
}

// Mailbox is the development Sender: it keeps the newest messages in memory for /dev/mailbox.
// The zero value is ready to use.
type Mailbox struct {
	// Now is the clock for Delivered.At; nil means time.Now. Set it before the first Send.
	Now func() time.Time

	mu     sync.Mutex
	lastID int
	msgs   []Delivered    // oldest first, at most mailboxSize
	keys   map[string]int // idempotency key → ID of the message it produced
}

// NewMailbox returns an empty dev mailbox using the real clock.
func NewMailbox() *Mailbox { return &Mailbox{} }

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
	b.mu.Lock()
	defer b.mu.Unlock()
	if m.IdempotencyKey != "" {
		if _, seen := b.keys[m.IdempotencyKey]; seen {
			return nil
		}
	}
	b.lastID++
	b.msgs = append(b.msgs, Delivered{Message: m, ID: b.lastID, At: now()})
	if m.IdempotencyKey != "" {
		if b.keys == nil {
			b.keys = make(map[string]int)
		}
		b.keys[m.IdempotencyKey] = b.lastID
	}
	if len(b.msgs) > mailboxSize {
		drop := len(b.msgs) - mailboxSize
		for _, d := range b.msgs[:drop] {
			// Forget the key with the message, so the key map stays as bounded as the list.
			if d.IdempotencyKey != "" && b.keys[d.IdempotencyKey] == d.ID {
				delete(b.keys, d.IdempotencyKey)
			}
		}
		b.msgs = append([]Delivered(nil), b.msgs[drop:]...)
	}
	return nil
}

// List returns the stored messages, newest first.
func (b *Mailbox) List() []Delivered {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]Delivered, len(b.msgs))
	for i, d := range b.msgs {
		out[len(b.msgs)-1-i] = d
	}
	return out
}

// Get returns the message with the given ID, if it is still kept.
func (b *Mailbox) Get(id int) (Delivered, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, d := range b.msgs {
		if d.ID == id {
			return d, true
		}
	}
	return Delivered{}, false
}
