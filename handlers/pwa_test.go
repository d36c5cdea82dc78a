package handlers_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"image/png"
	"io/fs"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gatehouse/internal/store/storetest"
	"gatehouse/static"
)

// pwaPrecache is what the service worker must precache: every static
// asset a page loads, the icons, the manifest and the offline page.
var pwaPrecache = []string{
	"/static/app.css",
	"/static/htmx.min.js",
	"/static/app.js",
	"/static/icon.svg",
	"/static/icon-192.png",
	"/static/icon-512.png",
	"/static/icon-maskable-512.png",
	"/static/apple-touch-icon.png",
	"/manifest.webmanifest",
	"/offline",
}

// pwaSWSource is static/sw.js without its comments, so that the checks below
// look at code only.
func pwaSWSource(t *testing.T) string {
	t.Helper()
	b, err := fs.ReadFile(static.FS, "sw.js")
	if err != nil {
		t.Fatal(err)
	}
	src := regexp.MustCompile(`(?s)/\*.*?\*/`).ReplaceAllString(string(b), "")
	return regexp.MustCompile(`(?m)^\s*//.*$`).ReplaceAllString(src, "")
}

var (
	pwaPrecacheRE = regexp.MustCompile(`(?s)const PRECACHE = \[(.*?)\];`)
	pwaStringLit  = regexp.MustCompile(`"((?:[^"\\]|\\.)*)"`)
)

// pwaPrecacheList reads the PRECACHE array out of sw.js, resolving OFFLINE.
func pwaPrecacheList(t *testing.T, src string) []string {
	t.Helper()
	m := pwaPrecacheRE.FindStringSubmatch(src)
	if m == nil {
		t.Fatal("sw.js: no `const PRECACHE = [...];`")
	}
	var list []string
	for _, item := range strings.Split(m[1], ",") {
		item = strings.TrimSpace(item)
		switch {
		case item == "":
		case item == "OFFLINE":
			list = append(list, "/offline")
		case pwaStringLit.MatchString(item) && pwaStringLit.FindString(item) == item:
			list = append(list, item[1:len(item)-1])
		default:
			t.Fatalf("sw.js: PRECACHE entry %q is neither a string literal nor OFFLINE", item)
		}
	}
	return list
}

// The worker's only write to Cache Storage is addAll of the precache list
// at install, and that list holds assets, the manifest and /offline: no
// other page, so no personal or token-bearing HTML, can reach a cache.
func TestPWAServiceWorkerCachesOnlyPrecache(t *testing.T) {
	src := pwaSWSource(t)

	if !strings.Contains(src, `const OFFLINE = "/offline";`) {
		t.Error(`sw.js: OFFLINE is not "/offline"`)
	}
	list := pwaPrecacheList(t, src)
	if !slices.Equal(list, pwaPrecache) {
		t.Errorf("PRECACHE = %q\nwant %q", list, pwaPrecache)
	}
	for _, u := range list {
		switch {
		case strings.HasPrefix(u, "/static/"):
			if _, err := fs.Stat(static.FS, strings.TrimPrefix(u, "/static/")); err != nil {
				t.Errorf("precached %s is not in static.FS (install would fail): %v", u, err)
			}
		case u == "/manifest.webmanifest", u == "/offline":
		default:
			t.Errorf("precached %s is a page: only /offline may be cached", u)
		}
	}

	writes := regexp.MustCompile(`\.\s*(put|add|addAll)\s*\(`).FindAllStringIndex(src, -1)
	if len(writes) != 1 {
		t.Fatalf("sw.js has %d cache writes (put/add/addAll), want exactly one: addAll(PRECACHE...)", len(writes))
	}
	if !strings.HasPrefix(src[writes[0][0]-len("cache"):], "cache.addAll(PRECACHE.map(") {
		t.Errorf("the one cache write is not cache.addAll(PRECACHE...): %.60q", src[writes[0][0]-len("cache"):])
	}
	for _, banned := range []string{"importScripts", "caches.put", ".put(", "cache: \"force-cache\""} {
		if strings.Contains(src, banned) {
			t.Errorf("sw.js contains %q", banned)
		}
	}

	// Non-GET requests are left alone, before anything else.
	fetchAt := strings.Index(src, `addEventListener("fetch"`)
	getAt := strings.Index(src, `if (request.method !== "GET") return;`)
	if fetchAt < 0 || getAt < fetchAt {
		t.Error(`sw.js: the fetch handler does not start by returning on non-GET requests`)
	}
	// Every path the worker names is a precached URL or the /static/ prefix:
	// it routes nothing else to the cache.
	for _, m := range pwaStringLit.FindAllStringSubmatch(src, -1) {
		if s := m[1]; strings.HasPrefix(s, "/") && s != "/static/" && !slices.Contains(pwaPrecache, s) {
			t.Errorf("sw.js names path %q, which is neither precached nor /static/", s)
		}
	}
	// Cache lookups: the offline page on a failed navigation, and
	// precached or /static/ assets.
	if !strings.Contains(src, `cache.match(OFFLINE, { ignoreVary: true })`) {
		t.Error("sw.js: navigations do not fall back to the cached OFFLINE page")
	}
	if !regexp.MustCompile(`url\.pathname\.indexOf\("/static/"\) === 0`).MatchString(src) {
		t.Error("sw.js: cache-first is not limited to /static/ and precached paths")
	}
}

