package account_test

import (
	"errors"
	"testing"

	"gatehouse/internal/account"
	"gatehouse/internal/password"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// The terms check box is required only where the deployment names terms
// to accept; without any, a sign-up that never saw the box goes through.
func TestRegisterTerms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		unticked := func() account.Registration {
			r := registration("ada@example.com")
			r.Set("accept_terms", "")
			return r
		}
		none := newEnv(t, st, password.Params{Memory: 64, Time: 1, Threads: 1}, 4)
		if _, err := none.svc.Register(none.ctx, unticked(), account.Meta{}); err != nil {
			t.Fatalf("no terms configured: Register without the box: %v", err)
		}
		for _, terms := range []account.Terms{
			{TermsURL: "https://example.com/terms"},
			{PrivacyURL: "https://example.com/privacy"},
			{TermsURL: "https://example.com/terms", PrivacyURL: "https://example.com/privacy"},
		} {
			cfg := config()
			cfg.Terms = terms
			e := newEnvWith(t, st, password.Params{Memory: 64, Time: 1, Threads: 1}, 4, cfg)
			_, err := e.svc.Register(e.ctx, unticked(), account.Meta{})
			var errs account.FieldErrors
			if !errors.As(err, &errs) || errs["accept_terms"].ID != "error.accept_terms.required" {
				t.Errorf("%+v: Register without the box = %v, want accept_terms required", terms, err)
			}
			if e.svc.Terms() != terms {
				t.Errorf("Terms() = %+v, want %+v", e.svc.Terms(), terms)
			}
		}
	})
}
