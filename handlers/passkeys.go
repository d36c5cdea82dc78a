package handlers

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"gatehouse/components"
	"gatehouse/internal/account"
	"gatehouse/internal/i18n"
	"gatehouse/internal/metrics"
	"gatehouse/internal/paths"
)

// Passkeys: the ceremonies are JSON endpoints called by static/passkeys.js
// (WebAuthn is a browser API, so passkeys need script); listing, renaming
// and removing them are plain forms on the account page. A ceremony's
// secret travels in a cookie scoped to /passkeys, so only the browser that
// began it can finish it.

const (
	passkeyCookie      = "passkey"
	passkeyOfferCookie = "passkey_offer"
)

// maxCeremonyBytes bounds a ceremony's JSON: a credential is a few KiB.
const maxCeremonyBytes = 64 << 10

// passkeyJSON answers a ceremony endpoint.
func passkeyJSON(c *gin.Context, status int, v any) {
	c.Header("Cache-Control", "no-store")
	c.JSON(status, v)
}

// passkeyError answers a ceremony with a translated message for the page
// to show; server errors are logged by the one place that does.
func (s *server) passkeyError(c *gin.Context, err error, refused int, msg string) {
	ctx := c.Request.Context()
	var limited *account.RateLimitedError
	switch {
	case errors.Is(err, account.ErrPasskeysOff):
		passkeyJSON(c, http.StatusNotFound, gin.H{"error": i18n.T(ctx, "error.passkey.off")})
	case errors.As(err, &limited):
		metrics.RateLimited(limited.Rule)
		c.Header("Retry-After", strconv.Itoa(max(int(limited.RetryAfter.Seconds()), 1)))
		passkeyJSON(c, http.StatusTooManyRequests, gin.H{"error": i18n.T(ctx, "page.too_many.body")})
	case errors.Is(err, account.ErrBusy):
		passkeyJSON(c, http.StatusServiceUnavailable, gin.H{"error": i18n.T(ctx, "page.busy.body")})
	case msg != "":
		passkeyJSON(c, refused, gin.H{"error": i18n.T(ctx, msg)})
	default:
		s.Log.ErrorContext(ctx, "request failed", "err", err)
		passkeyJSON(c, http.StatusInternalServerError, gin.H{"error": i18n.T(ctx, "page.error.generic")})
	}
}

func (s *server) ceremonyBinding(c *gin.Context) string {
	v, _ := c.Cookie(s.flowCookie(passkeyCookie))
	return v
}

func (s *server) startCeremony(c *gin.Context, cer account.Ceremony) {
	s.setCookie(c, s.flowCookie(passkeyCookie), cer.Binding, paths.PasskeyPrefix, account.PasskeyChallengeTTL)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/json; charset=utf-8", cer.Options)
}

// ceremonyBody reads a ceremony's answer; false when it was too big.
func ceremonyBody(c *gin.Context) ([]byte, bool) {
	body, err := io.ReadAll(io.LimitReader(c.Request.Body, maxCeremonyBytes+1))
	return body, err == nil && len(body) <= maxCeremonyBytes
}

// passkeyOwner is whose account a registration adds to: the signed-in
// user, or the one whose password this browser has just set (the offer
// on the sign-in page). offer is that grant, if it is the one used.
func (s *server) passkeyOwner(c *gin.Context) (userID int64, offer string, err error) {
	u, _, err := s.currentUser(c)
	if err != nil {
		return 0, "", err
	}
	if u != nil {
		return u.ID, "", nil
	}
	grant, _ := c.Cookie(s.flowCookie(passkeyOfferCookie))
	en, err := s.Account.PasskeyEnrolment(c.Request.Context(), grant)
	if err != nil {
		return 0, "", err
	}
	return en.UserID, grant, nil
}

// passkeyNobody is the message for a registration by nobody: neither signed
// in nor holding an offer; "" for a server error.
func passkeyNobody(err error) string {
	if errors.Is(err, account.ErrNoEnrolment) {
		return "error.passkey.not_signed_in"
	}
	return ""
}

