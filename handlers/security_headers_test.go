package handlers_test

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/store/storetest"
)

// Rules 28, 33 and 34: every response, errors included, carries the
// strict CSP, nosniff, a Referrer-Policy, frame denial and an explicit
// charset; over https also HSTS; auth and signed-in pages are no-store.
func TestRule34HeadersOnEveryRoute(t *testing.T) {
	for _, base := range []string{"http://gatehouse.test", "https://gatehouse.test"} {
		t.Run(base, func(t *testing.T) {
			app := newApp(t, storetest.SQLite, func(o *appOptions) { o.baseURL = base })
			app.signUp("headers@example.com")
			b := app.Browser()
			mustRedirect(t, b.Post("/login", url.Values{"email": {"headers@example.com"}, "password": {goodPassword}}), "/account")
			pages := []struct {
				method, path string
				noStore      bool
			}{
				{"GET", "/login", true}, {"GET", "/register", true}, {"GET", "/password/forgot", true},
				{"GET", "/password/reset?token=nope", true}, {"GET", "/activate?token=nope", true},
				{"GET", "/account", true}, {"GET", "/register/sent", true}, {"GET", "/no/such/page", true},
				{"DELETE", "/login", true}, {"GET", "/static/app.css", false}, {"GET", "/healthz", true},
			}
			for _, pg := range pages {
				req, _ := http.NewRequest(pg.method, b.abs(pg.path), nil)
				p := b.do(req)
				h := p.Header
				if !strings.Contains(h.Get("Content-Security-Policy"), "script-src 'self'; style-src 'self'") ||
					!strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
					t.Errorf("%s %s: CSP %q", pg.method, pg.path, h.Get("Content-Security-Policy"))
				}
				if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" || h.Get("X-Frame-Options") != "DENY" {
					t.Errorf("%s %s: nosniff/Referrer-Policy/X-Frame-Options missing: %v", pg.method, pg.path, h)
				}
				if !strings.Contains(h.Get("Content-Type"), "charset=utf-8") {
					t.Errorf("%s %s: Content-Type %q lacks the charset", pg.method, pg.path, h.Get("Content-Type"))
				}
				hsts := h.Get("Strict-Transport-Security")
				if strings.HasPrefix(base, "https") != (hsts != "") {
					t.Errorf("%s %s over %s: HSTS %q", pg.method, pg.path, base, hsts)
				}
				if pg.noStore && h.Get("Cache-Control") != "no-store" {
					t.Errorf("%s %s: Cache-Control %q, want no-store", pg.method, pg.path, h.Get("Cache-Control"))
				}
			}
		})
	}
}

// Rule 2: registering a new and an existing address take the same time:
// both write to the outbox in one transaction and neither calls Resend.
// Medians over interleaved requests must be within a few milliseconds.
func TestRule02NoTimingOracle(t *testing.T) {
	app := newApp(t, storetest.SQLite, func(o *appOptions) { o.limits = looseLimits() })
	app.signUp("exists@example.com")
	var known, fresh []time.Duration
	for i := range 40 {
		for _, addr := range []string{"exists@example.com", "new" + strconv.Itoa(i) + "@example.com"} {
			b := app.Browser()
			start := time.Now()
			mustRedirect(t, b.Post("/register", registration(addr)), "/register/sent")
			d := time.Since(start)
			if addr == "exists@example.com" {
				known = append(known, d)
			} else {
				fresh = append(fresh, d)
			}
		}
	}
	mk, mf := median(known), median(fresh)
	if diff := (mk - mf).Abs(); diff > 10*time.Millisecond {
		t.Fatalf("median registration time: existing %v, new %v: differ by %v", mk, mf, diff)
	}
	t.Logf("median registration time: existing %v, new %v", mk, mf)
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// The language switcher returns to the current path; a path that would
// read as another host ("//evil.example") must not become an off-site
// return.
func TestLanguageLinksStayOnSite(t *testing.T) {
	app := newApp(t, storetest.SQLite)
	b := app.Browser()
	for _, path := range []string{"//evil.example/x", "/%5Cevil.example/x", "/\\evil.example"} {
		req, _ := http.NewRequest("GET", app.URL+"/", nil)
		req.URL.Opaque = path
		p := b.do(req)
		if strings.Contains(p.Body, `href="//`) || strings.Contains(p.Body, `href="/\`) || strings.Contains(p.Body, `value="//`) ||
			strings.Contains(p.Body, `value="/\`) || strings.Contains(p.Body, "evil.example") {
			t.Errorf("GET %s: an off-site language link:\n%s", path, p.Body)
		}
	}
}
