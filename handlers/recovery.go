package handlers

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"gatehouse/components"
	"gatehouse/internal/account"
)

// Recovery's own pages are the forgot-password form; the rest of the flow
// is served by flow.go for account.Recovery.

func (s *server) forgotForm(c *gin.Context) {
	s.render(c, http.StatusOK, components.ForgotPage(components.Form{Values: map[string]string{"return_to": returnTo(c)}}))
}

// forgot answers known, pending and unknown addresses alike.
func (s *server) forgot(c *gin.Context) {
	if !s.parseForm(c) {
		return
	}
	sent, err := s.Account.Request(c.Request.Context(), account.Recovery, c.PostForm("email"), s.meta(c))
	var errs account.FieldErrors
	if errors.As(err, &errs) {
		s.render(c, http.StatusUnprocessableEntity, components.ForgotPage(formOf(c, errs, "email", "return_to")))
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.toSentPage(c, account.Recovery.Paths.Sent, sent)
}
