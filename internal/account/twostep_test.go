package account_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"gatehouse/internal/account"
	"gatehouse/internal/password"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

var cheap = password.Params{Memory: 64, Time: 1, Threads: 1}

// twoStepOn turns two-step verification on for email (signed up with
// goodPW) with a code the library computes at the env's clock; it returns
// the secret and the recovery codes.
func (e *env) twoStepOn(email string) (string, []string) {
	e.t.Helper()
	u := e.userView(email)
	if err := e.svc.BeginTwoStep(e.ctx, u); err != nil {
		e.t.Fatal(err)
	}
	setup, err := e.svc.TwoStepSetupFor(e.ctx, u)
	if err != nil {
		e.t.Fatal(err)
	}
	if len(setup.QR) < 100 || string(setup.QR[1:4]) != "PNG" || !strings.Contains(setup.URL, "secret="+setup.Secret) {
		e.t.Fatalf("setup: %d bytes of QR, URL %q", len(setup.QR), setup.URL)
	}
	codes, err := e.svc.ConfirmTwoStep(e.ctx, u, e.code(setup.Secret, 0), meta)
	if err != nil {
		e.t.Fatal(err)
	}
	return setup.Secret, codes
}

// code is the library's code for secret at the env's clock plus d.
func (e *env) code(secret string, d time.Duration) string {
	e.t.Helper()
	c, err := totp.GenerateCode(secret, e.clk.Now().Add(d))
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func (e *env) userView(email string) account.User {
	e.t.Helper()
	su := e.user(email)
	return account.User{ID: su.ID, PublicID: su.PublicID, Email: su.Email, FirstName: su.FirstName}
}

// pending signs in with the password and returns the second step's token.
func (e *env) pending(email, pw string) string {
	e.t.Helper()
	raw, err := e.svc.Login(e.ctx, email, pw, "", meta)
	var second *account.SecondStepRequired
	if !errors.As(err, &second) || raw != "" || second.Pending == "" {
		e.t.Fatalf("Login = %q, %v; want the second step and no session", raw, err)
	}
	return second.Pending
}

func (e *env) sessions(email string) int {
	e.t.Helper()
	list, err := e.st.SessionsByUser(e.ctx, e.user(email).ID, e.clk.Now(), time.Hour)
	if err != nil {
		e.t.Fatal(err)
	}
	return len(list)
}

// Turning it on takes a first code from the app; then sign-in asks for a
// code after the password, opens no session before it, and records both
// methods. A code is good once (its time step is kept), a wrong one and
// an old one are refused, and all of them alike (ErrBadCode).
func TestTwoStepSignIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, cheap, 4)
		e.activate("ada@example.com", goodPW)
		u := e.userView("ada@example.com")
		if err := e.svc.BeginTwoStep(e.ctx, u); err != nil {
			t.Fatal(err)
		}
		setup, _ := e.svc.TwoStepSetupFor(e.ctx, u)
		if _, err := e.svc.ConfirmTwoStep(e.ctx, u, "000000", meta); !isFieldError(err, "code") {
			t.Fatalf("a wrong first code: %v", err)
		}
		if ts, _ := e.svc.TwoStepStatus(e.ctx, u); ts.On {
			t.Fatal("on before the first code")
		}
		codes, err := e.svc.ConfirmTwoStep(e.ctx, u, e.code(setup.Secret, 0), meta)
		if err != nil || len(codes) != account.RecoveryCodeCount {
			t.Fatalf("confirm: %v %v", codes, err)
		}
		if ts, _ := e.svc.TwoStepStatus(e.ctx, u); !ts.On || ts.CodesLeft != 10 {
			t.Fatalf("status %+v", ts)
		}
		m := e.lastMail("ada@example.com", account.EmailTwoStepOn)
		if m.data["Device"] == "" || m.data["At"] == "" || strings.Contains(m.Data, setup.Secret) {
			t.Errorf("two-step-on email %s", m.Data)
		}
		if err := e.svc.BeginTwoStep(e.ctx, u); !errors.Is(err, account.ErrTwoStepOn) {
			t.Errorf("a second setup over a confirmed one: %v", err)
		}

		// The code that confirmed the setup cannot sign in.
		p := e.pending("ada@example.com", goodPW)
		if e.sessions("ada@example.com") != 0 {
			t.Fatal("a session exists before the code")
		}
		if _, err := e.svc.CompleteSignIn(e.ctx, p, e.code(setup.Secret, 0), "", meta); !errors.Is(err, account.ErrBadCode) {
			t.Fatalf("the setup's code again: %v", err)
		}
		e.clk.Add(30 * time.Second)
		for _, bad := range []string{"", "12345", "abcdef", e.code(setup.Secret, -90*time.Second), e.code(setup.Secret, 90*time.Second)} {
			if _, err := e.svc.CompleteSignIn(e.ctx, p, bad, "", meta); !errors.Is(err, account.ErrBadCode) {
				t.Errorf("code %q: %v, want ErrBadCode", bad, err)
			}
		}
		// (Six refusals started the throttle's delay; this test is of the
		// codes, TestTwoStepThrottle of the throttle.)
		st.ClearLoginFailures(e.ctx, u.ID)
		good := e.code(setup.Secret, 0)
		raw, err := e.svc.CompleteSignIn(e.ctx, p, good[:3]+" "+good[3:], "", meta)
		if err != nil {
			t.Fatal(err)
		}
		_, sess, err := e.svc.Authenticate(e.ctx, raw)
		if err != nil || sess.Methods.String() != "pwd otp mfa" || sess.ACR() != account.ACRMultiFactor {
			t.Fatalf("session %+v %v", sess, err)
		}
		// The pending step is gone once used.
		if _, err := e.svc.CompleteSignIn(e.ctx, p, e.code(setup.Secret, 30*time.Second), "", meta); !errors.Is(err, account.ErrNoPendingSignIn) {
			t.Errorf("a completed step again: %v", err)
		}
		// Replayed inside its window, from another sign-in.
		p2 := e.pending("ada@example.com", goodPW)
		e.clk.Add(10 * time.Second)
		if _, err := e.svc.CompleteSignIn(e.ctx, p2, good, "", meta); !errors.Is(err, account.ErrBadCode) {
			t.Errorf("a replayed code: %v, want ErrBadCode", err)
		}
		// A code of the previous step, older than the one used, is refused too.
		if _, err := e.svc.CompleteSignIn(e.ctx, p2, e.code(setup.Secret, -40*time.Second), "", meta); !errors.Is(err, account.ErrBadCode) {
			t.Errorf("an older code: %v", err)
		}
		e.clk.Add(30 * time.Second)
		if _, err := e.svc.CompleteSignIn(e.ctx, p2, e.code(setup.Secret, 0), "", meta); err != nil {
			t.Errorf("the next step's code: %v", err)
		}
		// The step lasts PendingSignInTTL.
		p3 := e.pending("ada@example.com", goodPW)
		e.clk.Add(account.PendingSignInTTL + time.Second)
		if _, err := e.svc.CompleteSignIn(e.ctx, p3, e.code(setup.Secret, 0), "", meta); !errors.Is(err, account.ErrNoPendingSignIn) {
			t.Errorf("an expired step: %v", err)
		}
		if _, err := e.svc.CompleteSignIn(e.ctx, "not a token", "123456", "", meta); !errors.Is(err, account.ErrNoPendingSignIn) {
			t.Errorf("a made-up step: %v", err)
		}
	})
}

