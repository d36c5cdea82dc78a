package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"gatehouse/internal/store/storetest"
	"gatehouse/internal/testkit/resendfake"
)

// TestTwoInstancesSendEachEmailOnce runs two Gatehouse processes' worth of
// run() on one PostgreSQL database and one (slow) fake Resend API.
// Sign-ups arrive at both; every email goes out exactly once, since the
// outbox is claimed with FOR UPDATE SKIP LOCKED and sent with the row's
// idempotency key; and a session made on one instance works on the other.
func TestTwoInstancesSendEachEmailOnce(t *testing.T) {
	dsn := storetest.DSN(t, storetest.Postgres)
	fake := resendfake.New()
	defer fake.Close()
	fake.SetDelay(20 * time.Millisecond) // widen the window for a double send
	env := map[string]string{
		"DATABASE_URL": dsn, "RESEND_API_KEY": "re_test", "RESEND_BASE_URL": fake.URL(),
		"RATE_LIMIT_EMAIL_PER_IP": "1000/1h", "RATE_LIMIT_LOGIN_PER_IP": "1000/1h",
	}
	a, b := start(t, env), start(t, env)

	const n = 30
	var wg sync.WaitGroup
	for i := range n {
		in := a
		if i%2 == 1 {
			in = b
		}
		wg.Go(func() {
			c := in.client(t)
			code, body := c.post("/register", registration(fmt.Sprintf("twin%d@example.com", i)))
			if code != http.StatusOK || !strings.Contains(body, "Check your inbox") {
				t.Errorf("register %d: %d", i, code)
			}
		})
	}
	wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := fake.WaitFor(ctx, n); err != nil {
		t.Fatalf("emails: %v (got %d of %d)", err, len(fake.Emails()), n)
	}
	time.Sleep(time.Second) // room for a wrong second send
	seen := map[string]int{}
	for _, m := range fake.Emails() {
		seen[m.To]++
	}
	for i := range n {
		if to := fmt.Sprintf("twin%d@example.com", i); seen[to] != 1 {
			t.Errorf("%s got %d emails, want 1", to, seen[to])
		}
	}
	for key, count := range fake.CountByKey() {
		if count != 1 {
			t.Errorf("idempotency key %s used %d times", key, count)
		}
	}

	// Sessions are shared: sign in on A, use the cookie on B.
	link := activateLink.FindString(fake.Emails()[0].Text)
	ca := a.client(t)
	if code, _ := ca.get(link); code != http.StatusOK {
		t.Fatalf("activate: %d", code)
	}
	if code, _ := ca.post("/password/set", url.Values{"password": {pw}, "password_confirm": {pw}}); code != http.StatusOK {
		t.Fatalf("set password: %d", code)
	}
	if code, body := ca.post("/login", url.Values{"email": {fake.Emails()[0].To}, "password": {pw}}); code != http.StatusOK || !strings.Contains(body, "Welcome") {
		t.Fatalf("login on A: %d", code)
	}
	ua, _ := url.Parse(a.base)
	ub, _ := url.Parse(b.base)
	cb := b.client(t)
	cb.c.Jar.SetCookies(ub, ca.c.Jar.Cookies(ua))
	if code, body := cb.get("/account"); code != http.StatusOK || !strings.Contains(body, "Welcome") {
		t.Fatalf("the session from A does not work on B: %d", code)
	}
}

// TestTwoInstancesShareRateLimits: the limits are rows in the shared
// database, so a client cannot double its allowance by alternating
// between instances behind a balancer.
func TestTwoInstancesShareRateLimits(t *testing.T) {
	dsn := storetest.DSN(t, storetest.Postgres)
	env := map[string]string{"DATABASE_URL": dsn, "RATE_LIMIT_EMAIL_PER_ADDRESS": "3/1h", "RATE_LIMIT_LOGIN_PER_IP": "4/1h"}
	a, b := start(t, env), start(t, env)
	ca, cb := a.client(t), b.client(t)
	on := func(i int) *client {
		if i%2 == 0 {
			return ca
		}
		return cb
	}

	forgot := url.Values{"email": {"limited@example.com"}}
	// Each request from another browser: the same one asking again within
	// seconds is a double click, answered as the first and not counted.
	asBrowser := func(c *client, i int) (int, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, c.url("/password/forgot"), strings.NewReader(forgot.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("User-Agent", fmt.Sprintf("browser %d", i))
		resp, err := c.c.Do(req)
		return c.read(resp, err)
	}
	for i := range 3 {
		if code, _ := asBrowser(on(i), i); code != http.StatusOK {
			t.Fatalf("forgot-password %d (instance %c): %d, want 200", i+1, 'A'+i%2, code)
		}
	}
	for i := 3; i < 5; i++ {
		if code, _ := asBrowser(on(i), i); code != http.StatusTooManyRequests {
			t.Errorf("forgot-password %d (instance %c): %d, want 429: the per-address limit of 3 is shared", i+1, 'A'+i%2, code)
		}
	}

	login := url.Values{"email": {"nobody@example.com"}, "password": {"not the password at all"}}
	for i := range 4 {
		if code, _ := on(i).post("/login", login); code == http.StatusTooManyRequests {
			t.Fatalf("sign-in %d (instance %c) limited before the 4 allowed", i+1, 'A'+i%2)
		}
	}
	for i := 4; i < 6; i++ {
		if code, _ := on(i).post("/login", login); code != http.StatusTooManyRequests {
			t.Errorf("sign-in %d (instance %c): %d, want 429: the per-IP limit of 4 is shared", i+1, 'A'+i%2, code)
		}
	}
}
