package mail

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// fixedClock returns a clock that advances one second per call, so arrival times are predictable.
func fixedClock() func() time.Time {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	n := 0
	return func() time.Time {
		n++
		return t0.Add(time.Duration(n) * time.Second)
	}
}

func TestMailbox(t *testing.T) {
	tests := []struct {
		name      string
		sends     []Message
		wantIDs   []int // List order, newest first
		wantFirst string
	}{
		{name: "empty", sends: nil, wantIDs: []int{}},
		{
			name:      "newest first",
			sends:     []Message{{Subject: "a"}, {Subject: "b"}, {Subject: "c"}},
			wantIDs:   []int{3, 2, 1},
			wantFirst: "c",
		},
		{
			name:      "dedupe by key",
			sends:     []Message{{Subject: "a", IdempotencyKey: "k1"}, {Subject: "a again", IdempotencyKey: "k1"}, {Subject: "b", IdempotencyKey: "k2"}},
			wantIDs:   []int{2, 1},
			wantFirst: "b",
		},
		{
			name:      "no key never dedupes",
			sends:     []Message{{Subject: "a"}, {Subject: "a"}},
			wantIDs:   []int{2, 1},
			wantFirst: "a",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &Mailbox{Now: fixedClock()}
			for _, m := range tt.sends {
				if err := b.Send(context.Background(), m); err != nil {
					t.Fatalf("Send: %v", err)
				}
			}
			got := b.List()
			ids := make([]int, len(got))
			for i, d := range got {
				ids[i] = d.ID
			}
			if fmt.Sprint(ids) != fmt.Sprint(tt.wantIDs) {
				t.Errorf("List IDs = %v, want %v", ids, tt.wantIDs)
			}
			if len(got) > 0 && got[0].Subject != tt.wantFirst {
				t.Errorf("newest subject = %q, want %q", got[0].Subject, tt.wantFirst)
			}
			for i := 1; i < len(got); i++ {
				if !got[i-1].At.After(got[i].At) {
					t.Errorf("At not descending: %v then %v", got[i-1].At, got[i].At)
				}
			}
		})
	}
}

func TestMailboxCap(t *testing.T) {
	b := NewMailbox()
	const total = mailboxSize + 50
	for i := 1; i <= total; i++ {
		m := Message{Subject: fmt.Sprint(i), IdempotencyKey: fmt.Sprint("k", i)}
		if err := b.Send(context.Background(), m); err != nil {
			t.Fatalf("Send %d: %v", i, err)
		}
	}
	got := b.List()
	if len(got) != mailboxSize {
		t.Fatalf("len(List) = %d, want %d", len(got), mailboxSize)
	}
	if got[0].ID != total || got[len(got)-1].ID != total-mailboxSize+1 {
		t.Errorf("kept IDs %d..%d, want %d..%d", got[len(got)-1].ID, got[0].ID, total-mailboxSize+1, total)
	}
	if _, ok := b.Get(1); ok {
		t.Error("Get(1) found a message that should have been dropped")
	}
	d, ok := b.Get(total)
	if !ok || d.Subject != fmt.Sprint(total) {
		t.Errorf("Get(%d) = %+v, %v; want the newest message", total, d, ok)
	}
	if d.At.IsZero() {
		t.Error("default clock left At zero")
	}
	if len(b.keys) != mailboxSize {
		t.Errorf("kept %d idempotency keys, want %d", len(b.keys), mailboxSize)
	}
}

func TestMailboxGetMissing(t *testing.T) {
	b := NewMailbox()
	if _, ok := b.Get(1); ok {
		t.Error("Get on empty mailbox found a message")
	}
}

func TestMailboxCancelledContext(t *testing.T) {
	b := NewMailbox()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := b.Send(ctx, Message{Subject: "x"}); err == nil {
		t.Error("Send with cancelled context succeeded")
	}
	if n := len(b.List()); n != 0 {
		t.Errorf("stored %d messages, want 0", n)
	}
}
