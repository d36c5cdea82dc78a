package account_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/account"
	"gatehouse/internal/logctx"
	"gatehouse/internal/password"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
	"gatehouse/internal/token"
)

var operator = account.Operator{Name: "ops-test"}

var fastParams = password.Params{Memory: 64, Time: 1, Threads: 1}

// kinds lists the kinds of the user's audit events, newest first.
func (e *env) kinds(userID int64) []string {
	e.t.Helper()
	list, err := e.st.AuditEventsByUser(e.ctx, userID, 100)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, ev := range list {
		out = append(out, ev.Kind)
	}
	return out
}

func (e *env) login(email, pw string) (string, error) {
	return e.svc.Login(e.ctx, email, pw, "", meta)
}

// Rule 21: a disabled account signs in exactly like a wrong password (and
// an unknown address): the same error and no session; its sessions end and
// any that survived a race is refused; recovery and sign-up send it
// nothing; links mailed before are void. Enabling restores it.
func TestDisableUser(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, fastParams, 4)
		e.activate("ada@example.com", goodPW)
		sess, err := e.login("ada@example.com", goodPW)
		if err != nil {
			t.Fatal(err)
		}
		resetToken := e.requestReset("ada@example.com")
		u := e.user("ada@example.com")

		ended, changed, err := e.svc.DisableUser(e.ctx, "ADA@example.com", operator)
		if err != nil || ended != 1 || !changed {
			t.Fatalf("DisableUser = %d, %v, %v; want 1 session ended", ended, changed, err)
		}
		if got := e.user("ada@example.com").Status; got != store.UserDisabled {
			t.Fatalf("status %q after disable", got)
		}
		if _, _, err := e.svc.Authenticate(e.ctx, sess); !errors.Is(err, account.ErrNoSession) {
			t.Errorf("Authenticate(session from before) = %v, want ErrNoSession", err)
		}
		for _, pw := range []string{goodPW, newPW} {
			if s, err := e.login("ada@example.com", pw); err != account.ErrBadCredentials || s != "" {
				t.Errorf("Login(disabled, %q) = %q, %v; want exactly ErrBadCredentials", pw, s, err)
			}
		}
		if _, err := e.svc.CheckToken(e.ctx, account.Recovery, resetToken); !errors.Is(err, account.ErrInvalidToken) {
			t.Errorf("reset link from before the disable: %v, want ErrInvalidToken", err)
		}
		before := len(e.mails("ada@example.com"))
		if _, err := e.svc.Request(e.ctx, account.Recovery, "ada@example.com", meta); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Register(e.ctx, registration("ada@example.com"), meta); err != nil {
			t.Fatal(err)
		}
		if after := len(e.mails("ada@example.com")); after != before {
			t.Errorf("a disabled account was sent %d emails by recovery and sign-up", after-before)
		}
		if got := e.user("ada@example.com").Status; got != store.UserDisabled {
			t.Errorf("sign-up changed a disabled account to %q", got)
		}
		if _, changed, err := e.svc.DisableUser(e.ctx, "ada@example.com", operator); err != nil || changed {
			t.Errorf("disabling again: changed %v, %v; want a no-op", changed, err)
		}

		status, changed, err := e.svc.EnableUser(e.ctx, "ada@example.com", operator)
		if err != nil || !changed || status != store.UserActive {
			t.Fatalf("EnableUser = %q, %v, %v; want active", status, changed, err)
		}
		if _, err := e.login("ada@example.com", goodPW); err != nil {
			t.Errorf("Login after enable: %v", err)
		}
		kinds := e.kinds(u.ID)
		if !contains(kinds, string(account.EventDisabledByOperator)) || !contains(kinds, string(account.EventEnabledByOperator)) {
			t.Errorf("audit trail %v lacks the operator's events", kinds)
		}
		list, _ := st.AuditEventsByUser(e.ctx, u.ID, 100)
		for _, ev := range list {
			if ev.Kind == string(account.EventDisabledByOperator) && (ev.Actor != "ops-test" || ev.UserAgent != "") {
				t.Errorf("the disable is recorded as by %q (user agent %q)", ev.Actor, ev.UserAgent)
			}
		}

		// A pending account goes back to pending: it never had a password.
		e.register("grace@example.com")
		if _, _, err := e.svc.DisableUser(e.ctx, "grace@example.com", operator); err != nil {
			t.Fatal(err)
		}
		if status, _, err := e.svc.EnableUser(e.ctx, "grace@example.com", operator); err != nil || status != store.UserPending {
			t.Errorf("EnableUser(pending) = %q, %v; want pending", status, err)
		}
	})
}

