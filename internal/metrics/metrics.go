// Package metrics holds Gatehouse's Prometheus metrics in a registry of its
// own (never the global default), and serves them as plain text.
//
// The other packages stay free of Prometheus: the handlers call
// ObserveHTTP, the outbox worker and the password hasher take plain func
// hooks that run.go points at MailSend and HashWait, and the outbox gauges
// are read from the store on each scrape.
package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"gatehouse/internal/mail"
)

// UnmatchedRoute is the route label of requests no route matched (404, 405):
// the raw path is never a label, so scanners cannot grow the series.
const UnmatchedRoute = "unmatched"

// OutboxStatsFunc reports the outbox's pending rows and the age of the
// oldest of them at now.
type OutboxStatsFunc func(ctx context.Context, now time.Time) (pending int, oldest time.Duration, err error)

// Options configure New.
type Options struct {
	// OutboxStats, when set, is queried on every scrape for the outbox gauges.
	OutboxStats OutboxStatsFunc
	// SessionCache, when set, is read on every scrape for the session
	// cache's series.
	SessionCache SessionCacheFunc
	// StatsTimeout bounds that query; 0 means 2 s.
	StatsTimeout time.Duration
	// Log receives scrape errors; nil means slog.Default().
	Log *slog.Logger
}

// Metrics is one registry with Gatehouse's collectors.
type Metrics struct {
	Registry *prometheus.Registry

	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	sends    *prometheus.CounterVec
	hashWait prometheus.Histogram
	log      *slog.Logger
	handler  http.Handler
}

// rateLimited is package-level so handlers can count a rejection with
// RateLimited without being handed a *Metrics; every registry New builds
// collects it.
var rateLimited = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "gatehouse_rate_limited_total",
	Help: "Requests rejected by a rate limit, by rule.",
}, []string{"rule"})

// RateLimited counts one request rejected by the named rate-limit rule.
// The rule must be a fixed name from code, never user input.
func RateLimited(rule string) { rateLimited.WithLabelValues(rule).Inc() }

// New builds the registry: HTTP, outbox, mail, hashing and rate-limit
// metrics, plus the Go runtime and process collectors.
func New(o Options) *Metrics {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.StatsTimeout <= 0 {
		o.StatsTimeout = 2 * time.Second
	}
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gatehouse_http_requests_total",
			Help: "HTTP requests served, by route template, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gatehouse_http_request_duration_seconds",
			Help:    "Time to serve an HTTP request, by route template, method and status.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method", "status"}),
		sends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gatehouse_mail_sends_total",
			Help: "Outbox send attempts by result: sent, retry (will be tried again) or failed (given up).",
		}, []string{"result"}),
		hashWait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "gatehouse_password_hash_wait_seconds",
			Help:    "Time an argon2id hash or verification queued for a hashing slot (including those turned away busy).",
			Buckets: []float64{0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5},
		}),
		log: o.Log,
	}
	for _, r := range []mail.Result{mail.ResultSent, mail.ResultRetry, mail.ResultFailed} {
		m.sends.WithLabelValues(string(r))
	}
	m.Registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.duration, m.sends, m.hashWait, rateLimited,
	)
	if o.OutboxStats != nil {
		m.Registry.MustRegister(&outboxCollector{stats: o.OutboxStats, timeout: o.StatsTimeout})
	}
	if o.SessionCache != nil {
		m.Registry.MustRegister(&sessionCacheCollector{stats: o.SessionCache})
	}
	m.handler = m.newHandler()
	return m
}

// ObserveHTTP records one served request. route is the route template
// (Gin's FullPath), "" when nothing matched.
func (m *Metrics) ObserveHTTP(route, method string, status int, d time.Duration) {
	if route == "" {
		route = UnmatchedRoute
	}
	labels := prometheus.Labels{"route": route, "method": normalMethod(method), "status": strconv.Itoa(status)}
	m.requests.With(labels).Inc()
	m.duration.With(labels).Observe(d.Seconds())
}

// normalMethod keeps the method label to a fixed set: a client can send any
// token as a method.
func normalMethod(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return method
	}
	return "OTHER"
}

// MailSend counts one outbox send attempt by its result, which is the
// result label as it stands; it fits mail.Worker's OnResult hook.
func (m *Metrics) MailSend(result mail.Result) { m.sends.WithLabelValues(string(result)).Inc() }

// HashWait records how long a hash queued for a slot; it fits
// password.Hasher's OnWait hook.
func (m *Metrics) HashWait(d time.Duration) { m.hashWait.Observe(d.Seconds()) }

// Handler serves the registry in the Prometheus text format, never cached.
func (m *Metrics) Handler() http.Handler { return m.handler }

func (m *Metrics) newHandler() http.Handler {
	h := promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(m.log.Handler(), slog.LevelWarn),
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      m.Registry, // promhttp_metric_handler_errors_total
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		// Plain text whatever the scraper asks for (protobuf, OpenMetrics).
		r = r.Clone(r.Context())
		r.Header.Set("Accept", "text/plain")
		h.ServeHTTP(w, r)
	})
}

