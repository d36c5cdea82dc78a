package account

import (
	"errors"
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"

	"gatehouse/internal/maildomains"
)

// errBadDomain is a string that is no domain name.
var errBadDomain = errors.New("account: not a domain name")

// domainProfile maps a domain to the form it is stored and compared in:
// lower case, IDNA A-labels ("bücher.example" is "xn--bcher-kva.example"),
// with the checks of a name that can be registered.
var domainProfile = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.ValidateLabels(true), idna.StrictDomainName(true),
	idna.VerifyDNSLength(true), idna.Transitional(false))

// NormalizeDomain is domain as organisations claim and compare it: trimmed,
// without a trailing dot, lower case, IDNA A-labels.
func NormalizeDomain(domain string) (string, error) {
	d := strings.TrimSuffix(strings.TrimSpace(domain), ".")
	if d == "" || len(d) > 253 {
		return "", errBadDomain
	}
	a, err := domainProfile.ToASCII(d)
	if err != nil || !strings.Contains(a, ".") {
		return "", errBadDomain
	}
	return a, nil
}

// unclaimable is why no organisation may claim the normalised domain, as
// a message ID taking {{.Domain}}; "" when it may be claimed. Free-mail
// and disposable domains are everyone's, and so is a public suffix
// ("co.uk"): claiming one would pull strangers into an organisation.
func unclaimable(domain string) string {
	switch {
	case domain == "":
		return "error.org.domain_invalid"
	case maildomains.Disposable(domain):
		return "error.org.domain_disposable"
	case maildomains.Free(domain):
		return "error.org.domain_free"
	}
	if _, err := publicsuffix.EffectiveTLDPlusOne(domain); err != nil {
		return "error.org.domain_public"
	}
	return ""
}
