package handlers

import (
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"gatehouse/components"
	"gatehouse/internal/account"
	"gatehouse/internal/i18n"
	"gatehouse/internal/logctx"
	"gatehouse/internal/metrics"
	"gatehouse/internal/paths"
	"gatehouse/internal/ratelimit"
	"gatehouse/internal/store"
)

// resendCooldown is how long "send again" waits after an email.
const resendCooldown = time.Minute

// sentFlowSpec is one of the two "check your inbox" pages: after sign-up
// and after forgot-password.
type sentFlowSpec struct {
	step               components.Step
	purpose, flow      string // the link's purpose and its flow cookie
	page, back, next   string // this page, the form before it, the password form
	title, body        string
	codeURL, resendURL string
}

var (
	registerSentFlow = sentFlowSpec{step: components.StepVerify, purpose: store.PurposeActivation, flow: activationFlow,
		page: paths.RegisterSent, back: paths.Register, next: paths.PasswordSet,
		title: "page.register_sent.title", body: "page.register_sent.body",
		codeURL: paths.RegisterVerify, resendURL: paths.RegisterResend}
	forgotSentFlow = sentFlowSpec{purpose: store.PurposeReset, flow: resetFlow,
		page: paths.PasswordSent, back: paths.PasswordForgot, next: paths.PasswordReset,
		title: "page.forgot_sent.title", body: "page.forgot_sent.body",
		codeURL: paths.PasswordVerify, resendURL: paths.PasswordResend}
)

// sentView is the page for f about the remembered address; ok is false
// when there is none (the visitor came here directly).
func (s *server) sentView(c *gin.Context, f sentFlowSpec, form components.Form, notice string) (components.SentView, bool) {
	email, at := s.sentTo(c)
	if email == "" {
		return components.SentView{}, false
	}
	v := components.SentView{Step: f.step, Title: f.title, Body: f.body, Email: email, Notice: notice, Form: form,
		ResendURL: f.resendURL, CooldownUntil: at.Add(resendCooldown).Unix()}
	if s.Account.Verification() != account.VerificationLink {
		v.CodeURL = f.codeURL
	}
	return v, true
}

// showSent renders the "check your inbox" page of f.
func (s *server) showSent(f sentFlowSpec) gin.HandlerFunc {
	return func(c *gin.Context) {
		v, ok := s.sentView(c, f, components.Form{}, notice(c))
		if !ok {
			c.Redirect(http.StatusFound, f.back)
			return
		}
		s.render(c, http.StatusOK, components.SentPage(v))
	}
}

// verifyCode takes the code from the email, typed into the browser that
// asked for it. A right code continues exactly as the emailed link would.
func (s *server) verifyCode(f sentFlowSpec) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !s.parseForm(c) || !s.allowTokenUse(c) {
			return
		}
		code := c.PostForm("code")
		var problem i18n.Message
		raw, err := s.Account.VerifyCode(c.Request.Context(), f.purpose, s.binding(c), code)
		var wrong *account.WrongCodeError
		switch {
		case err == nil:
			s.setCookie(c, s.flowCookie(f.flow), raw, flowPaths[f.flow], flowLifetime)
			redirect(c, f.next)
			return
		case code == "":
			problem = i18n.Msg("error.code.required")
		case errors.As(err, &wrong):
			problem = i18n.Message{ID: "error.code.wrong", Data: map[string]any{"Count": wrong.Left}}
		case errors.Is(err, account.ErrCodeExpired):
			problem = i18n.Msg("error.code.expired")
		default:
			s.fail(c, err)
			return
		}
		form := components.Form{Values: map[string]string{"code": code}, Errors: map[string]i18n.Message{"code": problem}}
		v, ok := s.sentView(c, f, form, "")
		if !ok {
			c.Redirect(http.StatusSeeOther, f.back)
			return
		}
		s.render(c, http.StatusUnprocessableEntity, components.SentPage(v))
	}
}

// resend sends the email of f again to the remembered address, at most once
// a minute per address (the button counts down; without script the server
// says to wait). The answer is the same whatever the address.
func (s *server) resend(f sentFlowSpec) gin.HandlerFunc {
	return func(c *gin.Context) {
		email, _ := s.sentTo(c)
		if email == "" {
			redirect(c, f.back)
			return
		}
		ok, _, err := s.Limiter.Allow(c.Request.Context(), "resend:"+logctx.EmailHash(email), ratelimit.Rule{Max: 1, Window: resendCooldown})
		if err != nil {
			s.fail(c, err)
			return
		}
		if !ok {
			metrics.RateLimited("resend")
			redirect(c, withNotice(f.page, "wait"))
			return
		}
		m := s.meta(c)
		m.Binding = newBinding()
		if f.purpose == store.PurposeReset {
			err = s.Account.RequestReset(c.Request.Context(), email, m)
		} else {
			err = s.Account.ResendActivation(c.Request.Context(), email, m)
		}
		var errs account.FieldErrors
		if err != nil && !errors.As(err, &errs) {
			s.fail(c, err)
			return
		}
		s.toSentPage(c, withNotice(f.page, "resent"), email, m.Binding)
	}
}
