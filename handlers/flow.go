package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/a-h/templ"
	"github.com/gin-gonic/gin"

	"gatehouse/components"
	"gatehouse/internal/account"
	"gatehouse/internal/i18n"
	"gatehouse/internal/metrics"
	"gatehouse/internal/password"
)

// The handlers of this file serve every flow that proves an address by
// email (account.Flow): "check your inbox" with its code form and "send
// again", the emailed link, and the new-password form with its live
// checklist. Each is made for one flow by the router; none asks which.

// sentView is the "check your inbox" page of f about the remembered
// address; ok is false when there is none (the visitor came here directly).
func (s *server) sentView(c *gin.Context, f *account.Flow, form components.Form, notice account.Notice) (components.SentView, bool) {
	sent, ok := s.sentTo(c)
	if !ok {
		return components.SentView{}, false
	}
	return components.SentView{Flow: f, Email: sent.Email, Notice: notice, Form: form, Codes: s.Account.CodesOn(),
		CooldownUntil: sent.ResendAt().Unix(), Delivery: s.deliveryView(c, f, sent)}, true
}

// showSent renders the "check your inbox" page of f.
func (s *server) showSent(f *account.Flow) gin.HandlerFunc {
	return func(c *gin.Context) {
		v, ok := s.sentView(c, f, components.Form{}, notice(c))
		if !ok {
			c.Redirect(http.StatusFound, f.Paths.Start)
			return
		}
		if v.Notice == account.NoticeWait {
			v.WaitSeconds = waitSeconds(c.Query("wait"))
		}
		s.render(c, http.StatusOK, components.SentPage(v))
	}
}

// verifyCode takes the code from the email, typed into the browser that
// asked for it. A right code continues exactly as the emailed link would.
func (s *server) verifyCode(f *account.Flow) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !s.parseForm(c) {
			return
		}
		code := c.PostForm("code")
		served, raw, err := s.Account.VerifyCode(c.Request.Context(), f, s.binding(c), code, s.meta(c))
		var problem i18n.Message
		var wrong *account.WrongCodeError
		var errs account.FieldErrors
		switch {
		case err == nil:
			// The code may be of the flow f hands a pending account to
			// (recovery → activation): continue in that one.
			s.setFlowCookie(c, served, raw)
			redirect(c, served.Paths.Form)
			return
		case errors.As(err, &errs):
			problem = errs["code"]
		case errors.As(err, &wrong):
			problem = i18n.Message{ID: "error.code.wrong", Data: map[string]any{"Count": wrong.Left}}
		case errors.Is(err, account.ErrCodeExpired):
			problem = i18n.Msg("error.code.expired")
		case errors.Is(err, account.ErrCodeBudget):
			problem = i18n.Msg("error.code.budget")
		default:
			s.fail(c, err)
			return
		}
		form := components.Form{Values: map[string]string{"code": code}, Errors: map[string]i18n.Message{"code": problem}}
		v, ok := s.sentView(c, f, form, "")
		if !ok {
			c.Redirect(http.StatusSeeOther, f.Paths.Start)
			return
		}
		s.render(c, http.StatusUnprocessableEntity, components.SentPage(v))
	}
}

// resend sends the email of f again to the remembered address. The
// button counts down the cooldown; without script the server says to wait.
// The answer is the same whatever the address.
func (s *server) resend(f *account.Flow) gin.HandlerFunc {
	return func(c *gin.Context) {
		prev, ok := s.sentTo(c)
		if !ok {
			redirect(c, f.Paths.Start)
			return
		}
		sent, err := s.Account.Resend(c.Request.Context(), f, prev, s.meta(c))
		var soon *account.TooSoonError
		if errors.As(err, &soon) {
			metrics.RateLimited("resend")
			secs := int(soon.Wait / time.Second)
			redirect(c, withNotice(f.Paths.Sent, account.NoticeWait)+"&wait="+strconv.Itoa(secs))
			return
		}
		if err != nil {
			s.fail(c, err)
			return
		}
		s.toSentPage(c, withNotice(f.Paths.Sent, account.NoticeResent), sent)
	}
}

// waitSeconds is the wait a "send again" was told, from the address of the
// page it was sent to; 0 (say only "wait") for anything but a plausible
// number of seconds.
func waitSeconds(q string) int {
	n, err := strconv.Atoi(q)
	if err != nil || n < 1 || n > int(account.ResendCooldown/time.Second) {
		return 0
	}
	return n
}

// openLink is the GET of f's emailed link. It changes nothing (mail
// scanners open links): it checks the token, moves it into a cookie scoped
// to the password form, and redirects there, so the token leaves the
// address bar.
func (s *server) openLink(f *account.Flow) gin.HandlerFunc {
	return func(c *gin.Context) {
		raw := c.Query("token")
		if err := s.Account.OpenLink(c.Request.Context(), f, raw, s.meta(c)); err != nil {
			s.tokenError(c, err)
			return
		}
		s.setFlowCookie(c, f, raw)
		c.Redirect(http.StatusSeeOther, f.Paths.Form)
	}
}

