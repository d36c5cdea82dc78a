// Package components holds every page, form field and email as templ
// components. Designers edit these and tailwind.config.js; all copy comes
// from locales/ through t.
package components

import (
	"context"

	"gatehouse/internal/i18n"
)

// t translates a message ID in the request's language.
func t(ctx context.Context, id string, data ...map[string]any) string {
	return i18n.T(ctx, id, data...)
}

// tm translates a domain message.
func tm(ctx context.Context, m i18n.Message) string { return i18n.TM(ctx, m) }

// Form is a submitted form as the page shows it again: the values the user
// typed and the problems found, both keyed by field name.
type Form struct {
	Values map[string]string
	Errors map[string]i18n.Message
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
}

func fieldID(name string) string { return "f-" + name }
func errorID(name string) string { return "f-" + name + "-error" }
func hintID(name string) string  { return "f-" + name + "-hint" }

// describedBy lists the hint and error ids that describe a field.
func describedBy(f Field, form Form) string {
	s := ""
	if f.Hint != "" {
		s = hintID(f.Name)
	}
	if _, bad := form.Error(f.Name); bad {
		if s != "" {
			s += " "
		}
		s += errorID(f.Name)
	}
	return s
}

func ariaInvalid(form Form, name string) string {
	if _, bad := form.Error(name); bad {
		return "true"
	}
	return "false"
}
