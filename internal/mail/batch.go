package mail

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"gatehouse/internal/store"
)

// MaxBatchSize is the most messages Resend accepts in one batch call.
const MaxBatchSize = 100

// BatchSender is a Sender that can also deliver several messages in one
// API call, all or none (a message the provider refuses refuses the whole
// batch), under one idempotency key; it returns the provider's message
// ids in the order of ms.
type BatchSender interface {
	Sender
	SendBatch(ctx context.Context, ms []Message, key string) ([]string, error)
}

// IDSender is a Sender that reports the provider's id of the message it
// sent, which delivery events name it by.
type IDSender interface {
	SendID(ctx context.Context, m Message) (string, error)
}

// BatchKey is the idempotency key of a batch of outbox rows: a hash of the
// rows' own keys, sorted, so the same rows always give the same key and
// any other set of rows a different one.
func BatchKey(rows []store.OutboxMessage) string {
	keys := make([]string, len(rows))
	for i, r := range rows {
		keys[i] = r.IdempotencyKey
	}
	slices.Sort(keys)
	sum := sha256.Sum256([]byte(strings.Join(keys, "\n")))
	return "gatehouse-batch-" + hex.EncodeToString(sum[:20])
}

// Budget spaces the provider calls of every instance so that together they
// stay under the provider's request rate.
type Budget interface {
	// Reserve takes the next free slot if it begins by latest and returns
	// when it begins; the caller makes its call then, not before. When
	// the first free slot is past latest it takes none, and returns that
	// slot with ok false.
	Reserve(ctx context.Context, now, latest time.Time) (slot time.Time, ok bool, err error)
	// Hold keeps every slot before until free: the provider answered 429.
	Hold(ctx context.Context, until time.Time) error
}

// budgetStore is what a StoreBudget needs of the store.
type budgetStore interface {
	ReserveSend(ctx context.Context, name string, interval time.Duration, now, latest time.Time) (time.Time, bool, error)
	HoldSends(ctx context.Context, name string, until time.Time) error
}

// StoreBudget is a Budget kept in the database, shared by every instance.
type StoreBudget struct {
	Store    budgetStore
	Name     string
	Interval time.Duration // one call per Interval, across all instances
}

// NewStoreBudget allows perSecond calls a second to the provider named.
func NewStoreBudget(st budgetStore, name string, perSecond float64) *StoreBudget {
	return &StoreBudget{Store: st, Name: name, Interval: time.Duration(float64(time.Second) / perSecond)}
}

// Reserve takes the next slot of the shared budget.
func (b *StoreBudget) Reserve(ctx context.Context, now, latest time.Time) (time.Time, bool, error) {
	return b.Store.ReserveSend(ctx, b.Name, b.Interval, now, latest)
}

// Hold moves the shared budget's next slot to until.
func (b *StoreBudget) Hold(ctx context.Context, until time.Time) error {
	return b.Store.HoldSends(ctx, b.Name, until)
}
