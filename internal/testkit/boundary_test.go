package testkit

import (
	"bufio"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// allowedDirs are the only places outside *_test.go files that may import testkit: the kit
// itself, and the load generator, which runs the product against the fakes on purpose.
var allowedDirs = []string{"internal/testkit", "cmd/loadgen"}

// TestProductDoesNotImportTestkit walks every non-test Go file of the module and fails when
// one outside allowedDirs imports a package under internal/testkit.
func TestProductDoesNotImportTestkit(t *testing.T) {
	root, module := moduleRoot(t)
	kit := module + "/internal/testkit"
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			name := d.Name()
			if rel != "." && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") ||
				name == "testdata" || name == "node_modules" || allowed(rel)) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		checked++
		for _, imp := range f.Imports {
			p, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				return err
			}
			if p == kit || strings.HasPrefix(p, kit+"/") {
				t.Errorf("%s imports %s: test tools must stay out of the product", rel, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A walk that started in the wrong place would pass without looking at anything.
	if checked < 10 {
		t.Fatalf("checked only %d files under %s; is the module root right?", checked, root)
	}
}

func allowed(rel string) bool {
	for _, dir := range allowedDirs {
		if rel == dir {
			return true
		}
	}
	return false
}

// moduleRoot finds go.mod above the working directory and returns its directory and the
// module path it declares.
func moduleRoot(t *testing.T) (dir, module string) {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		f, err := os.Open(filepath.Join(dir, "go.mod"))
		if err == nil {
			defer f.Close()
			s := bufio.NewScanner(f)
			for s.Scan() {
				if rest, ok := strings.CutPrefix(strings.TrimSpace(s.Text()), "module "); ok {
					return dir, strings.Trim(strings.TrimSpace(rest), `"`)
				}
			}
			t.Fatalf("%s/go.mod declares no module", dir)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
}
