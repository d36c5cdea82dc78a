package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/account"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
	"gatehouse/internal/testkit/platform"
)

// seedUser puts an account straight into the store, for modes in which
// sign-up itself makes none.
func seedUser(t *testing.T, app *testApp, email, status string) {
	t.Helper()
	now := time.Now().UTC()
	u := &store.User{Email: email, FirstName: "Ada", LastName: "Lovelace", Company: "Acme", Country: "GB", Locale: "en",
		Status: status, CreatedAt: now, UpdatedAt: now}
	if _, err := app.Store.CreateUserIfAbsent(context.Background(), u); err != nil {
		t.Fatal(err)
	}
}

// Rule 1 in every SIGNUP_MODE: a new, an active and a pending address get
// byte for byte the same answer; in invite mode that answer is the
// invitation-only page and nothing is created or sent for any of them.
func TestSignupModesSameAnswer(t *testing.T) {
	for _, mode := range []string{account.SignupOpen, account.SignupApproval, account.SignupInvite} {
		t.Run(mode, func(t *testing.T) {
			secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
				app := newApp(t, backend, func(o *appOptions) { o.signupMode = mode })
				seedUser(t, app, "active@example.com", store.UserActive)
				seedUser(t, app, "pending@example.com", store.UserPending)
				before := secMailTotal(app)
				var wantStatus int
				var wantHeaders, wantBody string
				for i, email := range []string{"newbie@example.com", "active@example.com", "pending@example.com"} {
					p := app.Browser().Post("/register", registration(email))
					headers := secHeaders(p.Header)
					if i == 0 {
						wantStatus, wantHeaders, wantBody = p.StatusCode, headers, p.Body
						continue
					}
					if p.StatusCode != wantStatus || headers != wantHeaders || p.Body != wantBody {
						t.Errorf("%s: answer differs from a new address's:\n%d %s\n%s\nwant:\n%d %s\n%s", email, p.StatusCode, headers, p.Body, wantStatus, wantHeaders, wantBody)
					}
				}
				if mode != account.SignupInvite {
					if wantStatus != http.StatusSeeOther {
						t.Fatalf("%s: status %d", mode, wantStatus)
					}
					return
				}
				must(t, app.Browser().Get("/register"), http.StatusOK, `data-testid="invite-only"`, "by invitation only")
				if wantStatus != http.StatusOK || !strings.Contains(wantBody, `data-testid="invite-only"`) {
					t.Fatalf("invite mode answers %d:\n%s", wantStatus, wantBody)
				}
				secNoUser(t, app.Store, "newbie@example.com")
				if n := secMailTotal(app); n != before {
					t.Fatalf("invite mode sent %d emails", n-before)
				}
				if u := secUser(t, app.Store, "pending@example.com"); u.FirstName != "Ada" {
					t.Fatalf("pending account changed: %+v", u)
				}
			})
		})
	}
}

// Invite mode: invitations still create accounts.
func TestInviteModeInvitationsWork(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend, func(o *appOptions) { o.signupMode = account.SignupInvite })
		// The first owner is made before the mode closes sign-up: in the
		// same store through an open service.
		seedOwner(t, app, "ada@acme.example")
		owner := app.signIn("ada@acme.example", goodPassword)
		_, p := joinBy(t, app, inviteFrom(t, app, owner, "grace@example.com", "member"))
		mustRedirect(t, p, "/login?notice=joined")
		app.signIn("grace@example.com", goodPassword)
	})
}

// seedOwner makes an active account that owns an organisation, in a mode
// whose sign-up is closed.
func seedOwner(t *testing.T, app *testApp, email string) {
	t.Helper()
	ctx := context.Background()
	hash, err := hasher.Hash(ctx, goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	now := app.Now()
	u := &store.User{Email: email, FirstName: "Ada", LastName: "Lovelace", Company: "Acme", Country: "GB", Locale: "en",
		Status: store.UserActive, PasswordHash: hash, CreatedAt: now, UpdatedAt: now, ActivatedAt: &now}
	if _, err := app.Store.CreateUserIfAbsent(ctx, u); err != nil {
		t.Fatal(err)
	}
	o := &store.Organisation{Name: "Acme", CreatedAt: now, UpdatedAt: now}
	if err := app.Store.CreateOrganisation(ctx, o); err != nil {
		t.Fatal(err)
	}
	if err := app.Store.AddMembership(ctx, &store.Membership{OrgID: o.ID, UserID: u.ID, Role: store.RoleOwner, Status: store.MemberActive, CreatedAt: now, JoinedAt: &now}); err != nil {
		t.Fatal(err)
	}
}

// Approval mode over HTTP: the new account signs in to the waiting page
// only, gets nothing of the platform, and is let in once approved.
func TestApprovalModeWaits(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		plat := platform.Start()
		defer plat.Close()
		app := newApp(t, backend, withPlatform(plat), func(o *appOptions) {
			o.signupMode = account.SignupApproval
			o.approvalNotify = []string{"ops@platform.example"}
		})
		b := app.Browser()
		mustRedirect(t, b.Post("/register", registration("ada@acme.example")), "/register/sent")
		mustRedirect(t, b.Get(app.LastLink("ada@acme.example", "/activate")), "/password/set")
		p := b.Post("/password/set", url.Values{"password": {goodPassword}, "password_confirm": {goodPassword}})
		mustRedirect(t, p, "/login?notice=awaiting_approval")
		if m := app.Mail("ops@platform.example"); len(m) != 1 || !strings.Contains(m[0].Text, "gatehouse users approve ada@acme.example") {
			t.Fatalf("operators' email %+v", m)
		}
		ada := app.Browser()
		p = ada.Post("/login", url.Values{"email": {"ada@acme.example"}, "password": {goodPassword}})
		if p.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-in: %d", p.StatusCode)
		}
		for _, path := range []string{"/account", "/org/invitations"} {
			got := ada.Follow(ada.Get(path))
			must(t, got, http.StatusOK, `data-testid="org-waiting"`, "Every new account is checked")
		}
		if got := ada.Get("/auth/verify"); got.StatusCode == http.StatusOK || got.Header.Get("X-Gatehouse-User-Id") != "" {
			t.Fatalf("forward auth lets a waiting account through: %d %v", got.StatusCode, got.Header)
		}
		before := len(plat.Requests())
		if got := ada.Get("/api/things"); got.StatusCode != http.StatusForbidden {
			t.Fatalf("a waiting account's API call: %d", got.StatusCode)
		}
		if len(plat.Requests()) != before {
			t.Fatal("a waiting account reached the platform")
		}
		if err := app.Account.ApproveSignup(context.Background(), "ada@acme.example", account.Operator{Name: "test"}); err != nil {
			t.Fatal(err)
		}
		if m := app.Mail("ada@acme.example"); !strings.Contains(m[len(m)-1].Subject, "approved") {
			t.Fatalf("approval email %q", m[len(m)-1].Subject)
		}
		must(t, ada.Get("/account"), http.StatusOK)
		if got := ada.Get("/api/things"); got.StatusCode != http.StatusOK || len(plat.Requests()) != before+1 {
			t.Fatalf("an approved account's API call: %d", got.StatusCode)
		}
		if got := ada.Get("/auth/verify"); got.StatusCode != http.StatusOK || got.Header.Get("X-Gatehouse-User-Id") == "" {
			t.Fatalf("forward auth after approval: %d", got.StatusCode)
		}
	})
}
