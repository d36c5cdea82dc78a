package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gatehouse/handlers"
	"gatehouse/internal/store/storetest"
)

// htmxHeaders are what htmx 4 sends for a request that swaps into target
// (tag#id), as the sign-up form, a field's inline validation and the
// password checklist do.
func htmxHeaders(target string) http.Header {
	return http.Header{"Hx-Request": {"true"}, "Hx-Request-Type": {"partial"}, "Hx-Target": {target}}
}

// shapeRequest sends one request with extra headers and a form body.
func shapeRequest(t *testing.T, app *testApp, method, path string, form url.Values, h http.Header) page {
	t.Helper()
	b := app.Browser()
	req, _ := http.NewRequest(method, b.abs(path), strings.NewReader(form.Encode()))
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range h {
		req.Header[k] = v
	}
	return b.do(req)
}

// mustDocument checks p is one whole document.
func mustDocument(t *testing.T, p page) {
	t.Helper()
	low := strings.ToLower(p.Body)
	if strings.Count(low, "<html") != 1 || strings.Count(low, "<body") != 1 || strings.Count(p.Body, `id="content"`) != 1 {
		t.Fatalf("%s %s: not one document\n%.800s", p.Request.Method, p.Request.URL, p.Body)
	}
	if p.Header.Get("HX-Retarget") != "" {
		t.Fatalf("a document was retargeted to %q", p.Header.Get("HX-Retarget"))
	}
}

// mustErrorNotice checks p is the error notice for the page's error
// region, retargeted there, and never a document or a new #content.
func mustErrorNotice(t *testing.T, p page, status int, text string) {
	t.Helper()
	must(t, p, status, text)
	low := strings.ToLower(p.Body)
	for _, bad := range []string{"<html", "<body", "<!doctype", `id="content"`, "<title", `id="page-error"`} {
		if strings.Contains(low, bad) {
			t.Fatalf("%s %s: the htmx error answer holds %q\n%s", p.Request.Method, p.Request.URL, bad, p.Body)
		}
	}
	if got := p.Header.Get("HX-Retarget"); got != "#page-error" {
		t.Fatalf("HX-Retarget = %q, want #page-error", got)
	}
	if got := p.Header.Get("HX-Reswap"); got != "innerHTML" {
		t.Fatalf("HX-Reswap = %q, want innerHTML", got)
	}
	if !strings.Contains(p.Header.Get("Vary"), "HX-Request") {
		t.Fatalf("Vary = %q", p.Header.Get("Vary"))
	}
}

// Every kind of error, asked for by htmx from each kind of target (the
// content, one field, the checklist), is a notice for #page-error; asked
// for without htmx, or by a history restore, it is one whole page.
func TestErrorAnswerShape(t *testing.T) {
	huge := registration("big@example.com")
	huge.Set("company", strings.Repeat("x", handlers.MaxBodyBytes))
	targets := []string{"div#content", "div#field-email", "div#password-checklist", ""}

	type errCase struct {
		name   string
		status int
		text   string
		// send makes the failing request with headers h.
		send func(t *testing.T, h http.Header) page
	}
	app := newApp(t, storetest.SQLite, only("ip"))
	limited := 0
	cases := []errCase{
		{"404", http.StatusNotFound, "Page not found", func(t *testing.T, h http.Header) page {
			return shapeRequest(t, app, "GET", "/no-such-page", nil, h)
		}},
		{"404 unknown field", http.StatusNotFound, "Page not found", func(t *testing.T, h http.Header) page {
			return shapeRequest(t, app, "POST", "/register/validate?field=nope", registration("a@example.com"), h)
		}},
		{"405", http.StatusMethodNotAllowed, "Something went wrong", func(t *testing.T, h http.Header) page {
			return shapeRequest(t, app, "DELETE", "/login", nil, h)
		}},
		{"413", http.StatusRequestEntityTooLarge, "Too much data", func(t *testing.T, h http.Header) page {
			return shapeRequest(t, app, "POST", "/register", huge, h)
		}},
		{"413 inline", http.StatusRequestEntityTooLarge, "Too much data", func(t *testing.T, h http.Header) page {
			return shapeRequest(t, app, "POST", "/register/validate?field=email", huge, h)
		}},
		{"429", http.StatusTooManyRequests, "Too many attempts", func(t *testing.T, h http.Header) page {
			for {
				limited++
				p := shapeRequest(t, app, "POST", "/register", registration("flood@example.com"), h)
				if p.StatusCode == http.StatusTooManyRequests || limited > 20 {
					return p
				}
			}
		}},
		{"403 cross-origin", http.StatusForbidden, "", func(t *testing.T, h http.Header) page {
			h = h.Clone()
			h.Set("Sec-Fetch-Site", "cross-site")
			return shapeRequest(t, app, "POST", "/register", registration("x@example.com"), h)
		}},
	}
	broken := newApp(t, storetest.SQLite)
	if err := broken.Store.Close(); err != nil {
		t.Fatal(err)
	}
	cases = append(cases, errCase{"500", http.StatusInternalServerError, "Something went wrong", func(t *testing.T, h http.Header) page {
		return shapeRequest(t, broken, "POST", "/register", registration("new@example.com"), h)
	}})

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, target := range targets {
				h := htmxHeaders(target)
				if target == "" {
					h.Del("Hx-Target")
				}
				mustErrorNotice(t, c.send(t, h), c.status, c.text)
			}
			p := c.send(t, http.Header{})
			must(t, p, c.status, c.text)
			mustDocument(t, p)
			restore := htmxHeaders("body")
			restore.Set("Hx-History-Restore-Request", "true")
			restore.Set("Hx-Request-Type", "full")
			p = c.send(t, restore)
			must(t, p, c.status, c.text)
			mustDocument(t, p)
		})
	}
}

