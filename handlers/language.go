package handlers

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"gatehouse/internal/account"
	"gatehouse/internal/paths"
)

// switchLanguage is the language switcher: a POST, so a link someone sends
// cannot change what a signed-in person's emails are written in (rule 32;
// a cross-site post is refused by CrossOriginProtection). It remembers the
// choice in this browser and on the account, then goes back to the page it
// was made on. On the sign-up page the switcher's buttons submit the form
// itself, so what was typed comes back filled in, in the new language.
func (s *server) switchLanguage(c *gin.Context) {
	if !s.parseForm(c) {
		return
	}
	tag := s.Catalog.Match(c.PostForm("lang"))
	s.rememberLanguage(c, tag)
	u, _, err := s.currentUser(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	if u != nil {
		if err := s.Account.SetLanguage(c.Request.Context(), u, tag.String()); err != nil {
			s.fail(c, err)
			return
		}
	}
	// "back" rather than "return_to", which a page's own form may carry
	// (where to land after sign-in): on the sign-up page the buttons post
	// that form, with back in the address.
	to := c.Query("back")
	if to == "" {
		to = c.PostForm("back")
	}
	to = returnPath(to)
	if strings.HasPrefix(to, paths.Register) && (to == paths.Register || to[len(paths.Register)] == '?') {
		s.keepDraft(c, registrationValues(c))
	}
	c.Redirect(http.StatusSeeOther, to)
}

// returnPath is where the switcher goes back to: a path on this site with
// its query, less the language (chosen now) and any token (never
// repeated in an address); anything else is the start page.
func returnPath(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") ||
		strings.HasPrefix(u.Path, "//") || strings.ContainsAny(u.Path, "\\") || strings.Contains(raw, "\\") {
		return paths.Home
	}
	q := u.Query()
	q.Del("lang")
	q.Del("token")
	if len(q) == 0 {
		return u.Path
	}
	return u.Path + "?" + q.Encode()
}

// The sign-up draft is what this browser typed into the sign-up form,
// kept in a cookie scoped to /register for as long as "check your inbox"
// is remembered, so the form comes back filled after a language switch,
// on Back from "check your inbox" (htmx 4 keeps no snapshot: it fetches
// the page again) and through "Wrong address? Change it". It is this
// browser's alone: a filled form is never put in the page cache.
const (
	draftCookie = "draft"
	// maxDraft keeps the cookie, with its name and attributes, inside the
	// 4 KB browsers allow; a longer draft is not kept.
	maxDraft = 3800
)

// registrationValues are the sign-up fields posted, by name.
func registrationValues(c *gin.Context) map[string]string {
	out := map[string]string{}
	for _, name := range account.RegistrationFieldNames {
		if v := c.PostForm(name); v != "" {
			out[name] = v
		}
	}
	return out
}

func (s *server) keepDraft(c *gin.Context, values map[string]string) {
	if len(values) == 0 {
		return
	}
	b, err := json.Marshal(values)
	if err != nil {
		return
	}
	v := base64.RawURLEncoding.EncodeToString(b)
	if len(v) > maxDraft {
		s.clearDraft(c)
		return
	}
	s.setCookie(c, s.flowCookie(draftCookie), v, paths.Register, sentLifetime)
}

// draft is the sign-up draft of this browser, or nil; only sign-up fields
// are read from it.
func (s *server) draft(c *gin.Context) map[string]string {
	v, err := c.Cookie(s.flowCookie(draftCookie))
	if err != nil || v == "" || len(v) > maxDraft {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		return nil
	}
	var raw map[string]string
	if json.Unmarshal(b, &raw) != nil {
		return nil
	}
	out := map[string]string{}
	for _, name := range account.RegistrationFieldNames {
		if v, ok := raw[name]; ok {
			out[name] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func (s *server) clearDraft(c *gin.Context) {
	s.clearCookie(c, s.flowCookie(draftCookie), paths.Register)
}