func isFieldError(err error, field string) bool {
	var fe account.FieldErrors
	if !errors.As(err, &fe) {
		return false
	}
	_, ok := fe[field]
	return ok
}

// The per-account throttle counts wrong codes: past the free failures even
// the right code is refused, with the same error, until the delay is over;
// a right password in between does not wipe the count.
func TestTwoStepThrottle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, cheap, 4)
		e.activate("ada@example.com", goodPW)
		secret, _ := e.twoStepOn("ada@example.com")
		e.clk.Add(time.Minute)
		free := account.DefaultLimits.LoginFreeFailures
		p := e.pending("ada@example.com", goodPW)
		for i := range free {
			if _, err := e.svc.CompleteSignIn(e.ctx, p, "000000", "", meta); !errors.Is(err, account.ErrBadCode) {
				t.Fatalf("wrong code %d: %v", i, err)
			}
		}
		p = e.pending("ada@example.com", goodPW)
		id := e.user("ada@example.com").ID
		if lt, _ := st.LoginThrottleFor(e.ctx, id); lt.Failures != free {
			t.Errorf("failures %d after a right password, want the %d wrong codes kept", lt.Failures, free)
		}
		if _, err := e.svc.CompleteSignIn(e.ctx, p, "000000", "", meta); !errors.Is(err, account.ErrBadCode) {
			t.Fatal(err)
		}
		if _, err := e.svc.CompleteSignIn(e.ctx, p, e.code(secret, 0), "", meta); !errors.Is(err, account.ErrBadCode) {
			t.Fatalf("the right code while throttled: %v, want ErrBadCode", err)
		}
		if _, err := e.svc.Login(e.ctx, "ada@example.com", goodPW, "", meta); !errors.Is(err, account.ErrBadCredentials) {
			t.Errorf("the password while the codes throttle the account: %v", err)
		}
		// The owner hears that someone who knows the password is guessing
		// codes, once for the episode.
		var warned int
		for _, m := range e.mails("ada@example.com") {
			if m.Kind == account.EmailSignInThrottled {
				warned++
				if m.data["SecondStep"] != "true" {
					t.Errorf("the throttle email does not say it was the codes: %s", m.Data)
				}
			}
		}
		if warned != 1 {
			t.Errorf("%d throttle emails, want 1", warned)
		}
		e.clk.Add(2 * time.Second)
		if _, err := e.svc.CompleteSignIn(e.ctx, p, e.code(secret, 0), "", meta); err != nil {
			t.Fatalf("the right code after the delay: %v", err)
		}
		if lt, _ := st.LoginThrottleFor(e.ctx, id); lt.Failures != 0 {
			t.Errorf("failures %d after a full sign-in", lt.Failures)
		}
	})
}

