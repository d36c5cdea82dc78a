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

func (s *server) countries(c *gin.Context) []components.Option {
	list := i18n.Countries(i18n.From(c.Request.Context()).Tag())
	opts := make([]components.Option, len(list))
	for i, ct := range list {
		opts[i] = components.Option{Value: ct.Code, Label: ct.Name}
	}
	return opts
}

func (s *server) registerForm(c *gin.Context) {
	f := components.Form{Values: map[string]string{"country": i18n.LikelyCountry(c.GetHeader("Accept-Language"))}}
	v := components.RegisterView{Form: f, Countries: s.countries(c)}
	s.render(c, http.StatusOK, components.RegisterPage(v), components.RegisterContent(v))
}

// register binds only the named fields: anything else posted (status,
// role, password…) is never read.
func (s *server) register(c *gin.Context) {
	if !s.parseForm(c) {
		return
	}
	r := account.Registration{
		FirstName:   c.PostForm("first_name"),
		LastName:    c.PostForm("last_name"),
		Company:     c.PostForm("company"),
		Country:     c.PostForm("country"),
		Region:      c.PostForm("region"),
		Email:       c.PostForm("email"),
		Phone:       c.PostForm("phone"),
		AcceptTerms: c.PostForm("accept_terms") == "on",
	}
	err := s.Account.Register(c.Request.Context(), r, s.meta(c))
	var errs account.FieldErrors
	if errors.As(err, &errs) {
		v := components.RegisterView{Form: formOf(c, errs, account.RegistrationFields...), Countries: s.countries(c)}
		s.render(c, http.StatusUnprocessableEntity, components.RegisterPage(v), components.RegisterContent(v))
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.toSentPage(c, paths.RegisterSent)
}

func (s *server) registerSent(c *gin.Context) {
	s.sentPage(c, paths.Register, "page.register_sent.title", "page.register_sent.body")
}