type pwaManifest struct {
	ID              string `json:"id"`
	Lang            string `json:"lang"`
	Dir             string `json:"dir"`
	Name            string `json:"name"`
	ShortName       string `json:"short_name"`
	StartURL        string `json:"start_url"`
	Scope           string `json:"scope"`
	Display         string `json:"display"`
	ThemeColor      string `json:"theme_color"`
	BackgroundColor string `json:"background_color"`
	Icons           []struct {
		Src     string `json:"src"`
		Sizes   string `json:"sizes"`
		Type    string `json:"type"`
		Purpose string `json:"purpose"`
	} `json:"icons"`
}

// The manifest is complete, its colours are brand colours, and every icon
// exists in static.FS with the size and type it declares.
func TestPWAManifestFile(t *testing.T) {
	data, err := fs.ReadFile(static.FS, "manifest.webmanifest")
	if err != nil {
		t.Fatal(err)
	}
	var m pwaManifest
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	if m.Name != "Gatehouse" || m.ShortName == "" || m.StartURL != "/" || m.Scope != "/" || m.Display != "standalone" {
		t.Errorf("manifest: %+v", m)
	}
	tailwind, err := os.ReadFile("../tailwind.config.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{m.ThemeColor, m.BackgroundColor} {
		if !regexp.MustCompile(`^#[0-9a-f]{6}$`).MatchString(c) || !bytes.Contains(tailwind, []byte("'"+c+"'")) {
			t.Errorf("manifest colour %q is not a brand colour from tailwind.config.js", c)
		}
	}

	purposes := map[string]bool{}
	pngSizes := map[string]bool{}
	for _, ic := range m.Icons {
		purposes[ic.Purpose] = true
		name, ok := strings.CutPrefix(ic.Src, "/static/")
		if !ok {
			t.Errorf("icon %s is not under /static/", ic.Src)
			continue
		}
		f, err := static.FS.Open(name)
		if err != nil {
			t.Errorf("icon %s: %v", ic.Src, err)
			continue
		}
		switch ic.Type {
		case "image/svg+xml":
			if ic.Sizes != "any" {
				t.Errorf("icon %s: SVG sizes %q, want any", ic.Src, ic.Sizes)
			}
		case "image/png":
			cfg, err := png.DecodeConfig(f)
			if err != nil {
				t.Errorf("icon %s: %v", ic.Src, err)
				break
			}
			if got := fmt.Sprintf("%dx%d", cfg.Width, cfg.Height); got != ic.Sizes {
				t.Errorf("icon %s is %s, manifest says %s", ic.Src, got, ic.Sizes)
			}
			pngSizes[ic.Sizes] = true
		default:
			t.Errorf("icon %s: type %q", ic.Src, ic.Type)
		}
		f.Close()
	}
	if !pngSizes["192x192"] || !pngSizes["512x512"] || !purposes["maskable"] || !purposes["any"] {
		t.Errorf("manifest icons: PNG sizes %v, purposes %v; want 192 and 512, any and maskable", pngSizes, purposes)
	}

	// The apple-touch-icon is not in the manifest; the layout links it.
	f, err := static.FS.Open("apple-touch-icon.png")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if cfg, err := png.DecodeConfig(f); err != nil || cfg.Width != 180 || cfg.Height != 180 {
		t.Errorf("apple-touch-icon.png: %+v, %v; want 180x180", cfg, err)
	}
}

// The next tests need `s.pwaRoutes(r)` in router.go.

