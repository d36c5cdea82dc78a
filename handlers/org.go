package handlers

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"gatehouse/components"
	"gatehouse/internal/account"
	"gatehouse/internal/paths"
)

// The organisation page and the waiting page. Every rule (who may do
// what, to whom) is account's; these handlers parse one form, call it and
// answer: a redirect to the page with a notice (POST-redirect-GET, which
// htmx follows into #content), the page again with the problem (422), 403
// for a role that does not allow the action, 404 for a member, request or
// domain that is not the organisation's.

// orgRoutes registers the organisation's pages: signedIn are routes for
// active members, waiting for anyone signed in.
func (s *server) orgRoutes(signedIn, waiting *gin.RouterGroup) {
	waiting.GET(paths.OrgWaiting, s.orgWaiting)
	signedIn.GET(paths.Org, s.orgPage)
	signedIn.POST(paths.OrgApprove, s.orgAction(func(c *gin.Context, u account.User) (account.Notice, error) {
		return account.NoticeOrgApproved, s.Account.Approve(c.Request.Context(), u, c.PostForm("member"), s.meta(c))
	}))
	signedIn.POST(paths.OrgDecline, s.orgAction(func(c *gin.Context, u account.User) (account.Notice, error) {
		return account.NoticeOrgDeclined, s.Account.Decline(c.Request.Context(), u, c.PostForm("member"), s.meta(c))
	}))
	signedIn.POST(paths.OrgRole, s.orgAction(func(c *gin.Context, u account.User) (account.Notice, error) {
		return account.NoticeOrgRoleChanged, s.Account.ChangeRole(c.Request.Context(), u, c.PostForm("member"), c.PostForm("role"), s.meta(c))
	}))
	signedIn.POST(paths.OrgRemove, s.orgAction(func(c *gin.Context, u account.User) (account.Notice, error) {
		return account.NoticeOrgRemoved, s.Account.RemoveMember(c.Request.Context(), u, c.PostForm("member"), s.meta(c))
	}))
	signedIn.POST(paths.OrgLeave, s.orgAction(func(c *gin.Context, u account.User) (account.Notice, error) {
		return account.NoticeOrgLeft, s.Account.Leave(c.Request.Context(), u, s.meta(c))
	}))
	signedIn.POST(paths.OrgRename, s.orgAction(func(c *gin.Context, u account.User) (account.Notice, error) {
		return account.NoticeOrgRenamed, s.Account.RenameOrg(c.Request.Context(), u, c.PostForm("name"), s.meta(c))
	}))
	signedIn.POST(paths.OrgDomainClaim, s.orgAction(func(c *gin.Context, u account.User) (account.Notice, error) {
		return account.NoticeOrgDomainClaimed, s.Account.ClaimDomain(c.Request.Context(), u, s.meta(c))
	}))
	signedIn.POST(paths.OrgDomainPolicy, s.orgAction(func(c *gin.Context, u account.User) (account.Notice, error) {
		return account.NoticeOrgPolicyChanged, s.Account.SetJoinPolicy(c.Request.Context(), u, c.PostForm("domain"), c.PostForm("policy"), s.meta(c))
	}))
	signedIn.POST(paths.OrgDomainRelease, s.orgAction(func(c *gin.Context, u account.User) (account.Notice, error) {
		return account.NoticeOrgDomainRemoved, s.Account.ReleaseDomain(c.Request.Context(), u, c.PostForm("domain"), s.meta(c))
	}))
	// The rule that members have a passkey or two-step verification
	// (owners only), and the page of a member who has neither.
	signedIn.POST(paths.OrgSecondFactor, s.orgAction(func(c *gin.Context, u account.User) (account.Notice, error) {
		on := c.PostForm("require") == "on"
		n := account.NoticeOrgSecondFactorOff
		if on {
			n = account.NoticeOrgSecondFactorOn
		}
		return n, s.Account.SetRequireSecondFactor(c.Request.Context(), u, on, s.meta(c))
	}))
	signedIn.GET(paths.SecondStep, s.secondStep)
	// Invitations (DESIGN.md: /org…, /invite) are registered here too, by
	// the invitations feature.
}

// requireAccess sends a signed-in person who is not (yet) an active
// member of an organisation to the waiting page: they may sign out and
// nothing else. It runs after requireUser.
func (s *server) requireAccess(c *gin.Context) {
	u, _, _ := s.currentUser(c)
	if u != nil && !u.HasAccess() {
		redirect(c, paths.OrgWaiting)
		c.Abort()
		return
	}
	if u != nil && u.NeedsSecondFactor() && !secondStepSetup[c.FullPath()] {
		redirect(c, paths.SecondStep)
		c.Abort()
		return
	}
	c.Next()
}

// secondStepSetup are the signed-in routes a member whose organisation
// requires a second step may use before they have one: the page that
// asks and the setup of two-step verification it leads to. A passkey is
// added from that page (its ceremonies are outside the signed-in
// routes), and signing out and the language are open to anyone. The rest
// of the account (the account page, profile, address, password,
// sessions, data, deletion) waits, as the platform does, until the
// second step is set up: the rule is that a password alone no longer
// gets in, and the account is behind it too.
var secondStepSetup = map[string]bool{
	paths.SecondStep: true, paths.AccountTwoStep: true, paths.AccountTwoStepStart: true, paths.AccountTwoStepConfirm: true,
}

