package handlers_test

// Helpers shared by the security_*_test.go files (SECURITY.md). Every name
// here starts with "sec" so it cannot collide with other test files.

import (
	"context"
	"errors"
	"html"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"gatehouse/internal/account"
	"gatehouse/internal/logctx"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// secBackends are the databases every rule that touches the store runs on.
var secBackends = []storetest.Backend{storetest.SQLite, storetest.Postgres}

// secEachBackend runs fn once per backend as a subtest.
func secEachBackend(t *testing.T, fn func(t *testing.T, backend storetest.Backend)) {
	t.Helper()
	for _, backend := range secBackends {
		t.Run(string(backend), func(t *testing.T) { fn(t, backend) })
	}
}

// secPost posts form with extra headers and, when host is not empty, a
// forged Host header.
func secPost(b *browser, path string, form url.Values, hdr map[string]string, host string) page {
	b.t.Helper()
	req, _ := http.NewRequest("POST", b.abs(path), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	if host != "" {
		req.Host = host
	}
	return b.do(req)
}

// secRequest sends a body-less request with any method.
func secRequest(b *browser, method, path string) page {
	b.t.Helper()
	req, _ := http.NewRequest(method, b.abs(path), nil)
	return b.do(req)
}

// secBrowserWithCookie is a fresh browser whose jar holds only one cookie.
func secBrowserWithCookie(app *testApp, name, value string) *browser {
	b := app.Browser()
	u, _ := url.Parse(app.URL)
	b.jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/"}})
	return b
}

// secHeaders renders the headers of a response for byte-wise comparison:
// Date and X-Request-Id differ per request by design, the value of the
// gatehouse_sent and gatehouse_draft cookies echo what was typed, and gatehouse_verify is a
// fresh random binding each time, so their values are masked while their
// attributes are kept.
func secHeaders(h http.Header) string {
	h = h.Clone()
	h.Del("Date")
	h.Del("X-Request-Id")
	if list := h.Values("Set-Cookie"); len(list) > 0 {
		masked := make([]string, len(list))
		for i, c := range list {
			for _, name := range []string{"gatehouse_sent=", "gatehouse_verify=", "gatehouse_draft="} {
				if strings.HasPrefix(c, name) {
					rest := ""
					if j := strings.IndexByte(c, ';'); j >= 0 {
						rest = c[j:]
					}
					c = name + "MASKED" + rest
				}
			}
			masked[i] = c
		}
		h["Set-Cookie"] = masked
	}
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sb strings.Builder
	for _, k := range keys {
		for _, v := range h[k] {
			sb.WriteString(k + ": " + v + "\n")
		}
	}
	return sb.String()
}

// secMaskEmail replaces the address the form echoes back with a placeholder.
func secMaskEmail(body, email string) string {
	body = strings.ReplaceAll(body, html.EscapeString(email), "EMAIL")
	return strings.ReplaceAll(body, email, "EMAIL")
}

// secLinks returns every link with the given path found in text.
func secLinks(text, path string) []string {
	var out []string
	for _, l := range linkRE.FindAllString(text, -1) {
		if u, err := url.Parse(l); err == nil && u.Path == path {
			out = append(out, l)
		}
	}
	return out
}

// secToken is the token query parameter of a link.
func secToken(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil || u.Query().Get("token") == "" {
		t.Fatalf("no token in %q", link)
	}
	return u.Query().Get("token")
}

// secMailTotal delivers the outbox and counts every mail sent so far.
func secMailTotal(app *testApp) int {
	app.Mail("")
	list, err := app.Box.List(context.Background())
	if err != nil {
		app.t.Fatal(err)
	}
	return len(list)
}

// secCountUsers counts the user rows with this address by walking ids:
// the store has no count method, and a duplicate would show as two ids.
func secCountUsers(t *testing.T, st *store.Store, email string) int {
	t.Helper()
	n := 0
	for id := int64(1); id <= 100; id++ {
		u, err := st.UserByID(context.Background(), id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if strings.EqualFold(u.Email, email) {
			n++
		}
	}
	return n
}

// secUser loads a user by address, failing the test if absent.
func secUser(t *testing.T, st *store.Store, email string) *store.User {
	t.Helper()
	u, err := st.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatalf("user %s: %v", email, err)
	}
	return u
}

// secNoUser fails the test if an account exists for email.
func secNoUser(t *testing.T, st *store.Store, email string) {
	t.Helper()
	if u, err := st.UserByEmail(context.Background(), email); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("user %s exists (%+v, %v), want none", email, u, err)
	}
}

// secSignUpDirect makes an active account through the service, for apps
// whose Secure flow cookies a cookie jar will not send back over http.
func secSignUpDirect(t *testing.T, app *testApp, email string) {
	t.Helper()
	ctx := logctx.With(context.Background(), slog.New(slog.NewTextHandler(app.Logs, nil)))
	f := registration(email)
	var r account.Registration
	for _, name := range account.RegistrationFieldNames {
		r.Set(name, f.Get(name))
	}
	if _, err := app.Account.Register(ctx, r, account.Meta{Locale: "en"}); err != nil {
		t.Fatal(err)
	}
	raw := secToken(t, app.LastLink(email, "/activate"))
	if err := app.Account.Complete(ctx, account.Activation, raw, goodPassword, goodPassword, account.Meta{Locale: "en"}); err != nil {
		t.Fatal(err)
	}
}

// secSessionCookie is the session cookie a response sets, or nil.
func secSessionCookie(p page, name string) *http.Cookie {
	for _, c := range p.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// secRequiredCSP lists the directives SECURITY.md rule 33 demands.
var secRequiredCSP = []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'",
	"base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'"}

// secMustHardeningHeaders checks the headers rule 34 puts on every response.
func secMustHardeningHeaders(t *testing.T, p page) {
	t.Helper()
	csp := p.Header.Get("Content-Security-Policy")
	for _, d := range secRequiredCSP {
		if !strings.Contains(csp, d) {
			t.Errorf("%s %s (%d): CSP %q lacks %q", p.Request.Method, p.Request.URL.Path, p.StatusCode, csp, d)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("%s %s (%d): CSP %q allows inline code", p.Request.Method, p.Request.URL.Path, p.StatusCode, csp)
	}
	if got := p.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s %s (%d): X-Content-Type-Options %q", p.Request.Method, p.Request.URL.Path, p.StatusCode, got)
	}
	if got := p.Header.Get("Referrer-Policy"); got == "" {
		t.Errorf("%s %s (%d): no Referrer-Policy", p.Request.Method, p.Request.URL.Path, p.StatusCode)
	}
	if ct := p.Header.Get("Content-Type"); !strings.Contains(strings.ToLower(ct), "charset=utf-8") {
		t.Errorf("%s %s (%d): Content-Type %q lacks charset=utf-8", p.Request.Method, p.Request.URL.Path, p.StatusCode, ct)
	}
}
