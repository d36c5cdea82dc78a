package handlers_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"gatehouse/handlers"
	"gatehouse/internal/account"
	"gatehouse/internal/handoff"
	"gatehouse/internal/store/storetest"
	"gatehouse/internal/testkit/platform"
)

// testAudience is the aud of every identity token in these tests.
const testAudience = "https://platform.test"

// withPlatform puts the fake platform behind the app.
func withPlatform(p *platform.Platform, public ...string) func(*appOptions) {
	return func(o *appOptions) {
		u, _ := url.Parse(p.URL)
		o.platform = handlers.Platform{Upstream: u, PublicPaths: public, Landing: "/"}
	}
}

// get fetches path as a browser navigation would, with extra headers.
func (b *browser) getWith(path string, hdr map[string]string) page {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.abs(path), nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return b.do(req)
}

// platformClaims verifies a token as a platform would: against the JWKS
// Gatehouse publishes, with iss, aud and expiry checked.
func platformClaims(t *testing.T, app *testApp, tok string) (jwt.Claims, handoff.Claims) {
	t.Helper()
	return platformClaimsFrom(t, app, "http://gatehouse.test", tok)
}

// platformClaimsFrom is platformClaims for a deployment whose BASE_URL,
// the issuer, is iss (onLocalhost serves at its own).
func platformClaimsFrom(t *testing.T, app *testApp, iss, tok string) (jwt.Claims, handoff.Claims) {
	t.Helper()
	resp, err := http.Get(app.URL + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=") {
		t.Errorf("JWKS Cache-Control %q", cc)
	}
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	parsed, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		t.Fatalf("token %q: %v", tok, err)
	}
	var std jwt.Claims
	var own handoff.Claims
	if err := parsed.Claims(set, &std, &own); err != nil {
		t.Fatalf("token does not verify with the JWKS: %v", err)
	}
	if err := std.ValidateWithLeeway(jwt.Expected{Issuer: iss, AnyAudience: jwt.Audience{testAudience}, Time: app.Now()}, 0); err != nil {
		t.Fatalf("claims %+v: %v", std, err)
	}
	if std.Expiry.Time().Sub(std.IssuedAt.Time()) > 5*time.Minute {
		t.Errorf("token lives %s", std.Expiry.Time().Sub(std.IssuedAt.Time()))
	}
	return std, own
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// A deep link of the platform survives sign-up with the email verified on
// another device: the person lands on it after the password is set and
// they sign in, and the platform sees who they are and nothing of the
// session.
func TestProxyDeepLinkThroughSignUpOnAnotherDevice(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		plat := platform.Start()
		defer plat.Close()
		app := newApp(t, backend, withPlatform(plat))
		deep := "/projects/42?tab=files&q=a%20b"
		login := "http://gatehouse.test/login?return_to=" + url.QueryEscape(deep)

		laptop := app.Browser()
		mustRedirect(t, laptop.getWith(deep, nil), login)
		if len(plat.Requests()) != 0 {
			t.Fatal("an anonymous request reached the platform")
		}
		p := laptop.Get(login)
		hidden := `name="return_to" value="` + html.EscapeString(deep) + `"`
		must(t, p, 200, hidden, `href="/register?return_to=`+url.QueryEscape(deep)+`"`)
		p = laptop.Get("/register?return_to=" + url.QueryEscape(deep))
		must(t, p, 200, hidden)
		form := registration("ada@example.com")
		form.Set("return_to", deep)
		mustRedirect(t, laptop.Post("/register", form), "/register/sent")

		phone := app.Browser()
		mustRedirect(t, phone.Get(app.LastLink("ada@example.com", "/activate")), "/password/set")
		p = phone.Post("/password/set", url.Values{"password": {goodPassword}, "password_confirm": {goodPassword}})
		mustRedirect(t, p, "/login?notice=password_set&return_to="+url.QueryEscape(deep))
		p = phone.Get(p.Header.Get("Location"))
		must(t, p, 200, `value="ada@example.com"`, hidden)
		p = phone.Post("/login", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}, "return_to": {deep}})
		mustRedirect(t, p, deep)
		p = phone.getWith(deep, map[string]string{"X-Gatehouse-Email": "boss@example.com", "Cookie": "theme=dark"})
		must(t, p, 200, "platform page /projects/42")
		if csp := p.Header.Get("Content-Security-Policy"); csp != "default-src 'self' 'unsafe-inline'" {
			t.Errorf("the platform's CSP became %q", csp)
		}

		got, _ := plat.Last()
		if got.Path != deep {
			t.Errorf("platform got %q, want %q", got.Path, deep)
		}
		h := got.Header
		if h.Get("X-Gatehouse-Email") != "ada@example.com" || len(h.Values("X-Gatehouse-Email")) != 1 {
			t.Errorf("X-Gatehouse-Email = %q", h.Values("X-Gatehouse-Email"))
		}
		id := h.Get("X-Gatehouse-User-Id")
		if !uuidRE.MatchString(id) {
			t.Errorf("X-Gatehouse-User-Id %q is not a random UUID", id)
		}
		if h.Get("X-Gatehouse-Given-Name") != "Ada" || h.Get("X-Gatehouse-Company") != "Analytical%20Engines%20Ltd" || h.Get("X-Gatehouse-Locale") != "en" {
			t.Errorf("identity headers %v", h)
		}
		if ck := h.Get("Cookie"); strings.Contains(ck, "gatehouse_session") || strings.Contains(ck, phone.Cookie("gatehouse_session")) {
			t.Errorf("the platform got the session cookie: %q", ck)
		}
		std, own := platformClaims(t, app, h.Get("X-Gatehouse-Token"))
		if std.Subject != id || own.Email != "ada@example.com" || !own.EmailVerified || own.GivenName != "Ada" ||
			own.FamilyName != "Lovelace" || own.Company != "Analytical Engines Ltd" || own.SessionID == "" ||
			strings.Contains(phone.Cookie("gatehouse_session"), own.SessionID) {
			t.Errorf("claims %+v %+v", std, own)
		}
		// The deep link is used once: a later sign-in lands on the default.
		again := app.Browser()
		mustRedirect(t, again.Post("/login", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}}), "/")
		must(t, again.getWith("/", nil), 200, "platform page /")
	})
}