// Rule 21: signing in to a disabled account costs the same argon2id run as
// an unknown address (seen as ErrBusy while the only slot is taken).
func TestDisabledSignInDoesTheWork(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		h := password.NewHasher(password.DefaultParams, 1)
		h.MaxWait = 50 * time.Millisecond
		svc := newService(t, st, h, time.Now, config())
		ctx := context.Background()
		if _, err := svc.Register(ctx, registration("ada@example.com"), meta); err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.DisableUser(ctx, "ada@example.com", operator); err != nil {
			t.Fatal(err)
		}
		wait := holdSlot(t, h)
		defer wait()
		_, err := svc.Login(ctx, "ada@example.com", goodPW, "", meta)
		wantErr(t, "Login(disabled) with hashing saturated", err, account.ErrBusy)
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Deleting an account erases it and everything that points at it, but the
// audit trail keeps its events, with no user id; the address can sign up
// afresh.
func TestDeleteUser(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, fastParams, 4)
		e.activate("ada@example.com", goodPW)
		e.activate("grace@example.com", goodPW)
		sess, err := e.login("ada@example.com", goodPW)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.login("ada@example.com", newPW); err == nil {
			t.Fatal("wrong password accepted")
		}
		sent, err := e.svc.Request(e.ctx, account.Recovery, "ada@example.com", meta)
		if err != nil {
			t.Fatal(err)
		}
		addr := "email:addr:" + logctx.EmailHash("ada@example.com")
		if _, _, err := st.Hit(e.ctx, addr, time.Hour, time.Now()); err != nil {
			t.Fatal(err)
		}
		u := e.user("ada@example.com")
		if len(e.mails("ada@example.com")) == 0 {
			t.Fatal("the fixture queued no email")
		}

		if err := e.svc.DeleteUser(e.ctx, "ada@example.com", operator); err != nil {
			t.Fatal(err)
		}
		if _, err := st.UserByEmail(e.ctx, "ada@example.com"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the account is still there: %v", err)
		}
		if _, _, err := e.svc.Authenticate(e.ctx, sess); !errors.Is(err, account.ErrNoSession) {
			t.Errorf("Authenticate after delete = %v, want ErrNoSession", err)
		}
		if got := e.mails("ada@example.com"); len(got) != 0 {
			t.Errorf("%d unsent emails to the erased address remain", len(got))
		}
		if lt, err := st.LoginThrottleFor(e.ctx, u.ID); err != nil || lt.Failures != 0 {
			t.Errorf("sign-in throttle after delete: %+v, %v", lt, err)
		}
		if _, err := st.AttemptCodeRequest(e.ctx, token.Hash(sent.Binding), time.Now()); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the address's code request survived: %v", err)
		}
		if n, _, err := st.Hit(e.ctx, addr, time.Hour, time.Now()); err != nil || n != 1 {
			t.Errorf("the address's rate counter survived (count %d, %v)", n, err)
		}
		if left := e.kinds(u.ID); len(left) != 0 {
			t.Errorf("audit events still name the erased account: %v", left)
		}
		// Grace is untouched.
		if _, err := e.login("grace@example.com", goodPW); err != nil {
			t.Errorf("another account was harmed: %v", err)
		}
		if err := e.svc.DeleteUser(e.ctx, "ada@example.com", operator); !errors.Is(err, account.ErrUnknownUser) {
			t.Errorf("deleting twice = %v, want ErrUnknownUser", err)
		}
		e.activate("ada@example.com", newPW)
	})
}

// The audit events of an erased account stay, tied to nobody, and the
// erasure itself is among them.
func TestDeleteKeepsAuditTrail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, fastParams, 4)
		e.activate("ada@example.com", goodPW)
		if err := e.svc.DeleteUser(e.ctx, "ada@example.com", operator); err != nil {
			t.Fatal(err)
		}
		rows, err := st.ListAuditEvents(e.ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, r := range rows {
			if r.UserID != nil {
				t.Errorf("event %s still has user %d", r.Kind, *r.UserID)
			}
			kinds = append(kinds, r.Kind)
		}
		for _, k := range []account.Event{account.EventRegistered, account.EventActivated, account.EventDeletedByOperator} {
			if !contains(kinds, string(k)) {
				t.Errorf("audit trail %v lacks %s", kinds, k)
			}
		}
	})
}

