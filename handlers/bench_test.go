package handlers_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gatehouse/internal/store/storetest"
)

// The handler benchmarks go through the whole stack: an HTTP request over
// loopback to httptest's server, the security headers, cross-origin
// protection, Gin, the middleware (with metrics on, as in production), the
// handler, internal/account and the store. They measure one request at a
// time; throughput under concurrency is the load tool's job.
//
//	go test -run '^$' -bench . -benchmem ./handlers/
//	TEST_DATABASE_URL=postgres://… go test -run '^$' -bench . -benchmem ./handlers/  (adds PostgreSQL)

func benchPost(b *testing.B, u string, form url.Values, header http.Header, want int) {
	req, _ := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	req.Header = header
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := noRedirects.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		b.Fatalf("POST %s: %d, want %d\n%.500s", u, resp.StatusCode, want, body)
	}
}

// clientIP gives each iteration its own client address through the
// trusted proxy, so per-IP rate limits never trip the loop.
func clientIP(i int) http.Header {
	return http.Header{"X-Forwarded-For": {fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)}}
}

var benchProxy = []string{"127.0.0.1"}

// BenchmarkRegisterPage is one GET of the sign-up form as served, with
// every country in the select, in Japanese with Japan preselected.
func BenchmarkRegisterPage(b *testing.B) {
	a := newOpsApp(b, storetest.SQLite, opsOptions{metrics: true, quiet: true})
	req, _ := http.NewRequest("GET", a.URL+"/register", nil)
	req.Header.Set("Accept-Language", "ja-JP,ja;q=0.9,en;q=0.8")
	for b.Loop() {
		resp, err := noRedirects.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("GET /register: %d\n%.500s", resp.StatusCode, body)
		}
	}
}

// BenchmarkValidateEmail is one inline validation: htmx posts the form
// when the email field changes, and gets the field back.
func BenchmarkValidateEmail(b *testing.B) {
	a := newOpsApp(b, storetest.SQLite, opsOptions{metrics: true, quiet: true, trustedProxies: benchProxy})
	form := registration("ada@example.com")
	u := a.URL + "/register/validate?field=email"
	i := 0
	for b.Loop() {
		h := clientIP(i)
		h.Set("HX-Request", "true")
		benchPost(b, u, form, h, http.StatusOK)
		i++
	}
}

// BenchmarkRegister is one sign-up submit of a new address: validation,
// the user row, the token and the outbox row in one transaction, and the
// redirect to the "check your inbox" step.
func BenchmarkRegister(b *testing.B) {
	for _, backend := range []storetest.Backend{storetest.SQLite, storetest.Postgres} {
		b.Run(string(backend), func(b *testing.B) {
			a := newOpsApp(b, backend, opsOptions{metrics: true, quiet: true, trustedProxies: benchProxy})
			i := 0
			for b.Loop() {
				benchPost(b, a.URL+"/register", registration(fmt.Sprintf("user%d@example.com", i)), clientIP(i), http.StatusSeeOther)
				i++
			}
		})
	}
}

// BenchmarkSignIn is one successful sign-in: argon2id verification at
// DefaultParams, a new session row and the redirect to /account. Compare
// it with BenchmarkArgon2idDefault in internal/password.
func BenchmarkSignIn(b *testing.B) {
	for _, backend := range []storetest.Backend{storetest.SQLite, storetest.Postgres} {
		b.Run(string(backend), func(b *testing.B) {
			a := newOpsApp(b, backend, opsOptions{metrics: true, quiet: true, trustedProxies: benchProxy})
			a.activeUser(b, "ada@example.com", goodPassword)
			form := url.Values{"email": {"ada@example.com"}, "password": {goodPassword}}
			i := 0
			for b.Loop() {
				benchPost(b, a.URL+"/login", form, clientIP(i), http.StatusSeeOther)
				i++
			}
		})
	}
}

// BenchmarkAuthVerify is one forward-auth call (GET /auth/verify) with a
// live session, answered from the session cache as run.go serves it, and
// with the cache off (every call reads the database).
func BenchmarkAuthVerify(b *testing.B) {
	for _, backend := range []storetest.Backend{storetest.SQLite, storetest.Postgres} {
		for _, cached := range []bool{true, false} {
			name := string(backend) + "/uncached"
			if cached {
				name = string(backend) + "/cached"
			}
			b.Run(name, func(b *testing.B) {
				a := newOpsApp(b, backend, opsOptions{metrics: true, quiet: true, trustedProxies: benchProxy, sessionCache: cached})
				a.activeUser(b, "ada@example.com", goodPassword)
				req, _ := http.NewRequest("POST", a.URL+"/login", strings.NewReader(url.Values{"email": {"ada@example.com"}, "password": {goodPassword}}.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				resp, err := noRedirects.Do(req)
				if err != nil || resp.StatusCode != http.StatusSeeOther {
					b.Fatalf("sign in: %v %v", resp, err)
				}
				resp.Body.Close()
				verify, _ := http.NewRequest("GET", a.URL+"/auth/verify", nil)
				for _, c := range resp.Cookies() {
					verify.AddCookie(c)
				}
				for b.Loop() {
					resp, err := noRedirects.Do(verify)
					if err != nil {
						b.Fatal(err)
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						b.Fatalf("verify: %d", resp.StatusCode)
					}
				}
			})
		}
	}
}