// Only a local path is ever followed after sign-in (rule 23), from the
// query, the form and the account kept with a registration alike.
func TestRule23ReturnToOnlyLocal(t *testing.T) {
	app := newApp(t, storetest.SQLite)
	app.signUp("ada@example.com")
	for _, rt := range []string{"//evil.example/", "/\\evil.example", "https://evil.example/", "/%2F%2Fevil.example", "/\t/evil.example", "javascript:alert(1)"} {
		b := app.Browser()
		p := b.Get("/login?return_to=" + url.QueryEscape(rt))
		// (The language links keep the query as it was; it is checked
		// again wherever it is used.)
		if strings.Contains(p.Body, `name="return_to"`) || strings.Contains(p.Body, "/register?return_to") {
			t.Errorf("return_to %q is carried by the form", rt)
		}
		p = b.Post("/login", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}, "return_to": {rt}})
		mustRedirect(t, p, "/account")
	}
	b := app.signIn("ada@example.com", goodPassword)
	p := b.Get("/login?return_to=" + url.QueryEscape("//evil.example"))
	if loc := p.Header.Get("Location"); loc != "/account" {
		t.Errorf("signed in, /login?return_to=//evil goes to %q", loc)
	}
}

// Visitors who are not signed in never reach the platform, except on its
// public paths; each kind of client is told in a way it understands.
func TestProxyAnonymous(t *testing.T) {
	plat := platform.Start()
	defer plat.Close()
	app := newApp(t, storetest.SQLite, withPlatform(plat, "/public/"))
	b := app.Browser()

	req, _ := http.NewRequest("GET", app.URL+"/app/list", nil)
	req.Header.Set("HX-Request", "true")
	p := b.do(req)
	if p.StatusCode != 204 || p.Header.Get("HX-Redirect") != "http://gatehouse.test/login?return_to=%2Fapp%2Flist" {
		t.Errorf("htmx: %d HX-Redirect %q", p.StatusCode, p.Header.Get("HX-Redirect"))
	}
	for _, r := range []struct{ method, accept string }{{"GET", "application/json"}, {"POST", "text/html"}, {"DELETE", ""}} {
		req, _ := http.NewRequest(r.method, app.URL+"/api/items", nil)
		req.Header.Set("Accept", r.accept)
		p := b.do(req)
		var body map[string]string
		if p.StatusCode != 401 || p.Header.Get("Location") != "" || json.Unmarshal([]byte(p.Body), &body) != nil || body["error"] == "" {
			t.Errorf("%s %s: %d %q %s", r.method, r.accept, p.StatusCode, p.Header.Get("Location"), p.Body)
		}
	}
	if len(plat.Requests()) != 0 {
		t.Fatalf("anonymous requests reached the platform: %v", plat.Requests())
	}
	p = b.getWith("/public/logo.svg", map[string]string{"X-Gatehouse-User-Id": "1"})
	must(t, p, 200, "platform page /public/logo.svg")
	got, _ := plat.Last()
	for k := range got.Header {
		if strings.HasPrefix(strings.ToLower(k), "x-gatehouse") {
			t.Errorf("anonymous public request carried %s: %q", k, got.Header[k])
		}
	}
	// Gatehouse's own paths are never the platform's, whatever the method.
	n := len(plat.Requests())
	for _, path := range []string{"/auth/other", "/.well-known/openid-configuration", "/static/nothing", "/password/whatever", "/admin"} {
		if p := b.getWith(path, nil); p.StatusCode != 404 {
			t.Errorf("GET %s: %d, want 404", path, p.StatusCode)
		}
	}
	if p := b.Post("/account", url.Values{}); p.StatusCode != 405 {
		t.Errorf("POST /account: %d, want 405", p.StatusCode)
	}
	if len(plat.Requests()) != n {
		t.Errorf("a reserved path was proxied: %v", plat.Requests()[n:])
	}
	// Signed in, the public path carries the identity too.
	app.signUp("ada@example.com")
	in := app.Browser()
	mustRedirect(t, in.Post("/login", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}}), "/")
	in.getWith("/public/x", nil)
	if got, _ := plat.Last(); got.Header.Get("X-Gatehouse-Email") != "ada@example.com" {
		t.Errorf("signed-in public request without identity: %v", got.Header)
	}
}

