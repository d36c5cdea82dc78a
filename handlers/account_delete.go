package handlers

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"gatehouse/components"
	"gatehouse/internal/account"
	"gatehouse/internal/i18n"
	"gatehouse/internal/paths"
)

// deletePage is the confirmation page of "Delete my account": what goes,
// what stays, and the password once more. A rule that blocks the deletion
// says so here, before anything is typed.
func (s *server) deletePage(c *gin.Context) {
	u, _, _ := s.currentUser(c)
	s.showDelete(c, http.StatusOK, *u, components.Form{})
}

func (s *server) showDelete(c *gin.Context, status int, u account.User, form components.Form) {
	v := components.DeleteView{Email: u.Email, Form: form}
	var blocked *account.DeleteBlockedError
	if err := s.Account.CanDelete(c.Request.Context(), u); errors.As(err, &blocked) {
		v.Blocked = &blocked.Reason
	} else if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, status, components.DeletePage(v))
}

// deleteAccount erases the account once the password is right, and ends
// on the sign-in page with a notice; the last email is on its way.
func (s *server) deleteAccount(c *gin.Context) {
	if !s.parseForm(c) {
		return
	}
	u, _, _ := s.currentUser(c)
	err := s.Account.DeleteAccount(c.Request.Context(), *u, c.PostForm("current_password"), s.meta(c))
	var errs account.FieldErrors
	var blocked *account.DeleteBlockedError
	switch {
	case errors.As(err, &errs):
		s.showDelete(c, http.StatusUnprocessableEntity, *u, components.Form{Errors: map[string]i18n.Message(errs)})
		return
	case errors.As(err, &blocked):
		s.showDelete(c, http.StatusConflict, *u, components.Form{})
		return
	case err != nil:
		s.fail(c, err)
		return
	}
	s.clearCookie(c, s.sessionCookie(), "/")
	redirect(c, withNotice(paths.Login, account.NoticeAccountDeleted))
}
