package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"gatehouse/components"
	"gatehouse/internal/account"
	"gatehouse/internal/i18n"
	"gatehouse/internal/paths"
)

// adminQueueSize is how many waiting accounts the queue shows at once.
const adminQueueSize = 200

// adminApprovals is the queue of accounts waiting for an operator
// (SIGNUP_MODE=approval), oldest first.
func (s *server) adminApprovals(c *gin.Context) {
	ctx := c.Request.Context()
	list, err := s.Account.AwaitingApproval(ctx, adminQueueSize)
	if err != nil {
		s.fail(c, err)
		return
	}
	v := components.AdminApprovalsView{Notice: doneNotice(c)}
	for _, a := range list {
		v.Rows = append(v.Rows, components.AdminApprovalRow{PublicID: a.PublicID, Email: a.Email,
			Name: i18n.FullName(ctx, a.FirstName, a.LastName), Company: a.Company, Created: i18n.Date(ctx, a.CreatedAt)})
	}
	s.render(c, http.StatusOK, components.AdminApprovalsPage(v))
}

// adminApprovalAction approves or declines the waiting account named in
// the path, with the operator as actor, and goes back to the queue when
// the button was on it (and after a decline, which erases the account),
// else to the account's page.
func (s *server) adminApprovalAction(act func(c *gin.Context, email string, by account.Operator) error, done components.AdminNotice) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !s.parseForm(c) {
			return
		}
		id := c.Param("id")
		email, err := s.Account.EmailOf(c.Request.Context(), id)
		if err == nil {
			_, _, by := s.current(c)
			err = act(c, email, by)
		}
		if err != nil {
			if !s.adminRefusal(c, err) {
				s.fail(c, err)
			}
			return
		}
		if c.PostForm("from") == components.FromQueue || done == components.AdminDoneDeclined {
			redirect(c, adminDone(paths.AdminApprovals, done))
			return
		}
		redirect(c, adminDone(paths.AdminUserURL(paths.AdminUser, id), done))
	}
}

func (s *server) adminApprove(c *gin.Context, email string, by account.Operator) error {
	return s.Account.ApproveSignup(c.Request.Context(), email, by)
}

func (s *server) adminDecline(c *gin.Context, email string, by account.Operator) error {
	return s.Account.DeclineSignup(c.Request.Context(), email, by)
}