// No header a client sends can speak for Gatehouse (rule 41): not on a
// proxied request, not on forward auth, whatever the case or spelling.
func TestRule41IdentityHeadersCannotBeForged(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		plat := platform.Start()
		defer plat.Close()
		app := newApp(t, backend, withPlatform(plat, "/public/"))
		forged := map[string]string{"X-Gatehouse-Email": "boss@example.com", "x-gatehouse-user-id": "1",
			"X_Gatehouse_Company": "Evil", "X-Gatehouse-Org-Role": "superuser", "X-Gatehouse-Org-Id": "org_forged", "X-Gatehouse-Token": "forged"}
		check := func(who string, signedIn bool) {
			t.Helper()
			got, _ := plat.Last()
			for k, v := range got.Header {
				lk := strings.ToLower(strings.ReplaceAll(k, "_", "-"))
				if !strings.HasPrefix(lk, "x-gatehouse-") {
					continue
				}
				for _, s := range v {
					if s == "boss@example.com" || s == "1" || s == "Evil" || s == "superuser" || s == "org_forged" || s == "forged" {
						t.Errorf("%s: forged %s: %q reached the platform", who, k, s)
					}
				}
				if !signedIn {
					t.Errorf("%s: %s reached the platform", who, k)
				}
			}
		}
		anon := app.Browser()
		must(t, anon.getWith("/public/a", forged), 200)
		check("signed out", false)

		app.signUp("ada@example.com")
		b := app.signInTo("ada@example.com", "/")
		must(t, b.getWith("/app", forged), 200)
		check("signed in", true)
		if got, _ := plat.Last(); got.Header.Get("X-Gatehouse-Email") != "ada@example.com" {
			t.Errorf("real identity missing: %v", got.Header)
		}

		p := b.getWith("/auth/verify", forged)
		if p.StatusCode != 200 || p.Header.Get("X-Gatehouse-Email") != "ada@example.com" || p.Header.Get("X-Gatehouse-Org-Role") != "owner" {
			t.Errorf("forward auth: %d %v", p.StatusCode, p.Header)
		}
	})
}

