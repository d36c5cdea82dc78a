package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// The operator's list searches email, name and company by any part and
// any case, treats LIKE's wildcards as text, filters by status and shows
// the last sign-in from the audit trail.
func TestListUsers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for i, tc := range []struct{ email, first, company, status string }{
			{"ada@example.com", "Ada", "Analytical Engines", store.UserActive},
			{"grace@navy.example", "Grace", "US Navy", store.UserPending},
			{"linus_t@kernel.example", "Linus", "100% Kernel", store.UserDisabled},
		} {
			u := newUser(tc.email)
			u.FirstName, u.Company, u.Status = tc.first, tc.company, tc.status
			u.CreatedAt = t0.Add(time.Duration(i) * time.Minute)
			if _, err := s.CreateUserIfAbsent(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		ada, _ := s.UserByEmail(ctx, "ada@example.com")
		for _, at := range []time.Time{t0.Add(time.Hour), t0.Add(3 * time.Hour), t0.Add(2 * time.Hour)} {
			if err := s.AddAuditEvent(ctx, &store.AuditEvent{UserID: &ada.ID, Kind: "login_ok", CreatedAt: at}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.AddAuditEvent(ctx, &store.AuditEvent{UserID: &ada.ID, Kind: "logout", CreatedAt: t0.Add(5 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		emails := func(f store.UserFilter) []string {
			t.Helper()
			rows, err := s.ListUsers(ctx, f, "login_ok")
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range rows {
				out = append(out, r.Email)
			}
			return out
		}
		for _, tc := range []struct {
			f    store.UserFilter
			want string
		}{
			{store.UserFilter{}, "[linus_t@kernel.example grace@navy.example ada@example.com]"},
			{store.UserFilter{Limit: 1}, "[linus_t@kernel.example]"},
			{store.UserFilter{Status: store.UserPending}, "[grace@navy.example]"},
			{store.UserFilter{Query: "NAVY"}, "[grace@navy.example]"},
			{store.UserFilter{Query: "ada lovelace"}, "[ada@example.com]"},
			{store.UserFilter{Query: "engines"}, "[ada@example.com]"},
			{store.UserFilter{Query: "%"}, "[linus_t@kernel.example]"},
			{store.UserFilter{Query: "a_a"}, "[]"}, // "ada" if _ were a wildcard
			{store.UserFilter{Query: "s_t@"}, "[linus_t@kernel.example]"},
			{store.UserFilter{Query: "nobody"}, "[]"},
		} {
			if got := emails(tc.f); fmtList(got) != tc.want {
				t.Errorf("ListUsers(%+v) = %v, want %s", tc.f, got, tc.want)
			}
		}
		rows, err := s.ListUsers(ctx, store.UserFilter{}, "login_ok")
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			switch {
			case r.Email == "ada@example.com" && (r.LastSignInAt == nil || !r.LastSignInAt.Equal(t0.Add(3*time.Hour))):
				t.Errorf("ada's last sign-in %v, want %v", r.LastSignInAt, t0.Add(3*time.Hour))
			case r.Email != "ada@example.com" && r.LastSignInAt != nil:
				t.Errorf("%s never signed in, listed %v", r.Email, r.LastSignInAt)
			}
		}
		last, err := s.LastAuditEvent(ctx, ada.ID, "login_ok")
		if err != nil || last == nil || !last.Equal(t0.Add(3*time.Hour)) {
			t.Errorf("LastAuditEvent = %v, %v", last, err)
		}
	})
}

func fmtList(l []string) string {
	out := "["
	for i, s := range l {
		if i > 0 {
			out += " "
		}
		out += s
	}
	return out + "]"
}

// A status changes only from the status the caller saw.
func TestSetUserStatus(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := newUser("ada@example.com")
		if _, err := s.CreateUserIfAbsent(ctx, u); err != nil {
			t.Fatal(err)
		}
		if err := s.SetUserStatus(ctx, u.ID, store.UserActive, store.UserDisabled, t0); err != store.ErrNotFound {
			t.Fatalf("from the wrong status: %v, want ErrNotFound", err)
		}
		if err := s.SetUserStatus(ctx, u.ID, store.UserPending, store.UserDisabled, t0); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.UserByID(ctx, u.ID); got.Status != store.UserDisabled {
			t.Fatalf("status %q", got.Status)
		}
	})
}

// The approval queue pages oldest first by position: every waiting
// account once, ties in time broken by id, accounts that do not wait
// never, and one approved between two pages does not shift the next.
func TestUsersAwaitingApprovalPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var want []string
		for i := 0; i < 7; i++ {
			u := newUser(fmt.Sprintf("wait%d@example.com", i))
			u.Approval = store.ApprovalPending
			u.CreatedAt = t0.Add(time.Duration(i/2) * time.Minute) // pairs share a time
			if _, err := s.CreateUserIfAbsent(ctx, u); err != nil {
				t.Fatal(err)
			}
			want = append(want, u.Email)
		}
		other := newUser("in@example.com")
		other.CreatedAt = t0
		if _, err := s.CreateUserIfAbsent(ctx, other); err != nil {
			t.Fatal(err)
		}
		var got []string
		var after store.UserCursor
		for page := 0; ; page++ {
			list, more, err := s.UsersAwaitingApprovalPage(ctx, after, 3)
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range list {
				got = append(got, u.Email)
			}
			if page == 0 {
				// Approved meanwhile: the next page starts where it would have.
				if err := s.SetUserApproval(ctx, list[0].ID, ""); err != nil {
					t.Fatal(err)
				}
			}
			if !more {
				break
			}
			last := list[len(list)-1]
			after = store.UserCursor{CreatedAt: last.CreatedAt, ID: last.ID}
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("pages gave %v, want %v", got, want)
		}
	})
}
