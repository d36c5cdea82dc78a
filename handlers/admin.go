package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"gatehouse/components"
	"gatehouse/internal/account"
	"gatehouse/internal/i18n"
	"gatehouse/internal/paths"
)

// requireOperator lets only operators into the console. Everyone else
// (visitors, people signed in without the role, an operator whose account
// was disabled, whose sessions ended with it) gets the answer an unknown
// path gets: the console does not admit it exists. The check runs before
// anything about the person is applied to the request (their stored
// language, a cleared cookie), so the 404 is the same bytes as any other.
func (s *server) requireOperator(c *gin.Context) {
	u, sess, ok := s.operator(c)
	if !ok {
		if !c.IsAborted() {
			s.notFound(c)
			c.Abort()
		}
		return
	}
	c.Set(userKey, u)
	c.Set(sessionKey, sess)
	s.userLanguage(c, u)
	ctx := components.WithWide(c.Request.Context())
	if s.Account.ApprovalMode() {
		// The navigation shows the queue of sign-ups to approve, with its length.
		n, err := s.Account.CountAwaiting(ctx)
		if err != nil {
			s.fail(c, err)
			c.Abort()
			return
		}
		ctx = components.WithApprovals(ctx, n)
	}
	c.Request = c.Request.WithContext(ctx)
	c.Next()
}

// operator is the signed-in operator, if the request has one. A database
// failure is answered (and the request aborted) here.
func (s *server) operator(c *gin.Context) (*account.User, *account.Session, bool) {
	raw := s.sessionToken(c)
	if raw == "" {
		return nil, nil, false
	}
	u, sess, err := s.Account.Authenticate(c.Request.Context(), raw)
	if err != nil && !errors.Is(err, account.ErrNoSession) {
		s.fail(c, err)
		c.Abort()
		return nil, nil, false
	}
	if err != nil || !account.IsOperator(&u) {
		return nil, nil, false
	}
	return &u, &sess, true
}

// consoleMethodNotAllowed is the 405 of a console path, which only an
// operator may learn exists; anyone else gets the 404 of an unknown path.
func (s *server) consoleMethodNotAllowed(c *gin.Context) bool {
	if !paths.IsAdmin(c.Request.URL.Path) {
		return false
	}
	if _, _, ok := s.operator(c); !ok {
		if !c.IsAborted() {
			// Gin has named the methods the path takes; an unknown path
			// names none.
			c.Writer.Header().Del("Allow")
			s.notFound(c)
		}
		return true
	}
	return false
}

// adminSlashRoutes answers every console path written with a trailing
// slash itself, so Gin's redirect to the path without it cannot tell a
// visitor which console paths exist: operators are sent on, anyone else
// gets the 404 of an unknown path.
func (s *server) adminSlashRoutes(r *gin.Engine, admin *gin.RouterGroup) {
	seen := map[string]bool{}
	for _, rt := range r.Routes() {
		if !paths.IsAdmin(rt.Path) || strings.HasSuffix(rt.Path, "/") || seen[rt.Method+rt.Path] {
			continue
		}
		seen[rt.Method+rt.Path] = true
		rel := strings.TrimPrefix(rt.Path, paths.Admin) + "/"
		admin.Handle(rt.Method, rel, func(c *gin.Context) {
			redirect(c, strings.TrimSuffix(c.Request.URL.Path, "/"))
		})
	}
}

// current is the operator running the request (requireOperator put them
// there), as the audit trail names them.
func (s *server) current(c *gin.Context) (*account.User, *account.Session, account.Operator) {
	u := c.MustGet(userKey).(*account.User)
	sess := c.MustGet(sessionKey).(*account.Session)
	return u, sess, account.Operator{Name: u.Email, UserID: u.ID, IP: c.ClientIP()}
}

// requireRecentPassword stands before destructive actions: when the
// operator's password was typed more than account.ReauthAfter ago, it
// asks for it again, on a page whose form posts the action's own fields
// with the password back to the action; a right password lets the action
// go ahead at once.
func (s *server) requireRecentPassword(c *gin.Context) {
	u, sess, _ := s.current(c)
	if !s.Account.NeedsReauth(*sess) {
		c.Next()
		return
	}
	if !s.parseForm(c) {
		c.Abort()
		return
	}
	form := components.Form{}
	if c.Request.PostForm.Has("reauth_password") {
		err := s.Account.ConfirmPassword(c.Request.Context(), *u, *sess, c.PostForm("reauth_password"), s.meta(c))
		if err == nil {
			c.Next()
			return
		}
		var errs account.FieldErrors
		if !errors.As(err, &errs) {
			s.fail(c, err)
			c.Abort()
			return
		}
		form.Errors = map[string]i18n.Message(errs)
	}
	v := components.AdminReauthView{Action: c.Request.URL.Path, Email: u.Email, Form: form}
	for k, vals := range c.Request.PostForm {
		if k == "reauth_password" || k == "username" {
			continue
		}
		for _, val := range vals {
			v.Hidden = append(v.Hidden, [2]string{k, val})
		}
	}
	s.render(c, http.StatusOK, components.AdminReauthPage(v))
	c.Abort()
}

// adminRefusal answers an action the account's state does not allow with
// a translated explanation; it reports false for any other error.
func (s *server) adminRefusal(c *gin.Context, err error) bool {
	var msg string
	switch {
	case errors.Is(err, account.ErrUnknownUser), errors.Is(err, account.ErrUnknownMessage), errors.Is(err, account.ErrUnknownOrg):
		s.notFound(c)
		return true
	case errors.Is(err, account.ErrNotPending):
		msg = "page.admin.error.not_pending"
	case errors.Is(err, account.ErrNoLinks):
		msg = "page.admin.error.no_links"
	case errors.Is(err, account.ErrSelfTwoStep):
		msg = "page.admin.error.self_two_step"
	case errors.Is(err, account.ErrSelf):
		msg = "page.admin.error.self"
	case errors.Is(err, account.ErrNotAwaiting):
		msg = "page.admin.error.not_awaiting"
	case errors.Is(err, account.ErrNoSuppression):
		msg = "page.admin.error.no_suppression"
	case errors.Is(err, account.ErrNoTwoStepSetup):
		msg = "page.admin.error.no_two_step"
	}
	var blocked *account.DeleteBlockedError
	if msg == "" && errors.As(err, &blocked) {
		// The last owner of an organisation with other people in it:
		// the organisation's page is where another owner is made.
		s.writeErrorData(c.Writer, c.Request, http.StatusConflict, "page.admin.error.title", "page.admin.error.last_owner",
			map[string]any{"Org": blocked.OrgName})
		return true
	}
	if msg == "" {
		return false
	}
	s.errorPage(c, http.StatusConflict, "page.admin.error.title", msg)
	return true
}

// adminDone is path showing the console notice n.
func adminDone(path string, n components.AdminNotice) string {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + "done=" + url.QueryEscape(string(n))
}

// doneNotice is the console notice the address names, if any.
func doneNotice(c *gin.Context) components.AdminNotice {
	n := components.AdminNotice(c.Query("done"))
	if n.MessageID() == "" {
		return ""
	}
	return n
}
