// Package maildomains knows the email domains that belong to no one
// company: free-mail providers (gmail.com) and disposable-address services
// (mailinator.com). Organisations can never claim them (SECURITY.md rule
// 47). The lists are generated (see LISTS.md) and embedded; no network call
// is made.
package maildomains

import (
	_ "embed"
	"slices"
	"strings"
	"sync"
)

//go:generate go run ./gen

var (
	//go:embed free.txt
	freeText string
	//go:embed disposable.txt
	disposableText string
	//go:embed disposable_wildcard.txt
	wildcardText string
)

// list is one embedded file's domains: sorted, one per line, lower case,
// IDNA A-labels. The slice points into the embedded text (nothing copied)
// and is searched by bisection.
type list []string

func parse(text string) list {
	return strings.Split(strings.TrimSuffix(text, "\n"), "\n")
}

func (l list) has(domain string) bool {
	_, ok := slices.BinarySearch(l, domain)
	return ok
}

var lists = sync.OnceValue(func() [3]list {
	return [3]list{parse(freeText), parse(disposableText), parse(wildcardText)}
})

// Free reports whether domain (normalised: lower case, A-labels) is a
// free-mail provider's.
func Free(domain string) bool { return lists()[0].has(domain) }

// Disposable reports whether domain, normalised, is a disposable-address
// service's: listed itself, or below a domain whose every subdomain is one
// (such services hand out a subdomain per user).
func Disposable(domain string) bool {
	l := lists()
	if l[1].has(domain) || l[2].has(domain) {
		return true
	}
	for d := domain; ; {
		_, parent, ok := strings.Cut(d, ".")
		if !ok || !strings.Contains(parent, ".") {
			return false
		}
		if l[2].has(parent) {
			return true
		}
		d = parent
	}
}
