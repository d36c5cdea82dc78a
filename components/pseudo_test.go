package components_test

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/text/language/display"

	"gatehouse/internal/i18n"
)

// data values the test pages show that are the user's, not ours.
var userData = []string{"ada@example.com", "Ada Lovelace", "Analytical Engines", "United Kingdom", "Germany", "GB-LND",
	"+44 20 7946 0958", "Firefox on Linux", "Safari", "192.0.2.1", "2001:db8::1", "now", "2030-01-02", "1h", "Activate", "Hello",
	"http://localhost:8080/activate?token=abc", "example.com", "English", "·", "✓", "○", "(", ")", ":", "1", "2", "3", "4"}

// TestNoHardCodedText renders every page in the pseudo-locale: every piece
// of visible text must come from the catalog (pseudo-marked) or be the
// user's own data, so a string typed into a component fails here.
func TestNoHardCodedText(t *testing.T) {
	c, err := i18n.LoadWithPseudo()
	if err != nil {
		t.Fatal(err)
	}
	ctx := i18n.With(context.Background(), c.Localizer(i18n.PseudoTag))
	// The language switcher names each language in itself (CLDR data).
	for _, tag := range c.Languages() {
		userData = append(userData, display.Self.Name(tag))
	}
	for name, page := range pages() {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := page.Render(ctx, &buf); err != nil {
				t.Fatal(err)
			}
			doc, err := html.Parse(&buf)
			if err != nil {
				t.Fatal(err)
			}
			marked := 0
			for _, text := range visibleText(doc) {
				if strings.Contains(text, "⟦") {
					marked++
				}
				if rest := unmark(text); !isUserData(rest) {
					t.Errorf("text not from the catalog: %q in %q", rest, text)
				}
			}
			if marked == 0 {
				t.Fatal("no pseudo-locale text at all: is the pseudo catalog in use?")
			}
		})
	}
}

var pseudoMarked = regexp.MustCompile(`⟦[^⟦⟧]*⟧`)

// unmark removes the pseudo-marked text, innermost first: a sentence
// with links holds each link's own marked text inside its marks.
func unmark(s string) string {
	for {
		r := pseudoMarked.ReplaceAllString(s, "")
		if r == s {
			return r
		}
		s = r
	}
}

func isUserData(s string) bool {
	for _, d := range userData {
		s = strings.ReplaceAll(s, d, "")
	}
	return strings.TrimSpace(s) == ""
}

// visibleText collects the text nodes a reader sees, and the attributes a
// screen reader speaks.
func visibleText(n *html.Node) []string {
	var out []string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "style", "title":
				return
			case "label":
				// One sentence, though it may hold links (the terms): read
				// whole, as the catalog holds it.
				if t := strings.TrimSpace(node{n}.text()); t != "" {
					out = append(out, t)
				}
				return
			}
			for _, a := range n.Attr {
				switch a.Key {
				case "aria-label", "placeholder", "alt", "title":
					if strings.TrimSpace(a.Val) != "" {
						out = append(out, a.Val)
					}
				}
			}
		}
		if n.Type == html.TextNode && strings.TrimSpace(n.Data) != "" {
			out = append(out, strings.TrimSpace(n.Data))
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}
