package maildomains

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

func TestWellKnownDomains(t *testing.T) {
	for _, d := range []string{"gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "yahoo.com", "gmx.de", "web.de", "icloud.com"} {
		if !Free(d) {
			t.Errorf("Free(%q) = false", d)
		}
	}
	for _, d := range []string{"mailinator.com", "guerrillamail.com", "ada.33mail.com", "x.y.33mail.com"} {
		if !Disposable(d) {
			t.Errorf("Disposable(%q) = false", d)
		}
	}
	for _, d := range []string{"acme.example", "globex.example", "example.com", "com", ""} {
		if Free(d) || Disposable(d) {
			t.Errorf("%q is listed", d)
		}
	}
}

// Each list is sorted, without duplicates or blanks, so bisection finds
// what it holds.
func TestListsSorted(t *testing.T) {
	for i, l := range lists() {
		if len(l) < 100 {
			t.Fatalf("list %d has %d entries", i, len(l))
		}
		if !slices.IsSorted(l) || len(slices.Compact(slices.Clone(l))) != len(l) {
			t.Errorf("list %d is not sorted and unique", i)
		}
		for _, d := range l {
			if d == "" || d != string(bytes.ToLower([]byte(d))) {
				t.Fatalf("list %d holds %q", i, d)
			}
		}
	}
}

// The committed lists are exactly what the committed generator makes from
// the pinned packages, so nobody edits one without the other.
func TestListsCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("runs npm")
	}
	if _, err := exec.LookPath("npm"); err != nil {
		t.Skip("no npm command:", err)
	}
	dir := t.TempDir()
	cmd := exec.Command("go", "run", "./gen", "-d", dir)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run ./gen: %v\n%s", err, msg)
	}
	for name, committed := range map[string]string{"free.txt": freeText, "disposable.txt": disposableText, "disposable_wildcard.txt": wildcardText} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, []byte(committed)) {
			t.Errorf("%s is stale: run go generate ./internal/maildomains", name)
		}
	}
}
