package handlers

import (
	"net/http"

	"github.com/a-h/templ"
	"github.com/gin-gonic/gin"

	"gatehouse/components"
	"gatehouse/internal/password"
)

// checklist turns the policy's evaluation into what the page shows.
func checklist(e password.Evaluation, pw, confirm string) components.Checklist {
	return components.Checklist{
		Typed: pw != "", MinLength: e.MinLength, LongEnough: e.LongEnough && e.NotTooLong,
		Mixed: e.HasLower && e.HasUpper, HasDigit: e.HasDigit, HasSymbol: e.HasSymbol,
		NotCommon: e.NotCommon, NotPersonal: e.NotPersonal, Score: e.Score,
		ConfirmTyped: confirm != "", Match: confirm == pw,
	}
}

// passwordCheck answers the live checklist as the user types a new
// password: the server's own policy code scores it against the link
// owner's data. The password is neither stored nor logged.
func (s *server) passwordCheck(purpose, flow string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !s.parseForm(c) {
			return
		}
		raw, _ := c.Cookie(s.flowCookie(flow))
		pw, confirm := c.PostForm("password"), c.PostForm("password_confirm")
		e, err := s.Account.EvaluatePassword(c.Request.Context(), purpose, raw, pw)
		if err != nil {
			s.tokenError(c, err)
			return
		}
		list := checklist(e, pw, confirm)
		s.renderParts(c, http.StatusOK, templ.Join(components.PasswordChecklist(list), components.ConfirmMatch(list, true)))
	}
}