// Unlock clears the sign-in throttle, so the owner's right password works
// again at once.
func TestUnlockUser(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, fastParams, 4)
		e.activate("ada@example.com", goodPW)
		for range 8 {
			e.login("ada@example.com", newPW)
		}
		d, err := e.svc.ShowUser(e.ctx, "ada@example.com")
		if err != nil || d.LockedUntil.IsZero() || d.Failures == 0 {
			t.Fatalf("after 8 wrong passwords: locked until %v, %d failures, %v", d.LockedUntil, d.Failures, err)
		}
		if _, err := e.login("ada@example.com", goodPW); err == nil {
			t.Fatal("a locked account signed in")
		}
		if err := e.svc.UnlockUser(e.ctx, "ada@example.com", operator); err != nil {
			t.Fatal(err)
		}
		if _, err := e.login("ada@example.com", goodPW); err != nil {
			t.Errorf("Login after unlock: %v", err)
		}
		if !contains(e.kinds(e.user("ada@example.com").ID), string(account.EventUnlockedByOperator)) {
			t.Error("the unlock is not in the audit trail")
		}
	})
}

// Resending activation mails a pending account a fresh link (and no code:
// no browser asked) that works, voiding the one before; an active account
// gets nothing.
func TestResendActivation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, fastParams, 4)
		old := e.register("grace@example.com")
		if err := e.svc.ResendActivation(e.ctx, "grace@example.com", operator); err != nil {
			t.Fatal(err)
		}
		m := e.lastMail("grace@example.com", account.EmailActivation)
		if m.data["Code"] != "" && m.data["Code"] != "<nil>" {
			t.Errorf("the operator's email carries a code %q", m.data["Code"])
		}
		raw := e.tokenIn(m.data["Link"], "/activate")
		if _, err := e.svc.CheckToken(e.ctx, account.Activation, old); !errors.Is(err, account.ErrInvalidToken) {
			t.Errorf("the link before still works: %v", err)
		}
		if err := e.svc.Complete(e.ctx, account.Activation, raw, goodPW, goodPW, meta); err != nil {
			t.Fatalf("the resent link: %v", err)
		}
		if err := e.svc.ResendActivation(e.ctx, "grace@example.com", operator); !errors.Is(err, account.ErrNotPending) {
			t.Errorf("ResendActivation(active) = %v, want ErrNotPending", err)
		}
		if err := e.svc.ResendActivation(e.ctx, "nobody@example.com", operator); !errors.Is(err, account.ErrUnknownUser) {
			t.Errorf("ResendActivation(unknown) = %v, want ErrUnknownUser", err)
		}
		if !contains(e.kinds(e.user("grace@example.com").ID), string(account.EventActivationResentByOperator)) {
			t.Error("the resend is not in the audit trail")
		}
	})
}

// Ending sessions signs the account out of every browser; show and list
// see the account, its sessions and its last sign-in.
func TestEndSessionsAndShow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, fastParams, 4)
		e.activate("ada@example.com", goodPW)
		var sessions []string
		for range 2 {
			s, err := e.login("ada@example.com", goodPW)
			if err != nil {
				t.Fatal(err)
			}
			sessions = append(sessions, s)
		}
		d, err := e.svc.ShowUser(e.ctx, "ada@example.com")
		if err != nil || len(d.Sessions) != 2 || d.LastSignInAt == nil || d.Status != store.UserActive {
			t.Fatalf("ShowUser = %+v, %v", d, err)
		}
		list, err := e.svc.ListUsers(e.ctx, account.UserQuery{Text: "LOVELACE"})
		if err != nil || len(list) != 1 || list[0].LastSignInAt == nil {
			t.Fatalf("ListUsers = %+v, %v", list, err)
		}
		n, err := e.svc.EndSessions(e.ctx, "ada@example.com", operator)
		if err != nil || n != 2 {
			t.Fatalf("EndSessions = %d, %v; want 2", n, err)
		}
		for _, s := range sessions {
			if _, _, err := e.svc.Authenticate(e.ctx, s); !errors.Is(err, account.ErrNoSession) {
				t.Errorf("a session survived: %v", err)
			}
		}
		if _, err := e.svc.ShowUser(e.ctx, "nobody@example.com"); !errors.Is(err, account.ErrUnknownUser) {
			t.Errorf("ShowUser(unknown) = %v", err)
		}
		if _, err := e.svc.ShowUser(e.ctx, "not an address"); !errors.Is(err, account.ErrUnknownUser) {
			t.Errorf("ShowUser(malformed) = %v", err)
		}
	})
}

