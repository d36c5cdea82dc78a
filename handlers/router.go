// Package handlers is the HTTP layer: it parses requests, calls
// internal/account and renders components. It holds no rules.
package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"gatehouse/components"
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
	// Platform is the application behind Gatehouse (handlers/proxy.go).
	Platform Platform
}

type server struct {
	Deps
	// proxies are TrustedProxies parsed, for X-Request-Id.
	proxies proxySet
	// proxy forwards to Platform.Upstream; nil without one.
	proxy *httputil.ReverseProxy
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
	r, err := s.engine()
	if err != nil {
		return nil, err
	}
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(s.crossOriginDenied))
	return headAsGet(secureHeaders(limitBody(cop.Handler(r)), d.SecureCookies)), nil
}

// engine is the Gin router with every route.
func (s *server) engine() (*gin.Engine, error) {
	d := s.Deps
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
	if d.Platform.Upstream != nil {
		if d.Platform.Tokens == nil {
			return nil, errors.New("handlers: an upstream needs Platform.Tokens to sign the identity it is handed")
		}
		// Every path that is not Gatehouse's own goes to the platform;
		// one of Gatehouse's paths with another method stays a 405.
		s.proxy = s.newProxy()
		r.NoRoute(s.toPlatform)
	}
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
	if s.proxy == nil {
		// With a platform behind, its front page is the landing.
		pages.GET(paths.Home, s.home)
	}
	pages.POST(paths.Language, s.switchLanguage)

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
	// A flow that proves a new address is its signed-in owner's up to
	// the email; its link works in any browser, like every flow's.
	// Signed-in pages are for active members of an organisation; anyone
	// else signed in is sent to the waiting page (handlers/org.go).
	signedIn := pages.Group("", s.requireUser, s.requireAccess)
	for _, f := range account.Flows {
		asked := pages
		if f.NewAddress {
			asked = signedIn
		}
		asked.GET(f.Paths.Sent, s.showSent(f))
		asked.POST(f.Paths.Verify, s.verifyCode(f))
		asked.POST(f.Paths.Resend, s.resend(f))
		if f.Paths.Link == f.Paths.Form {
			pages.GET(f.Paths.Form, s.linkOrForm(f))
		} else {
			pages.GET(f.Paths.Link, s.openLink(f))
			pages.GET(f.Paths.Form, s.flowForm(f))
		}
		pages.POST(f.Paths.Form, s.completeFlow(f))
		if f.Paths.Check != "" {
			pages.POST(f.Paths.Check, s.passwordCheck(f))
		}
	}

	// What became of the email "check your inbox" is about (inbox.go).
	for _, f := range account.Flows {
		if f.Paths.Status != "" {
			pages.GET(f.Paths.Status, s.deliveryStatus(f))
		}
	}

	signedIn.GET(paths.Account, s.accountPage)
	signedIn.POST(paths.EndSessions, s.endOtherSessions)
	signedIn.POST(paths.AccountPassword, s.changePassword)
	signedIn.POST(paths.AccountPasswordCheck, s.accountPasswordCheck)

	// The rest of an account's life: a new address, the old address
	// undoing it, profile edits, one session signed out, the data
	// downloaded, the account deleted.
	signedIn.POST(paths.AccountEmail, s.requestEmailChange)
	pages.GET(paths.EmailRevert, s.revertLinkOrForm)
	pages.POST(paths.EmailRevert, s.revertEmail)
	signedIn.POST(paths.AccountProfile, s.updateProfile)
	signedIn.POST(paths.ProfileCheck, s.profileValidate)
	signedIn.POST(paths.EndSession, s.endSession)
	signedIn.POST(paths.AccountExport, s.exportData)
	signedIn.GET(paths.AccountDelete, s.deletePage)
	signedIn.POST(paths.AccountDelete, s.deleteAccount)

	// Organisations: the organisation page, and the waiting page of
	// whoever is signed in without access.
	s.orgRoutes(signedIn, pages.Group("", s.requireUser))
	// Passkeys: the ceremonies (JSON for static/passkeys.js; adding one
	// works signed in or right after setting a password), then managing
	// them from the account page.
	pages.POST(paths.PasskeyRegisterOptions, s.passkeyRegisterOptions)
	pages.POST(paths.PasskeyRegister, s.passkeyRegister)
	pages.POST(paths.PasskeyLoginOptions, s.passkeyLoginOptions)
	pages.POST(paths.PasskeyLogin, s.passkeyLogin)
	pages.POST(paths.PasskeyOfferEnd, s.passkeyOfferEnd)
	signedIn.POST(paths.AccountPasskey+"/rename", s.passkeyRename)
	signedIn.POST(paths.AccountPasskey+"/remove", s.passkeyRemove)

	// Two-step verification: the sign-in's second step (before any
	// session) and its setup from the account page.
	pages.GET(paths.LoginCode, s.loginCodeForm)
	pages.POST(paths.LoginCode, s.loginCode)
	signedIn.POST(paths.AccountTwoStepStart, s.twoStepStart)
	signedIn.GET(paths.AccountTwoStep, s.twoStepSetup)
	signedIn.POST(paths.AccountTwoStepConfirm, s.twoStepConfirm)
	signedIn.POST(paths.AccountTwoStepOff, s.twoStepOff)
	signedIn.POST(paths.AccountRecoveryCodes, s.renewRecoveryCodes)

	// Invitations: the link's page and short sign-up (no session needed),
	// a signed-in person's own invitations, and the organisation's side.
	pages.GET(paths.Invite, s.openInvite)
	pages.POST(paths.Invite, s.join)
	pages.POST(paths.InviteCheck, s.inviteCheck)
	// Someone waiting for access may answer the invitations to their
	// address: accepting one is how they get it.
	invitee := pages.Group("", s.requireUser)
	invitee.GET(paths.MyInvitations, s.myInvitations)
	invitee.POST(paths.InviteAccept, s.acceptInvite)
	invitee.POST(paths.InviteDecline, s.declineInvite)
	signedIn.GET(paths.OrgInvitations, s.orgInvitations)
	signedIn.POST(paths.OrgInvitations, s.invite)
	signedIn.POST(paths.OrgInviteResend, s.resendInvite)
	signedIn.POST(paths.OrgInviteRevoke, s.revokeInvite)

	// The operator's console: operators only, and to everyone else the
	// 404 of an unknown path (even for a wrong method or a trailing
	// slash). Destructive actions ask for the password again when it was
	// typed more than account.ReauthAfter ago.
	admin := pages.Group(paths.Admin, s.requireOperator)
	rel := func(p string) string { return strings.TrimPrefix(p, paths.Admin) }
	admin.GET("", s.adminOverview)
	admin.GET(rel(paths.AdminUsers), s.adminUsers)
	admin.GET(rel(paths.AdminUser), s.adminUser)
	admin.POST(rel(paths.AdminUserResend), s.adminUserAction(s.adminResend, components.AdminDoneResent))
	admin.POST(rel(paths.AdminUserEnable), s.adminUserAction(s.adminEnable, components.AdminDoneEnabled))
	admin.POST(rel(paths.AdminUserUnlock), s.adminUserAction(s.adminUnlock, components.AdminDoneUnlocked))
	admin.GET(rel(paths.AdminMail), s.adminMail)
	admin.GET(rel(paths.AdminMessage), s.adminMessage)
	admin.POST(rel(paths.AdminMessageRetry), s.adminRetry)
	admin.GET(rel(paths.AdminAudit), s.adminAudit)
	admin.POST(rel(paths.AdminAuditExport), s.adminAuditExport)
	destructive := admin.Group("", s.requireRecentPassword)
	destructive.POST(rel(paths.AdminUserDisable), s.adminUserAction(s.adminDisable, components.AdminDoneDisabled))
	destructive.POST(rel(paths.AdminUserEndSessions), s.adminUserAction(s.adminEndSessions, components.AdminDoneEnded))
	destructive.POST(rel(paths.AdminUserDelete), s.adminUserAction(s.adminDelete, components.AdminDoneDeleted))
	destructive.POST(rel(paths.AdminUserResetTwoStep), s.adminUserAction(s.adminResetTwoStep, components.AdminDoneTwoStepRemoved))
	destructive.POST(rel(paths.AdminSuppressionLift), s.adminLiftSuppression)
	admin.GET(rel(paths.AdminOrgs), s.adminOrgs)
	admin.POST(rel(paths.AdminOrgs), s.adminCreateOrg)
	admin.GET(rel(paths.AdminOrg), s.adminOrg)
	s.adminOrgRoutes(admin, destructive, rel)
	// The queue of sign-ups waiting for an operator (SIGNUP_MODE=approval);
	// declining erases the account, so it asks for the password again.
	admin.GET(rel(paths.AdminApprovals), s.adminApprovals)
	admin.POST(rel(paths.AdminUserApprove), s.adminApprovalAction(s.adminApprove, components.AdminDoneApproved))
	destructive.POST(rel(paths.AdminUserDecline), s.adminApprovalAction(s.adminDecline, components.AdminDoneDeclined))
	s.adminSlashRoutes(r, admin)

	// The platform behind the door: forward auth, who is signed in, and
	// the keys of the identity tokens.
	pages.GET(paths.AuthVerify, s.authVerify)
	pages.GET(paths.AuthSession, s.authSession)
	if d.Platform.Keys != nil {
		r.GET(paths.JWKS, s.jwks)
	}

	if d.Mailbox != nil {
		dev := pages.Group(paths.DevMailbox, loopbackOnly(s.notFound))
		dev.GET("", s.mailbox)
		dev.GET("/:id", s.mailboxHTML)
	}

	// Resend's delivery events, when a signing secret is configured;
	// without one the path is a 404 like any unknown one. Svix posts
	// server to server with neither Origin nor Sec-Fetch-Site, which
	// cross-origin protection lets through (TestResendWebhookRoute).
	if d.ResendWebhook != nil {
		r.POST(paths.ResendWebhook, noStore, s.resendWebhook)
	}

	return r, nil
}
