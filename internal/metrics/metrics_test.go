package metrics_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/mail"
	"gatehouse/internal/metrics"
)

func scrape(t *testing.T, m *metrics.Metrics, accept string) (string, string) {
	t.Helper()
	req := httptest.NewRequest("GET", "/metrics", nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("scrape: %d\n%s", rec.Code, rec.Body)
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
	return rec.Header().Get("Content-Type"), rec.Body.String()
}

func TestRegistryIsPrivateAndComplete(t *testing.T) {
	m := metrics.New(metrics.Options{OutboxStats: func(ctx context.Context, now time.Time) (int, time.Duration, error) {
		return 3, 90 * time.Second, nil
	}})
	m.ObserveHTTP("/login", "POST", 303, 40*time.Millisecond)
	m.ObserveHTTP("", "BREW", 405, time.Millisecond)
	m.MailSend(mail.ResultRetry)
	m.HashWait(20 * time.Millisecond)
	metrics.RateLimited("login_ip")

	for _, accept := range []string{"", "application/openmetrics-text; version=1.0.0", "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"} {
		ct, body := scrape(t, m, accept)
		if !strings.HasPrefix(ct, "text/plain") {
			t.Errorf("Accept %q: Content-Type %q, want text/plain", accept, ct)
		}
		for _, want := range []string{
			`gatehouse_http_requests_total{method="POST",route="/login",status="303"} 1`,
			// Any method a client makes up is one series, not one each.
			`gatehouse_http_requests_total{method="OTHER",route="unmatched",status="405"} 1`,
			`gatehouse_mail_sends_total{result="retry"} 1`,
			`gatehouse_mail_sends_total{result="sent"} 0`,
			`gatehouse_mail_sends_total{result="failed"} 0`,
			`gatehouse_password_hash_wait_seconds_count 1`,
			`gatehouse_rate_limited_total{rule="login_ip"}`,
			"gatehouse_outbox_pending 3",
			"gatehouse_outbox_oldest_pending_age_seconds 90",
			"go_goroutines ", "process_open_fds ",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("scrape lacks %q", want)
			}
		}
		if strings.Contains(body, "# EOF") {
			t.Error("OpenMetrics served; want the plain text format")
		}
	}
	// Nothing went to the global registry.
	mfs, err := metrics.DefaultGathererFamilies()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range mfs {
		if strings.HasPrefix(name, "gatehouse_") {
			t.Errorf("%s is in the global default registry", name)
		}
	}
}

// A failing outbox query leaves out the outbox gauges and logs; the rest
// of the scrape is still served.
func TestOutboxStatsError(t *testing.T) {
	var logs strings.Builder
	m := metrics.New(metrics.Options{
		OutboxStats: func(ctx context.Context, now time.Time) (int, time.Duration, error) {
			return 0, 0, errors.New("database is down")
		},
		Log: slog.New(slog.NewTextHandler(&logs, nil)),
	})
	_, body := scrape(t, m, "")
	if strings.Contains(body, "gatehouse_outbox_pending ") || !strings.Contains(body, "go_goroutines") {
		t.Errorf("scrape with a failing outbox query:\n%s", body)
	}
	if !strings.Contains(logs.String(), "database is down") {
		t.Errorf("error not logged: %q", logs.String())
	}
	_, body = scrape(t, m, "")
	if !strings.Contains(body, "promhttp_metric_handler_errors_total{cause=\"gathering\"} ") {
		t.Errorf("gathering errors not counted:\n%s", body)
	}
}

// A slow outbox query is cut off, so a scrape never hangs on the database.
func TestOutboxStatsTimeout(t *testing.T) {
	m := metrics.New(metrics.Options{
		StatsTimeout: 50 * time.Millisecond,
		OutboxStats: func(ctx context.Context, now time.Time) (int, time.Duration, error) {
			<-ctx.Done()
			return 0, 0, ctx.Err()
		},
		Log: slog.New(slog.DiscardHandler),
	})
	start := time.Now()
	scrape(t, m, "")
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("scrape took %v", d)
	}
}

// The session cache's series are read from its stats at each scrape; the
// listener's appear on PostgreSQL only.
func TestSessionCacheSeries(t *testing.T) {
	stats := metrics.SessionCacheStats{Hits: 40, Misses: 3, Bypassed: 2, Flushes: 5, Stale: 4, Entries: 7, Serving: true,
		Postgres: true, Listening: true, NotifyLag: 1500 * time.Microsecond}
	m := metrics.New(metrics.Options{SessionCache: func() metrics.SessionCacheStats { return stats }})
	_, body := scrape(t, m, "")
	for _, want := range []string{
		`gatehouse_session_cache_lookups_total{result="hit"} 40`,
		`gatehouse_session_cache_lookups_total{result="miss"} 3`,
		`gatehouse_session_cache_lookups_total{result="bypassed"} 2`,
		"gatehouse_session_cache_flushes_total 5",
		"gatehouse_session_cache_stale_total 4",
		"gatehouse_session_cache_entries 7",
		"gatehouse_session_cache_serving 1",
		"gatehouse_session_listener_up 1",
		"gatehouse_session_notify_lag_seconds 0.0015",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
	stats = metrics.SessionCacheStats{Hits: 41}
	_, body = scrape(t, m, "")
	if !strings.Contains(body, `gatehouse_session_cache_lookups_total{result="hit"} 41`) || !strings.Contains(body, "gatehouse_session_cache_serving 0") {
		t.Errorf("the second scrape did not read the stats again:\n%s", body)
	}
	if strings.Contains(body, "gatehouse_session_listener_up") {
		t.Error("listener series on SQLite")
	}
}
