package account_test

import (
	"context"
	"testing"
	"time"

	"gatehouse/internal/account"
	"gatehouse/internal/password"
	"gatehouse/internal/ratelimit"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// Both rate limits of an email request are counted in one statement, and
// a request over one limit still counts against the other.
func TestEmailLimitsCountTogether(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		cfg := config()
		cfg.Limits = account.Limits{
			EmailPerIP:      ratelimit.Rule{Max: 3, Window: time.Hour},
			EmailPerAddress: ratelimit.Rule{Max: 5, Window: 10 * time.Minute},
		}
		now := time.Date(2030, 1, 2, 9, 0, 0, 0, time.UTC)
		svc := newService(t, st, password.NewHasher(password.Params{Memory: 64, Time: 1, Threads: 1}, 2), func() time.Time { return now }, cfg)
		ctx := context.Background()
		other := account.Meta{IP: "198.51.100.7", UserAgent: "other", Locale: "en"}
		for i, tc := range []struct {
			m     account.Meta
			retry time.Duration // 0: allowed
		}{
			{meta, 0}, {meta, 0}, {meta, 0},
			{meta, time.Hour},         // over the IP rule; the address counts 4
			{other, 0},                // the address counts 5
			{other, 10 * time.Minute}, // over the address rule
		} {
			_, err := svc.Register(ctx, registration("grace@example.com"), tc.m)
			if tc.retry == 0 {
				if err != nil {
					t.Fatalf("request %d: %v", i+1, err)
				}
				continue
			}
			rl, ok := err.(*account.RateLimitedError)
			if !ok || rl.RetryAfter != tc.retry {
				t.Fatalf("request %d = %v, want rate limited, retry after %s", i+1, err, tc.retry)
			}
		}
	})
}