// Sign-out, a password reset and "end other sessions" cut access at once
// (rule 43): the very next proxied request and forward-auth call of the
// ended session is anonymous.
func TestRule43SignOutReachesThePlatform(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		plat := platform.Start()
		defer plat.Close()
		app := newApp(t, backend, withPlatform(plat))
		app.signUp("ada@example.com")
		signIn := func() (*browser, string) {
			b := app.Browser()
			mustRedirect(t, b.Post("/login", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}}), "/")
			must(t, b.getWith("/app", nil), 200)
			must(t, b.getWith("/auth/verify", nil), 200)
			return b, b.Cookie("gatehouse_session")
		}
		// replay sends an ended session's cookie as an attacker (or a
		// stale tab) would.
		refused := func(how, cookie string) {
			t.Helper()
			n := len(plat.Requests())
			c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			for _, path := range []string{"/app", "/auth/verify", "/auth/session"} {
				req, _ := http.NewRequest("GET", app.URL+path, nil)
				req.Header.Set("Cookie", "gatehouse_session="+cookie)
				resp, err := c.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != 401 || resp.Header.Get("X-Gatehouse-Email") != "" {
					t.Errorf("after %s, GET %s: %d", how, path, resp.StatusCode)
				}
			}
			if len(plat.Requests()) != n {
				t.Errorf("after %s the platform was reached", how)
			}
		}

		b, ck := signIn()
		mustRedirect(t, b.Post("/logout", nil), "/login?notice=signed_out")
		refused("sign-out", ck)

		keep, _ := signIn()
		other, ck := signIn()
		_ = other
		keep.Post("/account/sessions/end-others", nil)
		refused("end other sessions", ck)

		_, ck = signIn()
		fb := app.Browser()
		fb.Post("/password/forgot", url.Values{"email": {"ada@example.com"}})
		mustRedirect(t, fb.Get(app.LastLink("ada@example.com", "/password/reset")), "/password/reset")
		fb.Post("/password/reset", url.Values{"password": {"a brand new passphrase 2"}, "password_confirm": {"a brand new passphrase 2"}})
		refused("password reset", ck)

		// An idle session expires on the server.
		b = app.Browser()
		mustRedirect(t, b.Post("/login", url.Values{"email": {"ada@example.com"}, "password": {"a brand new passphrase 2"}}), "/")
		ck = b.Cookie("gatehouse_session")
		app.Advance(31 * time.Minute)
		refused("the idle timeout", ck)
	})
}

// A platform that is down or slow gets a translated page within
// UPSTREAM_TIMEOUT, never a hang and never Gatehouse's internals; readiness
// does not depend on it.
func TestProxyUpstreamDownOrSlow(t *testing.T) {
	plat := platform.Start()
	app := newApp(t, storetest.SQLite, func(o *appOptions) {
		withPlatform(plat)(o)
		o.platform.Timeout = 300 * time.Millisecond
	})
	app.signUp("ada@example.com")
	b := app.Browser()
	mustRedirect(t, b.Post("/login", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}}), "/")

	plat.SetStall(3 * time.Second)
	start := time.Now()
	p := b.getWith("/slow", nil)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("a stalled platform held the answer %s", took)
	}
	must(t, p, 504, "The application is taking too long")
	if p.Header.Get("Content-Security-Policy") == "" {
		t.Error("the 504 page lacks Gatehouse's CSP")
	}
	req, _ := http.NewRequest("GET", app.URL+"/slow", nil)
	req.Header.Set("HX-Request", "true")
	p = b.do(req)
	if p.StatusCode != 504 || p.Header.Get("HX-Retarget") != "#page-error" || strings.Contains(p.Body, "<html") {
		t.Errorf("htmx 504: %d %q %s", p.StatusCode, p.Header.Get("HX-Retarget"), p.Body)
	}

	plat.Close()
	p = b.getWith("/down", nil)
	must(t, p, 502, "Service unavailable")
	for _, leak := range []string{"dial", "127.0.0.1", "connection refused", plat.URL} {
		if strings.Contains(p.Body, leak) {
			t.Errorf("the 502 page shows %q", leak)
		}
	}
	if p := b.Get("/readyz"); p.StatusCode != 200 {
		t.Errorf("/readyz with the platform down: %d", p.StatusCode)
	}
}

