package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"gatehouse/internal/account"
	"gatehouse/internal/ratelimit"
	"gatehouse/internal/store/storetest"
)

func smallLimits(o *appOptions) {
	o.limits = account.Limits{
		EmailPerAddress:   ratelimit.Rule{Max: 3, Window: time.Hour},
		EmailPerIP:        ratelimit.Rule{Max: 6, Window: time.Hour},
		LoginPerIP:        ratelimit.Rule{Max: 12, Window: 15 * time.Minute},
		LoginFreeFailures: 3,
		LoginMaxDelay:     time.Minute,
		LoginHardCap:      6,
	}
}

// looseLimits lets a test send as much as it needs.
func looseLimits() account.Limits {
	loose := ratelimit.Rule{Max: 1_000_000, Window: time.Hour}
	return account.Limits{EmailPerAddress: loose, EmailPerIP: loose, LoginPerIP: loose, LoginFreeFailures: 1000, LoginMaxDelay: time.Second}
}

// only keeps one limit of smallLimits tight, loosening the others, so a
// test sees the limit it is about.
func only(which string) func(*appOptions) {
	return func(o *appOptions) {
		smallLimits(o)
		loose := ratelimit.Rule{Max: 1000, Window: time.Hour}
		if which != "address" {
			o.limits.EmailPerAddress = loose
		}
		if which != "ip" {
			o.limits.EmailPerIP = loose
		}
		if which != "login-ip" {
			o.limits.LoginPerIP = loose
		}
	}
}

func mustLimited(t *testing.T, p page) {
	t.Helper()
	must(t, p, http.StatusTooManyRequests, "Too many attempts")
	if s, err := strconv.Atoi(p.Header.Get("Retry-After")); err != nil || s < 1 {
		t.Fatalf("Retry-After = %q, want seconds", p.Header.Get("Retry-After"))
	}
}

// Rule 5: a flood of sign-ups or resets for one address sends at most the
// limit, and the answer looks the same: over the limit it is the usual
// "check your inbox", with no Retry-After, for a known and an unknown
// address alike; the window passing sends again.
func TestRule05EmailLimitPerAddress(t *testing.T) {
	for _, backend := range []storetest.Backend{storetest.SQLite, storetest.Postgres} {
		t.Run(string(backend), func(t *testing.T) {
			app := newApp(t, backend, only("address"))
			app.signUp("known@example.com") // one email counted
			var bodies []string
			for _, addr := range []string{"known@example.com", "unkno@example.com"} {
				b := app.Browser()
				b.head.Set("X-Test", addr)
				for range 3 - map[string]int{"known@example.com": 1}[addr] {
					mustRedirect(t, b.Post("/password/forgot", url.Values{"email": {addr}}), "/password/forgot/sent")
				}
				p := b.Post("/password/forgot", url.Values{"email": {addr}})
				mustRedirect(t, p, "/password/forgot/sent")
				if p.Header.Get("Retry-After") != "" {
					t.Errorf("%s: the over-limit answer carries Retry-After %q", addr, p.Header.Get("Retry-After"))
				}
				bodies = append(bodies, secMaskEmail(b.Get("/password/forgot/sent").Body, addr))
			}
			if bodies[0] != bodies[1] {
				t.Fatal("the over-limit answer differs between a known and an unknown address")
			}
			if n := len(app.Mail("known@example.com")); n > 4 { // the limit of 3, and the "password set" email of the sign-up
				t.Fatalf("%d emails to one address, want at most the limit", n)
			}
			app.Advance(time.Hour + time.Second)
			before := len(app.Mail("known@example.com"))
			mustRedirect(t, app.Browser().Post("/password/forgot", url.Values{"email": {"known@example.com"}}), "/password/forgot/sent")
			if len(app.Mail("known@example.com")) != before+1 {
				t.Fatal("no email once the window passed")
			}
		})
	}
}

// Rule 22: someone else asking for the owner's reset again and again
// cannot keep the owner out of "Forgot password?": the owner's own request
// is answered as usual, and the newest email in the inbox works.
func TestRule22ForgotCannotBeBlockedByOthers(t *testing.T) {
	app := newApp(t, storetest.SQLite, only("address"))
	app.signUp("owner@example.com")
	for range 6 {
		mustRedirect(t, app.Browser().Post("/password/forgot", url.Values{"email": {"owner@example.com"}}), "/password/forgot/sent")
	}
	owner := app.Browser()
	mustRedirect(t, owner.Post("/password/forgot", url.Values{"email": {"owner@example.com"}}), "/password/forgot/sent")
	mustRedirect(t, owner.Get(app.LastLink("owner@example.com", "/password/reset")), "/password/reset")
	fresh := "a brand new passphrase for me"
	mustRedirect(t, owner.Post("/password/reset", url.Values{"password": {fresh}, "password_confirm": {fresh}}), "/login?notice=password_reset")
}

// Rule 5: one IP cannot send mail to many addresses.
func TestRule05EmailLimitPerIP(t *testing.T) {
	app := newApp(t, storetest.SQLite, only("ip"))
	b := app.Browser()
	for i := range 6 {
		mustRedirect(t, b.Post("/register", registration("flood"+strconv.Itoa(i)+"@example.com")), "/register/sent")
	}
	mustLimited(t, b.Post("/register", registration("flood-last@example.com")))
}

// An office behind one address: a dozen colleagues sign up and each opens
// their own link and sets a password, well past a per-IP limit on token
// uses of 3, because good links never count against it. Failed ones do,
// and the 429 they earn says when to come back and that the link still
// works (issue: the emailed link showed a bare "Error 429").
func TestTokenLimitCountsOnlyFailures(t *testing.T) {
	for _, backend := range []storetest.Backend{storetest.SQLite, storetest.Postgres} {
		t.Run(string(backend), func(t *testing.T) {
			app := newApp(t, backend, func(o *appOptions) {
				o.limits = looseLimits()
				o.tokenRule = ratelimit.Rule{Max: 3, Window: 15 * time.Minute}
			})
			for i := range 12 {
				app.signUp("colleague" + strconv.Itoa(i) + "@example.com")
			}
			for range 3 {
				must(t, app.Browser().Get("/activate?token=not-a-token-at-all-but-long-enough-000000"), http.StatusGone)
			}
			p := app.Browser().Get("/activate?token=not-a-token-at-all-but-long-enough-000000")
			mustLimited(t, p)
			must(t, p, http.StatusTooManyRequests, "try again in 15 minutes", "the link in your email still works")
		})
	}
}
