package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/a-h/templ"
	"github.com/gin-gonic/gin"

	"gatehouse/components"
	"gatehouse/internal/account"
	"gatehouse/internal/cache"
	"gatehouse/internal/i18n"
	"gatehouse/internal/logctx"
	"gatehouse/internal/metrics"
	"gatehouse/internal/returnto"
)

// Every HTML answer leaves through respond, which alone decides its shape
// from the request: the whole document, or for htmx the piece that fits
// what htmx will swap. Call sites say only what they answer with:
//
//	render       a page (components.Page): the document, or its title and #content
//	renderParts  pieces of a page for the element htmx targeted (a field, the checklist)
//	errorPage    an error: the document, or a notice for the page's error region
//
// An htmx 4 request swaps 4xx and 5xx answers too, into its target, which
// is not always #content: inline validation targets one field's wrapper
// and the password checklist its own list. So an error never goes to the
// request's target; it is retargeted to #page-error, a live region
// (role=alert) outside #content that every document has, where it is shown
// and read out while the form, and what was typed in it, stays as it was.
// A page answered to a request that targeted something smaller (a dead link
// found by the checklist) is retargeted to #content.

// fit is what an answer is, which decides how it fits an htmx request.
type fit int

const (
	fitPage     fit = iota // a Page
	fitParts               // pieces for the element htmx targeted
	fitError               // an ErrorPage
	fitDocument            // always the whole document, whatever the headers
)

// Where errors and pages go when the request's own target will not do.
const (
	errorRegion   = "#page-error"
	contentRegion = "#content"
)

// render writes a page as the response: the whole document normally, or
// only its title and #content for an htmx request that is not restoring
// history (the same component, told by its context). It is rendered into
// a buffer first, so a failure mid-way gives the error page rather than
// half a page.
func (s *server) render(c *gin.Context, status int, page templ.Component) {
	if err := s.respond(c.Writer, c.Request, status, page, fitPage); err != nil {
		s.fail(c, err)
	}
}

// renderParts writes pieces of a page that htmx asked for by targeting
// one of them (a field and its announcement, the checklist), as they are.
func (s *server) renderParts(c *gin.Context, status int, parts templ.Component) {
	if err := s.respond(c.Writer, c.Request, status, parts, fitParts); err != nil {
		s.fail(c, err)
	}
}

// shape sets the headers that follow from how answer f fits request r
// (Vary, and the retargeting of an htmx answer), and returns the context
// to render with: marked for a fragment when htmx gets one.
func shape(h http.Header, r *http.Request, f fit) context.Context {
	ctx := r.Context()
	if f == fitDocument {
		return ctx
	}
	h.Set("Vary", "HX-Request")
	if !partial(r) {
		return ctx
	}
	switch f {
	case fitError:
		h.Set("HX-Retarget", errorRegion)
		h.Set("HX-Reswap", "innerHTML")
	case fitPage:
		if !targets(r, contentRegion) {
			h.Set("HX-Retarget", contentRegion)
			h.Set("HX-Reswap", "outerHTML")
		}
	}
	return components.WithFragment(ctx)
}

// targets reports whether htmx will swap into the element with id sel
// (htmx 4 sends the target as tag#id); a request that names no target is
// taken to be the page's own.
func targets(r *http.Request, sel string) bool {
	t := r.Header.Get("HX-Target")
	return t == "" || strings.HasSuffix(t, sel)
}

// htmlBuffers are the buffers responses are rendered into, reused: growing
// a fresh one to the size of the sign-up page was a third of the bytes a
// request allocated.
var htmlBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuffer keeps an unusually large response's buffer from being
// held on to.
const maxPooledBuffer = 256 << 10

// respond renders comp, shaped for r, into a buffer and sends it with
// status. When rendering fails nothing has been written, and the error is
// returned for the caller to answer.
func (s *server) respond(w http.ResponseWriter, r *http.Request, status int, comp templ.Component, f fit) error {
	ctx := shape(w.Header(), r, f)
	buf := htmlBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= maxPooledBuffer {
			htmlBuffers.Put(buf)
		}
	}()
	if err := comp.Render(ctx, buf); err != nil {
		for _, k := range []string{"Vary", "HX-Retarget", "HX-Reswap"} {
			w.Header().Del(k)
		}
		return err
	}
	// The write copies into the connection's buffer before returning, so
	// the buffer is free again afterwards.
	sendHTML(w, status, buf.Bytes())
	return nil
}

func sendHTML(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(body)
}

// renderCached is render for a page that is the same bytes for every
// visitor who shares key, served from pages; key must tell apart
// everything the page shows, the htmx mode (partial) included. The page is
// built only on a miss, so a hit costs the key alone. Only a 200 is ever
// stored, and past the cache's cap pages are rendered each time.
func renderCached[K comparable](s *server, c *gin.Context, pages *cache.Cache[K, []byte], key K, page func() templ.Component) {
	ctx := shape(c.Writer.Header(), c.Request, fitPage)
	if b, ok := pages.Get(key); ok {
		sendHTML(c.Writer, http.StatusOK, b)
		return
	}
	var buf bytes.Buffer
	if err := page().Render(ctx, &buf); err != nil {
		s.fail(c, err)
		return
	}
	sendHTML(c.Writer, http.StatusOK, pages.Put(key, buf.Bytes()))
}

