package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// The operator sees the suppressed addresses, masked unless asked, and
// lifts one; a wrong command is refused before anything is opened.
func TestMailSuppressions(t *testing.T) {
	for _, backend := range []storetest.Backend{storetest.SQLite, storetest.Postgres} {
		t.Run(string(backend), func(t *testing.T) {
			env, st, _ := outboxFixture(t, backend)
			ctx := context.Background()
			at := time.Now().UTC().Truncate(time.Second)
			for _, e := range []store.MailEvent{
				{ID: "e1", Type: store.DeliveryBounced, To: []string{"gone@example.com"}, At: at.Add(-time.Hour), Suppress: store.SuppressedBounce, Detail: "Permanent General: no such mailbox"},
				{ID: "e2", Type: store.DeliveryComplained, To: []string{"angry@example.com"}, At: at, Suppress: store.SuppressedComplaint, Detail: "marked as spam"},
			} {
				if _, err := st.RecordMailEvent(ctx, e); err != nil {
					t.Fatal(err)
				}
			}
			out, err := runOut(t, env, "mail", "suppressions", "list")
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) != 3 || !strings.Contains(lines[1], "a***@example.com") || !strings.Contains(lines[1], "complaint") ||
				!strings.Contains(lines[2], "bounce") || !strings.Contains(lines[2], "no such mailbox") || strings.Contains(out, "gone@") {
				t.Fatalf("list:\n%s", out)
			}
			if out, _ := runOut(t, env, "mail", "suppressions", "list", "--show-addresses"); !strings.Contains(out, "gone@example.com") {
				t.Errorf("--show-addresses:\n%s", out)
			}
			if out, err := runOut(t, env, "mail", "suppressions", "remove", "Gone@Example.com"); err != nil || !strings.Contains(out, "no longer suppressed") {
				t.Errorf("remove: %q, %v", out, err)
			}
			if _, err := runOut(t, env, "mail", "suppressions", "remove", "gone@example.com"); err == nil {
				t.Error("removing it twice succeeded")
			}
			if sup, _ := st.Suppressions(ctx, []string{"gone@example.com", "angry@example.com"}); len(sup) != 1 {
				t.Errorf("left: %+v", sup)
			}
		})
	}
}

func TestParseMailCommand(t *testing.T) {
	for _, bad := range [][]string{
		{"mail"}, {"mail", "suppressions"}, {"mail", "bounces", "list"}, {"mail", "suppressions", "list", "--limit", "0"},
		{"mail", "suppressions", "remove"}, {"mail", "suppressions", "remove", "not-an-address"}, {"mail", "suppressions", "drop", "a@b.c"},
	} {
		_, err := parseCommand(append([]string{"gatehouse"}, bad...))
		var ue *usageError
		if !errors.As(err, &ue) {
			t.Errorf("%q: %v, want a usage error", bad, err)
		}
	}
	if cmd, err := parseCommand([]string{"gatehouse", "mail", "suppressions", "list"}); err != nil || cmd.name != "mail" || cmd.outbox == nil {
		t.Errorf("list: %+v, %v", cmd, err)
	}
}