// secondStep is the page of a member who must set up a passkey or
// two-step verification; anyone else is sent on to the account page.
func (s *server) secondStep(c *gin.Context) {
	u, _, _ := s.currentUser(c)
	if !u.NeedsSecondFactor() {
		s.land(c, s.afterSecondStep(c))
		return
	}
	s.render(c, http.StatusOK, components.SecondStepPage(components.SecondStepView{OrgName: u.Org.OrgName, Passkeys: s.Account.PasskeysOn()}))
}

// secondStepFirst is waitFirst for a member who must set up a second
// step first: the browser goes to the page that asks, anything else gets
// 403.
func (s *server) secondStepFirst(c *gin.Context, method string) {
	s.sendFirst(c, method, paths.SecondStep, noSecondStep)
}

func noSecondStep(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusForbidden, gin.H{"error": "second_factor_required", "setup": paths.SecondStep})
}

// waitFirst answers a signed-in person without access who asked for the
// platform: a browser navigation goes to the waiting page, htmx is told
// to go there, anything else gets 403 with a small JSON body. Never a 2xx,
// which a forward-auth proxy would take for "let it pass".
func (s *server) waitFirst(c *gin.Context, method string) {
	s.sendFirst(c, method, paths.OrgWaiting, noAccess)
}

// sendFirst sends a browser that asked for the platform to Gatehouse's
// page (on BASE_URL when the platform is elsewhere) and answers anything
// else with refuse's 403.
func (s *server) sendFirst(c *gin.Context, method, page string, refuse func(*gin.Context)) {
	to := page
	if s.Platform.BaseURL != nil {
		to = s.Platform.BaseURL.JoinPath(page).String()
	}
	c.Header("Cache-Control", "no-store")
	switch {
	case c.GetHeader("HX-Request") == "true":
		c.Header("HX-Redirect", to)
		refuse(c)
	case navigation(method, c.GetHeader("Accept")):
		c.Redirect(http.StatusSeeOther, to)
	default:
		refuse(c)
	}
}

func noAccess(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusForbidden, gin.H{"error": "no_organisation_access", "waiting": paths.OrgWaiting})
}

// orgWaiting is the only page a signed-in person without access sees:
// why they wait, and the way out (sign out).
func (s *server) orgWaiting(c *gin.Context) {
	u, _, _ := s.currentUser(c)
	if u.HasAccess() {
		redirect(c, paths.Org)
		return
	}
	w, err := s.Account.WaitingFor(c.Request.Context(), *u)
	if err != nil {
		s.fail(c, err)
		return
	}
	v := components.OrgWaitingView{Waiting: w, Name: u.Name(), Email: u.Email}
	if w.Kind != account.WaitOperator {
		if v.Invitations, err = s.myInvitationRows(c, *u); err != nil {
			s.fail(c, err)
			return
		}
	}
	s.render(c, http.StatusOK, components.OrgWaitingPage(v))
}

func (s *server) orgPage(c *gin.Context) {
	s.showOrg(c, http.StatusOK, components.Form{})
}

// showOrg renders the organisation page as its viewer may see it, with
// form holding the problems of a refused action.
func (s *server) showOrg(c *gin.Context, status int, form components.Form) {
	u, _, _ := s.currentUser(c)
	ov, err := s.Account.OrgOverview(c.Request.Context(), *u)
	if err != nil {
		s.orgFail(c, err)
		return
	}
	if form.Values == nil {
		form.Values = map[string]string{}
	}
	if _, posted := c.GetPostForm("name"); !posted {
		form.Values["name"] = ov.Me.OrgName
	}
	v := components.OrgView{Org: ov, Notice: notice(c), Form: form}
	if ov.MayManage {
		iv, err := s.invitationsView(c, components.Form{}, status == http.StatusOK)
		if err != nil {
			s.orgFail(c, err)
			return
		}
		v.Invitations = &iv
	}
	s.render(c, status, components.OrgPage(v))
}

// orgAction runs one of the organisation page's forms.
func (s *server) orgAction(do func(c *gin.Context, u account.User) (account.Notice, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !s.parseForm(c) {
			return
		}
		u, _, _ := s.currentUser(c)
		n, err := do(c, *u)
		var errs account.FieldErrors
		if errors.As(err, &errs) {
			s.showOrg(c, http.StatusUnprocessableEntity, formOf(c, errs, "name"))
			return
		}
		if err != nil {
			s.orgFail(c, err)
			return
		}
		redirect(c, withNotice(paths.Org, n))
	}
}

// orgFail answers an organisation action refused by role (403) or aimed
// at what is not the organisation's (404), and anything else as fail.
func (s *server) orgFail(c *gin.Context, err error) {
	switch {
	case errors.Is(err, account.ErrOrgForbidden):
		s.errorPage(c, http.StatusForbidden, "page.org_forbidden.title", "page.org_forbidden.body")
	case errors.Is(err, account.ErrOrgNotFound):
		s.notFound(c)
	default:
		s.fail(c, err)
	}
}
