package handlers_test

import (
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"gatehouse/handlers"
	"gatehouse/internal/store/storetest"
)

// The cached sign-up page must be exactly what each visitor would get
// rendered afresh: requests that differ in anything the page shows
// (language from header, cookie or ?lang=, likely country, the address,
// htmx mode) are served once in order from a cold cache and once in the
// reverse order from another cold cache. A key that left something out
// would hand one visitor the page of another, and a body would differ.
func TestRegisterPageCacheKeepsVisitorsApart(t *testing.T) {
	a := newApp(t, storetest.SQLite)
	type visit struct {
		name, query, acceptLang, cookie string
		htmx                            bool
	}
	visits := []visit{
		{name: "no header"},
		{name: "en-US", acceptLang: "en-US,en;q=0.9"},
		{name: "en-GB", acceptLang: "en-GB"},
		{name: "de-DE", acceptLang: "de-DE,de;q=0.9"},
		{name: "de-CH", acceptLang: "de-CH"},
		{name: "ja-JP", acceptLang: "ja-JP"},
		{name: "ar-EG", acceptLang: "ar-EG"},
		{name: "zh-CN", acceptLang: "zh-CN"},
		{name: "?lang=fr", query: "?lang=fr", acceptLang: "en-US"},
		{name: "?lang=fr&x=1", query: "?lang=fr&x=1", acceptLang: "en-US"},
		{name: "cookie es", cookie: "es", acceptLang: "en-US"},
		{name: "htmx en-US", acceptLang: "en-US", htmx: true},
		{name: "htmx ja-JP", acceptLang: "ja-JP", htmx: true},
		{name: "long query", query: "?q=" + strings.Repeat("x", 200), acceptLang: "pt-BR"},
	}
	serve := func(v visit) string {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, a.URL+"/register"+v.query, nil)
		if v.acceptLang != "" {
			req.Header.Set("Accept-Language", v.acceptLang)
		}
		if v.cookie != "" {
			req.AddCookie(&http.Cookie{Name: "gatehouse_lang", Value: v.cookie})
		}
		if v.htmx {
			req.Header.Set("HX-Request", "true")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Vary") == "" {
			t.Fatalf("%s: %d, Vary %q", v.name, resp.StatusCode, resp.Header.Get("Vary"))
		}
		return string(b)
	}
	handlers.ResetPageCaches()
	first := map[string]string{}
	for _, v := range visits {
		first[v.name] = serve(v)
	}
	handlers.ResetPageCaches()
	distinct := map[string]bool{}
	for _, v := range slices.Backward(visits) {
		if got := serve(v); got != first[v.name] {
			t.Errorf("%s: the page differs between a cold and a warm cache", v.name)
		}
		distinct[first[v.name]] = true
	}
	// Warm: every visit again, now from the cache.
	for _, v := range visits {
		if got := serve(v); got != first[v.name] {
			t.Errorf("%s: the cached page differs from the rendered one", v.name)
		}
	}
	if len(distinct) < 10 {
		t.Errorf("only %d distinct pages for %d visits: the visits do not exercise the key", len(distinct), len(visits))
	}
}