// outboxCollector reads the outbox gauges from the store on each scrape.
type outboxCollector struct {
	stats   OutboxStatsFunc
	timeout time.Duration
}

var (
	outboxPendingDesc = prometheus.NewDesc("gatehouse_outbox_pending",
		"Outbox rows waiting to be sent (status pending), read from the database at scrape time.", nil, nil)
	outboxOldestDesc = prometheus.NewDesc("gatehouse_outbox_oldest_pending_age_seconds",
		"Age of the oldest pending outbox row (0 when none), read from the database at scrape time.", nil, nil)
)

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- outboxPendingDesc
	ch <- outboxOldestDesc
}

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	pending, oldest, err := c.stats(ctx, time.Now())
	if err != nil {
		// Served without the outbox gauges; the error goes to the log and
		// promhttp_metric_handler_errors_total.
		ch <- prometheus.NewInvalidMetric(outboxPendingDesc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(outboxPendingDesc, prometheus.GaugeValue, float64(pending))
	ch <- prometheus.MustNewConstMetric(outboxOldestDesc, prometheus.GaugeValue, oldest.Seconds())
}

// SessionCacheStats is what the session cache reports (store.SessionCacheStats).
type SessionCacheStats struct {
	Hits, Misses, Bypassed, Flushes uint64
	// Stale counts the returns to serving after the cache was not current.
	Stale   uint64
	Entries int
	Serving bool
	// Postgres says the listener series apply (Listening, NotifyLag).
	Postgres  bool
	Listening bool
	NotifyLag time.Duration
}

// SessionCacheFunc reads the session cache's counters and state.
type SessionCacheFunc func() SessionCacheStats

// sessionCacheCollector reads the session cache on each scrape.
type sessionCacheCollector struct{ stats SessionCacheFunc }

var (
	sessionLookupsDesc = prometheus.NewDesc("gatehouse_session_cache_lookups_total",
		"Session lookups outside a transaction, by result: hit (served from the cache), miss (read from the database while the cache was current) or bypassed (read from the database because the cache was not current).",
		[]string{"result"}, nil)
	sessionFlushesDesc = prometheus.NewDesc("gatehouse_session_cache_flushes_total",
		"Times the session cache dropped every entry (a write to a table the lookup reads, a listener coming back).", nil, nil)
	sessionStaleDesc = prometheus.NewDesc("gatehouse_session_cache_stale_total",
		"Times the session cache came back to serving after it was not current (the start, a late heartbeat or poll, a listener outage).", nil, nil)
	sessionEntriesDesc = prometheus.NewDesc("gatehouse_session_cache_entries",
		"Sessions held in the cache.", nil, nil)
	sessionServingDesc = prometheus.NewDesc("gatehouse_session_cache_serving",
		"1 while the session cache serves entries (its listener or poll is current), 0 while every lookup reads the database.", nil, nil)
	sessionListeningDesc = prometheus.NewDesc("gatehouse_session_listener_up",
		"PostgreSQL: 1 while the session cache's LISTEN connection is up.", nil, nil)
	sessionLagDesc = prometheus.NewDesc("gatehouse_session_notify_lag_seconds",
		"PostgreSQL: the last heartbeat's trip from NOTIFY to the listener, what a change on another instance takes to reach this one's cache.", nil, nil)
)

func (c *sessionCacheCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{sessionLookupsDesc, sessionFlushesDesc, sessionStaleDesc, sessionEntriesDesc, sessionServingDesc, sessionListeningDesc, sessionLagDesc} {
		ch <- d
	}
}

func (c *sessionCacheCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.stats()
	ch <- prometheus.MustNewConstMetric(sessionLookupsDesc, prometheus.CounterValue, float64(s.Hits), "hit")
	ch <- prometheus.MustNewConstMetric(sessionLookupsDesc, prometheus.CounterValue, float64(s.Misses), "miss")
	ch <- prometheus.MustNewConstMetric(sessionLookupsDesc, prometheus.CounterValue, float64(s.Bypassed), "bypassed")
	ch <- prometheus.MustNewConstMetric(sessionFlushesDesc, prometheus.CounterValue, float64(s.Flushes))
	ch <- prometheus.MustNewConstMetric(sessionStaleDesc, prometheus.CounterValue, float64(s.Stale))
	ch <- prometheus.MustNewConstMetric(sessionEntriesDesc, prometheus.GaugeValue, float64(s.Entries))
	ch <- prometheus.MustNewConstMetric(sessionServingDesc, prometheus.GaugeValue, boolValue(s.Serving))
	if s.Postgres {
		ch <- prometheus.MustNewConstMetric(sessionListeningDesc, prometheus.GaugeValue, boolValue(s.Listening))
		ch <- prometheus.MustNewConstMetric(sessionLagDesc, prometheus.GaugeValue, s.NotifyLag.Seconds())
	}
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
