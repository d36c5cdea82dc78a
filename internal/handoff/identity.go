// Package handoff is what the platform behind Gatehouse receives: the
// identity headers on proxied requests and forward-auth answers, the
// signed identity token and the keys that verify it, and the reverse
// proxy itself. It holds the rules of the handoff; HTTP wiring stays in
// handlers.
package handoff

import (
	"net/http"
	"strings"
)

// HeaderPrefix starts every header Gatehouse hands to the platform. Any
// incoming header that starts with it is removed before Gatehouse adds its
// own, so a client can never speak for Gatehouse.
const HeaderPrefix = "X-Gatehouse-"

// The identity headers (DESIGN.md, "Public contract").
const (
	HeaderUserID      = "X-Gatehouse-User-Id"
	HeaderEmail       = "X-Gatehouse-Email"
	HeaderGivenName   = "X-Gatehouse-Given-Name"
	HeaderFamilyName  = "X-Gatehouse-Family-Name"
	HeaderCompany     = "X-Gatehouse-Company"
	HeaderLocale      = "X-Gatehouse-Locale"
	HeaderOrgID       = "X-Gatehouse-Org-Id"
	HeaderOrgName     = "X-Gatehouse-Org-Name"
	HeaderOrgRole     = "X-Gatehouse-Org-Role"
	HeaderAuthMethods = "X-Gatehouse-Auth-Methods"
	HeaderToken       = "X-Gatehouse-Token"
)

// IdentityHeaders lists every header Identity.Set writes, for proxies
// (nginx) that must copy them one by one.
var IdentityHeaders = []string{HeaderUserID, HeaderEmail, HeaderGivenName, HeaderFamilyName, HeaderCompany,
	HeaderLocale, HeaderOrgID, HeaderOrgName, HeaderOrgRole, HeaderAuthMethods, HeaderToken}

// Identity is who is signed in, as the platform is told. It is comparable,
// so a signed token can be cached under it.
type Identity struct {
	UserID        string // stable, opaque, random
	SessionID     string // the session, never its cookie token
	Email         string
	EmailVerified bool
	GivenName     string
	FamilyName    string
	Company       string
	Locale        string
	// AuthMethods are the RFC 8176 amr values of the sign-in
	// ("pwd", "otp", "mfa", "hwk", …), space-separated so that an
	// Identity stays comparable.
	AuthMethods string
	// ACR is the authentication context class the sign-in reached.
	ACR string
	// AuthTime is when the password or strong factor was last entered,
	// in Unix seconds (0 unknown).
	AuthTime int64
	// The person's organisation: its public id (org_…), its name and the
	// person's role in it (owner, admin or member). Only active members
	// are handed over at all, so these are set whenever an identity is.
	OrgID, OrgName, OrgRole string
}

// AMR is the amr claim: the methods as a list ("pwd" when none is known,
// as every session was once opened with a password).
func (id Identity) AMR() []string {
	if f := strings.Fields(id.AuthMethods); len(f) > 0 {
		return f
	}
	return []string{"pwd"}
}

// Set writes the identity and its token into h. It runs on every
// forward-auth call and proxied request, so the values share one array
// (each slice capped at its one value, so an Add elsewhere copies) and the
// names, canonical already, are not canonicalised again.
func (id Identity) Set(h http.Header, token string) {
	v := []string{id.UserID, id.Email, PercentEncode(id.GivenName), PercentEncode(id.FamilyName), PercentEncode(id.Company),
		id.Locale, id.OrgID, PercentEncode(id.OrgName), id.OrgRole, strings.Join(id.AMR(), ","), token}
	h[HeaderUserID] = v[0:1:1]
	h[HeaderEmail] = v[1:2:2]
	h[HeaderGivenName] = v[2:3:3]
	h[HeaderFamilyName] = v[3:4:4]
	h[HeaderCompany] = v[4:5:5]
	h[HeaderLocale] = v[5:6:6]
	h[HeaderOrgID] = v[6:7:7]
	h[HeaderOrgName] = v[7:8:8]
	h[HeaderOrgRole] = v[8:9:9]
	h[HeaderAuthMethods] = v[9:10:10]
	if token != "" {
		h[HeaderToken] = v[10:11:11]
	}
}

// StripInbound removes every header that claims to be Gatehouse's, in any
// case and with "_" for "-" (which CGI-style servers fold together).
func StripInbound(h http.Header) {
	for k := range h {
		if isOurs(k) {
			delete(h, k)
		}
	}
}

func isOurs(name string) bool {
	if len(name) < len(HeaderPrefix) {
		return false
	}
	p := strings.ReplaceAll(name[:len(HeaderPrefix)], "_", "-")
	return strings.EqualFold(p, HeaderPrefix)
}

// StripCookies removes from the Cookie headers of h every cookie whose
// name drop accepts, leaving the others byte for byte.
func StripCookies(h http.Header, drop func(name string) bool) {
	lines := h.Values("Cookie")
	if len(lines) == 0 {
		return
	}
	var kept []string
	for _, line := range lines {
		for part := range strings.SplitSeq(line, ";") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			name, _, _ := strings.Cut(part, "=")
			if drop(strings.TrimSpace(name)) {
				continue
			}
			kept = append(kept, part)
		}
	}
	if len(kept) == 0 {
		h.Del("Cookie")
		return
	}
	h.Set("Cookie", strings.Join(kept, "; "))
}

// GatehouseCookie reports whether a cookie is one of Gatehouse's own (the
// session and the flows' cookies), which the platform never receives.
func GatehouseCookie(name string) bool {
	name = strings.TrimPrefix(strings.TrimPrefix(name, "__Host-"), "__Secure-")
	return strings.HasPrefix(name, "gatehouse_")
}

// PercentEncode encodes s as UTF-8 with every byte outside RFC 3986's
// unreserved set percent-encoded, so any name fits in a header value and
// decodes with any URL library.
func PercentEncode(s string) string {
	const hex = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hex[c>>4], hex[c&15])
	}
	return string(b)
}

func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}
