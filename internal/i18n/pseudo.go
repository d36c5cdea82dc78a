package i18n

import (
	"bytes"
	"fmt"
	"io/fs"
	"strings"
	"testing/fstest"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
	"golang.org/x/text/language"

	"gatehouse/locales"
)

// PseudoTag is the pseudo-locale: every English message accented, 30 %
// longer and bracketed in ⟦ ⟧. Tests render pages in it to prove no text
// bypasses the catalog and that layouts take longer text; it is never
// loaded in production.
var PseudoTag = language.MustParse("en-XA")

var accents = strings.NewReplacer("a", "á", "e", "é", "i", "í", "o", "ö", "u", "ü", "A", "Å", "E", "É",
	"I", "Î", "O", "Ø", "U", "Ü", "c", "ç", "n", "ñ", "s", "š", "y", "ý")

// Pseudo turns an English message into its pseudo form, leaving template
// actions alone.
func Pseudo(s string) string {
	var b strings.Builder
	for s != "" {
		i := strings.Index(s, "{{")
		j := strings.Index(s[max(i, 0):], "}}")
		if i < 0 || j < 0 {
			b.WriteString(accents.Replace(s))
			break
		}
		b.WriteString(accents.Replace(s[:i]))
		b.WriteString(s[i : i+j+2])
		s = s[i+j+2:]
	}
	out := b.String()
	return "⟦" + out + strings.Repeat("~", (utf8.RuneCountInString(out)*3+9)/10) + "⟧"
}

// LoadWithPseudo is Load plus the pseudo-locale.
func LoadWithPseudo() (*Catalog, error) {
	fsys := fstest.MapFS{}
	files, err := fs.Glob(locales.FS, "active.*.toml")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		data, err := fs.ReadFile(locales.FS, f)
		if err != nil {
			return nil, err
		}
		fsys[f] = &fstest.MapFile{Data: data}
	}
	en := map[string]any{}
	if err := toml.Unmarshal(fsys["active.en.toml"].Data, &en); err != nil {
		return nil, fmt.Errorf("i18n: pseudo: %w", err)
	}
	out := map[string]any{}
	for k, v := range en {
		switch v := v.(type) {
		case string:
			out[k] = Pseudo(v)
		case map[string]any:
			m := map[string]any{}
			for cat, f := range v {
				if s, ok := f.(string); ok {
					m[cat] = Pseudo(s)
				}
			}
			out[k] = m
		}
	}
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(out); err != nil {
		return nil, fmt.Errorf("i18n: pseudo: %w", err)
	}
	fsys["active."+PseudoTag.String()+".toml"] = &fstest.MapFile{Data: buf.Bytes()}
	return LoadFS(fsys)
}
