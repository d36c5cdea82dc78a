package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"slices"

	"github.com/a-h/templ"
	"github.com/gin-gonic/gin"
	"golang.org/x/text/language"

	"gatehouse/components"
	"gatehouse/internal/account"
	"gatehouse/internal/cache"
	"gatehouse/internal/geo"
	"gatehouse/internal/i18n"
)

// countryLists holds the country select of each language, rendered once:
// the list never changes, and naming, sorting and rendering it costs more
// than the rest of the page (BenchmarkCountryOptions: cached against
// uncached). It is the one cache of the country list: i18n.Countries makes
// it afresh. Keys are the catalog's languages, which Match alone produces,
// so the cap is never reached.
var countryLists = cache.New[language.Tag, *components.OptionList](64)

// countryOptions is every country named in tag's language, as options.
func countryOptions(tag language.Tag) *components.OptionList {
	return countryLists.GetOrMake(tag, func() *components.OptionList {
		list := i18n.Countries(tag)
		opts := make([]components.Option, len(list))
		for i, ct := range list {
			opts[i] = components.Option{Value: ct.Code, Label: ct.Name}
		}
		return components.NewOptionList(opts)
	})
}

type regionKey struct {
	country string
	tag     language.Tag
}

// regionLists holds each country's region select per language, rendered
// once (BenchmarkRegionOptions: sorting and naming a country's regions per
// request against reading them here). Only countries that have regions
// get an entry, so what a visitor posts cannot grow it past every such
// country in every language (about 3,700 regions, some 3 MB in all); the
// cap is above that.
var regionLists = cache.New[regionKey, *components.OptionList](4096)

// regionOptions is country's regions named in tag's language, as options;
// nil when it has none.
func regionOptions(country string, tag language.Tag) *components.OptionList {
	if !geo.HasRegions(country) {
		return nil
	}
	return regionLists.GetOrMake(regionKey{country, tag}, func() *components.OptionList {
		list := geo.Regions(country, tag)
		opts := make([]components.Option, len(list))
		for i, r := range list {
			opts[i] = components.Option{Value: r.Code, Label: r.Name}
		}
		return components.NewOptionList(opts)
	})
}

// registerView is the sign-up form showing form, with the region list of
// the country chosen in it.
func (s *server) registerView(c *gin.Context, form components.Form) components.RegisterView {
	tag := i18n.From(c.Request.Context()).Tag()
	v := components.RegisterView{Form: form, Countries: countryOptions(tag), Terms: s.Account.Terms()}
	v.Regions = regionOptions(form.Value("country"), tag)
	return v
}

// registerPageKey is what the empty sign-up page depends on: the language,
// the country guessed from Accept-Language, whether htmx asked for a
// fragment and the terms the check box links (a setting, but the cache
// outlives one server: tests run several, each with its own). The address is not in it: the page is cached only when its
// query holds nothing but lang (see cacheableQuery), and then it is the
// same page whatever the query says.
type registerPageKey struct {
	tag      language.Tag
	country  string
	fragment bool
	terms    account.Terms
}

// registerPages holds the empty sign-up page, the most requested page and
// the same bytes for every visitor with the same key (BenchmarkRegisterPage
// against BenchmarkRegisterPageUncached). The key space is small and fixed,
// languages × countries × two modes, so however many distinct requests
// arrive the cache holds at most maxRegisterPages pages (about 25 KB each);
// the common keys (a few countries per language) fit well below the cap,
// and a key past it is rendered each time.
var registerPages = cache.New[registerPageKey, []byte](maxRegisterPages)

// maxRegisterPages bounds registerPages to a few megabytes.
const maxRegisterPages = 256

// cacheableQuery reports whether a sign-up page with this query is the
// page of the empty query: the page reads nothing from the query but the
// language (already in the key), and the language links replace lang, so
// only any other parameter, kept in those links, changes the bytes.
func cacheableQuery(q url.Values) bool {
	for k := range q {
		if k != "lang" {
			return false
		}
	}
	return true
}

func (s *server) registerForm(c *gin.Context) {
	if d := s.draft(c); d != nil {
		// This browser's own half-filled form: rendered for it alone,
		// never cached.
		s.render(c, http.StatusOK, components.RegisterPage(s.registerView(c, components.Form{Values: d})))
		return
	}
	country := i18n.LikelyCountry(c.GetHeader("Accept-Language"))
	page := func() templ.Component {
		return components.RegisterPage(s.registerView(c, components.Form{Values: map[string]string{"country": country, "return_to": returnTo(c)}}))
	}
	if c.Request.URL.RawQuery != "" && !cacheableQuery(c.Request.URL.Query()) {
		s.render(c, http.StatusOK, page())
		return
	}
	key := registerPageKey{tag: i18n.From(c.Request.Context()).Tag(), country: country, fragment: partial(c.Request), terms: s.Account.Terms()}
	renderCached(s, c, registerPages, key, page)
}

// registration binds the sign-up fields and nothing else: anything else
// posted (status, role, password…) is never read.
func registration(c *gin.Context) account.Registration {
	var r account.Registration
	for _, f := range account.RegistrationFields {
		r.Set(f.Name, c.PostForm(f.Name))
	}
	r.SetRegionList(c.PostForm(components.RegionListField))
	return r
}

func (s *server) register(c *gin.Context) {
	if !s.parseForm(c) {
		return
	}
	sent, err := s.Account.Register(c.Request.Context(), registration(c), s.meta(c))
	var errs account.FieldErrors
	if errors.As(err, &errs) {
		v := s.registerView(c, formOf(c, errs, append(slices.Clip(account.RegistrationFieldNames), "return_to", TimeZoneField)...))
		s.render(c, http.StatusUnprocessableEntity, components.RegisterPage(v))
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	// Kept for Back and "Wrong address? Change it" from "check your inbox".
	s.keepDraft(c, registrationValues(c))
	s.toSentPage(c, account.Activation.Paths.Sent, sent)
}
