package account_test

import (
	"testing"

	"gatehouse/internal/account"
	"gatehouse/internal/password"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// The account keeps the zone its browser reported at sign-up, and every
// email after carries it with the family name, so times and the greeting
// are the person's own; a zone the browser made up is not kept.
func TestTimeZoneKeptAndMailed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, password.DefaultParams, 4)
		m := meta
		m.TimeZone = "Asia/Tokyo"
		if _, err := e.svc.Register(e.ctx, registration("tz@example.com"), m); err != nil {
			t.Fatal(err)
		}
		if u := e.user("tz@example.com"); u.TimeZone != "Asia/Tokyo" {
			t.Errorf("TimeZone = %q, want Asia/Tokyo", u.TimeZone)
		}
		act := e.lastMail("tz@example.com", account.EmailActivation)
		if act.data["TimeZone"] != "Asia/Tokyo" || act.data["LastName"] != "Lovelace" {
			t.Errorf("activation data %v: want TimeZone and LastName", act.data)
		}
		raw := e.tokenIn(act.data["Link"], "/activate")
		if err := e.svc.Complete(e.ctx, account.Activation, raw, goodPW, goodPW, meta); err != nil {
			t.Fatal(err)
		}
		if ch := e.lastMail("tz@example.com", account.EmailPasswordChanged); ch.data["TimeZone"] != "Asia/Tokyo" || ch.data["LastName"] != "Lovelace" {
			t.Errorf("password_changed data %v", ch.data)
		}

		bad := meta
		bad.TimeZone = "Mars/Olympus"
		if _, err := e.svc.Register(e.ctx, registration("mars@example.com"), bad); err != nil {
			t.Fatal(err)
		}
		if u := e.user("mars@example.com"); u.TimeZone != "" {
			t.Errorf("made-up zone kept: %q", u.TimeZone)
		}
	})
}

// An account made without script (no zone) takes the first zone a sign-in
// reports; one that has a zone keeps it, so a trip abroad does not move
// the times in every later email.
func TestTimeZoneFilledAtSignIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, password.DefaultParams, 4)
		e.activate("nojs@example.com", goodPW)
		if u := e.user("nojs@example.com"); u.TimeZone != "" {
			t.Fatalf("TimeZone = %q before any browser reported one", u.TimeZone)
		}
		berlin := meta
		berlin.TimeZone = "Europe/Berlin"
		if _, err := e.svc.Login(e.ctx, "nojs@example.com", goodPW, "", berlin); err != nil {
			t.Fatal(err)
		}
		if u := e.user("nojs@example.com"); u.TimeZone != "Europe/Berlin" {
			t.Errorf("TimeZone = %q after sign-in from Berlin", u.TimeZone)
		}
		tokyo := meta
		tokyo.TimeZone = "Asia/Tokyo"
		if _, err := e.svc.Login(e.ctx, "nojs@example.com", goodPW, "", tokyo); err != nil {
			t.Fatal(err)
		}
		if u := e.user("nojs@example.com"); u.TimeZone != "Europe/Berlin" {
			t.Errorf("TimeZone = %q after a sign-in from Tokyo, want it kept", u.TimeZone)
		}
	})
}
