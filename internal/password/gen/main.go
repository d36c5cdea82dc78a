// Command gen writes common.txt, the blocklist of common passwords that the
// password package embeds. Run it with `go generate` in internal/password.
//
// Source: data/passwords.txt in the Go module github.com/trustelem/zxcvbn
// v1.0.1 (MIT), a Go port of Dropbox's zxcvbn 4.4.2 that carries the same
// data file. Upstream built it with data-scripts/count_xato.coffee from Mark
// Burnett's "10 million passwords" corpus (10-million-combos.txt, published
// through Xato in 2015): passwords lower-cased, counted, kept when seen more
// than 10 times, sorted by count, with entries that zxcvbn's date, year,
// repeat, sequence or keyboard matchers already rate as weaker dropped.
//
// The output keeps that rank order, one password per line, lower-cased in
// NFKC form, without duplicates or blank lines.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// module is where the source list lives; go.mod pins its version.
const module = "github.com/trustelem/zxcvbn"

func main() {
	out := flag.String("o", "common.txt", "output file")
	limit := flag.Int("n", 0, "keep the n most common passwords (0: all)")
	src := flag.String("src", "", "source list (default: data/passwords.txt in the "+module+" module)")
	flag.Parse()
	if err := run(*src, *out, *limit); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(src, out string, limit int) error {
	if src == "" {
		dir, err := moduleDir(module)
		if err != nil {
			return err
		}
		src = filepath.Join(dir, "data", "passwords.txt")
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	var buf bytes.Buffer
	n, err := extract(in, &buf, limit)
	if err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	if limit > 0 && n < limit {
		return fmt.Errorf("%s: only %d passwords, want %d", src, n, limit)
	}
	return os.WriteFile(out, buf.Bytes(), 0o644)
}

// extract copies the first token of each "password count" line, in order,
// lower-cased and NFKC-normalised, skipping repeats; it stops after limit
// passwords when limit > 0.
func extract(r io.Reader, w io.Writer, limit int) (int, error) {
	seen := map[string]bool{}
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		pw := strings.ToLower(norm.NFKC.String(fields[0]))
		if seen[pw] {
			continue
		}
		seen[pw] = true
		if _, err := fmt.Fprintln(w, pw); err != nil {
			return n, err
		}
		n++
		if limit > 0 && n == limit {
			break
		}
	}
	return n, sc.Err()
}

// moduleDir asks the go command where the required version of mod is.
func moduleDir(mod string) (string, error) {
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", mod)
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go list -m %s: %w", mod, err)
	}
	dir := strings.TrimSpace(string(b))
	if dir == "" {
		return "", errors.New(mod + " is not in the module cache; run `go mod download " + mod + "`")
	}
	return dir, nil
}
