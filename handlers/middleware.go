package handlers

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

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
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		// Token pages must not leak their URL; one policy for all is simplest.
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		if https {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// limitBody caps every request body; reading past the cap fails, and the
// form parser turns that into 413 before any work is done.
func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		}
		next.ServeHTTP(w, r)
	})
}

func noStore(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Next()
}

// langCookie remembers an explicit language choice.
const langCookie = "gatehouse_lang"

// requestContext gives the request an id, a logger and a localizer, and
// logs it when done. The query string is never logged: it can hold tokens.
func (s *server) requestContext(c *gin.Context) {
	start := time.Now()
	var b [8]byte
	rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	c.Header("X-Request-Id", id)

	explicit := ""
	if q := c.Query("lang"); q != "" {
		explicit = q
		tag := s.Catalog.Match(q)
		http.SetCookie(c.Writer, &http.Cookie{Name: langCookie, Value: tag.String(), Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
	} else if ck, err := c.Cookie(langCookie); err == nil {
		explicit = ck
	}
	tag := s.Catalog.Match(explicit, c.GetHeader("Accept-Language"))

	log := s.Log.With("request_id", id, "ip", c.ClientIP())
	ctx := logctx.With(c.Request.Context(), log)
	ctx = i18n.With(ctx, s.Catalog.Localizer(tag))
	ctx = components.WithURL(ctx, c.Request.URL)
	c.Request = c.Request.WithContext(ctx)

	c.Next()

	log.InfoContext(ctx, "http request", "method", c.Request.Method, "path", c.Request.URL.Path,
		"route", c.FullPath(), "status", c.Writer.Status(), "duration_ms", time.Since(start).Milliseconds(),
		"user_agent", c.Request.UserAgent())
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
