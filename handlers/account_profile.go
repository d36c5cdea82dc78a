package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/a-h/templ"
	"github.com/gin-gonic/gin"

	"gatehouse/components"
	"gatehouse/internal/account"
	"gatehouse/internal/i18n"
	"gatehouse/internal/paths"
)

// profileForm reads the account page's profile form: the sign-up form's
// fields that make the profile, and the country whose regions it listed.
func profileForm(c *gin.Context) account.Registration {
	var r account.Registration
	for _, name := range account.ProfileFields {
		r.Set(name, c.PostForm(name))
	}
	r.SetRegionList(c.PostForm(components.RegionListField))
	return r
}

// updateProfile stores the edited profile, checked as sign-up checks it.
// A refusal shows the page again with every problem and what was typed.
func (s *server) updateProfile(c *gin.Context) {
	if !s.parseForm(c) {
		return
	}
	u, _, _ := s.currentUser(c)
	err := s.Account.UpdateProfile(c.Request.Context(), *u, profileForm(c), s.meta(c))
	var errs account.FieldErrors
	if errors.As(err, &errs) {
		s.showAccount(c, http.StatusUnprocessableEntity, accountForms{profile: formOf(c, errs, account.ProfileFields...), profileFailed: true})
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	redirect(c, withNotice(paths.Account, account.NoticeProfileSaved)+"#profile-title")
}

// profileValidate is the profile form's inline validation: the sign-up
// validator on one field, answered with that field (and the region field
// again when the country changed), exactly as on the sign-up form.
func (s *server) profileValidate(c *gin.Context) {
	field := c.Query("field")
	if !isProfileField(field) {
		s.notFound(c)
		return
	}
	if !s.parseForm(c) {
		return
	}
	r := profileForm(c)
	u, _, _ := s.currentUser(c)
	r.Set("email", u.Email)
	res := account.ValidateField(r, field)
	form := formOf(c, nil, account.ProfileFields...)
	form.Errors, form.Valid = map[string]i18n.Message{}, map[string]bool{}
	announce := ""
	if res.Invalid {
		form.Errors[field] = res.Error
		announce = i18n.TM(c.Request.Context(), res.Error)
	} else if res.Valid {
		form.Valid[field] = true
	}
	for _, name := range res.Cleared {
		form.Values[name] = ""
	}
	v := s.profileView(c, form)
	parts := []templ.Component{components.RegisterField(field, v, false)}
	for _, name := range res.Cleared {
		parts = append(parts, components.RegisterField(name, v, true))
	}
	parts = append(parts, components.Announce(announce))
	s.renderParts(c, http.StatusOK, templ.Join(parts...))
}

func isProfileField(name string) bool {
	for _, f := range account.ProfileFields {
		if f == name {
			return true
		}
	}
	return false
}

// profileView is the profile form as the sign-up fields draw it, with
// inline validation against the profile's own validator.
func (s *server) profileView(c *gin.Context, form components.Form) components.RegisterView {
	v := s.registerView(c, form)
	v.Validate = paths.ProfileCheck
	return v
}

// endSession signs out one session listed on the account page.
func (s *server) endSession(c *gin.Context) {
	if !s.parseForm(c) {
		return
	}
	u, current, _ := s.currentUser(c)
	id, err := strconv.ParseInt(c.PostForm("session"), 10, 64)
	if err != nil || id <= 0 {
		s.errorPage(c, http.StatusBadRequest, "page.error.title", "page.error.bad_request")
		return
	}
	if id == current.ID {
		// This browser's own row signs out as "Sign out" does.
		s.logout(c)
		return
	}
	err = s.Account.EndSession(c.Request.Context(), *u, id, s.meta(c))
	if errors.Is(err, account.ErrNoSession) {
		// Gone already (ended elsewhere, or expired): the list is redrawn.
		redirect(c, paths.Account+"#sessions-title")
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	redirect(c, withNotice(paths.Account, account.NoticeSessionEnded)+"#sessions-title")
}
