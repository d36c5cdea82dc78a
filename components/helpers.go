// Package components holds every page, form field and email as templ
// components. Designers edit these and tailwind.config.js; all copy comes
// from locales/ through t.
package components

import (
	"context"
	"net/url"
	"strings"

	"github.com/a-h/templ"

	"gatehouse/internal/i18n"
	"gatehouse/internal/paths"
)

// t translates a message ID in the request's language.
func t(ctx context.Context, id string, data ...map[string]any) string {
	return i18n.T(ctx, id, data...)
}

// tm translates a domain message.
func tm(ctx context.Context, m i18n.Message) string { return i18n.TM(ctx, m) }

// suggestion is the value a note proposes for its field (the likely
// address for a mistyped domain), or "".
func suggestion(m i18n.Message) string {
	if m.ID != "form.email_suggestion" {
		return ""
	}
	v, _ := m.Data["Email"].(string)
	return v
}

// Form is a submitted form as the page shows it again: the values the user
// typed and the problems found, both keyed by field name.
type Form struct {
	Values map[string]string
	Errors map[string]i18n.Message
	// Valid marks fields checked inline and found good.
	Valid map[string]bool
	// Notes are non-blocking remarks under a field, such as a likely
	// correction of a mistyped email domain.
	Notes map[string]i18n.Message
}

// Value returns what the user typed into field.
func (f Form) Value(field string) string { return f.Values[field] }

// Error returns the problem with field, if any.
func (f Form) Error(field string) (i18n.Message, bool) {
	m, ok := f.Errors[field]
	return m, ok
}

// HasErrors reports whether any field has a problem.
func (f Form) HasErrors() bool { return len(f.Errors) > 0 }

// Field describes one form input.
type Field struct {
	Name         string
	Label        string // message ID
	Hint         string // message ID, optional
	HintData     map[string]any
	Type         string
	Autocomplete string
	Required     bool
	MaxLength    int
	// Validate is the URL inline validation posts to; empty for none.
	Validate string
	// OOB marks the field for an out-of-band swap.
	OOB bool
	// InputMode hints the on-screen keyboard ("numeric").
	InputMode string
	// Keep lets a password field show again the value the form holds: only
	// a new password that was good while its confirmation was wrong. Any
	// other password field is always empty.
	Keep bool
	// Class is added to the input's own class; Attrs are further
	// attributes of the input (the code field's data-code-input).
	Class string
	Attrs templ.Attributes
}

func fieldID(name string) string { return "f-" + name }
func noteID(name string) string  { return "f-" + name + "-note" }
func errorID(name string) string { return "f-" + name + "-error" }
func hintID(name string) string  { return "f-" + name + "-hint" }

// describedBy lists the hint and error ids that describe a field.
func describedBy(f Field, form Form) string {
	s := ""
	if f.Hint != "" {
		s = hintID(f.Name)
	}
	if _, ok := form.Notes[f.Name]; ok {
		s = strings.TrimSpace(s + " " + noteID(f.Name))
	}
	if _, bad := form.Error(f.Name); bad {
		s = strings.TrimSpace(s + " " + errorID(f.Name))
	}
	return s
}

func ariaInvalid(form Form, name string) string {
	if _, bad := form.Error(name); bad {
		return "true"
	}
	return "false"
}

type fragmentKey struct{}

// WithFragment marks ctx so Page renders only the title and content, for
// an htmx request that swaps #content.
func WithFragment(ctx context.Context) context.Context {
	return context.WithValue(ctx, fragmentKey{}, true)
}

func isFragment(ctx context.Context) bool {
	b, _ := ctx.Value(fragmentKey{}).(bool)
	return b
}

// hxForm makes a form post through htmx and swap the answer into #content;
// without JavaScript the same form posts normally. Its submit button is
// disabled while the post runs (htmx 4's hx-disable), so a double click
// sends one request; app.js marks it busy meanwhile. Without script the
// server takes a quick repeat as the first request (account.repeats).
func hxForm(action string) templ.Attributes {
	return templ.Attributes{"hx-post": action, "hx-target": "#content", "hx-swap": "outerHTML",
		"hx-disable": "find [type=submit]"}
}