// linkOrForm serves a flow whose link and form share a path: with
// ?token= it is the link, without it the form.
func (s *server) linkOrForm(f *account.Flow) gin.HandlerFunc {
	link, form := s.openLink(f), s.flowForm(f)
	return func(c *gin.Context) {
		if c.Query("token") != "" {
			link(c)
			return
		}
		form(c)
	}
}

// tokenError answers every unusable link alike.
func (s *server) tokenError(c *gin.Context, err error) {
	if !errors.Is(err, account.ErrInvalidToken) {
		s.fail(c, err)
		return
	}
	// One page for every unusable link, wherever it was opened: even the
	// language links lead to the same place, the form for a new link.
	c.Request = c.Request.WithContext(components.WithURL(c.Request.Context(), &url.URL{Path: account.Recovery.Paths.Start}))
	s.render(c, http.StatusGone, components.InvalidLinkPage(components.Form{}))
}

// flowForm is the form a link of f leads to: a new password, or for a
// flow that proves a new address the confirmation of the change.
func (s *server) flowForm(f *account.Flow) gin.HandlerFunc {
	if f.NewAddress {
		return s.emailConfirmForm(f)
	}
	return s.passwordForm(f)
}

// completeFlow is the POST of f's form.
func (s *server) completeFlow(f *account.Flow) gin.HandlerFunc {
	if f.NewAddress {
		return s.confirmEmail(f)
	}
	return s.choosePassword(f)
}

// passwordForm shows f's new-password form for the token in its cookie.
func (s *server) passwordForm(f *account.Flow) gin.HandlerFunc {
	return func(c *gin.Context) {
		u, err := s.Account.CheckToken(c.Request.Context(), f, s.flowToken(c, f))
		if err != nil {
			s.tokenError(c, err)
			return
		}
		min := s.Account.Policy().MinLength
		v := components.PasswordView{Flow: f, Email: u.Email, MinLength: min, Check: components.Checklist{MinLength: min}, Notice: notice(c)}
		s.render(c, http.StatusOK, components.PasswordPage(v))
	}
}

// choosePassword completes f with the posted password, then sends the
// browser to sign in afresh: every old session is gone.
func (s *server) choosePassword(f *account.Flow) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !s.parseForm(c) {
			return
		}
		ctx := c.Request.Context()
		raw := c.Query("token")
		if raw == "" {
			raw = s.flowToken(c, f)
		}
		pw, confirm := c.PostForm("password"), c.PostForm("password_confirm")
		landing, err := s.Account.CompleteTo(ctx, f, raw, pw, confirm, s.meta(c))
		var errs account.FieldErrors
		if errors.As(err, &errs) {
			u, cerr := s.Account.CheckToken(ctx, f, raw)
			if cerr != nil {
				s.tokenError(c, cerr)
				return
			}
			min := s.Account.Policy().MinLength
			v := components.PasswordView{Flow: f, Email: u.Email, MinLength: min,
				Form: components.Form{Errors: errs, Values: map[string]string{}}, Check: components.Checklist{MinLength: min}}
			// A good new password stays in its field when only the
			// confirmation was wrong; the confirmation is typed again. The
			// checklist describes what the fields now hold, and the
			// mismatch is said once, under the confirmation.
			if _, bad := errs["password"]; !bad {
				v.Form.Values["password"] = pw
				e, _ := s.Account.EvaluatePassword(ctx, f, raw, pw)
				v.Check = checklist(e, pw, "")
			}
			s.render(c, http.StatusUnprocessableEntity, components.PasswordPage(v))
			return
		}
		if err != nil {
			s.tokenError(c, err)
			return
		}
		s.clearFlowCookie(c, f)
		if f.SignUp {
			s.clearDraft(c) // signed up: the form's values have done their work
		}
		s.clearCookie(c, s.sessionCookie(), "/")
		s.afterPassword(c, f, landing)
	}
}

// passwordCheck answers the live checklist as the user types a new
// password: the server's own policy code scores it against the link
// owner's data. The password is neither stored nor logged.
func (s *server) passwordCheck(f *account.Flow) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !s.parseForm(c) {
			return
		}
		pw, confirm := c.PostForm("password"), c.PostForm("password_confirm")
		e, err := s.Account.EvaluatePassword(c.Request.Context(), f, s.flowToken(c, f), pw)
		if err != nil {
			s.tokenError(c, err)
			return
		}
		list := checklist(e, pw, confirm)
		s.renderParts(c, http.StatusOK, templ.Join(components.PasswordChecklist(list), components.ConfirmMatch(list, true)))
	}
}

// checklist turns the policy's evaluation into what the page shows.
func checklist(e password.Evaluation, pw, confirm string) components.Checklist {
	return components.Checklist{
		Typed: pw != "", MinLength: e.MinLength, MaxLength: e.MaxLength,
		LongEnough: e.LongEnough && e.NotTooLong, TooLong: !e.NotTooLong,
		Mixed: e.HasLower && e.HasUpper, HasDigit: e.HasDigit, HasSymbol: e.HasSymbol, CompositionRequired: e.CompositionRequired,
		NotCommon: e.NotCommon, NotPredictable: e.NotPredictable, NotPersonal: e.NotPersonal, Score: e.Score,
		ConfirmTyped: confirm != "", Match: confirm == pw,
	}
}
