package handlers

import (
	"net/http"

	"github.com/a-h/templ"
	"github.com/gin-gonic/gin"

	"gatehouse/components"
	"gatehouse/internal/account"
	"gatehouse/internal/i18n"
)

// registerValidate is inline validation: htmx posts the sign-up form when
// a field changes, and the answer is that field again with its error or
// valid state, as internal/account judges it with the same validator as
// the full submit. Fields the change voids (a new country's region) come
// along out of band. Nothing here looks up accounts, so it cannot tell
// whether an address is registered.
func (s *server) registerValidate(c *gin.Context) {
	field := c.Query("field")
	if _, ok := account.RegistrationField(field); !ok {
		s.notFound(c)
		return
	}
	if !s.parseForm(c) {
		return
	}
	res := account.ValidateField(registration(c), field)
	form := formOf(c, nil, account.RegistrationFieldNames...)
	form.Errors = map[string]i18n.Message{}
	form.Valid = map[string]bool{}
	form.Notes = map[string]i18n.Message{}
	ctx := c.Request.Context()
	announce := ""
	if res.Invalid {
		form.Errors[field] = res.Error
		announce = i18n.TM(ctx, res.Error)
	} else if res.Valid {
		form.Valid[field] = true
	}
	if res.Note.ID != "" {
		form.Notes[field] = res.Note
		announce = i18n.TM(ctx, res.Note)
	}
	for _, name := range res.Cleared {
		form.Values[name] = ""
	}
	v := s.registerView(c, form)
	parts := []templ.Component{components.RegisterField(field, v, false)}
	for _, name := range res.Cleared {
		parts = append(parts, components.RegisterField(name, v, true))
	}
	parts = append(parts, components.Announce(announce))

	s.renderParts(c, http.StatusOK, templ.Join(parts...))
}
