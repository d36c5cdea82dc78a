package components

import (
	"bytes"
	"context"
	"io"

	"github.com/a-h/templ"
)

// OptionList is a select's choices rendered to markup once, for a list
// that is the same on every request: the sign-up form's ~250 countries
// (per language) cost most of the page when rendered each time. Only
// which option is selected varies, so every option is kept rendered both
// ways, by optionTag, and ListSelect stitches the two together.
type OptionList struct {
	html     []byte           // every option, none selected
	ends     []int            // ends[i] is where option i ends in html
	selected [][]byte         // selected[i] is option i marked selected
	byValue  map[string][]int // the options carrying each value
}

// NewOptionList renders options once; the result is safe to share
// between requests.
func NewOptionList(options []Option) *OptionList {
	l := &OptionList{
		ends:     make([]int, len(options)),
		selected: make([][]byte, len(options)),
		byValue:  make(map[string][]int, len(options)),
	}
	var plain, sel bytes.Buffer
	for i, o := range options {
		// optionTag needs nothing from a request's context.
		mustRender(optionTag(o, false), &plain)
		l.ends[i] = plain.Len()
		sel.Reset()
		mustRender(optionTag(o, true), &sel)
		l.selected[i] = bytes.Clone(sel.Bytes())
		l.byValue[o.Value] = append(l.byValue[o.Value], i)
	}
	l.html = plain.Bytes()
	return l
}

// mustRender renders c into an in-memory buffer, which cannot fail unless
// the component does; optionTag only writes.
func mustRender(c templ.Component, buf *bytes.Buffer) {
	if err := c.Render(context.Background(), buf); err != nil {
		panic("components: rendering options: " + err.Error())
	}
}

// Len is the number of options.
func (l *OptionList) Len() int {
	if l == nil {
		return 0
	}
	return len(l.ends)
}

// Selecting renders the options with those whose value is value marked
// selected, byte for byte as optionTags would.
func (l *OptionList) Selecting(value string) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		if l == nil {
			return nil
		}
		start := 0
		for _, i := range l.byValue[value] {
			begin := 0
			if i > 0 {
				begin = l.ends[i-1]
			}
			if _, err := w.Write(l.html[start:begin]); err != nil {
				return err
			}
			if _, err := w.Write(l.selected[i]); err != nil {
				return err
			}
			start = l.ends[i]
		}
		_, err := w.Write(l.html[start:])
		return err
	})
}
