package handlers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"regexp"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/text/language"

	"gatehouse/components"
	"gatehouse/internal/i18n"
	"gatehouse/internal/logctx"
)

// ContentSecurityPolicy allows nothing inline and nothing from elsewhere.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

// MaxBodyBytes caps request bodies; forms are far smaller.
const MaxBodyBytes = 64 << 10

// secureHeaders sets the headers every response carries, errors included.
func secureHeaders(next http.Handler, https bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setPageHeaders(w.Header(), https)
		next.ServeHTTP(w, r)
	})
}

// setPageHeaders sets the security headers of Gatehouse's own answers.
// Every request pays for them, so the values share one array (each slice
// capped at its one value, so an Add elsewhere copies) under names written
// canonical already.
func setPageHeaders(h http.Header, https bool) {
	v := []string{ContentSecurityPolicy, "nosniff", "no-referrer", "DENY", "same-origin",
		"camera=(), microphone=(), geolocation=(), payment=()", "max-age=63072000; includeSubDomains"}
	h["Content-Security-Policy"] = v[0:1:1]
	h["X-Content-Type-Options"] = v[1:2:2]
	// Token pages must not leak their URL; one policy for all is simplest.
	h["Referrer-Policy"] = v[2:3:3]
	h["X-Frame-Options"] = v[3:4:4]
	h["Cross-Origin-Opener-Policy"] = v[4:5:5]
	h["Permissions-Policy"] = v[5:6:6]
	if https {
		h["Strict-Transport-Security"] = v[6:7:7]
	}
}

// limitBody caps every request body; reading past the cap fails, and the
// form parser turns that into 413 before any work is done.
// headAsGet answers HEAD as the GET of the same address would be answered
// (uptime monitors and link checkers ask with HEAD), so no route needs a
// HEAD of its own and none can be forgotten. The request is served as a
// GET; the server knows the original was HEAD and sends no body, keeping
// the status, the headers and the Content-Length of the GET.
func headAsGet(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			r = r.Clone(r.Context())
			r.Method = http.MethodGet
		}
		next.ServeHTTP(w, r)
	})
}

func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = cappedBody{http.MaxBytesReader(w, r.Body, MaxBodyBytes), r.Body}
		}
		next.ServeHTTP(w, r)
	})
}

// cappedBody is a body under the cap that remembers the body it caps, so
// a request proxied to the platform gets it whole.
type cappedBody struct {
	io.ReadCloser
	raw io.ReadCloser
}

// uncapped is the body as the client sent it, without the form cap.
func uncapped(b io.ReadCloser) io.ReadCloser {
	if cb, ok := b.(cappedBody); ok {
		return cb.raw
	}
	return b
}

func noStore(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Next()
}

// langCookie remembers an explicit language choice.
const langCookie = "gatehouse_lang"

// rememberLanguage keeps an explicit language choice in this browser.
func (s *server) rememberLanguage(c *gin.Context, tag language.Tag) {
	http.SetCookie(c.Writer, &http.Cookie{Name: langCookie, Value: tag.String(), Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
}

// requestContext gives the request an id, a logger and a localizer, and
// logs it (and counts it in the metrics) when done. The query string is
// never logged: it can hold tokens.
func (s *server) requestContext(c *gin.Context) {
	start := time.Now()
	id := s.requestID(c)
	c.Header("X-Request-Id", id)

	explicit := ""
	if q := c.Query("lang"); q != "" {
		explicit = q
		s.rememberLanguage(c, s.Catalog.Match(q))
	} else if ck, err := c.Cookie(langCookie); err == nil {
		explicit = ck
	}
	tag := s.Catalog.Match(explicit, c.GetHeader("Accept-Language"))

	log := slog.New(&requestLogHandler{Handler: s.Log.Handler(),
		attrs: [2]slog.Attr{slog.String("request_id", id), slog.String("ip", c.ClientIP())}})
	ctx := logctx.With(c.Request.Context(), log)
	ctx = i18n.With(ctx, s.localizer(tag))
	ctx = components.WithURL(ctx, c.Request.URL)
	c.Request = c.Request.WithContext(ctx)

	c.Next()

	elapsed := time.Since(start)
	if s.Metrics != nil {
		// The route template, never the raw path: one series per route.
		s.Metrics.ObserveHTTP(c.FullPath(), c.Request.Method, c.Writer.Status(), elapsed)
	}
	// Checked first: the arguments alone cost allocations when the level
	// is off, as it is under LOG_LEVEL=warn.
	if log.Enabled(ctx, slog.LevelInfo) {
		log.InfoContext(ctx, "http request", "method", c.Request.Method, "path", c.Request.URL.Path,
			"route", c.FullPath(), "status", c.Writer.Status(), "duration_ms", elapsed.Milliseconds(),
			"user_agent", c.Request.UserAgent())
	}
}

// requestLogHandler adds the request's id and client address to what is
// logged, as Logger.With would, but only once something is: With formats
// them up front on every request, and under LOG_LEVEL=warn most requests
// log nothing. It hands them to the wrapped handler's WithAttrs, as With
// does, so the output is the same.
type requestLogHandler struct {
	slog.Handler
	attrs [2]slog.Attr
}

func (h *requestLogHandler) Handle(ctx context.Context, r slog.Record) error {
	return h.Handler.WithAttrs(h.attrs[:]).Handle(ctx, r)
}

func (h *requestLogHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return h.Handler.WithAttrs(h.attrs[:]).WithAttrs(as)
}

func (h *requestLogHandler) WithGroup(name string) slog.Handler {
	return h.Handler.WithAttrs(h.attrs[:]).WithGroup(name)
}

// localizer is the catalog's shared localizer for tag (the catalog makes
// one per language at load, so nothing here caches them).
func (s *server) localizer(tag language.Tag) *i18n.Localizer { return s.Catalog.Localizer(tag) }

// requestIDPattern is what an incoming X-Request-Id must look like to be
// kept: short, and nothing that could forge a log field.
var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9-]{8,64}$`)

// requestID keeps the X-Request-Id a trusted proxy sent, so one id follows
// the request through the proxy's logs and ours; from anyone else, or when
// malformed, a fresh random id replaces it.
func (s *server) requestID(c *gin.Context) string {
	if in := c.GetHeader("X-Request-Id"); in != "" && requestIDPattern.MatchString(in) && s.proxies.contains(c.RemoteIP()) {
		return in
	}
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// proxySet is TRUSTED_PROXIES parsed: addresses and networks.
type proxySet []netip.Prefix

// parseProxies reads IPs and CIDRs; Gin's SetTrustedProxies rejects bad
// entries, so they are skipped here.
func parseProxies(list []string) proxySet {
	var out proxySet
	for _, p := range list {
		p = strings.TrimSpace(p)
		if pfx, err := netip.ParsePrefix(p); err == nil {
			out = append(out, pfx.Masked())
		} else if a, err := netip.ParseAddr(p); err == nil {
			a = a.Unmap()
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
		}
	}
	return out
}

// contains reports whether ip (the connection's peer) is a trusted proxy.
func (ps proxySet) contains(ip string) bool {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// recoverer turns a panic into the generic error page; the stack goes to
// the log, never to the user.
func (s *server) recoverer(c *gin.Context) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			logctx.From(c.Request.Context()).ErrorContext(c.Request.Context(), "panic", "panic", p, "stack", stack())
			s.errorPage(c, http.StatusInternalServerError, "page.error.title", "page.error.generic")
			c.Abort()
		}
	}()
	c.Next()
}