// An operator's actions are recorded with the operator as the actor, in a
// field of its own: the operator's export names them, while the person's
// own data export and account page say that an operator acted and nothing
// of who or from where (their address and IP are the operator's data).
func TestOperatorActorIsNotThePersonsData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, fastParams, 4)
		e.activate("ops@example.com", goodPW)
		opUser := e.user("ops@example.com")
		op := account.Operator{Name: "ops@example.com", UserID: opUser.ID, IP: "203.0.113.77"}
		e.activate("ada@example.com", goodPW)
		if _, err := e.svc.EndSessions(e.ctx, "ada@example.com", op); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.UnlockUser(e.ctx, "ada@example.com", operator); err != nil {
			t.Fatal(err)
		}
		u := e.user("ada@example.com")
		list, err := st.AuditEventsByUser(e.ctx, u.ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		byOp := 0
		for _, ev := range list {
			switch account.Event(ev.Kind) {
			case account.EventSessionsEndedByOperator:
				byOp++
				if ev.Actor != "ops@example.com" || ev.ActorID == nil || *ev.ActorID != opUser.ID || ev.UserAgent != "" {
					t.Errorf("console action recorded as actor %q (%v), user agent %q", ev.Actor, ev.ActorID, ev.UserAgent)
				}
			case account.EventUnlockedByOperator:
				byOp++
				if ev.Actor != "ops-test" || ev.ActorID != nil || ev.UserAgent != "" {
					t.Errorf("command-line action recorded as actor %q (%v), user agent %q", ev.Actor, ev.ActorID, ev.UserAgent)
				}
			}
		}
		if byOp != 2 {
			t.Fatalf("%d operator events in %+v", byOp, list)
		}

		who := e.who("ada@example.com")
		ov, err := e.svc.Overview(e.ctx, who)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range ov.Events {
			if ev.Kind == account.EventSessionsEndedByOperator && ev.Actor != "ops@example.com" {
				t.Errorf("the console's view of the trail lost the actor: %+v", ev)
			}
		}
		x, err := e.svc.ExportData(e.ctx, who, account.Session{}, meta)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := json.Marshal(x)
		if err != nil {
			t.Fatal(err)
		}
		for _, leak := range []string{"ops@example.com", "203.0.113.77", "ops-test", "operator: "} {
			if strings.Contains(string(raw), leak) {
				t.Errorf("the person's export holds %q:\n%s", leak, raw)
			}
		}
		marked := 0
		for _, ev := range x.Events {
			if strings.HasSuffix(ev.Kind, "_by_operator") {
				if !ev.ByOperator || ev.IP != "" || ev.UserAgent != "" {
					t.Errorf("exported operator event %+v", ev)
				}
				marked++
			} else if ev.ByOperator {
				t.Errorf("the person's own event %+v is marked as an operator's", ev)
			}
		}
		if marked != 2 {
			t.Errorf("%d operator events in the export, want 2", marked)
		}

		// The operators' export names the actor in its column and leaves
		// the user agent empty.
		var buf bytes.Buffer
		if err := e.svc.ExportAudit(e.ctx, account.AuditQuery{Email: "ada@example.com"}, account.ExportCSV, &buf, operator); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, r := range rows[1:] {
			if r[2] == string(account.EventSessionsEndedByOperator) {
				found = true
				if r[4] != "ops@example.com" || r[5] != "203.0.113.77" || r[6] != "" {
					t.Errorf("audit export row %q", r)
				}
			}
		}
		if !found {
			t.Errorf("no operator event in the audit export:\n%q", rows)
		}
	})
}