// A recovery code signs in once, whatever its case and dashes; twenty
// sign-ins racing with the same one: exactly one gets in.
func TestRecoveryCodeSingleUse(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, cheap, 8)
		e.activate("ada@example.com", goodPW)
		_, codes := e.twoStepOn("ada@example.com")
		seen := map[string]bool{}
		for _, c := range codes {
			if len(c) != 14 || seen[c] {
				t.Fatalf("recovery codes %v", codes)
			}
			seen[c] = true
		}
		const n = 20
		pendings := make([]string, n)
		for i := range pendings {
			pendings[i] = e.pending("ada@example.com", goodPW)
		}
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() { _, errs[i] = e.svc.CompleteSignIn(e.ctx, pendings[i], codes[0], "", meta) })
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, account.ErrBadCode):
				t.Errorf("unexpected %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d sign-ins with one recovery code, want 1", ok)
		}
		st.ClearLoginFailures(e.ctx, e.user("ada@example.com").ID)
		raw, err := e.svc.CompleteSignIn(e.ctx, e.pending("ada@example.com", goodPW), " "+strings.ToUpper(strings.ReplaceAll(codes[1], "-", " "))+" ", "", meta)
		if err != nil {
			t.Fatalf("a recovery code typed in capitals with spaces: %v", err)
		}
		if _, sess, _ := e.svc.Authenticate(e.ctx, raw); sess.ACR() != account.ACRMultiFactor {
			t.Errorf("a recovery code's session: %s", sess.Methods)
		}
		if ts, _ := e.svc.TwoStepStatus(e.ctx, e.userView("ada@example.com")); ts.CodesLeft != 8 {
			t.Errorf("%d codes left, want 8", ts.CodesLeft)
		}
	})
}

