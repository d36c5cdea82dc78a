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

// gatehouse users approve|decline EMAIL: approving lets a waiting account
// in and emails it; declining erases it and emails it; neither touches an
// account that does not wait, and an unknown address is refused.
func TestUsersApproveDecline(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend storetest.Backend) {
		env, st, secrets := usersFixture(t, backend)
		ctx := context.Background()
		now := time.Now().UTC()
		for _, email := range []string{"wait1@example.com", "wait2@example.com"} {
			u := &store.User{Email: email, FirstName: "W", LastName: "Aiting", Company: "Initech", Country: "GB", Locale: "de",
				Status: store.UserActive, CreatedAt: now, UpdatedAt: now, ActivatedAt: &now, Approval: store.ApprovalPending}
			if _, err := st.CreateUserIfAbsent(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		out, err := runUsersOut(t, env, secrets, "approve", "wait1@example.com")
		if err != nil || !strings.Contains(out, "approved") {
			t.Fatalf("approve: %v\n%s", err, out)
		}
		if u, _ := st.UserByEmail(ctx, "wait1@example.com"); u.Approval != "" {
			t.Fatalf("still waiting: %+v", u)
		}
		if _, err := runUsersOut(t, env, secrets, "approve", "wait1@example.com"); err == nil || !strings.Contains(err.Error(), "not waiting") {
			t.Errorf("approve twice: %v", err)
		}
		if _, err := runUsersOut(t, env, secrets, "decline", "ada@example.com"); err == nil || !strings.Contains(err.Error(), "not waiting") {
			t.Errorf("decline an account that never waited: %v", err)
		}
		out, err = runUsersOut(t, env, secrets, "decline", "wait2@example.com", "--json")
		if err != nil || !strings.Contains(out, `"action": "decline"`) && !strings.Contains(out, `"action":"decline"`) {
			t.Fatalf("decline: %v\n%s", err, out)
		}
		if _, err := st.UserByEmail(ctx, "wait2@example.com"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("declined account kept: %v", err)
		}
		pending, _ := st.OutboxByStatus(ctx, store.OutboxPending, 10)
		kinds := map[string]string{}
		for _, m := range pending {
			kinds[m.Recipient] = m.Kind + "/" + m.Locale
		}
		if kinds["wait1@example.com"] != "signup_approved/de" || kinds["wait2@example.com"] != "signup_declined/de" {
			t.Fatalf("emails %v", kinds)
		}
		for _, cmd := range []string{"approve", "decline"} {
			if _, err := runUsersOut(t, env, secrets, cmd, "nobody@example.com"); err == nil || !strings.Contains(err.Error(), "no account") {
				t.Errorf("%s nobody: %v", cmd, err)
			}
		}
	})
}