func (s *server) passkeyRegisterOptions(c *gin.Context) {
	id, _, err := s.passkeyOwner(c)
	if err != nil {
		s.passkeyError(c, err, http.StatusUnauthorized, passkeyNobody(err))
		return
	}
	cer, err := s.Account.BeginPasskeyRegistration(c.Request.Context(), id)
	if err != nil {
		s.passkeyError(c, err, 0, "")
		return
	}
	s.startCeremony(c, cer)
}

func (s *server) passkeyRegister(c *gin.Context) {
	ctx := c.Request.Context()
	id, offer, err := s.passkeyOwner(c)
	if err != nil {
		s.passkeyError(c, err, http.StatusUnauthorized, passkeyNobody(err))
		return
	}
	body, ok := ceremonyBody(c)
	if !ok {
		s.passkeyError(c, account.ErrPasskeyFailed, http.StatusRequestEntityTooLarge, "error.passkey.not_added")
		return
	}
	_, err = s.Account.FinishPasskeyRegistration(ctx, id, s.ceremonyBinding(c), body, s.meta(c))
	s.clearCookie(c, s.flowCookie(passkeyCookie), paths.PasskeyPrefix)
	if errors.Is(err, account.ErrPasskeyFailed) {
		s.passkeyError(c, err, http.StatusBadRequest, "error.passkey.not_added")
		return
	}
	if err != nil {
		s.passkeyError(c, err, 0, "")
		return
	}
	to := withNotice(paths.Account, account.NoticePasskeyAdded)
	if offer != "" {
		// Added before signing in: the offer is over; on to sign-in,
		// where the new passkey signs in.
		en, _ := s.Account.PasskeyEnrolment(ctx, offer)
		if err := s.Account.EndPasskeyEnrolment(ctx, offer); err != nil {
			s.passkeyError(c, err, 0, "")
			return
		}
		s.clearCookie(c, s.flowCookie(passkeyOfferCookie), "/")
		to = withNotice(paths.Login, account.NoticePasskeyAdded)
		if en.ReturnTo != "" {
			to += "&return_to=" + url.QueryEscape(en.ReturnTo)
		}
	}
	passkeyJSON(c, http.StatusOK, gin.H{"redirect": to})
}

func (s *server) passkeyLoginOptions(c *gin.Context) {
	cer, err := s.Account.BeginPasskeySignIn(c.Request.Context(), c.Query("mediation") == "conditional", returnTo(c), s.meta(c))
	if err != nil {
		s.passkeyError(c, err, 0, "")
		return
	}
	s.startCeremony(c, cer)
}

func (s *server) passkeyLogin(c *gin.Context) {
	body, ok := ceremonyBody(c)
	if !ok {
		s.passkeyError(c, account.ErrBadCredentials, http.StatusUnauthorized, "error.passkey.sign_in_failed")
		return
	}
	in, err := s.Account.FinishPasskeySignIn(c.Request.Context(), s.ceremonyBinding(c), body, s.sessionToken(c), s.meta(c))
	s.clearCookie(c, s.flowCookie(passkeyCookie), paths.PasskeyPrefix)
	if errors.Is(err, account.ErrBadCredentials) {
		// One answer for every refusal, as for a password (rule 21).
		s.passkeyError(c, err, http.StatusUnauthorized, "error.passkey.sign_in_failed")
		return
	}
	if err != nil {
		s.passkeyError(c, err, 0, "")
		return
	}
	s.setSession(c, in.Session)
	s.clearCookie(c, s.flowCookie(loginHintCookie), paths.Login)
	s.clearCookie(c, s.flowCookie(passkeyOfferCookie), "/")
	passkeyJSON(c, http.StatusOK, gin.H{"redirect": s.landing(in.ReturnTo)})
}

// offerPasskey opens, right after a password was set, the offer to add a
// passkey that the sign-in page then shows; nothing when passkeys are off.
func (s *server) offerPasskey(c *gin.Context, f *account.Flow, l account.Landing) {
	grant, err := s.Account.OfferPasskey(c.Request.Context(), l, f.Name)
	if err != nil {
		if !errors.Is(err, account.ErrPasskeysOff) {
			s.Log.WarnContext(c.Request.Context(), "passkey offer failed", "err", err)
		}
		return
	}
	s.setCookie(c, s.flowCookie(passkeyOfferCookie), grant, "/", account.PasskeyEnrolTTL)
}