// Rule 49: a password reset leaves the second factor in place; the next
// sign-in with the new password still asks for the code.
func TestResetKeepsTwoStep(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, cheap, 4)
		e.activate("ada@example.com", goodPW)
		secret, _ := e.twoStepOn("ada@example.com")
		raw := e.requestReset("ada@example.com")
		if err := e.svc.Complete(e.ctx, account.Recovery, raw, newPW, newPW, meta); err != nil {
			t.Fatal(err)
		}
		if ts, _ := e.svc.TwoStepStatus(e.ctx, e.userView("ada@example.com")); !ts.On {
			t.Fatal("a reset turned two-step verification off")
		}
		p := e.pending("ada@example.com", newPW)
		e.clk.Add(30 * time.Second)
		if _, err := e.svc.CompleteSignIn(e.ctx, p, e.code(secret, 0), "", meta); err != nil {
			t.Fatal(err)
		}
	})
}

// Turning it off asks for the password and a code; it is told by email.
func TestDisableTwoStep(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, cheap, 4)
		e.activate("ada@example.com", goodPW)
		secret, codes := e.twoStepOn("ada@example.com")
		u := e.userView("ada@example.com")
		e.clk.Add(30 * time.Second)
		for _, tc := range []struct{ pw, code, field string }{
			{"", e.code(secret, 0), "current_password"},
			{goodPW, "", "code"},
			{newPW, e.code(secret, 0), "current_password"},
			{goodPW, "000000", "current_password"},
			{goodPW, "aaaa-bbbb-cccc", "current_password"},
		} {
			if err := e.svc.DisableTwoStep(e.ctx, u, tc.pw, tc.code, meta); !isFieldError(err, tc.field) {
				t.Errorf("off with %q %q: %v, want an error on %s", tc.pw, tc.code, err, tc.field)
			}
		}
		if ts, _ := e.svc.TwoStepStatus(e.ctx, u); !ts.On {
			t.Fatal("off after refusals")
		}
		if err := e.svc.DisableTwoStep(e.ctx, u, goodPW, codes[3], meta); err != nil {
			t.Fatal(err)
		}
		if m := e.lastMail("ada@example.com", account.EmailTwoStepOff); m.data["ByOperator"] != "false" || m.data["Device"] == "" {
			t.Errorf("two-step-off email %s", m.Data)
		}
		if raw, err := e.svc.Login(e.ctx, "ada@example.com", goodPW, "", meta); err != nil || raw == "" {
			t.Errorf("after turning it off, Login = %q, %v", raw, err)
		}
	})
}

// An operator can remove a person's second factor: audited with the
// operator's name, the person is told by email, and sign-in asks only for
// the password again.
func TestResetSecondFactorByOperator(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, cheap, 4)
		e.activate("ada@example.com", goodPW)
		// A session Ada opened before she turned it on.
		open := e.session("ada@example.com")
		e.twoStepOn("ada@example.com")
		e.activate("grace@example.com", goodPW)
		by := account.Operator{Name: "grace", UserID: e.user("grace@example.com").ID}
		changed, err := e.svc.ResetSecondFactor(e.ctx, "ADA@example.com", by)
		if err != nil || !changed {
			t.Fatalf("ResetSecondFactor = %v, %v", changed, err)
		}
		// Her sessions stay, as the command line leaves them.
		if _, _, err := e.svc.Authenticate(e.ctx, open); err != nil {
			t.Errorf("the session Ada had before: %v", err)
		}
		if m := e.lastMail("ada@example.com", account.EmailTwoStepOff); m.data["ByOperator"] != "true" {
			t.Errorf("email %s", m.Data)
		}
		events, _ := st.AuditEventsByUser(e.ctx, e.user("ada@example.com").ID, 1)
		if len(events) != 1 || events[0].Kind != string(account.EventTwoStepRemovedByOperator) || events[0].Actor != "grace" || events[0].UserAgent != "" ||
			events[0].ActorID == nil || *events[0].ActorID != by.UserID {
			t.Errorf("audit %+v", events)
		}
		if raw, err := e.svc.Login(e.ctx, "ada@example.com", goodPW, "", meta); err != nil || raw == "" {
			t.Errorf("after the operator's reset, Login = %q, %v", raw, err)
		}
		if changed, err := e.svc.ResetSecondFactor(e.ctx, "ada@example.com", by); err != nil || changed {
			t.Errorf("again: %v, %v", changed, err)
		}
		e.twoStepOn("grace@example.com")
		if _, err := e.svc.ResetSecondFactor(e.ctx, "grace@example.com", by); !errors.Is(err, account.ErrSelfTwoStep) {
			t.Errorf("the operator's own: %v", err)
		}
		if _, err := e.svc.ResetSecondFactor(e.ctx, "nobody@example.com", by); !errors.Is(err, account.ErrUnknownUser) {
			t.Errorf("unknown address: %v", err)
		}
	})
}

