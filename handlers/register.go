package handlers

import (
	"errors"
	"net/http"
	"sync"

	"github.com/gin-gonic/gin"
	"golang.org/x/text/language"

	"gatehouse/components"
	"gatehouse/internal/account"
	"gatehouse/internal/geo"
	"gatehouse/internal/i18n"
)

// countryLists holds the country select of each language, rendered once
// (language.Tag → *components.OptionList): the list never changes, and
// rendering it took most of the sign-up page's time.
var countryLists sync.Map

// countryOptions is every country named in tag's language, as options.
func countryOptions(tag language.Tag) *components.OptionList {
	return cachedOptions(&countryLists, tag, func() []components.Option {
		list := i18n.Countries(tag)
		opts := make([]components.Option, len(list))
		for i, ct := range list {
			opts[i] = components.Option{Value: ct.Code, Label: ct.Name}
		}
		return opts
	})
}

type regionKey struct {
	country string
	tag     language.Tag
}

// regionLists holds each country's region select per language, rendered
// once (regionKey → *components.OptionList); only countries that have
// regions get an entry, so what a visitor posts cannot grow it past every
// country in every language (about 3,700 regions, some 3 MB in all).
var regionLists sync.Map

// regionOptions is country's regions named in tag's language, as options;
// nil when it has none.
func regionOptions(country string, tag language.Tag) *components.OptionList {
	return cachedOptions(&regionLists, regionKey{country, tag}, func() []components.Option {
		list := geo.Regions(country, tag)
		opts := make([]components.Option, len(list))
		for i, r := range list {
			opts[i] = components.Option{Value: r.Code, Label: r.Name}
		}
		return opts
	})
}

// cachedOptions is the option list cached under key, made from options()
// on first use; nil, and nothing cached, when there are no options.
func cachedOptions(cache *sync.Map, key any, options func() []components.Option) *components.OptionList {
	if l, ok := cache.Load(key); ok {
		return l.(*components.OptionList)
	}
	opts := options()
	if len(opts) == 0 {
		return nil
	}
	l, _ := cache.LoadOrStore(key, components.NewOptionList(opts))
	return l.(*components.OptionList)
}

// registerView is the sign-up form showing form, with the region list of
// the country chosen in it.
func (s *server) registerView(c *gin.Context, form components.Form) components.RegisterView {
	tag := i18n.From(c.Request.Context()).Tag()
	v := components.RegisterView{Form: form, Countries: countryOptions(tag)}
	v.Regions = regionOptions(form.Value("country"), tag)
	return v
}

// registerPageKey is what the empty sign-up page depends on: the language,
// the country guessed from Accept-Language, the address (the language links
// keep its query) and whether htmx asked for a fragment.
type registerPageKey struct {
	tag      language.Tag
	country  string
	uri      string
	fragment bool
}

// registerPages holds the empty sign-up page, the most requested page and
// the same bytes for every visitor with the same key. A few languages times
// a few likely countries make the common keys; anything odd in the query
// just makes another entry, up to the cap.
var registerPages = &pageCache{max: 2048}

// maxCachedURI keeps long addresses, which only a script would send, out
// of the page cache.
const maxCachedURI = 128

func (s *server) registerForm(c *gin.Context) {
	country := i18n.LikelyCountry(c.GetHeader("Accept-Language"))
	page := components.RegisterPage(s.registerView(c, components.Form{Values: map[string]string{"country": country}}))
	uri := c.Request.URL.RequestURI()
	if len(uri) > maxCachedURI {
		s.render(c, http.StatusOK, page)
		return
	}
	key := registerPageKey{tag: i18n.From(c.Request.Context()).Tag(), country: country, uri: uri, fragment: partial(c)}
	s.renderCached(c, registerPages, key, page)
}

// registration binds the sign-up fields and nothing else: anything else
// posted (status, role, password…) is never read.
func registration(c *gin.Context) account.Registration {
	var r account.Registration
	for _, f := range account.RegistrationFields {
		r.Set(f.Name, c.PostForm(f.Name))
	}
	return r
}

func (s *server) register(c *gin.Context) {
	if !s.parseForm(c) {
		return
	}
	sent, err := s.Account.Register(c.Request.Context(), registration(c), s.meta(c))
	var errs account.FieldErrors
	if errors.As(err, &errs) {
		v := s.registerView(c, formOf(c, errs, account.RegistrationFieldNames...))
		s.render(c, http.StatusUnprocessableEntity, components.RegisterPage(v))
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.toSentPage(c, account.Activation.Paths.Sent, sent)
}
