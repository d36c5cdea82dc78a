package handlers_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"testing"
	"time"

	"gatehouse/handlers"
	"gatehouse/internal/account"
	"gatehouse/internal/i18n"
	"gatehouse/internal/mail"
	"gatehouse/internal/metrics"
	"gatehouse/internal/password"
	"gatehouse/internal/ratelimit"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// opsApp is the application as run.go wires it for operations (metrics,
// trusted proxies), on the real clock, for the metrics and request-id tests
// and the benchmarks. It takes testing.TB, so benchmarks can use it.
type opsApp struct {
	URL     string
	Store   *store.Store
	Box     *mail.Mailbox
	Worker  *mail.Worker
	Hasher  *password.Hasher
	Metrics *metrics.Metrics
	Logs    *syncBuffer
}

type opsOptions struct {
	metrics        bool
	trustedProxies []string
	quiet          bool // discard logs (benchmarks)
	// sessionCache runs the store's session cache, as run.go does.
	sessionCache bool
}

func newOpsApp(tb testing.TB, backend storetest.Backend, o opsOptions) *opsApp {
	tb.Helper()
	st := storetest.Open(tb, backend)
	if o.sessionCache {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { st.RunSessionCache(ctx, nil); close(done) }()
		tb.Cleanup(func() { cancel(); <-done })
		for start := time.Now(); !st.SessionCacheFresh(); time.Sleep(time.Millisecond) {
			if time.Since(start) > 5*time.Second {
				tb.Fatal("the session cache never became current")
			}
		}
	}
	catalog, err := i18n.Load()
	if err != nil {
		tb.Fatal(err)
	}
	a := &opsApp{Store: st, Logs: &syncBuffer{}}
	// As run.go sizes it; a Hasher of its own, so its hook touches no
	// other test's.
	a.Hasher = password.NewHasher(password.DefaultParams, 2*runtime.NumCPU())
	base, _ := url.Parse("http://gatehouse.test")
	acc, err := account.New(account.Deps{Store: st, Hasher: a.Hasher, Limiter: &ratelimit.Limiter{Counter: st, Now: time.Now}}, account.Config{
		BaseURL: base, ActivationTTL: 24 * time.Hour, ResetTTL: 45 * time.Minute,
		SessionIdle: 30 * time.Minute, SessionAbsolute: 12 * time.Hour,
		Policy:       password.Policy{MinLength: 15, MaxLength: 256},
		Verification: "both",
		Limits:       tokenUsesOnly(),
	})
	if err != nil {
		tb.Fatal(err)
	}
	var logh slog.Handler = slog.NewTextHandler(a.Logs, &slog.HandlerOptions{Level: slog.LevelInfo})
	if o.quiet {
		logh = slog.DiscardHandler
	}
	log := slog.New(logh)
	a.Box = mail.NewMailbox(st)
	a.Worker = mail.NewWorker(st, a.Box, func(ctx context.Context, row store.OutboxMessage) (mail.Message, error) {
		return renderForTest(catalog, ctx, row)
	}, "Gatehouse <test@gatehouse.test>")
	a.Worker.Log = log
	if o.metrics {
		a.Metrics = metrics.New(metrics.Options{OutboxStats: st.OutboxStats, Log: log})
		a.Hasher.OnWait = a.Metrics.HashWait
		a.Worker.OnResult = a.Metrics.MailSend
	}
	h, err := handlers.New(handlers.Deps{
		Account: acc, Catalog: catalog, Ready: st.Ping, Mailbox: a.Box,
		TrustedProxies: o.trustedProxies,
		Log:            log,
		Metrics:        a.Metrics,
	})
	if err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	a.URL = srv.URL
	return a
}

// activeUser creates an account that can sign in with pw, straight
// through the store.
func (a *opsApp) activeUser(tb testing.TB, email, pw string) {
	tb.Helper()
	ctx := context.Background()
	now := time.Now()
	u := &store.User{Email: email, FirstName: "Ada", LastName: "Lovelace", Company: "Engines", Country: "GB",
		Locale: "en", Status: store.UserPending, CreatedAt: now, UpdatedAt: now}
	if _, err := a.Store.CreateUserIfAbsent(ctx, u); err != nil {
		tb.Fatal(err)
	}
	hash, err := a.Hasher.Hash(ctx, pw)
	if err != nil {
		tb.Fatal(err)
	}
	if err := a.Store.SetUserPassword(ctx, u.ID, hash, now); err != nil {
		tb.Fatal(err)
	}
	// As activation would: the first of its company owns an organisation.
	o := &store.Organisation{Name: u.Company, CreatedAt: now, UpdatedAt: now}
	if err := a.Store.CreateOrganisation(ctx, o); err != nil {
		tb.Fatal(err)
	}
	m := &store.Membership{OrgID: o.ID, UserID: u.ID, Role: store.RoleOwner, Status: store.MemberActive, CreatedAt: now, JoinedAt: &now}
	if err := a.Store.AddMembership(ctx, m); err != nil {
		tb.Fatal(err)
	}
}

// noRedirects is a client without cookies that shows every redirect.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// tokenUsesOnly are the limits of the apps that measure and fuzz: the
// sign-in throttle and a generous per-IP limit of token uses, no request
// limits, so only the work under test is seen.
func tokenUsesOnly() account.Limits {
	l := account.DefaultLimits
	l.EmailPerAddress, l.EmailPerIP, l.LoginPerIP = ratelimit.Rule{}, ratelimit.Rule{}, ratelimit.Rule{}
	l.TokenPerIP = ratelimit.Rule{Max: 1000, Window: time.Minute}
	return l
}
