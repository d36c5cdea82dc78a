package handlers_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"gatehouse/handlers"
	"gatehouse/internal/account"
	"gatehouse/internal/i18n"
	"gatehouse/internal/mail"
	"gatehouse/internal/password"
	"gatehouse/internal/ratelimit"
	"gatehouse/internal/store/storetest"
)

// newFuzzServer is the whole application over a fresh SQLite store, like
// newApp but for a fuzz target: it is built once and shared by every
// input, and hashes with tiny argon2 parameters so each input stays cheap.
func newFuzzServer(tb testing.TB, logs io.Writer) string {
	tb.Helper()
	st := storetest.Open(tb, storetest.SQLite)
	catalog, err := i18n.Load()
	if err != nil {
		tb.Fatal(err)
	}
	base, _ := url.Parse("http://gatehouse.test")
	acc, err := account.New(account.Deps{Store: st, Hasher: password.NewHasher(password.Params{Memory: 8, Time: 1, Threads: 1}, 4), Limiter: &ratelimit.Limiter{Counter: st, Now: time.Now}}, account.Config{
		BaseURL: base, ActivationTTL: 24 * time.Hour, ResetTTL: 45 * time.Minute,
		SessionIdle: 30 * time.Minute, SessionAbsolute: 12 * time.Hour,
		Policy: password.Policy{MinLength: 15, MaxLength: 256},
		Limits: tokenUsesOnly(),
	})
	if err != nil {
		tb.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h, err := handlers.New(handlers.Deps{
		Account: acc, Catalog: catalog, Ready: st.Ping, Mailbox: mail.NewMailbox(st),
		Log: log,
	})
	if err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	return srv.URL
}

// fuzzLog keeps the log lines of the current input only.
type fuzzLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *fuzzLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// Take returns the lines written since the last Take and forgets them.
func (l *fuzzLog) Take() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.b.String()
	l.b.Reset()
	return s
}

// formRoutes are the form handlers that parse a posted body.
var formRoutes = []string{"/register", "/login", "/password/forgot", "/register/validate?field=email"}

// Any body posted as a form to the form routes gets a page or a redirect,
// a refusal or a "try later", and never the 500 of a panic or an unhandled
// error. Redirects are not followed, and no cookies are kept.
func FuzzFormDecoding(f *testing.F) {
	logs := &fuzzLog{}
	base := newFuzzServer(f, logs)
	client := &http.Client{Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	for _, s := range []string{
		registration("fuzz@example.com").Encode(),
		url.Values{"email": {"fuzz@example.com"}, "password": {goodPassword}}.Encode(),
		url.Values{"email": {"ada@gmial.com"}}.Encode(),
		"", "=", "&&&", "a", "email", "email=", "email=%", "email=%zz", "email=%00", "email=a%0D%0A@example.com",
		"email=%E2%80%A8@example.com", "email=%FF%FE", "email=a+b@example.com", "email=a&email=b",
		"email;password=x", "password=" + strings.Repeat("x", 300) + "&email=a@example.com",
		"first_name=" + strings.Repeat("%C3%A9", 200) + "&accept_terms=on&country=ZZ",
		"country=GB&region=%00&phone=%2B44+20+7946+0958&email=x@y.z&accept_terms=yes",
		strings.Repeat("a=1&", 2000), "email=" + strings.Repeat("a", 70<<10),
	} {
		f.Add([]byte(s))
	}

	f.Fuzz(func(t *testing.T, body []byte) {
		ok := map[int]bool{200: true, 303: true, 400: true, 401: true, 413: true, 422: true, 429: true, 503: true}
		for _, route := range formRoutes {
			logs.Take()
			req, err := http.NewRequestWithContext(context.Background(), "POST", base+route, bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Accept-Language", "en")
			resp, err := client.Do(req)
			if err != nil {
				t.Fatalf("POST %s: %v", route, err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusInternalServerError && route == "/login" {
				if form, _ := url.ParseQuery(string(body)); strings.ContainsRune(form.Get("email"), 0) {
					// Found by this fuzzer (testdata/fuzz/FuzzFormDecoding): remove the skip once
					// Service.Login checks the address with CanonicalEmail before the lookup.
					t.Fatalf("POST /login with a NUL byte in the email is a 500: the raw address reaches the SQL query")
				}
			}
			if !ok[resp.StatusCode] {
				t.Fatalf("POST %s with %q: status %d\n%s", route, body, resp.StatusCode, logs.Take())
			}
		}
	})
}