// Proxied bodies stream both ways: events arrive as they are sent, an
// upgraded connection passes through, and an upload is not held to the
// form cap.
func TestProxyStreams(t *testing.T) {
	plat := platform.Start()
	defer plat.Close()
	app := newApp(t, storetest.SQLite, withPlatform(plat))
	app.signUp("ada@example.com")
	b := app.signInTo("ada@example.com", "/")

	req, _ := http.NewRequest("GET", app.URL+"/events", nil)
	req.Header.Set("Cookie", "gatehouse_session="+b.Cookie("gatehouse_session"))
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(resp.Body).ReadString('\n')
	if took := time.Since(start); line != "data: tick 0\n" || took > 350*time.Millisecond {
		t.Errorf("first event %q after %s (the stream takes 400 ms)", line, took)
	}
	resp.Body.Close()

	big := strings.Repeat("x", 1<<20)
	req, _ = http.NewRequest("POST", app.URL+"/upload", strings.NewReader(big))
	req.Header.Set("Cookie", "gatehouse_session="+b.Cookie("gatehouse_session"))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got, _ := plat.Last(); resp.StatusCode != 200 || got.BodySize != int64(len(big)) {
		t.Errorf("upload: %d, platform got %d bytes", resp.StatusCode, got.BodySize)
	}

	u, _ := url.Parse(app.URL)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /ws HTTP/1.1\r\nHost: %s\r\nConnection: Upgrade\r\nUpgrade: echo\r\nCookie: gatehouse_session=%s\r\n\r\n", u.Host, b.Cookie("gatehouse_session"))
	rd := bufio.NewReader(conn)
	resp, err = http.ReadResponse(rd, nil)
	if err != nil || resp.StatusCode != 101 {
		t.Fatalf("upgrade: %v %v", resp, err)
	}
	fmt.Fprint(conn, "hello\n")
	conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	if echo, _ := rd.ReadString('\n'); echo != "HELLO\n" {
		t.Errorf("through the upgrade: %q", echo)
	}
}

// signInTo signs in expecting to land on dest.
func (a *testApp) signInTo(email, dest string) *browser {
	a.t.Helper()
	b := a.Browser()
	mustRedirect(a.t, b.Post("/login", url.Values{"email": {email}, "password": {goodPassword}}), dest)
	return b
}

