package handlers_test

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The HTTP layer parses, calls internal/account and renders: it never
// reaches past the flows into the store, whose types carry password
// hashes and token hashes. Tests may open a store to set a scene.
func TestHandlersDoNotImportTheStore(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasSuffix(path, "/internal/store") || strings.Contains(path, "/internal/store/") {
				t.Errorf("%s imports %s; handlers go through internal/account", name, path)
			}
		}
	}
	if checked < 5 {
		t.Fatalf("checked %d files: is the test in the handlers folder?", checked)
	}
}
