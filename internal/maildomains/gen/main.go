// Command gen writes free.txt, disposable.txt and disposable_wildcard.txt,
// the domain lists the maildomains package embeds. Run it with
// `go generate` in internal/maildomains; it needs the npm command and the
// npm registry (or -free and -disposable naming tarballs already fetched).
//
// Sources, both MIT-licensed npm packages pinned below:
//   - free-email-domains (domains.json): free-mail providers, which its
//     scripts/postinstall.mjs merges from HubSpot's published list of
//     free email domains, two public disposable-domain lists and a
//     hand-kept addition (ISP and regional providers);
//   - disposable-email-domains (index.json and wildcard.json): disposable
//     address services; wildcard.json lists domains whose every
//     subdomain is one.
//
// Each output has one domain per line, trimmed, without a trailing dot,
// lower case and IDNA A-labels (the form organisations claim in), sorted
// bytewise, without duplicates; entries that are no domain name are left
// out and counted on stderr.
package main

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/net/idna"
)

// The packages and versions the lists come from.
const (
	freePackage       = "free-email-domains@1.12.6"
	disposablePackage = "disposable-email-domains@1.0.62"
)

func main() {
	dir := flag.String("d", ".", "directory to write the lists to")
	free := flag.String("free", "", "tarball of "+freePackage+" (default: npm pack it)")
	disposable := flag.String("disposable", "", "tarball of "+disposablePackage+" (default: npm pack it)")
	flag.Parse()
	if err := run(*dir, *free, *disposable); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(dir, free, disposable string) error {
	tmp, err := os.MkdirTemp("", "maildomains")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if free == "" {
		if free, err = pack(tmp, freePackage); err != nil {
			return err
		}
	}
	if disposable == "" {
		if disposable, err = pack(tmp, disposablePackage); err != nil {
			return err
		}
	}
	outputs := []struct {
		tarball, member, out string
	}{
		{free, "package/domains.json", "free.txt"},
		{disposable, "package/index.json", "disposable.txt"},
		{disposable, "package/wildcard.json", "disposable_wildcard.txt"},
	}
	for _, o := range outputs {
		raw, err := member(o.tarball, o.member)
		if err != nil {
			return err
		}
		var names []string
		if err := json.Unmarshal(raw, &names); err != nil {
			return fmt.Errorf("%s in %s: %w", o.member, o.tarball, err)
		}
		domains, skipped := normalise(names)
		if skipped > 0 {
			fmt.Fprintf(os.Stderr, "gen: %s: left out %d entries that are no domain name\n", o.out, skipped)
		}
		if err := os.WriteFile(filepath.Join(dir, o.out), []byte(strings.Join(domains, "\n")+"\n"), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// pack fetches an npm package's tarball into dir with `npm pack`.
func pack(dir, pkg string) (string, error) {
	cmd := exec.Command("npm", "pack", "--silent", "--pack-destination", dir, pkg)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("npm pack %s: %w", pkg, err)
	}
	lines := strings.Fields(strings.TrimSpace(string(out)))
	if len(lines) == 0 {
		return "", fmt.Errorf("npm pack %s: no tarball named", pkg)
	}
	return filepath.Join(dir, lines[len(lines)-1]), nil
}

// member reads one file of a gzipped tarball.
func member(tarball, name string) ([]byte, error) {
	f, err := os.Open(tarball)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", tarball, err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: no %s", tarball, name)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", tarball, err)
		}
		if h.Name == name {
			return io.ReadAll(tr)
		}
	}
}

// profile is the account package's domain normalisation (NormalizeDomain).
var profile = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.ValidateLabels(true), idna.StrictDomainName(true),
	idna.VerifyDNSLength(true), idna.Transitional(false))

func normalise(names []string) (domains []string, skipped int) {
	for _, n := range names {
		d := strings.TrimSuffix(strings.TrimSpace(n), ".")
		a, err := profile.ToASCII(d)
		if err != nil || d == "" || !strings.Contains(a, ".") {
			skipped++
			continue
		}
		domains = append(domains, a)
	}
	slices.Sort(domains)
	return slices.Compact(domains), skipped
}
