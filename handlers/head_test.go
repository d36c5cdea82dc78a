package handlers_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"gatehouse/handlers"
	"gatehouse/internal/i18n"
	"gatehouse/internal/store/storetest"
)

// TestHeadAnswersEveryGET: uptime monitors ask with HEAD. Every GET route
// the router registers answers HEAD with the status, type and length of its
// GET, and no body; a POST-only path still refuses HEAD as it refuses GET.
func TestHeadAnswersEveryGET(t *testing.T) {
	catalog, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	app := newApp(t, storetest.SQLite)
	routes := handlers.GETRoutes(handlers.Deps{Catalog: catalog, Mailbox: app.Box})
	if len(routes) < 10 {
		t.Fatalf("only %d GET routes found: %v", len(routes), routes)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, path string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(method, app.URL+path, nil)
		req.RemoteAddr = "127.0.0.1:1"
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	for _, route := range routes {
		path := strings.NewReplacer("*file", "app.css", ":id", "1").Replace(route)
		get, _ := do(http.MethodGet, path)
		head, body := do(http.MethodHead, path)
		if head.StatusCode != get.StatusCode {
			t.Errorf("HEAD %s: %d, GET answers %d", path, head.StatusCode, get.StatusCode)
		}
		if head.StatusCode == http.StatusMethodNotAllowed {
			t.Errorf("HEAD %s: 405", path)
		}
		if body != "" {
			t.Errorf("HEAD %s sent a body of %d bytes", path, len(body))
		}
		for _, h := range []string{"Content-Type", "Cache-Control", "Location"} {
			if head.Header.Get(h) != get.Header.Get(h) {
				t.Errorf("HEAD %s: %s %q, GET has %q", path, h, head.Header.Get(h), get.Header.Get(h))
			}
		}
	}
	if res, _ := do(http.MethodHead, "/"); res.StatusCode != http.StatusOK && res.StatusCode/100 != 3 {
		t.Errorf("HEAD /: %d", res.StatusCode)
	}
	if res, _ := do(http.MethodHead, "/logout"); res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("HEAD /logout (POST only): %d, want 405", res.StatusCode)
	}
}
