package main

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// outboxFixture migrates a fresh database through run and fills its outbox
// with one message in each status.
func outboxFixture(t *testing.T, backend storetest.Backend) (env func(string) string, st *store.Store, ids map[string]int64) {
	t.Helper()
	dsn := storetest.DSN(t, backend)
	env = func(k string) string { return map[string]string{"DATABASE_URL": dsn}[k] }
	if err := run(context.Background(), []string{"gatehouse", "migrate"}, env, &strings.Builder{}); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	created := fixtureCreated
	ids = map[string]int64{}
	for i, who := range []string{"grace@example.com", "ada@lovelace.example", "linus@kernel.example"} {
		m := &store.OutboxMessage{Kind: "activation", Recipient: who, Locale: "en", Data: `{"Link":"x"}`,
			CreatedAt: created.Add(time.Duration(i) * time.Minute)}
		if err := st.Enqueue(ctx, m); err != nil {
			t.Fatal(err)
		}
		ids[who] = m.ID
	}
	// grace: sent; ada: failed after many attempts with a long error; linus: pending.
	if _, err := st.ClaimOutbox(ctx, created.Add(time.Hour), 10, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := st.MarkOutboxSent(ctx, ids["grace@example.com"], created.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	longErr := "resend: 422 validation_error:\n" + strings.Repeat("the domain is not verified ", 10)
	if err := st.MarkOutboxFailed(ctx, ids["ada@lovelace.example"], longErr); err != nil {
		t.Fatal(err)
	}
	if err := st.MarkOutboxRetry(ctx, ids["linus@kernel.example"], time.Now().Add(2*time.Hour), "resend: 503"); err != nil {
		t.Fatal(err)
	}
	return env, st, ids
}

// fixtureCreated is when the fixture's first message was written.
var fixtureCreated = time.Now().UTC().Truncate(time.Minute).Add(-3 * time.Hour)

func runOut(t *testing.T, env func(string) string, args ...string) (string, error) {
	t.Helper()
	var out strings.Builder
	err := run(context.Background(), append([]string{"gatehouse"}, args...), env, &out)
	return out.String(), err
}

func TestOutboxList(t *testing.T) {
	for _, backend := range []storetest.Backend{storetest.SQLite, storetest.Postgres} {
		t.Run(string(backend), func(t *testing.T) {
			env, _, ids := outboxFixture(t, backend)
			out, err := runOut(t, env, "outbox", "list")
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) != 4 {
				t.Fatalf("want a header and three rows, got:\n%s", out)
			}
			for _, col := range []string{"ID", "KIND", "RECIPIENT", "STATUS", "ATTEMPTS", "LAST ERROR", "CREATED"} {
				if !strings.Contains(lines[0], col) {
					t.Errorf("header lacks %s: %q", col, lines[0])
				}
			}
			// Newest first; recipients masked; errors on one line, cut short.
			wantOrder := []string{"l***@kernel.example", "a***@lovelace.example", "g***@example.com"}
			for i, w := range wantOrder {
				if !strings.Contains(lines[i+1], w) {
					t.Errorf("row %d = %q, want %s", i+1, lines[i+1], w)
				}
			}
			for _, full := range []string{"grace@", "ada@", "linus@"} {
				if strings.Contains(out, full) {
					t.Errorf("list shows an unmasked address %s:\n%s", full, out)
				}
			}
			failed := lines[2]
			if !strings.HasPrefix(failed, strconv.FormatInt(ids["ada@lovelace.example"], 10)+" ") ||
				!strings.Contains(failed, "failed") || !strings.Contains(failed, "resend: 422 validation_error: the domain") ||
				!strings.Contains(failed, "…") || strings.Count(failed, "not verified") > 3 ||
				!strings.Contains(failed, fixtureCreated.Add(time.Minute).Format(time.RFC3339)) {
				t.Errorf("failed row = %q", failed)
			}
			if !strings.Contains(lines[1], "pending") || !strings.Contains(lines[1], "resend: 503") {
				t.Errorf("pending row = %q", lines[1])
			}
			if !strings.Contains(lines[3], "sent") || !strings.Contains(lines[3], " - ") {
				t.Errorf("sent row = %q", lines[3])
			}

			out, err = runOut(t, env, "outbox", "list", "--status", "failed")
			if err != nil {
				t.Fatal(err)
			}
			if rows := strings.Split(strings.TrimSpace(out), "\n"); len(rows) != 2 || !strings.Contains(rows[1], "a***@lovelace.example") {
				t.Fatalf("--status failed:\n%s", out)
			}
			out, err = runOut(t, env, "outbox", "list", "--limit", "1")
			if err != nil {
				t.Fatal(err)
			}
			if rows := strings.Split(strings.TrimSpace(out), "\n"); len(rows) != 2 || !strings.Contains(rows[1], "l***@") {
				t.Fatalf("--limit 1:\n%s", out)
			}
			for _, bad := range [][]string{{"--status", "lost"}, {"--limit", "0"}, {"--limit", "x"}, {"extra"}, {"--nope"}} {
				if _, err := runOut(t, env, append([]string{"outbox", "list"}, bad...)...); err == nil {
					t.Errorf("outbox list %v: no error", bad)
				}
			}
		})
	}
}

func TestOutboxRetry(t *testing.T) {
	for _, backend := range []storetest.Backend{storetest.SQLite, storetest.Postgres} {
		t.Run(string(backend), func(t *testing.T) {
			env, st, ids := outboxFixture(t, backend)
			ctx := context.Background()
			ada, linus, grace := ids["ada@lovelace.example"], ids["linus@kernel.example"], ids["grace@example.com"]

			// A sent message has lost its data: never again.
			if _, err := runOut(t, env, "outbox", "retry", strconv.FormatInt(grace, 10)); err == nil || !strings.Contains(err.Error(), "no failed or pending message") {
				t.Fatalf("retry of a sent message: %v", err)
			}
			if _, err := runOut(t, env, "outbox", "retry", "999999"); err == nil {
				t.Fatal("retry of an unknown id: no error")
			}
			for _, bad := range [][]string{{}, {"x"}, {"-3"}, {"1", "2"}} {
				if _, err := runOut(t, env, append([]string{"outbox", "retry"}, bad...)...); err == nil {
					t.Errorf("outbox retry %v: no error", bad)
				}
			}

			before := time.Now().Add(-time.Second)
			out, err := runOut(t, env, "outbox", "retry", "--all-failed")
			if err != nil || !strings.Contains(out, "1 failed messages queued again") {
				t.Fatalf("--all-failed: %q %v", out, err)
			}
			// One due now with fresh attempts, so the worker takes it next.
			due, err := st.ClaimOutbox(ctx, time.Now().Add(time.Second), 10, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if len(due) != 1 || due[0].ID != ada || due[0].Attempts != 1 || due[0].NextAttemptAt.Before(before) {
				t.Fatalf("after --all-failed, due = %+v", due)
			}
			out, err = runOut(t, env, "outbox", "retry", "--all-failed")
			if err != nil || !strings.Contains(out, "0 failed messages") {
				t.Fatalf("second --all-failed: %q %v", out, err)
			}

			// A pending message in backoff (next attempt in 2h) is due now.
			out, err = runOut(t, env, "outbox", "retry", strconv.FormatInt(linus, 10))
			if err != nil || !strings.Contains(out, "queued again") {
				t.Fatalf("retry %d: %q %v", linus, out, err)
			}
			list, err := st.ListOutbox(ctx, store.OutboxPending, 10)
			if err != nil {
				t.Fatal(err)
			}
			var found bool
			for _, m := range list {
				if m.ID == linus {
					found = true
					if m.Attempts != 0 || m.NextAttemptAt.Before(before) || m.NextAttemptAt.After(time.Now().Add(time.Second)) {
						t.Errorf("retried row: attempts %d, next %v", m.Attempts, m.NextAttemptAt)
					}
				}
			}
			if !found {
				t.Fatal("retried row is not pending")
			}
			if _, err := st.RetryOutbox(ctx, grace, time.Now()); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("RetryOutbox(sent) err = %v", err)
			}
		})
	}
}

func TestOutboxUsage(t *testing.T) {
	env, _, _ := outboxFixture(t, storetest.SQLite)
	for _, args := range [][]string{{"outbox"}, {"outbox", "purge"}} {
		if _, err := runOut(t, env, args...); err == nil || !strings.Contains(err.Error(), "usage") {
			t.Errorf("%v: err = %v, want the usage", args, err)
		}
	}
}

func TestMaskEmail(t *testing.T) {
	for in, want := range map[string]string{
		"grace@example.com": "g***@example.com",
		"Émile@exemple.fr":  "É***@exemple.fr",
		"a@b":               "a***@b",
		"@example.com":      "***@example.com",
		"no-at-sign":        "n***",
		"":                  "***",
	} {
		if got := maskEmail(in); got != want {
			t.Errorf("maskEmail(%q) = %q, want %q", in, got, want)
		}
	}
}
