package mail

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
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

func list(t *testing.T, b *Mailbox) []Delivered {
	t.Helper()
	got, err := b.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestMailbox(t *testing.T) {
	tests := []struct {
		name      string
		sends     []Message
		wantN     int // List length, newest first
		wantFirst string
	}{
		{name: "empty", sends: nil, wantN: 0},
		{name: "newest first", sends: []Message{{Subject: "a"}, {Subject: "b"}, {Subject: "c"}}, wantN: 3, wantFirst: "c"},
		{
			name:  "dedupe by key",
			sends: []Message{{Subject: "a", IdempotencyKey: "k1"}, {Subject: "a again", IdempotencyKey: "k1"}, {Subject: "b", IdempotencyKey: "k2"}},
			wantN: 2, wantFirst: "b",
		},
		{name: "no key never dedupes", sends: []Message{{Subject: "a"}, {Subject: "a"}}, wantN: 2, wantFirst: "a"},
	}
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				b := NewMailbox(st)
				b.Now = fixedClock()
				before := len(list(t, b))
				for _, m := range tt.sends {
					if err := b.Send(context.Background(), m); err != nil {
						t.Fatalf("Send: %v", err)
					}
				}
				got := list(t, b)[:len(list(t, b))-before]
				if len(got) != tt.wantN {
					t.Fatalf("List has %d new messages, want %d", len(got), tt.wantN)
				}
				if len(got) > 0 && got[0].Subject != tt.wantFirst {
					t.Errorf("newest subject = %q, want %q", got[0].Subject, tt.wantFirst)
				}
				for i := 1; i < len(got); i++ {
					if got[i-1].ID <= got[i].ID {
						t.Errorf("IDs not descending: %d then %d", got[i-1].ID, got[i].ID)
					}
				}
			})
		}
	})
}

func TestMailboxCap(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		b := NewMailbox(st)
		const total = mailboxSize + 50
		for i := 1; i <= total; i++ {
			m := Message{Subject: fmt.Sprint(i), IdempotencyKey: fmt.Sprint("k", i)}
			if err := b.Send(context.Background(), m); err != nil {
				t.Fatalf("Send %d: %v", i, err)
			}
		}
		got := list(t, b)
		if len(got) != mailboxSize {
			t.Fatalf("len(List) = %d, want %d", len(got), mailboxSize)
		}
		newest := got[0].ID
		if _, ok, _ := b.Get(context.Background(), newest-mailboxSize); ok {
			t.Error("Get found a message that should have been dropped")
		}
		d, ok, err := b.Get(context.Background(), newest)
		if err != nil || !ok || d.Subject != fmt.Sprint(total) {
			t.Errorf("Get(%d) = %+v, %v, %v; want the newest message", newest, d, ok, err)
		}
		if d.At.IsZero() {
			t.Error("default clock left At zero")
		}
	})
}

func TestMailboxGetMissing(t *testing.T) {
	b := NewMailbox(storetest.Open(t, storetest.SQLite))
	if _, ok, err := b.Get(context.Background(), 1); ok || err != nil {
		t.Errorf("Get on empty mailbox = %v, %v", ok, err)
	}
}

func TestMailboxCancelledContext(t *testing.T) {
	b := NewMailbox(storetest.Open(t, storetest.SQLite))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := b.Send(ctx, Message{Subject: "x"}); err == nil {
		t.Error("Send with cancelled context succeeded")
	}
	if n := len(list(t, b)); n != 0 {
		t.Errorf("stored %d messages, want 0", n)
	}
}

// A restart keeps the dev mailbox: what was received before is listed by
// the process that opens the same database next, HTML and text as sent,
// and a retry of a send from before the restart is still kept once
// (issue: the mailbox lived in memory while the pending sign-ups it was
// about stayed in the database).
func TestMailboxSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	dsn := filepath.Join(t.TempDir(), "gatehouse.db")
	open := func() *store.Store {
		st, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		return st
	}
	st := open()
	m := Message{From: "Gatehouse <a@localhost>", To: "ada@example.com", Subject: "Activate", HTML: "<p>Hi</p>", Text: "Hi", IdempotencyKey: "outbox-1"}
	if err := NewMailbox(st).Send(ctx, m); err != nil {
		t.Fatal(err)
	}
	st.Close()

	st = open()
	defer st.Close()
	b := NewMailbox(st)
	if err := b.Send(ctx, m); err != nil { // the outbox retrying after the restart
		t.Fatal(err)
	}
	got := list(t, b)
	if len(got) != 1 || got[0].Message != m {
		t.Fatalf("after a restart the mailbox holds %+v, want the one message sent before", got)
	}
}

// The janitor's purge of dev mail goes by age, like the sent outbox rows.
func TestPurgeDevMail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		t0 := time.Date(2030, 1, 2, 9, 0, 0, 0, time.UTC)
		b := NewMailbox(st)
		for i, at := range []time.Time{t0, t0.Add(time.Hour), t0.Add(48 * time.Hour)} {
			b.Now = func() time.Time { return at }
			if err := b.Send(ctx, Message{Subject: fmt.Sprint(i), IdempotencyKey: fmt.Sprint("p", i)}); err != nil {
				t.Fatal(err)
			}
		}
		n, err := st.PurgeDevMail(ctx, t0.Add(time.Hour), 500)
		if err != nil || n != 2 {
			t.Fatalf("PurgeDevMail = %d, %v; want 2", n, err)
		}
		if got := list(t, b); len(got) != 1 || got[0].Subject != "2" {
			t.Fatalf("left %+v, want only the newest", got)
		}
	})
}