// With TOTP_SECRET_KEY the secret is stored encrypted and bound to the
// account; codes work as before, a secret stored before the key was set
// still works, and without the key an encrypted one is an error, never a
// silent pass.
func TestTwoStepSecretEncrypted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		cfg := config()
		cfg.SecretKey = make([]byte, 32)
		for i := range cfg.SecretKey {
			cfg.SecretKey[i] = byte(i)
		}
		e := newEnvWith(t, st, cheap, 4, cfg)
		e.activate("ada@example.com", goodPW)
		secret, _ := e.twoStepOn("ada@example.com")
		id := e.user("ada@example.com").ID
		row, err := st.TOTPSecretFor(e.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(row.Secret, "v1:") || strings.Contains(row.Secret, secret) {
			t.Fatalf("stored secret %q is not sealed", row.Secret)
		}
		e.clk.Add(30 * time.Second)
		if _, err := e.svc.CompleteSignIn(e.ctx, e.pending("ada@example.com", goodPW), e.code(secret, 0), "", meta); err != nil {
			t.Fatalf("a code with the sealed secret: %v", err)
		}

		// The same service without the key cannot read it.
		plain := newService(t, st, password.NewHasher(cheap, 4), e.clk.Now, config())
		e.clk.Add(30 * time.Second)
		raw, err := plain.Login(e.ctx, "ada@example.com", goodPW, "", meta)
		var second *account.SecondStepRequired
		if !errors.As(err, &second) {
			t.Fatalf("Login = %q, %v", raw, err)
		}
		if _, err := plain.CompleteSignIn(e.ctx, second.Pending, e.code(secret, 0), "", meta); err == nil || errors.Is(err, account.ErrBadCode) {
			t.Errorf("a sealed secret without the key: %v, want an error of its own", err)
		}

		// A secret stored before the key was set still works with it.
		e.activate("grace@example.com", goodPW)
		g := e.user("grace@example.com")
		if _, err := st.StartTOTPSetup(e.ctx, g.ID, "JBSWY3DPEHPK3PXP", e.clk.Now()); err != nil {
			t.Fatal(err)
		}
		st.UseTOTPStep(e.ctx, g.ID, 1, e.clk.Now())
		if _, err := e.svc.CompleteSignIn(e.ctx, e.pending("grace@example.com", goodPW), e.code("JBSWY3DPEHPK3PXP", 0), "", meta); err != nil {
			t.Errorf("a secret stored before the key: %v", err)
		}
	})
}

// New recovery codes take the password and a code, and replace the old
// ones entirely.
func TestRenewRecoveryCodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, cheap, 4)
		e.activate("ada@example.com", goodPW)
		secret, old := e.twoStepOn("ada@example.com")
		u := e.userView("ada@example.com")
		e.clk.Add(30 * time.Second)
		if _, err := e.svc.RenewRecoveryCodes(e.ctx, u, newPW, e.code(secret, 0), meta); !isFieldError(err, "current_password") {
			t.Fatalf("a wrong password: %v", err)
		}
		fresh, err := e.svc.RenewRecoveryCodes(e.ctx, u, goodPW, e.code(secret, 0), meta)
		if err != nil || len(fresh) != account.RecoveryCodeCount || fresh[0] == old[0] {
			t.Fatalf("renew: %v %v", fresh, err)
		}
		if _, err := e.svc.CompleteSignIn(e.ctx, e.pending("ada@example.com", goodPW), old[1], "", meta); !errors.Is(err, account.ErrBadCode) {
			t.Errorf("an old recovery code after renewal: %v", err)
		}
		if _, err := e.svc.CompleteSignIn(e.ctx, e.pending("ada@example.com", goodPW), fresh[1], "", meta); err != nil {
			t.Errorf("a new recovery code: %v", err)
		}
	})
}