// validate is the htmx wiring of inline validation: on change (which fires
// when the user leaves a changed field or picks an option) the form posts
// to f.Validate and the answer is morphed into the field's wrapper.
func validate(f Field) templ.Attributer {
	if f.Validate == "" {
		return templ.Attributes(nil) // renders nothing; a nil Attributer would panic
	}
	// Morphing keeps the control itself (its focus, a select's type-ahead),
	// since a select fires change at every arrow key. In name order, as
	// templ.Attributes would render them. Ordered attributes need no map
	// built and sorted per field; what is left (BenchmarkRenderPage: a few
	// allocations a field) is not worth a cache, as the sign-up page as
	// served comes whole from the handlers' page cache.
	//
	// A select fires change at every key of a type-ahead ("Germ" passes
	// Gabon and Georgia), so a field's checks can overlap: a new one
	// replaces the one in flight (hx-sync replace aborts it, so its answer
	// is never swapped in), and the last, for the value finally selected,
	// is always sent. Otherwise the answers landed in arrival order, or
	// the last was dropped, and the regions shown were another country's.
	return templ.OrderedAttributes{
		{Key: "hx-post", Value: f.Validate},
		{Key: "hx-swap", Value: "outerMorph"},
		{Key: "hx-sync", Value: "this:replace"},
		{Key: "hx-target", Value: "#field-" + f.Name},
		{Key: "hx-trigger", Value: "change"},
	}
}

// oob marks a field wrapper for an out-of-band swap.
func oob(f Field) templ.Attributes {
	if !f.OOB {
		return nil
	}
	return templ.Attributes{"hx-swap-oob": "true"}
}

// inputClass is the input's class, with the valid state shown once a
// field has been checked inline.
func inputClass(form Form, name string) string {
	if form.Valid[name] {
		return "input input-valid"
	}
	return "input"
}

// fieldClass is inputClass with the field's own class.
func fieldClass(f Field, form Form) string {
	if f.Class == "" {
		return inputClass(form, f.Name)
	}
	return inputClass(form, f.Name) + " " + f.Class
}

// liveCheck wires a new-password field to the server's checklist: typing
// (debounced) posts the form and the answer replaces the checklist. A
// check gives way to the form's own submit (hx-sync abort): one still in
// flight, or fired by the debounce after the submit, would otherwise land
// after the next page and answer for a link the submit has used.
func liveCheck(f Field) templ.Attributes {
	if f.Validate == "" {
		return nil
	}
	return templ.Attributes{"hx-post": f.Validate, "hx-trigger": "input changed delay:300ms", "hx-target": "#password-checklist",
		"hx-swap": "outerHTML", "hx-sync": "closest form:abort"}
}

type urlKey struct{}

// WithURL records the request's URL, from which the language switcher
// builds its links.
func WithURL(ctx context.Context, u *url.URL) context.Context {
	return context.WithValue(ctx, urlKey{}, u)
}

// Language is one entry of the language switcher.
type Language struct {
	Tag, Name string
	Current   bool
}

// languages lists every loaded language, named in itself, for the
// switcher's buttons.
func languages(ctx context.Context) []Language {
	loc := i18n.From(ctx)
	if loc == nil {
		return nil
	}
	tags := loc.Languages()
	out := make([]Language, 0, len(tags))
	for _, tag := range tags {
		out = append(out, Language{Tag: tag.String(), Name: loc.SelfName(tag), Current: tag == loc.Tag()})
	}
	return out
}

// switcherReturn is the page the language switcher comes back to: the
// current one, less its language and any token (never repeated in a
// form). The handler checks it again, as anyone can post anything.
func switcherReturn(ctx context.Context) string {
	u, _ := ctx.Value(urlKey{}).(*url.URL)
	if u == nil {
		return paths.Home
	}
	path := localPath(u.Path)
	if u.RawQuery == "" {
		return path
	}
	q := u.Query()
	q.Del("token")
	q.Del("lang")
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// RegisterFormID is the sign-up form's id: on the sign-up page the
// switcher's buttons belong to that form, so a switch carries what was
// typed (see LanguageSwitcher).
const RegisterFormID = "register-form"

// switchButton is what a switcher button submits: on the sign-up page the
// sign-up form, to the switcher (the return path in the address, as the
// form has no field for it); elsewhere the switcher's own form.
func switchButton(ctx context.Context) templ.Attributes {
	u, _ := ctx.Value(urlKey{}).(*url.URL)
	if u == nil || u.Path != paths.Register {
		return nil
	}
	return templ.Attributes{"form": RegisterFormID, "formaction": paths.Language + "?back=" + url.QueryEscape(switcherReturn(ctx)),
		"formmethod": "post", "formnovalidate": true}
}

func currentLanguageName(ctx context.Context) string {
	if loc := i18n.From(ctx); loc != nil {
		return loc.SelfName(loc.Tag())
	}
	return ""
}

// localPath keeps a link on this site: a request path such as
// "//evil.example/x" or "/\\evil.example" would otherwise become a link to
// another host.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\") {
		return "/"
	}
	return p
}
