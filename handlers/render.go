package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/a-h/templ"
	"github.com/gin-gonic/gin"

	"gatehouse/components"
	"gatehouse/internal/account"
	"gatehouse/internal/i18n"
	"gatehouse/internal/logctx"
	"gatehouse/internal/metrics"
)

// render writes a page as the response: the whole document normally, or
// only its title and #content for an htmx request that is not restoring
// history (the same component, told by its context). It is rendered into
// a buffer first, so a failure mid-way gives the error page rather than
// half a page.
func (s *server) render(c *gin.Context, status int, page templ.Component) {
	c.Header("Vary", "HX-Request")
	s.writeHTML(c, pageContext(c), status, page)
}

// pageContext is the request's context, told to render only the fragment
// when htmx asked for one.
func pageContext(c *gin.Context) context.Context {
	if partial(c) {
		return components.WithFragment(c.Request.Context())
	}
	return c.Request.Context()
}

// htmlBuffers are the buffers responses are rendered into, reused: growing
// a fresh one to the size of the sign-up page was a third of the bytes a
// request allocated.
var htmlBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuffer keeps an unusually large response's buffer from being
// held on to.
const maxPooledBuffer = 256 << 10

// writeHTML renders comp with ctx into a buffer and sends it with status,
// or the error page when rendering fails.
func (s *server) writeHTML(c *gin.Context, ctx context.Context, status int, comp templ.Component) {
	buf := htmlBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= maxPooledBuffer {
			htmlBuffers.Put(buf)
		}
	}()
	if err := comp.Render(ctx, buf); err != nil {
		s.fail(c, err)
		return
	}
	// Data copies into the connection's writer before returning, so the
	// buffer is free again afterwards.
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// pageCache holds pages that are the same bytes for every visitor who
// shares a key (language, address, htmx mode, …), rendered on first use. It
// stops growing at max entries; past that, pages are rendered each time.
type pageCache struct {
	max int
	n   atomic.Int64
	m   sync.Map // key → []byte
}

// renderCached serves page from cache under key, rendering and storing it
// on the first request; only a 200 is ever stored.
func (s *server) renderCached(c *gin.Context, cache *pageCache, key any, page templ.Component) {
	c.Header("Vary", "HX-Request")
	if b, ok := cache.m.Load(key); ok {
		c.Data(http.StatusOK, "text/html; charset=utf-8", b.([]byte))
		return
	}
	ctx := pageContext(c)
	if cache.n.Load() >= int64(cache.max) {
		s.writeHTML(c, ctx, http.StatusOK, page)
		return
	}
	var buf bytes.Buffer
	if err := page.Render(ctx, &buf); err != nil {
		s.fail(c, err)
		return
	}
	if _, loaded := cache.m.LoadOrStore(key, buf.Bytes()); !loaded {
		cache.n.Add(1)
	}
	c.Data(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
}

// partial reports whether htmx asked for a piece of a page: not a history
// restore and not a full-page (body) swap.
func partial(c *gin.Context) bool {
	return c.GetHeader("HX-Request") == "true" && c.GetHeader("HX-History-Restore-Request") != "true" &&
		c.GetHeader("HX-Request-Type") != "full"
}

// redirect sends the browser to path after a form post: 303 for a plain
// request; for htmx, HX-Location, which fetches path as a fragment, swaps
// it into #content and pushes the URL (fetch would otherwise follow a 303
// silently and leave the address bar behind).
func redirect(c *gin.Context, path string) {
	if c.GetHeader("HX-Request") == "true" {
		loc, _ := json.Marshal(map[string]string{"path": path, "target": "#content", "swap": "outerHTML"})
		c.Header("HX-Location", string(loc))
		c.Status(http.StatusNoContent)
		return
	}
	c.Redirect(http.StatusSeeOther, path)
}

// fail is the one place server errors are logged and shown: a generic,
// translated page with no internals.
func (s *server) fail(c *gin.Context, err error) {
	ctx := c.Request.Context()
	var limited *account.RateLimitedError
	if errors.As(err, &limited) {
		metrics.RateLimited(limited.Rule)
		c.Header("Retry-After", strconv.Itoa(max(int(limited.RetryAfter.Round(time.Second)/time.Second), 1)))
		s.errorPage(c, http.StatusTooManyRequests, "page.too_many.title", "page.too_many.body")
		return
	}
	if errors.Is(err, account.ErrBusy) {
		c.Header("Retry-After", "2")
		s.errorPage(c, http.StatusServiceUnavailable, "page.busy.title", "page.busy.body")
		return
	}
	logctx.From(ctx).ErrorContext(ctx, "request failed", "err", err)
	s.errorPage(c, http.StatusInternalServerError, "page.error.title", "page.error.generic")
}

func (s *server) errorPage(c *gin.Context, status int, title, msg string) {
	var buf bytes.Buffer
	v := components.ErrorView{Status: status, Title: title, Message: msg}
	if err := components.ErrorPage(v).Render(c.Request.Context(), &buf); err != nil {
		c.Data(status, "text/plain; charset=utf-8", []byte(http.StatusText(status)))
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

func (s *server) notFound(c *gin.Context) {
	s.errorPage(c, http.StatusNotFound, "page.not_found.title", "page.not_found.body")
}

func (s *server) methodNotAllowed(c *gin.Context) {
	s.errorPage(c, http.StatusMethodNotAllowed, "page.error.title", "page.error.method")
}

// crossOriginDenied answers a cross-site form post (CSRF) with a
// translated page. It runs outside Gin, so it builds its own localizer.
func (s *server) crossOriginDenied(w http.ResponseWriter, r *http.Request) {
	tag := s.Catalog.Match(r.Header.Get("Accept-Language"))
	ctx := i18n.With(r.Context(), s.localizer(tag))
	s.Log.WarnContext(ctx, "cross-origin request rejected", "path", r.URL.Path, "origin", r.Header.Get("Origin"))
	var buf bytes.Buffer
	components.ErrorPage(components.ErrorView{Status: http.StatusForbidden, Title: "page.forbidden.title", Message: "page.forbidden.body"}).Render(ctx, &buf)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusForbidden)
	w.Write(buf.Bytes())
}

// parseForm reads the posted form. A body over the cap gets 413 before any
// other work; it reports false when the response has been written.
func (s *server) parseForm(c *gin.Context) bool {
	err := c.Request.ParseForm()
	if err == nil {
		return true
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		s.errorPage(c, http.StatusRequestEntityTooLarge, "page.too_large.title", "page.too_large.body")
		return false
	}
	s.errorPage(c, http.StatusBadRequest, "page.error.title", "page.error.bad_request")
	return false
}

func (s *server) meta(c *gin.Context) account.Meta {
	return account.Meta{IP: c.ClientIP(), UserAgent: c.Request.UserAgent(), Locale: i18n.Lang(c.Request.Context())}
}

// formOf keeps what the user typed in the named fields, for showing again.
func formOf(c *gin.Context, errs account.FieldErrors, fields ...string) components.Form {
	f := components.Form{Values: map[string]string{}, Errors: map[string]i18n.Message(errs)}
	for _, name := range fields {
		f.Values[name] = c.PostForm(name)
	}
	return f
}

// notice is the notice named in the address, if any.
func notice(c *gin.Context) account.Notice { return account.ParseNotice(c.Query("notice")) }

// withNotice is path showing n.
func withNotice(path string, n account.Notice) string { return path + "?notice=" + string(n) }

func stack() string { return string(debug.Stack()) }
