package handlers

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"gatehouse/components"
	"gatehouse/internal/account"
	"gatehouse/internal/paths"
	"gatehouse/internal/store"
)

func (s *server) forgotForm(c *gin.Context) {
	s.render(c, http.StatusOK, components.ForgotPage(components.Form{}))
}

// forgot answers known, pending and unknown addresses alike.
func (s *server) forgot(c *gin.Context) {
	if !s.parseForm(c) {
		return
	}
	m := s.meta(c)
	m.Binding = newBinding()
	err := s.Account.RequestReset(c.Request.Context(), c.PostForm("email"), m)
	var errs account.FieldErrors
	if errors.As(err, &errs) {
		s.render(c, http.StatusUnprocessableEntity, components.ForgotPage(formOf(c, errs, "email")))
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.toSentPage(c, paths.PasswordSent, c.PostForm("email"), m.Binding)
}

// resetForm is the email's "Reset Password" link (with ?token=, moved into
// a cookie and redirected) and the form itself (without).
func (s *server) resetForm(c *gin.Context) {
	if c.Query("token") != "" {
		s.openLink(c, store.PurposeReset, resetFlow, paths.PasswordReset)
		return
	}
	s.passwordForm(c, store.PurposeReset, resetFlow)
}

func (s *server) reset(c *gin.Context) {
	s.choosePassword(c, store.PurposeReset, resetFlow, "password_reset", func(c *gin.Context, raw, pw, confirm string) error {
		return s.Account.ResetPassword(c.Request.Context(), raw, pw, confirm, s.meta(c))
	})
}
