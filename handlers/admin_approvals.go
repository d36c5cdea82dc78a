package handlers

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"gatehouse/components"
	"gatehouse/internal/account"
	"gatehouse/internal/i18n"
	"gatehouse/internal/paths"
)

// adminApprovals is the queue of accounts waiting for an operator
// (SIGNUP_MODE=approval), oldest first, in pages of the account list's
// size that stay put while accounts are approved and new ones arrive.
func (s *server) adminApprovals(c *gin.Context) {
	ctx := c.Request.Context()
	after := c.Query("after")
	p, err := s.Account.AwaitingApprovalPage(ctx, after, adminPageSize)
	if err != nil {
		s.fail(c, err)
		return
	}
	v := components.AdminApprovalsView{Notice: doneNotice(c), After: p.At}
	if p.Next != "" {
		v.Next = approvalsPage(p.Next)
	}
	if p.At != "" {
		v.First = paths.AdminApprovals
	}
	for _, a := range p.Accounts {
		v.Rows = append(v.Rows, components.AdminApprovalRow{PublicID: a.PublicID, Email: a.Email,
			Name: i18n.FullName(ctx, a.FirstName, a.LastName), Company: a.Company, Created: i18n.Date(ctx, a.CreatedAt)})
	}
	s.render(c, http.StatusOK, components.AdminApprovalsPage(v))
}

// approvalsPage is the address of the queue's page that starts after
// cursor; "" is the head.
func approvalsPage(cursor string) string {
	if cursor == "" {
		return paths.AdminApprovals
	}
	return paths.AdminApprovals + "?after=" + url.QueryEscape(cursor)
}

// adminApprovalAction approves or declines the waiting account named in
// the path, with the operator as actor, and goes back to the queue's page
// the button was on (which the queue shows clamped to its last page when
// it shrank), to the head of the queue after a decline from the account's
// page (which erases the account), else to the account's page.
func (s *server) adminApprovalAction(act func(c *gin.Context, email string, by account.Operator) error, done components.AdminNotice) gin.HandlerFunc {
	return s.adminAccountAction(act, func(c *gin.Context, id string) string {
		if c.PostForm("from") == components.FromQueue {
			return adminDone(approvalsPage(c.PostForm("after")), done)
		}
		if done == components.AdminDoneDeclined {
			return adminDone(paths.AdminApprovals, done)
		}
		return adminDone(paths.AdminUserURL(paths.AdminUser, id), done)
	})
}

func (s *server) adminApprove(c *gin.Context, email string, by account.Operator) error {
	return s.Account.ApproveSignup(c.Request.Context(), email, by)
}

func (s *server) adminDecline(c *gin.Context, email string, by account.Operator) error {
	return s.Account.DeclineSignup(c.Request.Context(), email, by)
}