// partial reports whether htmx asked for a piece of a page: not a history
// restore and not a full-page (body) swap.
func partial(r *http.Request) bool {
	return r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-History-Restore-Request") != "true" &&
		r.Header.Get("HX-Request-Type") != "full"
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
		if limited.Rule == account.RuleTokenIP {
			// Someone holding a good link must learn it still works and
			// when to come back, not meet a dead end.
			minutes := max(int((limited.RetryAfter+time.Minute-1)/time.Minute), 1)
			s.writeErrorData(c.Writer, c.Request, http.StatusTooManyRequests, "page.too_many.title", "page.too_many.link_body",
				map[string]any{"Count": minutes})
			return
		}
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

// errorPage answers with a translated error: the error page, or for htmx
// its notice in the page's error region (see respond).
func (s *server) errorPage(c *gin.Context, status int, title, msg string) {
	s.writeError(c.Writer, c.Request, status, title, msg)
}

// writeError is errorPage for a response outside Gin; the request's
// context must carry a localizer. Should even the error page fail to
// render, the status text is all that is left to send.
func (s *server) writeError(w http.ResponseWriter, r *http.Request, status int, title, msg string) {
	s.writeErrorData(w, r, status, title, msg, nil)
}

// writeErrorData is writeError with data for the message's placeholders.
func (s *server) writeErrorData(w http.ResponseWriter, r *http.Request, status int, title, msg string, data map[string]any) {
	w.Header().Set("Cache-Control", "no-store")
	v := components.ErrorView{Status: status, Title: title, Message: msg, Data: data}
	if err := s.respond(w, r, status, components.ErrorPage(v), fitError); err != nil {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		w.Write([]byte(http.StatusText(status)))
	}
}

func (s *server) notFound(c *gin.Context) {
	s.errorPage(c, http.StatusNotFound, "page.not_found.title", "page.not_found.body")
}

func (s *server) methodNotAllowed(c *gin.Context) {
	if s.consoleMethodNotAllowed(c) {
		return
	}
	s.errorPage(c, http.StatusMethodNotAllowed, "page.error.title", "page.error.method")
}

// crossOriginDenied answers a cross-site form post (CSRF) with a
// translated page. It runs outside Gin, so it builds its own localizer.
func (s *server) crossOriginDenied(w http.ResponseWriter, r *http.Request) {
	tag := s.Catalog.Match(r.Header.Get("Accept-Language"))
	ctx := i18n.With(r.Context(), s.localizer(tag))
	s.Log.WarnContext(ctx, "cross-origin request rejected", "path", r.URL.Path, "origin", r.Header.Get("Origin"))
	s.writeError(w, r.WithContext(ctx), http.StatusForbidden, "page.forbidden.title", "page.forbidden.body")
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
	m := account.Meta{IP: c.ClientIP(), UserAgent: c.Request.UserAgent(), Locale: i18n.Lang(c.Request.Context()),
		ReturnTo: returnTo(c), TimeZone: timeZone(c)}
	if u, ok := c.Get(userKey); ok {
		m.Account = u.(*account.User).ID
	}
	return m
}

// TimeZoneField is the hidden field in which app.js puts the browser's
// IANA time zone (Intl.DateTimeFormat().resolvedOptions().timeZone) on the
// sign-up and sign-in forms; without script it stays empty and the
// account's times are shown in UTC.
const TimeZoneField = components.TimeZoneField

// timeZone is the checked zone a form posted, or "".
func timeZone(c *gin.Context) string {
	if c.Request.Method != http.MethodPost {
		return ""
	}
	return i18n.TimeZone(c.PostForm(TimeZoneField))
}

// formOf keeps what the user typed in the named fields, for showing again.
func formOf(c *gin.Context, errs account.FieldErrors, fields ...string) components.Form {
	f := components.Form{Values: map[string]string{}, Errors: map[string]i18n.Message(errs)}
	for _, name := range fields {
		f.Values[name] = c.PostForm(name)
	}
	return f
}

// returnTo is the request's deep link (form field or query), when it is a
// local path (SECURITY.md rule 23); "" otherwise.
func returnTo(c *gin.Context) string {
	if c.Request.Method == http.MethodPost {
		if rt := c.PostForm("return_to"); rt != "" {
			return returnto.Clean(rt)
		}
	}
	return returnto.Clean(c.Query("return_to"))
}

// notice is the notice named in the address, if any.
func notice(c *gin.Context) account.Notice { return account.ParseNotice(c.Query("notice")) }

// withNotice is path showing n.
func withNotice(path string, n account.Notice) string { return path + "?notice=" + string(n) }

func stack() string { return string(debug.Stack()) }
