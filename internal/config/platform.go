package config

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"time"

	"gatehouse/internal/returnto"
)

// Platform is how Gatehouse hands people over to the application behind
// it (DESIGN.md, "Public contract").
type Platform struct {
	// Upstream is UPSTREAM_URL; nil when Gatehouse proxies nothing.
	Upstream    *url.URL
	PublicPaths []string
	// Audience and Landing are as set; read them through TokenAudience
	// and LandingPath, which apply the defaults.
	Audience string
	Timeout  time.Duration
	Landing  string
	// CookieDomain is COOKIE_DOMAIN: the session cookie is then sent to
	// every host under it (forward auth across subdomains).
	CookieDomain string
	// WebhookURL and WebhookSecret are where the platform hears of
	// sign-ups, activations, sign-ins and ended sessions; "" when off.
	WebhookURL, WebhookSecret string
}

func init() {
	Vars = append(Vars,
		Var{"UPSTREAM_URL", "", "the platform Gatehouse proxies to (http or https URL); every path that is not Gatehouse's own goes there, for signed-in people only; unset, nothing is proxied"},
		Var{"UPSTREAM_PUBLIC_PATHS", "", "comma-separated path prefixes proxied without sign-in (identity still attached when there is a session), such as /public/,/favicon.png"},
		Var{"UPSTREAM_AUDIENCE", "", "aud of the identity token (X-Gatehouse-Token); empty means UPSTREAM_URL, or BASE_URL without an upstream"},
		Var{"UPSTREAM_TIMEOUT", "30s", "how long to wait for the platform's response headers before a 504 page (the body then streams without limit)"},
		Var{"LANDING_PATH", "", "where sign-in leads without a return_to; empty means /account, or the platform's / with UPSTREAM_URL"},
		Var{"WEBHOOK_URL", "", "where the platform receives signed events (user.registered, user.activated, user.password_changed, user.signed_in, session.ended, user.passkey_added, user.passkey_removed), delivered through the outbox with its retries; unset, none are sent"},
		Var{"WEBHOOK_SECRET", "", "the Standard Webhooks signing secret, whsec_ followed by base64 (at least 24 bytes); required with WEBHOOK_URL"},
		Var{"COOKIE_DOMAIN", "", "parent domain for the session cookie (forward auth across subdomains): the cookie becomes __Secure- with that Domain instead of host-only __Host-; must contain BASE_URL's host"},
	)
}

// loadPlatform reads the UPSTREAM_* settings, LANDING_PATH and
// COOKIE_DOMAIN; it runs after BASE_URL is parsed.
func (c *Config) loadPlatform(get func(string) string) []error {
	var errs []error
	p := &c.Platform
	if raw := get("UPSTREAM_URL"); raw != "" {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			errs = append(errs, fmt.Errorf("UPSTREAM_URL: want an absolute http or https URL without query, fragment or credentials, got %q", raw))
		} else {
			u.Path = strings.TrimSuffix(u.Path, "/")
			p.Upstream = u
		}
	}
	for _, s := range strings.Split(get("UPSTREAM_PUBLIC_PATHS"), ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if returnto.Clean(s) != s {
			errs = append(errs, fmt.Errorf("UPSTREAM_PUBLIC_PATHS: each entry must be a path starting with /, got %q", s))
			continue
		}
		p.PublicPaths = append(p.PublicPaths, s)
	}
	if len(p.PublicPaths) > 0 && get("UPSTREAM_URL") == "" {
		errs = append(errs, fmt.Errorf("UPSTREAM_PUBLIC_PATHS: set without UPSTREAM_URL, nothing would be proxied"))
	}
	p.Audience = get("UPSTREAM_AUDIENCE")
	d, err := time.ParseDuration(get("UPSTREAM_TIMEOUT"))
	if err != nil || d <= 0 {
		errs = append(errs, fmt.Errorf("UPSTREAM_TIMEOUT: want a positive duration such as 30s, got %q", get("UPSTREAM_TIMEOUT")))
	}
	p.Timeout = d
	p.Landing = get("LANDING_PATH")
	if p.Landing != "" && returnto.Clean(p.Landing) != p.Landing {
		errs = append(errs, fmt.Errorf("LANDING_PATH: want a local path starting with /, got %q", p.Landing))
	}
	p.WebhookURL, p.WebhookSecret = get("WEBHOOK_URL"), get("WEBHOOK_SECRET")
	if p.WebhookURL != "" {
		if u, err := url.Parse(p.WebhookURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("WEBHOOK_URL: want an absolute http or https URL, got %q", p.WebhookURL))
		}
	}
	switch key, found := strings.CutPrefix(p.WebhookSecret, "whsec_"); {
	case p.WebhookSecret == "" && p.WebhookURL != "":
		errs = append(errs, fmt.Errorf("WEBHOOK_SECRET: required with WEBHOOK_URL, so the platform can tell Gatehouse's events from forgeries"))
	case p.WebhookSecret == "":
	case !found:
		errs = append(errs, fmt.Errorf("WEBHOOK_SECRET: want whsec_ followed by base64 (Standard Webhooks), got a value without the whsec_ prefix"))
	default:
		if b, err := base64.StdEncoding.DecodeString(key); err != nil || len(b) < 24 {
			errs = append(errs, fmt.Errorf("WEBHOOK_SECRET: want whsec_ followed by at least 24 bytes in base64"))
		}
	}
	if dom := strings.ToLower(strings.TrimPrefix(get("COOKIE_DOMAIN"), ".")); dom != "" {
		host := ""
		if c.BaseURL != nil {
			host = strings.ToLower(c.BaseURL.Hostname())
		}
		switch {
		case !strings.Contains(dom, "."):
			errs = append(errs, fmt.Errorf("COOKIE_DOMAIN: want a registrable domain such as example.com, got %q", dom))
		case host != dom && !strings.HasSuffix(host, "."+dom):
			errs = append(errs, fmt.Errorf("COOKIE_DOMAIN: %q does not contain BASE_URL's host %q, so browsers would refuse the cookie", dom, host))
		default:
			p.CookieDomain = dom
		}
	}
	return errs
}

// TokenAudience is the aud of identity tokens: UPSTREAM_AUDIENCE, else
// UPSTREAM_URL, else base (Gatehouse itself, for forward auth alone).
func (p Platform) TokenAudience(base *url.URL) string {
	switch {
	case p.Audience != "":
		return p.Audience
	case p.Upstream != nil:
		return p.Upstream.String()
	}
	return base.String()
}

// LandingPath is where sign-in leads without a return_to: LANDING_PATH,
// else the platform's front page, else the account page.
func (p Platform) LandingPath() string {
	switch {
	case p.Landing != "":
		return p.Landing
	case p.Upstream != nil:
		return "/"
	}
	return "/account"
}
