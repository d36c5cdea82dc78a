// Package i18n loads the message files from locales/ and carries the
// request's localizer in its context, so components can say t(ctx, id).
package i18n

import (
	"context"
	"fmt"
	"io/fs"
	"path"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"gatehouse/internal/cache"
	"gatehouse/locales"
)

// Catalog is every loaded language and a matcher over them.
type Catalog struct {
	bundle  *goi18n.Bundle
	tags    []language.Tag
	matcher language.Matcher
	// shared is one localizer per loaded language, made at load: they are
	// read-only, and Match only ever answers a loaded language, so every
	// request shares them (and their translations cache) without a cache
	// in front of them.
	shared map[language.Tag]*Localizer
	// selfNames is each loaded language named in itself, for the language
	// switcher every page shows; display.Self builds a namer per call.
	selfNames map[language.Tag]string
}

// Load reads every active.*.toml in locales/.
func Load() (*Catalog, error) { return LoadFS(locales.FS) }

// LoadFS reads every active.*.toml in fsys; English must be among them.
func LoadFS(fsys fs.FS) (*Catalog, error) {
	b := goi18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	files, err := fs.Glob(fsys, "active.*.toml")
	if err != nil {
		return nil, fmt.Errorf("i18n: %w", err)
	}
	tags := []language.Tag{language.English}
	for _, f := range files {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("i18n: %w", err)
		}
		mf, err := b.ParseMessageFileBytes(data, path.Base(f))
		if err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", f, err)
		}
		if mf.Tag != language.English {
			tags = append(tags, mf.Tag)
		}
	}
	c := &Catalog{bundle: b, tags: tags, matcher: language.NewMatcher(tags),
		shared: map[language.Tag]*Localizer{}, selfNames: map[language.Tag]string{}}
	for _, tag := range tags {
		c.shared[tag] = c.newLocalizer(tag)
		c.selfNames[tag] = display.Self.Name(tag)
	}
	return c, nil
}

// Languages lists the loaded languages, English first.
func (c *Catalog) Languages() []language.Tag { return c.tags }

// Match picks the best loaded language for the given preferences, in
// order: an explicit choice, then an Accept-Language header; English when
// nothing matches.
func (c *Catalog) Match(prefs ...string) language.Tag {
	for _, p := range prefs {
		if p == "" {
			continue
		}
		want := parseAcceptLanguage(p)
		if len(want) == 0 {
			continue
		}
		if _, i, conf := c.matcher.Match(want...); conf > language.No {
			// The index names the loaded tag itself (Match's returned tag
			// carries the preference's region as an extension).
			return c.tags[i]
		}
	}
	return language.English
}

// Localizer translates into one language.
type Localizer struct {
	tag     language.Tag
	loc     *goi18n.Localizer
	catalog *Catalog
	rtl     bool
	// plain memoises T for messages asked for without template data:
	// message ID -> text. go-i18n matches languages and runs the template on
	// every call, a noticeable share of a page render, and without data the
	// answer never changes. Only IDs this language has are stored, so it is
	// bounded by the catalog. BenchmarkT measures it.
	plain *cache.Cache[string, string]
}

// maxPlainMessages is above the number of messages in the catalog; it only
// matters if ids ever came from outside the code.
const maxPlainMessages = 4096

// Localizer returns the translator for tag: the shared one of a loaded
// language, or a new one.
func (c *Catalog) Localizer(tag language.Tag) *Localizer {
	if l, ok := c.shared[tag]; ok {
		return l
	}
	return c.newLocalizer(tag)
}

func (c *Catalog) newLocalizer(tag language.Tag) *Localizer {
	return &Localizer{tag: tag, loc: goi18n.NewLocalizer(c.bundle, tag.String()), catalog: c, rtl: dirOf(tag) == "rtl",
		plain: cache.New[string, string](maxPlainMessages)}
}

// SelfName is tag's language named in itself ("Deutsch", "日本語"), as
// the language switcher lists it.
func (l *Localizer) SelfName(tag language.Tag) string {
	if n, ok := l.catalog.selfNames[tag]; ok {
		return n
	}
	return display.Self.Name(tag)
}

// Languages lists the languages this localizer's catalog offers.
func (l *Localizer) Languages() []language.Tag { return l.catalog.Languages() }

// Tag is the language this localizer speaks.
func (l *Localizer) Tag() language.Tag { return l.tag }

// T translates id with optional template data. A message missing
// everywhere renders as its id, so it is visible, and the locale tests fail
// on it.
func (l *Localizer) T(id string, data ...map[string]any) string {
	if len(data) > 0 && data[0] != nil {
		s, _ := l.localize(id, data[0])
		return s
	}
	if s, ok := l.plain.Get(id); ok {
		return s
	}
	s, found := l.localize(id, nil)
	if found {
		l.plain.Put(id, s)
	}
	return s
}

// localize is T without the cache; found is false when this language
// lacks the message.
func (l *Localizer) localize(id string, data map[string]any) (s string, found bool) {
	cfg := &goi18n.LocalizeConfig{MessageID: id}
	if data != nil {
		cfg.TemplateData = data
		if n, ok := data["Count"]; ok {
			cfg.PluralCount = n
		}
		if l.rtl {
			cfg.TemplateData = isolate(data)
		}
	}
	// A message missing from this language comes back in English with an
	// error; English beats showing the bare id.
	s, err := l.loc.Localize(cfg)
	if err != nil && s == "" {
		return id, false
	}
	return s, err == nil
}

type ctxKey struct{}

// With returns ctx carrying l.
func With(ctx context.Context, l *Localizer) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// From returns the localizer in ctx, or nil.
func From(ctx context.Context) *Localizer {
	l, _ := ctx.Value(ctxKey{}).(*Localizer)
	return l
}

// T translates id in the language carried by ctx.
func T(ctx context.Context, id string, data ...map[string]any) string {
	if l := From(ctx); l != nil {
		return l.T(id, data...)
	}
	return id
}

// Lang is the BCP 47 tag of ctx's language, for <html lang>.
func Lang(ctx context.Context) string {
	if l := From(ctx); l != nil {
		return l.tag.String()
	}
	return "en"
}

// Dir is "rtl" for right-to-left languages, else "ltr".
func Dir(ctx context.Context) string { return dirOf(language.Make(Lang(ctx))) }

func dirOf(tag language.Tag) string {
	base, _ := tag.Base()
	switch base.String() {
	case "ar", "he", "fa", "ur":
		return "rtl"
	}
	return "ltr"
}

// isolate wraps each value in Unicode directional isolates (FSI … PDI), so
// an email address, number or URL keeps its own direction inside
// right-to-left text.
func isolate(data map[string]any) map[string]any {
	out := make(map[string]any, len(data))
	for k, v := range data {
		switch v.(type) {
		case string, int, int64:
			out[k] = "\u2068" + fmt.Sprint(v) + "\u2069"
		default:
			out[k] = v
		}
	}
	return out
}

// Message is text to show the user, as a message ID and its template data;
// errors from the domain carry these and are translated at render time.
type Message struct {
	ID   string
	Data map[string]any
}

// Msg is the shorthand for a Message without data.
func Msg(id string) Message { return Message{ID: id} }

// TM translates a Message in ctx's language.
func TM(ctx context.Context, m Message) string { return T(ctx, m.ID, m.Data) }
