package account_test

import (
	"errors"
	"net/url"
	"sync"
	"testing"
	"time"

	"gatehouse/internal/account"
	"gatehouse/internal/password"
	"gatehouse/internal/ratelimit"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
	"gatehouse/internal/testkit/softkey"
)

// softKey is a software authenticator (internal/testkit/softkey) that
// fails the test instead of returning errors.
type softKey struct {
	*softkey.Key
	t *testing.T
}

func newSoftKey(t *testing.T, synced bool) *softKey {
	return &softKey{Key: softkey.New("gatehouse.example", "https://gatehouse.example", synced), t: t}
}

func (k *softKey) create(c account.Ceremony) []byte {
	b, err := k.Create(c.Options)
	if err != nil {
		k.t.Fatal(err)
	}
	return b
}

func (k *softKey) get(c account.Ceremony, n uint32) []byte {
	b, err := k.Get(c.Options, n)
	if err != nil {
		k.t.Fatal(err)
	}
	return b
}

// addPasskey registers k for the active account of email.
func (e *env) addPasskey(email string, k *softKey) account.Passkey {
	e.t.Helper()
	u := e.user(email)
	c, err := e.svc.BeginPasskeyRegistration(e.ctx, u.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	p, err := e.svc.FinishPasskeyRegistration(e.ctx, u.ID, c.Binding, k.create(c), account.Meta{IP: "192.0.2.1", UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0"})
	if err != nil {
		e.t.Fatalf("FinishPasskeyRegistration: %v", err)
	}
	return p
}

func (e *env) beginSignIn() account.Ceremony {
	e.t.Helper()
	c, err := e.svc.BeginPasskeySignIn(e.ctx, false, "/reports?q=1", meta)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// TestPasskeyRegisterAndSignIn: a passkey is added (named after the
// device, with an email and an audit event), signs in with no address and
// no second step, carries the deep link, and says hwk or swk as its flags
// say.
func TestPasskeyRegisterAndSignIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, password.DefaultParams, 4)
		e.activate("ada@example.com", goodPW)
		for _, tc := range []struct {
			synced bool
			amr    string
		}{{false, "hwk user"}, {true, "swk user"}} {
			k := newSoftKey(t, tc.synced)
			p := e.addPasskey("ada@example.com", k)
			if p.Name != "Chrome · Linux" || p.Synced != tc.synced {
				t.Errorf("added passkey %+v", p)
			}
			m := e.lastMail("ada@example.com", account.EmailPasskeyAdded)
			if m.data["Passkey"] != "Chrome · Linux" || m.data["Device"] != "Chrome · Linux" || m.data["IP"] != "192.0.2.1" || m.data["At"] == "" {
				t.Errorf("passkey added email data %v", m.data)
			}
			c := e.beginSignIn()
			in, err := e.svc.FinishPasskeySignIn(e.ctx, c.Binding, k.get(c, 1), "", meta)
			if err != nil {
				t.Fatalf("FinishPasskeySignIn: %v", err)
			}
			if in.Methods.String() != tc.amr || in.ReturnTo != "/reports?q=1" {
				t.Errorf("sign-in %+v, want amr %s and the deep link", in, tc.amr)
			}
			e.clk.Add(time.Minute)
			u, sess, err := e.svc.Authenticate(e.ctx, in.Session)
			if err != nil || u.Email != "ada@example.com" {
				t.Errorf("Authenticate = %v, %v", u.Email, err)
			}
			// A strong sign-in: the session says so, with auth_time the
			// moment of the passkey, and no second step is asked.
			if sess.Methods.String() != tc.amr || sess.ACR() != account.ACRPhishingResistant || !sess.AuthTime.Equal(e.clk.Now().Add(-time.Minute)) {
				t.Errorf("session methods %q acr %s auth_time %s", sess.Methods, sess.ACR(), sess.AuthTime)
			}
		}
		list, err := e.svc.Passkeys(e.ctx, account.User{ID: e.user("ada@example.com").ID})
		if err != nil || len(list) != 2 || list[0].LastUsedAt == nil {
			t.Fatalf("Passkeys = %+v, %v", list, err)
		}
		kinds := map[string]int{}
		events, _ := st.AuditEventsByUser(e.ctx, e.user("ada@example.com").ID, 50)
		for _, ev := range events {
			kinds[ev.Kind]++
		}
		if kinds[string(account.EventPasskeyAdded)] != 2 || kinds[string(account.EventPasskeySignIn)] != 2 {
			t.Errorf("audit trail %v", kinds)
		}
	})
}