// A page answered to a request that targeted something smaller than the
// content (the checklist finding its link dead) is retargeted to
// #content; the same page asked for by #content is not.
func TestPageAnswerRetargetedToContent(t *testing.T) {
	app := newApp(t, storetest.SQLite)
	form := url.Values{"password": {"abc"}, "password_confirm": {"abc"}}
	p := shapeRequest(t, app, "POST", "/password/set/check", form, htmxHeaders("div#password-checklist"))
	must(t, p, http.StatusGone)
	if p.Header.Get("HX-Retarget") != "#content" || p.Header.Get("HX-Reswap") != "outerHTML" {
		t.Fatalf("dead link from the checklist: HX-Retarget %q, HX-Reswap %q", p.Header.Get("HX-Retarget"), p.Header.Get("HX-Reswap"))
	}
	if strings.Contains(strings.ToLower(p.Body), "<html") || strings.Count(p.Body, `id="content"`) != 1 {
		t.Fatalf("not a #content fragment:\n%.600s", p.Body)
	}

	p = shapeRequest(t, app, "POST", "/register", url.Values{}, htmxHeaders("div#content"))
	must(t, p, http.StatusUnprocessableEntity)
	if p.Header.Get("HX-Retarget") != "" || strings.Contains(strings.ToLower(p.Body), "<html") {
		t.Fatalf("a form with errors for #content: HX-Retarget %q\n%.300s", p.Header.Get("HX-Retarget"), p.Body)
	}
	p = shapeRequest(t, app, "POST", "/register/validate?field=email", registration("a@example.com"), htmxHeaders("div#field-email"))
	must(t, p, http.StatusOK, `id="field-email"`)
	if p.Header.Get("HX-Retarget") != "" || strings.Contains(p.Body, `id="content"`) {
		t.Fatalf("inline validation was reshaped: HX-Retarget %q", p.Header.Get("HX-Retarget"))
	}
}

// The offline page is always the whole document, even to htmx.
func TestOfflinePageAlwaysDocument(t *testing.T) {
	app := newApp(t, storetest.SQLite)
	p := shapeRequest(t, app, "GET", "/offline", nil, htmxHeaders("div#content"))
	must(t, p, http.StatusOK)
	mustDocument(t, p)
}

// However many distinct query strings ask for the sign-up page, the page
// cache stays within its small fixed bound: only the language (never the
// raw address) goes into its key.
func TestRegisterPageCacheBoundedByQuery(t *testing.T) {
	app := newApp(t, storetest.SQLite)
	handlers.ResetPageCaches()
	b := app.Browser()
	for i := range 3000 {
		var q string
		switch i % 3 {
		case 0:
			q = fmt.Sprintf("?x=%d", i)
		case 1:
			q = fmt.Sprintf("?lang=fr&utm=%d", i)
		default:
			q = fmt.Sprintf("?lang=%d", i)
		}
		if p := b.Get("/register" + q); p.StatusCode != http.StatusOK {
			t.Fatalf("GET /register%s: %d", q, p.StatusCode)
		}
	}
	// One language (English, from the browser) plus French from a cookie
	// the ?lang=fr requests set: a handful of pages.
	if n := handlers.RegisterPagesCached(); n > 4 {
		t.Fatalf("%d distinct queries left %d cached pages", 3000, n)
	}
	if n := handlers.RegisterPagesCached(); n == 0 {
		t.Fatal("nothing was cached: the test does not reach the cache")
	}
}
