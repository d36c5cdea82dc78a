package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gatehouse/handlers"
	"gatehouse/internal/account"
	"gatehouse/internal/handoff"
	"gatehouse/internal/i18n"
	"gatehouse/internal/mail"
	"gatehouse/internal/password"
	"gatehouse/internal/ratelimit"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
	"gatehouse/internal/testkit/resendfake"
)

// testApp is the whole application over a real store and a real HTTP
// server, with the dev mailbox and an adjustable clock.
type testApp struct {
	t       *testing.T
	URL     string
	Store   *store.Store
	Account *account.Service
	Box     *mail.Mailbox
	Worker  *mail.Worker
	Logs    *syncBuffer
	// Resend and WebhookSecret are set with withResend.
	Resend        *resendfake.Server
	WebhookSecret string
	// Unreachable, while set, drops every connection unanswered, as a
	// network that is down would: what a service worker's own fetch sees.
	Unreachable atomic.Bool

	mu  sync.Mutex
	now time.Time
}

type appOptions struct {
	baseURL      string
	tokenRule    ratelimit.Rule
	verification string
	pseudo       bool // load the pseudo-locale too
	limits       account.Limits
	trusted      []string // TRUSTED_PROXIES
	// repeats keeps the double-submit guard on; the clock stands still in
	// tests, so every repeated request would otherwise count as a double
	// click.
	repeats  bool
	platform handlers.Platform
	webhooks bool
	// terms are TERMS_URL and PRIVACY_URL; both set unless noTerms
	// clears them.
	terms account.Terms
	// resend sends mail through a fake Resend (testApp.Resend) rather
	// than the dev mailbox, with its delivery events taken at
	// /webhooks/resend (signed with testApp.WebhookSecret).
	resend bool
}

// withResend is a deployment that sends through (a fake) Resend and takes
// its delivery events.
func withResend(o *appOptions) { o.resend = true }

// testTerms are the documents the test app's sign-up accepts.
var testTerms = account.Terms{TermsURL: "https://legal.example/terms", PrivacyURL: "https://legal.example/privacy"}

// noTerms is a deployment that names no terms, so sign-up asks for none.
func noTerms(o *appOptions) { o.terms = account.Terms{} }

// syncBuffer collects log output from concurrent requests.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var hasher = password.NewHasher(password.DefaultParams, 4)