// TestPasskeyChallengeSingleUse: of twenty concurrent answers to one
// challenge exactly one signs in; the rest, and any later one, fail alike.
func TestPasskeyChallengeSingleUse(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, password.DefaultParams, 4)
		e.activate("ada@example.com", goodPW)
		k := newSoftKey(t, false)
		e.addPasskey("ada@example.com", k)
		c := e.beginSignIn()
		body := k.get(c, 1)
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok, bad := 0, 0
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := e.svc.FinishPasskeySignIn(e.ctx, c.Binding, body, "", meta)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case errors.Is(err, account.ErrBadCredentials):
					bad++
				default:
					t.Errorf("FinishPasskeySignIn: %v", err)
				}
			}()
		}
		wg.Wait()
		if ok != 1 || bad != 19 {
			t.Errorf("%d sign-ins and %d refusals from one challenge, want 1 and 19", ok, bad)
		}
		_, err := e.svc.FinishPasskeySignIn(e.ctx, c.Binding, body, "", meta)
		wantErr(t, "replayed answer", err, account.ErrBadCredentials)

		// Registration challenges are single use too.
		u := e.user("ada@example.com")
		rc, err := e.svc.BeginPasskeyRegistration(e.ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		k2 := newSoftKey(t, false)
		reg := k2.create(rc)
		if _, err := e.svc.FinishPasskeyRegistration(e.ctx, u.ID, rc.Binding, reg, meta); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.FinishPasskeyRegistration(e.ctx, u.ID, rc.Binding, reg, meta)
		wantErr(t, "replayed registration", err, account.ErrPasskeyFailed)
	})
}

// TestPasskeyChallengeExpiry: a challenge answered after five minutes is
// refused like any other failure.
func TestPasskeyChallengeExpiry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, password.DefaultParams, 4)
		e.activate("ada@example.com", goodPW)
		k := newSoftKey(t, false)
		e.addPasskey("ada@example.com", k)
		c := e.beginSignIn()
		e.clk.Add(account.PasskeyChallengeTTL + time.Second)
		_, err := e.svc.FinishPasskeySignIn(e.ctx, c.Binding, k.get(c, 1), "", meta)
		wantErr(t, "expired sign-in challenge", err, account.ErrBadCredentials)

		u := e.user("ada@example.com")
		rc, _ := e.svc.BeginPasskeyRegistration(e.ctx, u.ID)
		e.clk.Add(account.PasskeyChallengeTTL + time.Second)
		_, err = e.svc.FinishPasskeyRegistration(e.ctx, u.ID, rc.Binding, newSoftKey(t, false).create(rc), meta)
		wantErr(t, "expired registration challenge", err, account.ErrPasskeyFailed)

		// Just inside the lifetime it works.
		c = e.beginSignIn()
		e.clk.Add(account.PasskeyChallengeTTL - time.Second)
		if _, err := e.svc.FinishPasskeySignIn(e.ctx, c.Binding, k.get(c, 2), "", meta); err != nil {
			t.Errorf("sign-in inside the lifetime: %v", err)
		}
	})
}

