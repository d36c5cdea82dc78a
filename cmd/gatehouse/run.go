package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"gatehouse/handlers"
	"gatehouse/internal/account"
	"gatehouse/internal/config"
	"gatehouse/internal/handoff"
	"gatehouse/internal/i18n"
	"gatehouse/internal/janitor"
	"gatehouse/internal/mail"
	"gatehouse/internal/metrics"
	"gatehouse/internal/password"
	"gatehouse/internal/paths"
	"gatehouse/internal/ratelimit"
	"gatehouse/internal/store"
)

// run is the whole program; main and the tests call it alike. The command
// line is parsed first: --help, --version and a wrong command read no
// setting and open nothing.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cmd, err := parseCommand(args)
	if err != nil {
		return err
	}
	switch cmd.name {
	case "help":
		fmt.Fprint(stdout, usage)
		return nil
	case "version":
		printVersion(stdout)
		return nil
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stdout)
	if cmd.name == "users" || cmd.name == "orgs" || cmd.name == "operators" || cmd.name == "audit" {
		// Scripts read its stdout (--json); a migration's log line there
		// would break them.
		log = newLogger(cfg, os.Stderr)
	}

	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	if cfg.DatabaseListenURL != "" {
		if err := st.ListenOn(cfg.DatabaseListenURL); err != nil {
			return fmt.Errorf("DATABASE_LISTEN_URL: %w", err)
		}
	}
	applied, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) > 0 {
		log.Info("migrations applied", "names", strings.Join(applied, ","))
	}

	switch cmd.name {
	case "migrate":
		fmt.Fprintf(stdout, "database is up to date (%d migrations applied now)\n", len(applied))
		return nil
	case "outbox", "mail":
		return cmd.outbox(ctx, st, stdout)
	case "keys":
		kid, err := handoff.NewKeyring(st, nil).Rotate(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "new signing key %s: published now, signing from %s on\n", kid, handoff.JWKSMaxAge)
		return nil
	case "users", "orgs", "operators", "audit":
		return runUsers(ctx, cmd.users, cfg, st, getenv, stdout)
	default:
		return serve(ctx, cfg, getenv, st, log, stdout)
	}
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func serve(ctx context.Context, cfg config.Config, getenv func(string) string, st *store.Store, log *slog.Logger, stdout io.Writer) error {
	catalog, err := i18n.Load()
	if err != nil {
		return err
	}
	slots := hashSlots(runtime.GOMAXPROCS(0), debug.SetMemoryLimit(-1))
	if limit, ok := defaultMemoryLimit(getenv, slots); ok {
		debug.SetMemoryLimit(limit)
		log.Info("memory limit set from the hashing slots (GOMEMLIMIT overrides it)", "slots", slots, "limit_mib", limit>>20)
		if pct, ok := defaultGCPercent(getenv); ok {
			debug.SetGCPercent(pct)
		}
	}
	hasher := password.NewHasher(password.DefaultParams, slots)
	var sender mail.Sender
	var mailbox *mail.Mailbox
	if cfg.DevMailbox() {
		mailbox = mail.NewMailbox(st)
		sender = mailbox
	} else {
		r, err := mail.NewResend(cfg.ResendAPIKey, cfg.ResendBaseURL, cfg.MailSendTimeout)
		if err != nil {
			return err
		}
		sender = r
	}
	worker := mail.NewWorker(st, sender, renderEmail(catalog), cfg.MailFrom)
	worker.Poll = cfg.MailWorkerPollInterval
	worker.MaxAttempts = cfg.MailMaxAttempts
	worker.Concurrency = cfg.MailSendConcurrency
	worker.SendTimeout = cfg.MailSendTimeout
	worker.RetryDelay = cfg.MailRetryDelay
	worker.Lease = cfg.MailClaimLease
	worker.MaxBatch = cfg.MailBatchSize
	worker.BounceCooldown = cfg.MailBounceCooldown
	if mailbox == nil {
		// Resend limits requests per team, not per instance: the budget is
		// shared through the database.
		worker.Budget = mail.NewStoreBudget(st, "resend", cfg.ResendMaxRequestsPerSecond)
	}
	worker.Log = log.With("component", "outbox")
	// Webhooks leave through the same outbox as mail, claimed by a worker
	// of their own, so a slow platform never holds up mail.
	queued := worker.Wake
	var hooks *mail.Worker
	if cfg.Platform.WebhookURL != "" {
		sender, err := handoff.NewWebhookSender(cfg.Platform.WebhookURL, cfg.Platform.WebhookSecret, cfg.MailSendTimeout)
		if err != nil {
			return err
		}
		hooks = mail.NewWorker(store.Webhooks{Store: st}, sender, handoff.RenderWebhook, "")
		hooks.Poll, hooks.MaxAttempts, hooks.SendTimeout = cfg.MailWorkerPollInterval, cfg.MailMaxAttempts, cfg.MailSendTimeout
		hooks.RetryDelay, hooks.Lease, hooks.Concurrency = cfg.MailRetryDelay, cfg.MailClaimLease, 1
		hooks.Log = log.With("component", "webhooks")
		queued = func() { worker.Wake(); hooks.Wake() }
	}
	acc, err := account.New(account.Deps{Store: st, Hasher: hasher, Limiter: &ratelimit.Limiter{Counter: st, Now: time.Now}, Queued: queued}, account.Config{
		BaseURL:         cfg.BaseURL,
		ActivationTTL:   cfg.ActivationTTL,
		ResetTTL:        cfg.ResetTTL,
		InviteTTL:       cfg.InviteTTL,
		SignupMode:      cfg.SignupMode,
		ApprovalNotify:  cfg.ApprovalNotify,
		SessionIdle:     cfg.SessionIdleTimeout,
		SessionAbsolute: cfg.SessionAbsoluteTimeout,
		Policy: password.Policy{MinLength: cfg.PasswordMinLength, MaxLength: cfg.PasswordMaxLength,
			RequireComposition: cfg.PasswordRequireComposition},
		Verification:         cfg.VerificationMethod,
		WebAuthnRPID:         cfg.WebAuthnRPID,
		Webhooks:             hooks != nil,
		AllowDuplicateDomain: cfg.OrgAllowDuplicateDomain,
		// The route that takes Resend's delivery events is on.
		DeliveryEvents: cfg.ResendWebhookSecret != "",
		SecretKey:      cfg.TOTPSecretKey,
		Terms:          account.Terms{TermsURL: cfg.TermsURL, PrivacyURL: cfg.PrivacyURL},
		Limits: account.Limits{
			EmailPerAddress:   ratelimit.Rule(cfg.EmailPerAddress),
			EmailPerIP:        ratelimit.Rule(cfg.EmailPerIP),
			LoginPerIP:        ratelimit.Rule(cfg.LoginPerIP),
			TokenPerIP:        ratelimit.Rule{Max: cfg.TokenAttemptsPerIP, Window: cfg.TokenAttemptsWindow},
			CodesPerAddress:   ratelimit.Rule(cfg.CodesPerAddress),
			LoginFreeFailures: cfg.LoginFreeFailures,
			LoginMaxDelay:     cfg.LoginMaxDelay,
			LoginHardCap:      100,
			IPv6Prefix:        cfg.IPv6Prefix,
			InvitesPerInviter: account.DefaultLimits.InvitesPerInviter,
			InvitesPerOrg:     account.DefaultLimits.InvitesPerOrg,
		},
	})
	if err != nil {
		return err
	}
	if acc.ApprovalMode() {
		if ok, err := acc.ApprovalAudience(ctx); err == nil && !ok {
			log.Warn("SIGNUP_MODE=approval and nobody is told of sign-ups to approve: there is no active operator and SIGNUP_APPROVAL_NOTIFY is empty; add one with `gatehouse operators add EMAIL`")
		}
	}

	var m *metrics.Metrics
	if cfg.MetricsEnabled {
		m = metrics.New(metrics.Options{OutboxStats: st.OutboxStats, SessionCache: sessionCacheStats(st), Log: log.With("component", "metrics")})
		hasher.OnWait = m.HashWait
		worker.OnResult = m.MailSend
	}

	var webhooks *mail.Webhooks
	if cfg.ResendWebhookSecret != "" {
		webhooks = mail.NewWebhooks(cfg.ResendWebhookSecret, st, log.With("component", "resend_webhook"))
	}
	keys := handoff.NewKeyring(st, nil)
	if err := keys.Ensure(ctx); err != nil {
		return err
	}
	platform := handlers.Platform{
		BaseURL: cfg.BaseURL, Upstream: cfg.Platform.Upstream, PublicPaths: cfg.Platform.PublicPaths,
		Timeout: cfg.Platform.Timeout, Landing: cfg.Platform.LandingPath(), CookieDomain: cfg.Platform.CookieDomain,
		Keys: keys, Tokens: handoff.NewIssuer(keys, cfg.BaseURL.String(), cfg.Platform.TokenAudience(cfg.BaseURL), nil),
	}
	h, err := handlers.New(handlers.Deps{
		ResendWebhook:  webhooks,
		Account:        acc,
		Catalog:        catalog,
		Ready:          st.Ping,
		Mailbox:        mailbox,
		SecureCookies:  cfg.SecureCookies(),
		TrustedProxies: cfg.TrustedProxies,
		Log:            log,
		Metrics:        m,
		Platform:       platform,
	})
	if err != nil {
		return err
	}
	srv := newHTTPServer(h, log)
	// Metrics listen first and apart: the scrape has no authentication
	// and its mail and outbox series move with mail sent to real
	// accounts, so it never shares the pages' listener.
	var metricsSrv *http.Server
	var metricsLn net.Listener
	if m != nil {
		metricsLn, err = net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			return fmt.Errorf("METRICS_ADDR: %w", err)
		}
		metricsSrv = newHTTPServer(metricsHandler(m), log)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		if metricsLn != nil {
			metricsLn.Close()
		}
		return err
	}

	workerCtx, stopWorker := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Go(func() { worker.Run(workerCtx) })
	if hooks != nil {
		wg.Go(func() { hooks.Run(workerCtx) })
	}
	jan := janitor.New(st, janitor.Retention{
		SentMail:      cfg.RetentionSentMail,
		Expired:       cfg.RetentionExpired,
		RateLimits:    cfg.RetentionRateLimits,
		LoginFailures: cfg.RetentionLoginFailures,
		PendingUsers:  cfg.RetentionPendingUsers,
	})
	jan.Sessions = acc
	jan.Interval = cfg.JanitorInterval
	jan.Log = log.With("component", "janitor")
	wg.Go(func() { jan.Run(workerCtx) })
	// The session cache serves nothing until this proves it current
	// (internal/store/sessioncache.go).
	wg.Go(func() { st.RunSessionCache(workerCtx, log.With("component", "sessions")) })

	if metricsLn != nil {
		fmt.Fprintf(stdout, "Prometheus metrics at http://%s%s\n", metricsLn.Addr(), paths.Metrics)
	}
	fmt.Fprintf(stdout, "Gatehouse is listening on %s (public URL %s)\n", ln.Addr(), cfg.BaseURL)
	fmt.Fprintf(stdout, "Open %s/register to sign up.\n", cfg.BaseURL)
	if cfg.Platform.Upstream != nil {
		fmt.Fprintf(stdout, "Signed-in requests to any other path go to %s\n", cfg.Platform.Upstream)
	}
	if mailbox != nil {
		fmt.Fprintf(stdout, "Dev mailbox (DEV_MAILBOX, loopback clients only): %s%s — no mail leaves this machine\n", cfg.BaseURL, paths.DevMailbox)
	}

	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	if metricsSrv != nil {
		go func() { errc <- metricsSrv.Serve(metricsLn) }()
	}
	shutdown := func() error {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		err := srv.Shutdown(shutdownCtx)
		if metricsSrv != nil {
			// After the pages, so the last requests are still scraped.
			err = errors.Join(err, metricsSrv.Shutdown(shutdownCtx))
		}
		stopWorker()
		wg.Wait()
		return err
	}
	select {
	case err := <-errc:
		shutdown()
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: draining requests and the outbox worker")
	if err := shutdown(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// metricsHandler serves the scrape at /metrics and nothing else.
func metricsHandler(m *metrics.Metrics) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET "+paths.Metrics, m.Handler())
	return mux
}

// newHTTPServer bounds every phase of a connection, so slow clients cannot
// hold the server's resources.
func newHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// hashSlots sizes the hashing semaphore from the cores and the memory. One
// hash per core: argon2id with one lane keeps a core busy from start to
// end, so a second slot per core adds no hashes per second, only another
// live 19 MiB buffer and switches between hashes (every one finishing
// later). Under a memory limit (GOMEMLIMIT) at most half of it goes to
// argon2id.
func hashSlots(cores int, memLimit int64) int {
	slots := max(1, cores)
	if memLimit != math.MaxInt64 {
		perHash := int64(password.DefaultParams.Memory) * 1024
		slots = min(slots, max(1, int(memLimit/2/perHash)))
	}
	return slots
}

// memoryBase is what the server needs besides argon2id's buffers: under
// 500 concurrent sign-ins about 22 MiB of other live data, and room for the
// collector above it, so that the limit binds only in bursts rather than
// forcing collections all the time. At 128 MiB the resident peak under
// 500 sign-ins at once came to 252–254 MiB, too near the 256 MiB promised;
// 112 MiB leaves room for the stacks and buffers the limit does not count.
const memoryBase = 112 << 20

// gcPercent is the collector's GOGC when the server chose the memory
// limit itself. Every sign-in allocates a fresh 19 MiB that x/crypto's
// argon2 cannot reuse, so at Go's default of 100 the heap reached its goal
// every two or three hashes (the goal twice the live data, mostly the
// buffers of the hashes running) and each collection marked the rest of
// the live heap (about 16 MiB of password dictionaries and catalogues)
// again: 7 to 8 % of the server's CPU under 16 sign-ins at a time, against
// 3 % for argon2id alone. At 400 the memory limit, not GOGC, decides when
// to collect under load, about one collection for every six hashes, and
// the collector's share halves; the limit keeps memory where it was
// promised, and idle the heap stays small.
const gcPercent = 400

// defaultGCPercent is gcPercent unless the operator set GOGC (ok false).
// The server only calls it when it set the memory limit itself: without
// a limit a higher GOGC would let the heap grow to five times the live data.
func defaultGCPercent(getenv func(string) string) (pct int, ok bool) {
	if getenv("GOGC") != "" {
		return 0, false
	}
	return gcPercent, true
}

// defaultMemoryLimit is the soft memory limit (debug.SetMemoryLimit) the
// server sets when the operator set none: memoryBase plus twice the hashing
// buffers, as every hash allocates a fresh 19 MiB and the last ones are
// garbage until the next collection. Without any limit the heap may grow to
// twice the live data and more during a burst of sign-ins. ok is false when
// GOMEMLIMIT is set at all, "off" included: the operator's choice stands.
func defaultMemoryLimit(getenv func(string) string, slots int) (limit int64, ok bool) {
	if getenv("GOMEMLIMIT") != "" {
		return 0, false
	}
	return memoryBase + 2*int64(slots)*int64(password.DefaultParams.Memory)*1024, true
}

// sessionCacheStats reads the store's session cache for the metrics.
func sessionCacheStats(st *store.Store) metrics.SessionCacheFunc {
	return func() metrics.SessionCacheStats {
		c := st.SessionCacheStats()
		return metrics.SessionCacheStats{Hits: c.Hits, Misses: c.Misses, Bypassed: c.Bypassed, Flushes: c.Flushes, Stale: c.Stale,
			Entries: c.Entries, Serving: c.Serving, Postgres: st.Postgres(), Listening: c.Listening, NotifyLag: c.NotifyLag}
	}
}