func newApp(t *testing.T, backend storetest.Backend, opts ...func(*appOptions)) *testApp {
	t.Helper()
	o := appOptions{baseURL: "http://gatehouse.test", tokenRule: ratelimit.Rule{Max: 1000, Window: time.Minute}, terms: testTerms}
	for _, f := range opts {
		f(&o)
	}
	st := storetest.Open(t, backend)
	load := i18n.Load
	if o.pseudo {
		load = i18n.LoadWithPseudo
	}
	catalog, err := load()
	if err != nil {
		t.Fatal(err)
	}
	a := &testApp{t: t, Store: st, Logs: &syncBuffer{}, now: time.Now().UTC()}
	base, _ := url.Parse(o.baseURL)
	limits := o.limits
	if limits == (account.Limits{}) {
		limits = account.DefaultLimits
	}
	limits.TokenPerIP = o.tokenRule
	acc, err := account.New(account.Deps{Store: st, Hasher: hasher, Limiter: &ratelimit.Limiter{Counter: st, Now: a.Now}, Now: a.Now}, account.Config{
		BaseURL: base, ActivationTTL: 24 * time.Hour, ResetTTL: 45 * time.Minute,
		SessionIdle: 30 * time.Minute, SessionAbsolute: 12 * time.Hour,
		Policy:         password.Policy{MinLength: 15, MaxLength: 256},
		Verification:   o.verification,
		Terms:          o.terms,
		Limits:         limits,
		RepeatWindow:   repeatWindow(o.repeats),
		Webhooks:       o.webhooks,
		DeliveryEvents: o.resend,
	})
	if err != nil {
		t.Fatal(err)
	}
	a.Account = acc
	a.Box = mail.NewMailbox(st)
	log := slog.New(slog.NewTextHandler(a.Logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var sender mail.Sender = a.Box
	var events *mail.Webhooks
	if o.resend {
		a.Resend = resendfake.New()
		t.Cleanup(a.Resend.Close)
		r, err := mail.NewResend("re_test", a.Resend.URL(), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		sender = r
		a.WebhookSecret = resendfake.NewWebhookSecret()
		events = mail.NewWebhooks(a.WebhookSecret, st, log)
	}
	a.Worker = mail.NewWorker(st, sender, func(ctx context.Context, row store.OutboxMessage) (mail.Message, error) {
		return renderForTest(catalog, ctx, row)
	}, "Gatehouse <test@gatehouse.test>")
	a.Worker.Now = a.Now
	a.Worker.Log = log
	platform := o.platform
	platform.BaseURL = base
	platform.Keys = handoff.NewKeyring(st, a.Now)
	if err := platform.Keys.Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	platform.Tokens = handoff.NewIssuer(platform.Keys, o.baseURL, testAudience, a.Now)
	if platform.Timeout == 0 {
		platform.Timeout = 5 * time.Second
	}
	h, err := handlers.New(handlers.Deps{
		Platform: platform,
		Account:  acc, Catalog: catalog, Ready: st.Ping, Mailbox: a.Box, ResendWebhook: events,
		SecureCookies:  base.Scheme == "https",
		TrustedProxies: o.trusted,
		Log:            log, Now: a.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.Unreachable.Load() {
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	a.URL = srv.URL
	return a
}

// repeatWindow is the double-submit guard's window: the default when on.
func repeatWindow(on bool) time.Duration {
	if on {
		return 0
	}
	return -1
}

// Now is the app's clock.
func (a *testApp) Now() time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.now
}

// Advance moves the clock forward.
func (a *testApp) Advance(d time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.now = a.now.Add(d)
}

// Mail sends whatever the outbox holds and returns the mail delivered to
// addr so far, oldest first.
func (a *testApp) Mail(addr string) []mail.Delivered {
	a.t.Helper()
	for {
		n, err := a.Worker.RunOnce(context.Background())
		if err != nil {
			a.t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	var out []mail.Delivered
	list, err := a.Box.List(context.Background())
	if err != nil {
		a.t.Fatal(err)
	}
	for i := len(list) - 1; i >= 0; i-- {
		if strings.EqualFold(list[i].To, addr) {
			out = append(out, list[i])
		}
	}
	return out
}

var linkRE = regexp.MustCompile(`https?://[^\s<>"]+`)

// LastLink returns the link with the given path from the newest mail to addr.
func (a *testApp) LastLink(addr, path string) string {
	a.t.Helper()
	mails := a.Mail(addr)
	if len(mails) == 0 {
		a.t.Fatalf("no mail to %s", addr)
	}
	for _, l := range linkRE.FindAllString(mails[len(mails)-1].Text, -1) {
		if u, err := url.Parse(l); err == nil && u.Path == path && u.Query().Get("token") != "" {
			return l
		}
	}
	a.t.Fatalf("no %s link in mail to %s:\n%s", path, addr, mails[len(mails)-1].Text)
	return ""
}

// browser is one visitor with a cookie jar; it does not follow redirects
// by itself, so tests see every 303.
type browser struct {
	t    *testing.T
	app  *testApp
	c    *http.Client
	jar  *cookiejar.Jar
	head http.Header
}

func (a *testApp) Browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: a.t, app: a, jar: jar, head: http.Header{"Accept-Language": {"en"}},
		c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	*http.Response
	Body string
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	for k, v := range b.head {
		req.Header[k] = v
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return page{resp, string(body)}
}

func (b *browser) abs(path string) string {
	if strings.HasPrefix(path, "http") {
		u, _ := url.Parse(path)
		return b.app.URL + u.RequestURI()
	}
	return b.app.URL + path
}

func (b *browser) Get(path string) page {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.abs(path), nil)
	return b.do(req)
}

func (b *browser) Post(path string, form url.Values) page {
	b.t.Helper()
	req, _ := http.NewRequest("POST", b.abs(path), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// Follow follows redirects from p like a browser, returning the final page.
func (b *browser) Follow(p page) page {
	b.t.Helper()
	for i := 0; i < 10 && p.StatusCode >= 300 && p.StatusCode < 400; i++ {
		p = b.Get(p.Header.Get("Location"))
	}
	return p
}

func (b *browser) Cookie(name string) string {
	u, _ := url.Parse(b.app.URL)
	for _, c := range b.jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

func must(t *testing.T, p page, status int, contains ...string) {
	t.Helper()
	if p.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d\n%s", p.Request.Method, p.Request.URL.Path, p.StatusCode, status, p.Body)
	}
	for _, s := range contains {
		if !strings.Contains(p.Body, s) {
			t.Fatalf("%s %s: body lacks %q\n%s", p.Request.Method, p.Request.URL.Path, s, p.Body)
		}
	}
}

func mustRedirect(t *testing.T, p page, to string) {
	t.Helper()
	if p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != to {
		t.Fatalf("%s %s: %d to %q, want 303 to %q\n%s", p.Request.Method, p.Request.URL.Path, p.StatusCode, p.Header.Get("Location"), to, p.Body)
	}
}

const goodPassword = "correct horse battery staple"

func registration(email string) url.Values {
	return url.Values{"first_name": {"Ada"}, "last_name": {"Lovelace"}, "company": {"Analytical Engines Ltd"},
		"country": {"GB"}, "email": {email}, "phone": {"+44 20 7946 0958"}, "accept_terms": {"on"}}
}

// signUp walks registration to an active account with goodPassword.
func (a *testApp) signUp(email string) {
	a.t.Helper()
	b := a.Browser()
	mustRedirect(a.t, b.Post("/register", registration(email)), "/register/sent")
	p := b.Get(a.LastLink(email, "/activate"))
	mustRedirect(a.t, p, "/password/set")
	p = b.Post("/password/set", url.Values{"password": {goodPassword}, "password_confirm": {goodPassword}})
	mustRedirect(a.t, p, "/login?notice=password_set")
}

// signIn returns a browser signed in as email.
func (a *testApp) signIn(email, pw string) *browser {
	a.t.Helper()
	b := a.Browser()
	mustRedirect(a.t, b.Post("/login", url.Values{"email": {email}, "password": {pw}}), "/account")
	return b
}