// Forward auth answers a proxy: identity for a live session, 401 without,
// and for a browser navigation a trusted proxy describes, the way to sign
// in and back.
func TestAuthVerifyAndSession(t *testing.T) {
	app := newApp(t, storetest.SQLite, func(o *appOptions) { o.trusted = []string{"127.0.0.1"} })
	b := app.Browser()
	nav := map[string]string{"X-Forwarded-Uri": "/app/x?y=1", "X-Forwarded-Method": "GET", "Accept": "text/html"}
	p := b.getWith("/auth/verify", nav)
	mustRedirect(t, p, "http://gatehouse.test/login?return_to="+url.QueryEscape("/app/x?y=1"))
	nav["X-Forwarded-Uri"] = "//evil.example/"
	mustRedirect(t, b.getWith("/auth/verify", nav), "http://gatehouse.test/login")
	if p := b.getWith("/auth/verify", map[string]string{"X-Original-URI": "/app"}); p.StatusCode != 401 {
		t.Errorf("nginx-style call without a session: %d, want 401", p.StatusCode)
	}
	if p := b.Get("/auth/session"); p.StatusCode != 401 || p.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("/auth/session signed out: %d %q", p.StatusCode, p.Header.Get("Cache-Control"))
	}

	app.signUp("ada@example.com")
	b = app.signIn("ada@example.com", goodPassword)
	p = b.getWith("/auth/verify", nil)
	if p.StatusCode != 200 || p.Header.Get("X-Gatehouse-Email") != "ada@example.com" || p.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("verify: %d %v", p.StatusCode, p.Header)
	}
	std, own := platformClaims(t, app, p.Header.Get("X-Gatehouse-Token"))
	p = b.Get("/auth/session")
	var s handlers.SessionJSON
	if err := json.Unmarshal([]byte(p.Body), &s); err != nil || p.StatusCode != 200 {
		t.Fatalf("/auth/session: %d %s", p.StatusCode, p.Body)
	}
	if s.User.ID != std.Subject || s.Session.ID != own.SessionID || s.User.Country != "GB" || !s.User.EmailVerified ||
		s.Session.ExpiresAt.Before(s.Session.CreatedAt) || p.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("/auth/session %+v", s)
	}
	// How the person signed in comes from the session, the same in all three.
	if got := p.Header.Get("X-Gatehouse-Auth-Methods"); got != "" {
		t.Errorf("/auth/session sends X-Gatehouse-Auth-Methods %q", got)
	}
	if !slices.Equal(s.Session.AMR, []string{"pwd"}) || s.Session.ACR != account.ACRPassword || !slices.Equal(own.AMR, s.Session.AMR) ||
		own.ACR != s.Session.ACR || own.AuthTime == nil || own.AuthTime.Time().Unix() != s.Session.AuthTime.Unix() ||
		s.Session.AuthTime.Unix() != s.Session.CreatedAt.Unix() {
		t.Errorf("how signed in: session %+v, token amr %v acr %q auth_time %v", s.Session, own.AMR, own.ACR, own.AuthTime)
	}
	if got := b.getWith("/auth/verify", nil).Header.Get("X-Gatehouse-Auth-Methods"); got != "pwd" {
		t.Errorf("X-Gatehouse-Auth-Methods = %q, want pwd", got)
	}

	// From a client that is not a trusted proxy the original URL is not
	// believed.
	other := newApp(t, storetest.SQLite)
	ob := other.Browser()
	if p := ob.getWith("/auth/verify", map[string]string{"X-Forwarded-Uri": "/app", "X-Forwarded-Method": "GET"}); p.StatusCode != 401 {
		t.Errorf("untrusted X-Forwarded-Uri: %d, want 401", p.StatusCode)
	}
	_ = io.Discard
}

// COOKIE_DOMAIN makes the session cookie __Secure- with that Domain, for
// forward auth across subdomains; without it the cookie stays host-only
// __Host-. Sign-out clears the cookie it set.
func TestCookieDomain(t *testing.T) {
	for _, tc := range []struct{ domain, name, attr string }{
		{"", "__Host-gatehouse_session=", ""},
		{"example.com", "__Secure-gatehouse_session=", "Domain=example.com"},
	} {
		app := newApp(t, storetest.SQLite, func(o *appOptions) {
			o.baseURL = "https://auth.example.com"
			o.platform.CookieDomain = tc.domain
		})
		app.signUp("ada@example.com")
		b := app.Browser()
		p := b.Post("/login", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}})
		var set string
		for _, c := range p.Header.Values("Set-Cookie") {
			if strings.HasPrefix(c, tc.name) {
				set = c
			}
		}
		if set == "" || !strings.Contains(set, "Secure") || !strings.Contains(set, "HttpOnly") ||
			(tc.attr != "" && !strings.Contains(set, tc.attr)) || (tc.attr == "" && strings.Contains(set, "Domain=")) {
			t.Errorf("COOKIE_DOMAIN=%q: Set-Cookie %q", tc.domain, p.Header.Values("Set-Cookie"))
		}
		raw := strings.TrimPrefix(strings.SplitN(set, ";", 2)[0], tc.name)
		req, _ := http.NewRequest("POST", app.URL+"/logout", nil)
		req.Header.Set("Cookie", tc.name+raw)
		p = b.do(req)
		cleared := false
		for _, c := range p.Header.Values("Set-Cookie") {
			if strings.HasPrefix(c, tc.name) && strings.Contains(c, "Max-Age=0") && (tc.attr == "" || strings.Contains(c, tc.attr)) {
				cleared = true
			}
		}
		if !cleared {
			t.Errorf("COOKIE_DOMAIN=%q: sign-out Set-Cookie %q", tc.domain, p.Header.Values("Set-Cookie"))
		}
	}
}