// passkeyOffered reports whether this browser holds an open offer.
func (s *server) passkeyOffered(c *gin.Context) bool {
	grant, err := c.Cookie(s.flowCookie(passkeyOfferCookie))
	if err != nil {
		return false
	}
	_, err = s.Account.PasskeyEnrolment(c.Request.Context(), grant)
	return err == nil
}

// passkeyOfferEnd declines the offer ("Not now").
func (s *server) passkeyOfferEnd(c *gin.Context) {
	if !s.parseForm(c) {
		return
	}
	grant, _ := c.Cookie(s.flowCookie(passkeyOfferCookie))
	if err := s.Account.EndPasskeyEnrolment(c.Request.Context(), grant); err != nil {
		s.fail(c, err)
		return
	}
	s.clearCookie(c, s.flowCookie(passkeyOfferCookie), "/")
	to := paths.Login
	if rt := returnTo(c); rt != "" {
		to += "?return_to=" + url.QueryEscape(rt)
	}
	redirect(c, to)
}

// passkeysView is the account page's passkey section.
func (s *server) passkeysView(c *gin.Context, u *account.User, form components.PasskeyForm) (components.PasskeysView, error) {
	v := components.PasskeysView{On: s.Account.PasskeysOn(), Form: form}
	if !v.On {
		return v, nil
	}
	ctx := c.Request.Context()
	list, err := s.Account.Passkeys(ctx, *u)
	if err != nil {
		return v, err
	}
	for _, p := range list {
		row := components.PasskeyRow{ID: p.ID, Name: p.Name, Created: i18n.Date(ctx, p.CreatedAt), Synced: p.Synced}
		if p.LastUsedAt != nil {
			row.LastUsed = i18n.Date(ctx, *p.LastUsedAt)
		}
		v.Passkeys = append(v.Passkeys, row)
	}
	return v, nil
}

// passkeyForm reads a passkey action's form, its owner and the passkey's
// id from the path; ok is false once it has answered (a bad form, or 404
// for an id no passkey can have).
func (s *server) passkeyForm(c *gin.Context) (u *account.User, id int64, ok bool) {
	if !s.parseForm(c) {
		return nil, 0, false
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		s.notFound(c)
		return nil, 0, false
	}
	u, _, _ = s.currentUser(c)
	return u, id, true
}

// passkeyRename names a passkey; a bad name shows the account page again
// with the name as typed and the problem under it.
func (s *server) passkeyRename(c *gin.Context) {
	u, id, ok := s.passkeyForm(c)
	if !ok {
		return
	}
	err := s.Account.RenamePasskey(c.Request.Context(), *u, id, c.PostForm("name"), s.meta(c))
	var errs account.FieldErrors
	switch {
	case errors.As(err, &errs):
		s.showAccount(c, http.StatusUnprocessableEntity, accountForms{passkey: components.PasskeyForm{ID: id, Form: formOf(c, errs, "name")}})
	case errors.Is(err, account.ErrNoPasskey):
		s.notFound(c)
	case err != nil:
		s.fail(c, err)
	default:
		redirect(c, withNotice(paths.Account, account.NoticePasskeyRenamed)+"#passkeys-title")
	}
}

// passkeyRemove removes a passkey, unless it is the last way to sign in.
func (s *server) passkeyRemove(c *gin.Context) {
	u, id, ok := s.passkeyForm(c)
	if !ok {
		return
	}
	err := s.Account.RemovePasskey(c.Request.Context(), *u, id, s.meta(c))
	switch {
	case errors.Is(err, account.ErrLastSignInMethod):
		s.showAccount(c, http.StatusConflict, accountForms{passkey: components.PasskeyForm{ID: id, Refused: true}})
	case errors.Is(err, account.ErrNoPasskey):
		s.notFound(c)
	case err != nil:
		s.fail(c, err)
	default:
		redirect(c, withNotice(paths.Account, account.NoticePasskeyRemoved)+"#passkeys-title")
	}
}