// TestPasskeyChallengeBinding: an answer to one browser's challenge sent
// with another browser's secret (or none) is refused, and a registration
// begun for one account cannot add a passkey to another.
func TestPasskeyChallengeBinding(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, password.DefaultParams, 4)
		e.activate("ada@example.com", goodPW)
		e.activate("bob@example.com", goodPW)
		k := newSoftKey(t, false)
		e.addPasskey("ada@example.com", k)
		mine, other := e.beginSignIn(), e.beginSignIn()
		for _, binding := range []string{other.Binding, "", "not-a-token"} {
			_, err := e.svc.FinishPasskeySignIn(e.ctx, binding, k.get(mine, 1), "", meta)
			wantErr(t, "answer with another browser's binding", err, account.ErrBadCredentials)
		}
		// The other browser's challenge was used up by the try; the
		// right browser still signs in.
		if _, err := e.svc.FinishPasskeySignIn(e.ctx, mine.Binding, k.get(mine, 2), "", meta); err != nil {
			t.Errorf("the right browser: %v", err)
		}

		ada, bob := e.user("ada@example.com"), e.user("bob@example.com")
		rc, _ := e.svc.BeginPasskeyRegistration(e.ctx, ada.ID)
		_, err := e.svc.FinishPasskeyRegistration(e.ctx, bob.ID, rc.Binding, newSoftKey(t, false).create(rc), meta)
		wantErr(t, "registration finished for another account", err, account.ErrPasskeyFailed)
		if n, _ := st.CountPasskeys(e.ctx, bob.ID); n != 0 {
			t.Errorf("bob has %d passkeys", n)
		}
		// A sign-in challenge is no registration challenge.
		lc := e.beginSignIn()
		_, err = e.svc.FinishPasskeyRegistration(e.ctx, ada.ID, lc.Binding, newSoftKey(t, false).create(lc), meta)
		wantErr(t, "sign-in challenge used to register", err, account.ErrPasskeyFailed)
	})
}

// TestPasskeySignCountRegression: go-webauthn reports a counter that did
// not grow as a clone warning; the sign-in is refused, the passkey is
// marked, audited, and refused from then on even with a higher counter.
// Passkeys that never count (always 0, as synced ones do) keep working.
func TestPasskeySignCountRegression(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, password.DefaultParams, 4)
		e.activate("ada@example.com", goodPW)
		k := newSoftKey(t, false)
		e.addPasskey("ada@example.com", k)
		c := e.beginSignIn()
		if _, err := e.svc.FinishPasskeySignIn(e.ctx, c.Binding, k.get(c, 5), "", meta); err != nil {
			t.Fatal(err)
		}
		c = e.beginSignIn()
		_, err := e.svc.FinishPasskeySignIn(e.ctx, c.Binding, k.get(c, 3), "", meta)
		wantErr(t, "counter went backwards", err, account.ErrBadCredentials)
		c = e.beginSignIn()
		_, err = e.svc.FinishPasskeySignIn(e.ctx, c.Binding, k.get(c, 9), "", meta)
		wantErr(t, "marked passkey", err, account.ErrBadCredentials)
		p, err := st.PasskeyByCredentialID(e.ctx, k.CredentialID())
		if err != nil || !p.CloneWarning || p.SignCount != 5 {
			t.Errorf("stored passkey %+v, %v: want clone warning and the counter kept at 5", p, err)
		}
		found := false
		events, _ := st.AuditEventsByUser(e.ctx, p.UserID, 50)
		for _, ev := range events {
			found = found || ev.Kind == string(account.EventPasskeyCloneWarning)
		}
		if !found {
			t.Error("no clone warning in the audit trail")
		}

		zero := newSoftKey(t, true)
		e.addPasskey("ada@example.com", zero)
		for range 2 {
			c = e.beginSignIn()
			if _, err := e.svc.FinishPasskeySignIn(e.ctx, c.Binding, zero.get(c, 0), "", meta); err != nil {
				t.Errorf("counter-less passkey: %v", err)
			}
		}
	})
}

// TestPasskeyRefusals: a disabled account, a forged signature and an
// unknown passkey get the same answer as each other.
func TestPasskeyRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, password.DefaultParams, 4)
		e.activate("ada@example.com", goodPW)
		k := newSoftKey(t, false)
		e.addPasskey("ada@example.com", k)

		stranger := newSoftKey(t, false)
		stranger.Handle = []byte("somebody")
		c := e.beginSignIn()
		_, err := e.svc.FinishPasskeySignIn(e.ctx, c.Binding, stranger.get(c, 1), "", meta)
		wantErr(t, "unknown passkey", err, account.ErrBadCredentials)

		forger := &softKey{Key: &softkey.Key{}, t: t}
		*forger.Key = *k.Key
		forger.Priv = newSoftKey(t, false).Priv
		c = e.beginSignIn()
		_, err = e.svc.FinishPasskeySignIn(e.ctx, c.Binding, forger.get(c, 2), "", meta)
		wantErr(t, "forged signature", err, account.ErrBadCredentials)

		if _, _, err := e.svc.DisableUser(e.ctx, "ada@example.com", account.Operator{Name: "test"}); err != nil {
			t.Fatal(err)
		}
		c = e.beginSignIn()
		_, err = e.svc.FinishPasskeySignIn(e.ctx, c.Binding, k.get(c, 3), "", meta)
		wantErr(t, "disabled account", err, account.ErrBadCredentials)
	})
}

