package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"gatehouse/components"
	"gatehouse/internal/account"
	"gatehouse/internal/paths"
)

// requestEmailChange takes the account page's "change email address"
// form: the new address and the current password. A refusal shows the
// page again with the problems and what was typed (never the password);
// otherwise "check your inbox" for the new address, whatever became of it.
func (s *server) requestEmailChange(c *gin.Context) {
	if !s.parseForm(c) {
		return
	}
	u, _, _ := s.currentUser(c)
	sent, err := s.Account.RequestEmailChange(c.Request.Context(), *u, c.PostForm("new_email"), c.PostForm("email_password"), s.meta(c))
	var errs account.FieldErrors
	if errors.As(err, &errs) {
		// The page has a change-password form too: this form's password
		// field has a name of its own.
		if m, ok := errs["current_password"]; ok {
			delete(errs, "current_password")
			errs["email_password"] = m
		}
		s.showAccount(c, http.StatusUnprocessableEntity, accountForms{email: formOf(c, errs, "new_email")})
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.toSentPage(c, account.EmailChange.Paths.Sent, sent)
}

// emailConfirmForm is the page an email-change link leads to: it says
// which address becomes which and asks for one click, as opening the link
// must change nothing (mail scanners open links).
func (s *server) emailConfirmForm(f *account.Flow) gin.HandlerFunc {
	return func(c *gin.Context) {
		ch, err := s.Account.CheckEmailChange(c.Request.Context(), f, s.flowToken(c, f))
		if err != nil {
			s.tokenError(c, err)
			return
		}
		s.render(c, http.StatusOK, components.EmailConfirmPage(components.EmailChangeView{Flow: f, From: ch.From, To: ch.To}))
	}
}

// confirmEmail completes the change. The owner lands on the account page
// when this browser is signed in to the account, else on sign-in with the
// new address filled in.
func (s *server) confirmEmail(f *account.Flow) gin.HandlerFunc {
	return func(c *gin.Context) {
		ch, err := s.Account.ConfirmEmailChange(c.Request.Context(), f, s.flowToken(c, f), s.meta(c))
		if errors.Is(err, account.ErrAddressTaken) {
			s.clearFlowCookie(c, f)
			s.errorPage(c, http.StatusConflict, "page.email_taken.title", "page.email_taken.body")
			return
		}
		if err != nil {
			s.tokenError(c, err)
			return
		}
		s.clearFlowCookie(c, f)
		u, _, err := s.currentUser(c)
		if err != nil {
			s.fail(c, err)
			return
		}
		if u == nil || !strings.EqualFold(u.Email, ch.To) {
			// Not signed in here, or signed in as someone else: the owner
			// signs in with the new address.
			s.setCookie(c, s.flowCookie(loginHintCookie), url.QueryEscape(ch.To), paths.Login, loginHintLifetime)
			redirect(c, withNotice(paths.Login, f.Done))
			return
		}
		redirect(c, withNotice(paths.Account, f.Done))
	}
}

// revertCookie carries the revert link's token from its GET to the POST
// that uses it, out of the address bar, as a flow's cookie does.
const revertCookie = "email_revert"

// revertLinkOrForm is the old address's "this wasn't me" link (with
// ?token=, which it checks and moves into a cookie) and the page it leads
// to, which asks for the click that undoes the change.
func (s *server) revertLinkOrForm(c *gin.Context) {
	ctx := c.Request.Context()
	if raw := c.Query("token"); raw != "" {
		if err := s.Account.OpenRevertLink(ctx, raw, s.meta(c)); err != nil {
			s.tokenError(c, err)
			return
		}
		s.setCookie(c, s.flowCookie(revertCookie), raw, paths.EmailRevert, flowLifetime)
		c.Redirect(http.StatusSeeOther, paths.EmailRevert)
		return
	}
	raw, _ := c.Cookie(s.flowCookie(revertCookie))
	ch, err := s.Account.CheckRevert(ctx, raw)
	if err != nil {
		s.tokenError(c, err)
		return
	}
	s.render(c, http.StatusOK, components.EmailRevertPage(components.EmailChangeView{From: ch.From, To: ch.To}))
}

// revertEmail undoes the change: the old address is back, every session
// has ended and the password is void, so the browser goes straight on to
// choose a new one, with the recovery link minted for it.
func (s *server) revertEmail(c *gin.Context) {
	raw, _ := c.Cookie(s.flowCookie(revertCookie))
	_, reset, err := s.Account.RevertEmailChange(c.Request.Context(), raw, s.meta(c))
	if errors.Is(err, account.ErrAddressTaken) {
		s.errorPage(c, http.StatusConflict, "page.email_taken.title", "page.email_revert_taken.body")
		return
	}
	if err != nil {
		s.tokenError(c, err)
		return
	}
	s.clearCookie(c, s.flowCookie(revertCookie), paths.EmailRevert)
	s.clearCookie(c, s.sessionCookie(), "/")
	s.setFlowCookie(c, account.Recovery, reset)
	redirect(c, withNotice(account.Recovery.Paths.Form, account.NoticeEmailRestored))
}
