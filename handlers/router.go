// Package handlers is the HTTP layer: it parses requests, calls
// internal/account and renders components. It holds no rules.
package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"gatehouse/internal/account"
	"gatehouse/internal/i18n"
	"gatehouse/internal/mail"
	"gatehouse/internal/metrics"
	"gatehouse/internal/paths"
	"gatehouse/static"
)

// Deps is everything the handlers need.
type Deps struct {
	Account *account.Service
	Catalog *i18n.Catalog
	// Ready reports whether the database answers.
	Ready func(ctx context.Context) error
	// Mailbox is the dev mailbox; nil when mail goes through Resend.
	Mailbox *mail.Mailbox
	// ResendWebhook records Resend's delivery events; nil turns the route off.
	ResendWebhook *mail.Webhooks
	// SecureCookies is true when the public URL is https.
	SecureCookies  bool
	TrustedProxies []string
	Log            *slog.Logger
	Now            func() time.Time
	// Metrics, when set, counts and times every request. The scrape is
	// served on a listener of its own (cmd/gatehouse), never here.
	Metrics *metrics.Metrics
}

type server struct {
	Deps
	// proxies are TrustedProxies parsed, for X-Request-Id.
	proxies proxySet
}

// New returns the whole application as one http.Handler: the Gin router
// wrapped in the security headers, the body limit and cross-origin
// protection, which therefore cover every response, 404s and rejections
// included.
func New(d Deps) (http.Handler, error) {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	s := &server{Deps: d}
	s.proxies = parseProxies(d.TrustedProxies)

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	if err := r.SetTrustedProxies(d.TrustedProxies); err != nil {
		return nil, err
	}
	// Only X-Forwarded-For from a trusted proxy names the client; Gin
	// would also believe X-Real-IP, which the proxy may pass through.
	r.RemoteIPHeaders = []string{"X-Forwarded-For"}
	r.Use(s.requestContext, s.recoverer)
	r.NoRoute(s.notFound)
	r.NoMethod(s.methodNotAllowed)

	// Assets: long-lived, never personal, compressed once in memory.
	s.pwaRoutes(r) // first: it teaches mime the manifest's type
	assets, err := loadAssets(static.FS)
	if err != nil {
		return nil, err
	}
	r.GET(paths.Static+"/*file", serveAsset(assets))
	r.GET("/favicon.ico", func(c *gin.Context) { c.Redirect(http.StatusMovedPermanently, paths.Static+"/icon.svg") })

	// Probes.
	r.GET(paths.Healthz, s.healthz)
	r.GET(paths.Readyz, s.readyz)

	// Pages: personal or token-bearing, so never stored by caches.
	pages := r.Group("", noStore)
	pages.GET(paths.Home, s.home)

	pages.GET(paths.Login, s.loginForm)
	pages.POST(paths.Login, s.login)
	pages.POST(paths.Logout, s.logout)

	pages.GET(paths.Register, s.registerForm)
	pages.POST(paths.Register, s.register)
	pages.POST(paths.RegisterValidate, s.registerValidate)

	pages.GET(paths.PasswordForgot, s.forgotForm)
	pages.POST(paths.PasswordForgot, s.forgot)

	// Every flow that proves an address by email (activation, recovery,
	// …) has the same pages, at the paths it names.
	for _, f := range account.Flows {
		pages.GET(f.Paths.Sent, s.showSent(f))
		pages.POST(f.Paths.Verify, s.verifyCode(f))
		pages.POST(f.Paths.Resend, s.resend(f))
		if f.Paths.Link == f.Paths.Form {
			pages.GET(f.Paths.Form, s.linkOrForm(f))
		} else {
			pages.GET(f.Paths.Link, s.openLink(f))
			pages.GET(f.Paths.Form, s.passwordForm(f))
		}
		pages.POST(f.Paths.Form, s.choosePassword(f))
		pages.POST(f.Paths.Check, s.passwordCheck(f))
	}

	signedIn := pages.Group("", s.requireUser)
	signedIn.GET(paths.Account, s.accountPage)
	signedIn.POST(paths.EndSessions, s.endOtherSessions)
	signedIn.POST(paths.AccountPassword, s.changePassword)

	if d.Mailbox != nil {
		dev := pages.Group(paths.DevMailbox, loopbackOnly(s.notFound))
		dev.GET("", s.mailbox)
		dev.GET("/:id", s.mailboxHTML)
	}

	s.resendWebhookRoutes(r)

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(s.crossOriginDenied))
	return secureHeaders(limitBody(cop.Handler(r)), d.SecureCookies), nil
}