// TestPasskeyManage: rename (checked, only one's own), remove (with an
// email), and the rule that the last way to sign in cannot be removed.
func TestPasskeyManage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, password.DefaultParams, 4)
		e.activate("ada@example.com", goodPW)
		e.activate("bob@example.com", goodPW)
		ada := account.User{ID: e.user("ada@example.com").ID}
		bob := account.User{ID: e.user("bob@example.com").ID}
		p1 := e.addPasskey("ada@example.com", newSoftKey(t, false))
		p2 := e.addPasskey("ada@example.com", newSoftKey(t, true))

		if err := e.svc.RenamePasskey(e.ctx, ada, p1.ID, "  Work   laptop ", meta); err != nil {
			t.Fatal(err)
		}
		var fe account.FieldErrors
		if err := e.svc.RenamePasskey(e.ctx, ada, p1.ID, "   ", meta); !errors.As(err, &fe) {
			t.Errorf("blank name: %v", err)
		}
		if err := e.svc.RenamePasskey(e.ctx, ada, p1.ID, string(make([]rune, account.MaxPasskeyName+1)), meta); !errors.As(err, &fe) {
			t.Errorf("long name: %v", err)
		}
		wantErr(t, "renaming another's passkey", e.svc.RenamePasskey(e.ctx, bob, p1.ID, "mine", meta), account.ErrNoPasskey)
		wantErr(t, "removing another's passkey", e.svc.RemovePasskey(e.ctx, bob, p1.ID, meta), account.ErrNoPasskey)
		list, _ := e.svc.Passkeys(e.ctx, ada)
		if len(list) != 2 || list[0].Name != "Work laptop" {
			t.Errorf("after rename: %+v", list)
		}

		if err := e.svc.RemovePasskey(e.ctx, ada, p1.ID, meta); err != nil {
			t.Fatal(err)
		}
		m := e.lastMail("ada@example.com", account.EmailPasskeyRemoved)
		if m.data["Passkey"] != "Work laptop" {
			t.Errorf("removed email %v", m.data)
		}

		// With no password, the last passkey is the only way in.
		if err := st.SetUserPassword(e.ctx, ada.ID, "", e.clk.Now()); err != nil {
			t.Fatal(err)
		}
		wantErr(t, "removing the last way to sign in", e.svc.RemovePasskey(e.ctx, ada, p2.ID, meta), account.ErrLastSignInMethod)
		if list, _ := e.svc.Passkeys(e.ctx, ada); len(list) != 1 {
			t.Errorf("the refused removal removed it: %+v", list)
		}
	})
}

// TestPasskeyRelyingParty: the relying party is BASE_URL's host, or the
// parent domain WEBAUTHN_RP_ID names; an IP address turns passkeys off,
// and an id that is no parent of the host stops start-up.
func TestPasskeyRelyingParty(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite)
	h := password.NewHasher(password.Params{Memory: 64, Time: 1, Threads: 1}, 1)
	for _, tc := range []struct {
		base, rp, want string
		ok             bool
	}{
		{"https://login.example.com/app", "", "login.example.com", true},
		{"https://login.example.com", "example.com", "example.com", true},
		{"http://127.0.0.1:8080", "", "", true},
		{"https://login.example.com", "other.example", "", false},
	} {
		cfg := config()
		cfg.BaseURL, _ = url.Parse(tc.base)
		cfg.WebAuthnRPID = tc.rp
		svc, err := account.New(account.Deps{Store: st, Hasher: h, Limiter: &ratelimit.Limiter{Counter: st, Now: time.Now}}, cfg)
		if tc.ok != (err == nil) {
			t.Errorf("%s with %q: %v", tc.base, tc.rp, err)
			continue
		}
		if err == nil && (svc.RelyingPartyID() != tc.want || svc.PasskeysOn() != (tc.want != "")) {
			t.Errorf("%s with %q: relying party %q (on %v), want %q", tc.base, tc.rp, svc.RelyingPartyID(), svc.PasskeysOn(), tc.want)
		}
	}
}