func TestPWAServiceWorkerServed(t *testing.T) {
	app := newApp(t, storetest.SQLite)
	b := app.Browser()
	p := b.Get("/sw.js")
	must(t, p, http.StatusOK, pwaPrecache...)
	if ct := p.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
		t.Errorf("Content-Type %q, want text/javascript", ct)
	}
	if cc := p.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("Cache-Control %q, want no-cache", cc)
	}
	if p.Header.Get("Content-Security-Policy") == "" {
		t.Error("no CSP on /sw.js")
	}
	if strings.Contains(p.Body, "__GATEHOUSE_SW_VERSION__") ||
		!regexp.MustCompile(`const VERSION = "[0-9a-f]{16}";`).MatchString(p.Body) {
		t.Errorf("version not filled in: %.2000s", p.Body)
	}

	// Unchanged worker: the browser's update check gets a 304.
	etag := p.Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag on /sw.js")
	}
	b.head.Set("If-None-Match", etag)
	if p := b.Get("/sw.js"); p.StatusCode != http.StatusNotModified {
		t.Errorf("conditional GET: %d, want 304", p.StatusCode)
	}
	b.head.Del("If-None-Match")

	// Install fails if any precached URL does not answer 200.
	for _, u := range pwaPrecache {
		if p := b.Get(u); p.StatusCode != http.StatusOK {
			t.Errorf("precached %s: %d", u, p.StatusCode)
		}
	}
}

func TestPWAManifestServed(t *testing.T) {
	app := newApp(t, storetest.SQLite)
	p := app.Browser().Get("/manifest.webmanifest")
	must(t, p, http.StatusOK)
	if ct := p.Header.Get("Content-Type"); ct != "application/manifest+json" {
		t.Errorf("Content-Type %q, want application/manifest+json", ct)
	}
	var m pwaManifest
	if err := json.Unmarshal([]byte(p.Body), &m); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	if m.Name != "Gatehouse" || len(m.Icons) == 0 {
		t.Errorf("manifest: %+v", m)
	}
	// The copy under /static/ has the same type.
	if ct := app.Browser().Get("/static/manifest.webmanifest").Header.Get("Content-Type"); ct != "application/manifest+json" {
		t.Errorf("/static/manifest.webmanifest Content-Type %q", ct)
	}
}

// /offline is a whole, translated page, even for an htmx request (the
// worker caches exactly what it gets), and says nothing about the user.
func TestPWAOfflinePage(t *testing.T) {
	app := newApp(t, storetest.SQLite)
	app.signUp("offline@example.com")
	b := app.signIn("offline@example.com", goodPassword)
	for _, htmx := range []bool{false, true} {
		if htmx {
			b.head.Set("HX-Request", "true")
		}
		p := b.Get("/offline")
		body := html.UnescapeString(p.Body)
		if !strings.HasPrefix(strings.ToLower(body), "<!doctype html>") {
			t.Errorf("/offline (htmx %v) is not a whole document: %.80q", htmx, body)
		}
		must(t, page{p.Response, body}, http.StatusOK,
			"<title>You're offline · Gatehouse</title>", "Try Again", `href=""`)
		if cc := p.Header.Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("Cache-Control %q, want no-cache", cc)
		}
		if strings.Contains(body, "offline@example.com") || strings.Contains(body, "Ada") {
			t.Error("the offline page shows the signed-in user")
		}
	}
}

// Static assets go out gzip-compressed to clients that accept it, with an
// ETag that answers 304 when unchanged.
func TestStaticAssetsCompressed(t *testing.T) {
	app := newApp(t, storetest.SQLite)
	b := app.Browser()
	b.head.Set("Accept-Encoding", "gzip")
	// Go's client would decompress silently; ask through a raw transport.
	b.c.Transport = &http.Transport{DisableCompression: true}
	p := b.Get("/static/htmx.min.js")
	if p.StatusCode != http.StatusOK || p.Header.Get("Content-Encoding") != "gzip" || !strings.HasPrefix(p.Header.Get("Content-Type"), "text/javascript") {
		t.Fatalf("htmx: %d %q %q", p.StatusCode, p.Header.Get("Content-Encoding"), p.Header.Get("Content-Type"))
	}
	if len(p.Body) > 20000 {
		t.Fatalf("compressed htmx is %d bytes", len(p.Body))
	}
	b.head.Set("If-None-Match", p.Header.Get("ETag"))
	if p2 := b.Get("/static/htmx.min.js"); p2.StatusCode != http.StatusNotModified {
		t.Fatalf("unchanged asset: %d, want 304", p2.StatusCode)
	}
	b.head.Del("If-None-Match")
	b.head.Del("Accept-Encoding")
	if p3 := b.Get("/static/app.css"); p3.Header.Get("Content-Encoding") != "" || !strings.HasPrefix(p3.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("plain request got %q %q", p3.Header.Get("Content-Encoding"), p3.Header.Get("Content-Type"))
	}
	if p4 := b.Get("/static/nope.js"); p4.StatusCode != http.StatusNotFound {
		t.Fatalf("missing asset: %d", p4.StatusCode)
	}
}
