package handlers

import (
	"net/http"
	"slices"

	"github.com/a-h/templ"
	"github.com/gin-gonic/gin"

	"gatehouse/components"
	"gatehouse/internal/account"
	"gatehouse/internal/i18n"
)

// registerValidate is inline validation: htmx posts the sign-up form when
// a field changes, and the answer is that field again with its error or
// valid state, checked by the same validator as the full submit. A new
// country also brings its region select, out of band. Nothing here looks
// up accounts, so it cannot tell whether an address is registered.
func (s *server) registerValidate(c *gin.Context) {
	field := c.Query("field")
	if !slices.Contains(account.RegistrationFields, field) {
		s.notFound(c)
		return
	}
	if !s.parseForm(c) {
		return
	}
	r := registration(c)
	r.NormalizeField(field)
	form := formOf(c, nil, account.RegistrationFields...)
	form.Errors = map[string]i18n.Message{}
	form.Valid = map[string]bool{}
	form.Notes = map[string]i18n.Message{}
	ctx := c.Request.Context()
	announce := ""
	if m, bad := r.ValidateField(field); bad {
		form.Errors[field] = m
		announce = i18n.TM(ctx, m)
	} else if form.Value(field) != "" {
		form.Valid[field] = true
	}
	if field == "email" && form.Valid[field] {
		if suggestion := account.SuggestEmail(r.Email); suggestion != "" {
			form.Notes[field] = i18n.Message{ID: "form.email_suggestion", Data: map[string]any{"Email": suggestion}}
			announce = i18n.TM(ctx, form.Notes[field])
		}
	}
	if field == "country" {
		// A region of the old country no longer applies.
		form.Values["region"] = ""
	}
	v := s.registerView(c, form)
	parts := []templ.Component{components.RegisterField(field, v)}
	if field == "country" {
		parts = append(parts, components.RegionField(v, true))
	}
	parts = append(parts, components.Announce(announce))

	s.renderParts(c, http.StatusOK, templ.Join(parts...))
}
