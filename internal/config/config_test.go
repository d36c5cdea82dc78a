package config_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/config"
)

// env returns a getenv over vars; unset names read as "".
func env(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

// defaultOf is the documented default of name in config.Vars.
func defaultOf(t *testing.T, name string) string {
	t.Helper()
	for _, v := range config.Vars {
		if v.Name == name {
			return v.Default
		}
	}
	t.Fatalf("%s is not in config.Vars", name)
	return ""
}

// Rules 8, 14 and 26 (habit 11): with nothing set, every setting takes the
// default config.Vars documents, and the defaults satisfy the rules.
func TestDefaults(t *testing.T) {
	c, err := config.Load(env(nil))
	if err != nil {
		t.Fatalf("Load with no environment: %v", err)
	}
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"ADDR", c.Addr, ":8080"},
		{"BASE_URL", c.BaseURL.String(), "http://localhost:8080"},
		{"WEBAUTHN_RP_ID", c.WebAuthnRPID, ""},
		{"DATABASE_URL", c.DatabaseURL, "gatehouse.db"},
		{"DATABASE_LISTEN_URL", c.DatabaseListenURL, ""},
		{"RESEND_API_KEY", c.ResendAPIKey, ""},
		{"RESEND_BASE_URL", c.ResendBaseURL, ""},
		{"MAIL_FROM", c.MailFrom, "Gatehouse <onboarding@localhost>"},
		{"ACTIVATION_TOKEN_TTL", c.ActivationTTL.String(), "24h0m0s"}, // rule 8: at most 24h
		{"RESET_TOKEN_TTL", c.ResetTTL.String(), "45m0s"},             // rule 8: 30–60 min
		{"INVITE_TOKEN_TTL", c.InviteTTL.String(), "168h0m0s"},
		{"SIGNUP_MODE", c.SignupMode, "open"},
		{"SIGNUP_APPROVAL_NOTIFY", strings.Join(c.ApprovalNotify, ","), ""},
		{"SESSION_IDLE_TIMEOUT", c.SessionIdleTimeout.String(), "30m0s"}, // rule 26
		{"SESSION_ABSOLUTE_TIMEOUT", c.SessionAbsoluteTimeout.String(), "12h0m0s"},
		{"PASSWORD_MIN_LENGTH", fmt.Sprint(c.PasswordMinLength), "15"},     // rule 14
		{"PASSWORD_MAX_LENGTH", fmt.Sprint(c.PasswordMaxLength), "256"},    // rule 14: at least 64
		{"TOKEN_ATTEMPTS_PER_IP", fmt.Sprint(c.TokenAttemptsPerIP), "100"}, // rule 11
		{"TOKEN_ATTEMPTS_WINDOW", c.TokenAttemptsWindow.String(), "15m0s"},
		{"MAIL_POLL_INTERVAL", c.MailWorkerPollInterval.String(), "2s"},
		{"MAIL_MAX_ATTEMPTS", fmt.Sprint(c.MailMaxAttempts), "12"},
		{"MAIL_SEND_TIMEOUT", c.MailSendTimeout.String(), "15s"},
		{"MAIL_SEND_CONCURRENCY", fmt.Sprint(c.MailSendConcurrency), "4"},
		{"MAIL_RETRY_DELAY", c.MailRetryDelay.String(), "5s"},
		{"MAIL_CLAIM_LEASE", c.MailClaimLease.String(), "30s"},
		{"MAIL_BATCH_SIZE", fmt.Sprint(c.MailBatchSize), "100"},
		{"RESEND_MAX_REQUESTS_PER_SECOND", fmt.Sprint(c.ResendMaxRequestsPerSecond), "2"}, // Resend's default per team
		{"RESEND_WEBHOOK_SECRET", c.ResendWebhookSecret, ""},
		{"TOTP_SECRET_KEY", string(c.TOTPSecretKey), ""},
		{"MAIL_BOUNCE_COOLDOWN", c.MailBounceCooldown.String(), "24h0m0s"},
		{"LOG_LEVEL", c.LogLevel, "info"},
		{"LOG_FORMAT", c.LogFormat, "text"},
		{"TRUSTED_PROXIES", strings.Join(c.TrustedProxies, ","), ""},
		{"VERIFICATION_METHOD", c.VerificationMethod, "both"},
		{"METRICS_ENABLED", fmt.Sprint(c.MetricsEnabled), "true"},
		{"METRICS_ADDR", c.MetricsAddr, "127.0.0.1:9080"},
		// Unset means "decide from BASE_URL and RESEND_API_KEY": on for the
		// zero-setup start. TestDevMailbox covers the other cases.
		{"DEV_MAILBOX", map[bool]string{true: "", false: "off"}[c.DevMailbox()], ""},
		{"PASSWORD_REQUIRE_COMPOSITION", fmt.Sprint(c.PasswordRequireComposition), "false"}, // rule 15
		{"RATE_LIMIT_EMAIL_PER_ADDRESS", limitString(c.EmailPerAddress), "5/1h0m0s"},        // rule 5
		{"RATE_LIMIT_EMAIL_PER_IP", limitString(c.EmailPerIP), "30/1h0m0s"},
		{"RATE_LIMIT_LOGIN_PER_IP", limitString(c.LoginPerIP), "50/15m0s"},             // rule 22
		{"RATE_LIMIT_CODES_PER_ADDRESS", limitString(c.CodesPerAddress), "10/24h0m0s"}, // rule 11
		{"LOGIN_FREE_FAILURES", fmt.Sprint(c.LoginFreeFailures), "5"},
		{"LOGIN_MAX_DELAY", c.LoginMaxDelay.String(), "15m0s"},
		{"RATE_LIMIT_IPV6_PREFIX", fmt.Sprint(c.IPv6Prefix), "64"},
		{"RETENTION_SENT_MAIL", c.RetentionSentMail.String(), "168h0m0s"},
		{"RETENTION_EXPIRED", c.RetentionExpired.String(), "24h0m0s"},
		{"RETENTION_RATE_LIMITS", c.RetentionRateLimits.String(), "24h0m0s"},
		{"RETENTION_LOGIN_FAILURES", c.RetentionLoginFailures.String(), "720h0m0s"},
		{"RETENTION_PENDING_USERS", c.RetentionPendingUsers.String(), "720h0m0s"},
		{"JANITOR_INTERVAL", c.JanitorInterval.String(), "1h0m0s"},
		{"UPSTREAM_URL", map[bool]string{true: "", false: "set"}[c.Platform.Upstream == nil], ""},
		{"UPSTREAM_PUBLIC_PATHS", strings.Join(c.Platform.PublicPaths, ","), ""},
		{"UPSTREAM_AUDIENCE", c.Platform.Audience, ""},
		{"UPSTREAM_TIMEOUT", c.Platform.Timeout.String(), "30s"},
		{"LANDING_PATH", c.Platform.Landing, ""},
		{"COOKIE_DOMAIN", c.Platform.CookieDomain, ""},
		{"WEBHOOK_URL", c.Platform.WebhookURL, ""},
		{"WEBHOOK_SECRET", c.Platform.WebhookSecret, ""},
		{"TERMS_URL", c.TermsURL, ""}, // nothing to accept until a deployment says what
		{"PRIVACY_URL", c.PrivacyURL, ""},
		{"ORG_ALLOW_DUPLICATE_DOMAIN", strconv.FormatBool(c.OrgAllowDuplicateDomain), "false"},
	}
	if len(tests) != len(config.Vars) {
		t.Errorf("config.Vars has %d variables, this table %d: add the new one here", len(config.Vars), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("%s = %q, want %q", tt.name, tt.got, tt.want)
			}
			def := defaultOf(t, tt.name)
			// Durations print differently from how Vars spells them.
			if d, err := time.ParseDuration(def); err == nil && def != "" {
				def = d.String()
			}
			if n, w, ok := strings.Cut(def, "/"); ok {
				if d, err := time.ParseDuration(w); err == nil {
					def = n + "/" + d.String()
				}
			}
			if tt.got != def {
				t.Errorf("%s = %q, but config.Vars documents %q", tt.name, tt.got, def)
			}
		})
	}
	for _, v := range config.Vars {
		if v.Meaning == "" {
			t.Errorf("%s has no meaning documented", v.Name)
		}
	}
	if c.SecureCookies() {
		t.Error("SecureCookies with the http default BASE_URL")
	}
	if !c.DevMailbox() {
		t.Error("no DevMailbox for the zero-setup start")
	}
}

// Habit 11: a bad value stops start-up with an error naming the variable.
// Rules 8, 13 and 14 bound the security-relevant ones.
func TestBadValues(t *testing.T) {
	tests := []struct {
		name, value string
	}{
		{"BASE_URL", "ftp://x"},
		{"BASE_URL", "localhost:8080"},
		{"BASE_URL", "/relative"},
		{"BASE_URL", "https://"},
		{"BASE_URL", "https://example.com/?next=x"},
		{"BASE_URL", "https://example.com/#frag"},
		{"RESEND_BASE_URL", "not a url"},
		{"TOTP_SECRET_KEY", "c2hvcnQ="},
		{"TOTP_SECRET_KEY", "not base64 at all!"},
		{"MAIL_SEND_CONCURRENCY", "0"},
		{"MAIL_SEND_CONCURRENCY", "65"},
		{"ACTIVATION_TOKEN_TTL", "48h"},
		{"ACTIVATION_TOKEN_TTL", "24h1m"},
		{"ACTIVATION_TOKEN_TTL", "forever"},
		{"ACTIVATION_TOKEN_TTL", "-1h"},
		{"RESET_TOKEN_TTL", "2h"},
		{"RESET_TOKEN_TTL", "61m"},
		{"RESET_TOKEN_TTL", "29m"},
		{"RESET_TOKEN_TTL", "0"},
		{"RESET_TOKEN_TTL", "45"},
		{"SESSION_IDLE_TIMEOUT", "13h"},
		{"SESSION_ABSOLUTE_TIMEOUT", "x"},
		{"PASSWORD_MIN_LENGTH", "7"},
		{"PASSWORD_MIN_LENGTH", "0"},
		{"PASSWORD_MIN_LENGTH", "-15"},
		{"PASSWORD_MIN_LENGTH", "fifteen"},
		{"PASSWORD_MIN_LENGTH", "300"},
		{"PASSWORD_MAX_LENGTH", "63"},
		{"PASSWORD_MAX_LENGTH", "5000"},
		{"TOKEN_ATTEMPTS_PER_IP", "0"},
		{"TOKEN_ATTEMPTS_WINDOW", "soon"},
		{"MAIL_POLL_INTERVAL", "0s"},
		{"MAIL_MAX_ATTEMPTS", "many"},
		{"MAIL_SEND_TIMEOUT", "-5s"},
		{"MAIL_RETRY_DELAY", "later"},
		{"LOG_LEVEL", "verbose"},
		{"LOG_FORMAT", "xml"},
		{"METRICS_ENABLED", "maybe"},
		{"PASSWORD_REQUIRE_COMPOSITION", "sometimes"},
		{"RATE_LIMIT_EMAIL_PER_ADDRESS", "5"},
		{"RATE_LIMIT_LOGIN_PER_IP", "0/1h"},
		{"RATE_LIMIT_EMAIL_PER_IP", "3/soon"},
		{"RETENTION_SENT_MAIL", "7d"},
		{"RETENTION_EXPIRED", "0"},
		{"RETENTION_RATE_LIMITS", "59m"}, // shorter than the 1h email windows
		{"RETENTION_LOGIN_FAILURES", "-1h"},
		{"RETENTION_PENDING_USERS", "23h"}, // shorter than the 24h activation link
		{"JANITOR_INTERVAL", "never"},
		{"TERMS_URL", "/terms"},
		{"TERMS_URL", "javascript:alert(1)"},
		{"TERMS_URL", "https://"},
		{"PRIVACY_URL", "example.com/privacy"},
		{"PRIVACY_URL", "mailto:legal@example.com"},
		// The default DATABASE_URL is SQLite, which has no listener.
		{"DATABASE_LISTEN_URL", "postgres://db.internal/gatehouse"},
	}
	for _, tt := range tests {
		t.Run(tt.name+"="+tt.value, func(t *testing.T) {
			c, err := config.Load(env(map[string]string{tt.name: tt.value}))
			if err == nil {
				t.Fatalf("Load accepted %s=%q: %+v", tt.name, tt.value, c)
			}
			if !strings.Contains(err.Error(), tt.name) {
				t.Errorf("error %q does not name %s", err, tt.name)
			}
		})
	}
}

// The bounds of the rules are inclusive, and values are trimmed and
// case-folded where that is harmless.
func TestGoodValues(t *testing.T) {
	tests := []struct {
		vars  map[string]string
		check func(c config.Config) string
	}{
		{map[string]string{"ACTIVATION_TOKEN_TTL": "24h"}, func(c config.Config) string { return c.ActivationTTL.String() }},
		{map[string]string{"ACTIVATION_TOKEN_TTL": "15m"}, func(c config.Config) string { return c.ActivationTTL.String() }},
		{map[string]string{"RESET_TOKEN_TTL": "30m"}, func(c config.Config) string { return c.ResetTTL.String() }},
		{map[string]string{"RESET_TOKEN_TTL": "1h"}, func(c config.Config) string { return c.ResetTTL.String() }},
		{map[string]string{"PASSWORD_MIN_LENGTH": "8"}, func(c config.Config) string { return fmt.Sprint(c.PasswordMinLength) }},
		{map[string]string{"PASSWORD_MAX_LENGTH": "64"}, func(c config.Config) string { return fmt.Sprint(c.PasswordMaxLength) }},
		{map[string]string{"LOG_FORMAT": " JSON "}, func(c config.Config) string { return c.LogFormat }},
		{map[string]string{"BASE_URL": "https://auth.example.com/gate/", "RESEND_API_KEY": "re_test"}, func(c config.Config) string { return c.BaseURL.String() }},
		{map[string]string{"TRUSTED_PROXIES": " 10.0.0.1, ,10.1.0.0/16 "}, func(c config.Config) string { return strings.Join(c.TrustedProxies, "|") }},
		{map[string]string{"METRICS_ENABLED": "false"}, func(c config.Config) string { return fmt.Sprint(c.MetricsEnabled) }},
		{map[string]string{"METRICS_ENABLED": " 0 "}, func(c config.Config) string { return fmt.Sprint(c.MetricsEnabled) }},
		{map[string]string{"TOTP_SECRET_KEY": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}, func(c config.Config) string { return fmt.Sprint(len(c.TOTPSecretKey)) }},
		{map[string]string{"DATABASE_URL": "postgres://pooler:6432/gh", "DATABASE_LISTEN_URL": "postgres://db:5432/gh"}, func(c config.Config) string { return c.DatabaseListenURL }},
	}
	want := []string{"24h0m0s", "15m0s", "30m0s", "1h0m0s", "8", "64", "json", "https://auth.example.com/gate", "10.0.0.1|10.1.0.0/16", "false", "false", "32", "postgres://db:5432/gh"}
	for i, tt := range tests {
		c, err := config.Load(env(tt.vars))
		if err != nil {
			t.Errorf("Load(%v): %v", tt.vars, err)
			continue
		}
		if got := tt.check(c); got != want[i] {
			t.Errorf("Load(%v) gave %q, want %q", tt.vars, got, want[i])
		}
	}
}

// Several bad values are all reported at once, so one restart fixes them.
func TestAllErrorsReported(t *testing.T) {
	_, err := config.Load(env(map[string]string{"BASE_URL": "ftp://x", "LOG_FORMAT": "xml", "PASSWORD_MIN_LENGTH": "7"}))
	if err == nil {
		t.Fatal("Load accepted three bad values")
	}
	for _, name := range []string{"BASE_URL", "LOG_FORMAT", "PASSWORD_MIN_LENGTH"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not name %s", err, name)
		}
	}
}

// Rule 26: cookies are Secure (and __Host-) exactly when BASE_URL is https.
func TestSecureCookies(t *testing.T) {
	tests := []struct {
		base string
		want bool
	}{
		{"https://auth.example.com", true},
		{"HTTPS://auth.example.com", true},
		{"https://auth.example.com:8443/gate", true},
		{"http://auth.example.com", false},
		{"http://localhost:8080", false},
	}
	for _, tt := range tests {
		c, err := config.Load(env(map[string]string{"BASE_URL": tt.base, "RESEND_API_KEY": "re_test"}))
		if err != nil {
			t.Errorf("Load(BASE_URL=%s): %v", tt.base, err)
			continue
		}
		if got := c.SecureCookies(); got != tt.want {
			t.Errorf("SecureCookies with BASE_URL=%s = %v, want %v", tt.base, got, tt.want)
		}
	}
	c, err := config.Load(env(map[string]string{"RESEND_API_KEY": "re_test"}))
	if err != nil || c.DevMailbox() {
		t.Errorf("with RESEND_API_KEY: DevMailbox = %v, err %v", c.DevMailbox(), err)
	}
}

func limitString(l config.Limit) string { return fmt.Sprintf("%d/%s", l.Max, l.Window) }

// Issue 12 item 5: the dev mailbox shows every link it holds, so it is on
// only when asked for or for the zero-setup start, never with https or a
// Resend key, and mail with nowhere to go stops start-up.
func TestDevMailbox(t *testing.T) {
	tests := []struct {
		vars map[string]string
		on   bool
		err  string // a variable the error must name; "" for no error
	}{
		{map[string]string{}, true, ""},
		{map[string]string{"BASE_URL": "http://localhost"}, true, ""},
		{map[string]string{"BASE_URL": "http://127.0.0.1:18300"}, true, ""},
		{map[string]string{"BASE_URL": "http://[::1]:18300"}, true, ""},
		{map[string]string{"RESEND_API_KEY": "re_test"}, false, ""},
		{map[string]string{"BASE_URL": "https://auth.example.com", "RESEND_API_KEY": "re_test"}, false, ""},
		{map[string]string{"DEV_MAILBOX": "true", "BASE_URL": "http://gatehouse.lan:8080"}, true, ""},
		{map[string]string{"DEV_MAILBOX": "false", "RESEND_API_KEY": "re_test"}, false, ""},
		// Not the zero-setup start, and no key: nowhere for mail to go.
		{map[string]string{"BASE_URL": "https://auth.example.com"}, false, "RESEND_API_KEY"},
		{map[string]string{"BASE_URL": "http://auth.example.com"}, false, "RESEND_API_KEY"},
		{map[string]string{"BASE_URL": "http://localhost.example.com"}, false, "RESEND_API_KEY"},
		{map[string]string{"DEV_MAILBOX": "false"}, false, "DEV_MAILBOX=true"},
		// Asked for where it would reach real people.
		{map[string]string{"DEV_MAILBOX": "true", "BASE_URL": "https://auth.example.com"}, false, "DEV_MAILBOX"},
		{map[string]string{"DEV_MAILBOX": "true", "BASE_URL": "https://localhost:8443"}, false, "DEV_MAILBOX"},
		{map[string]string{"DEV_MAILBOX": "true", "RESEND_API_KEY": "re_test"}, false, "DEV_MAILBOX"},
		{map[string]string{"DEV_MAILBOX": "yes please"}, false, "DEV_MAILBOX"},
	}
	for _, tt := range tests {
		c, err := config.Load(env(tt.vars))
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("Load(%v): %v", tt.vars, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("Load(%v): err %v, want one naming %s", tt.vars, err, tt.err)
		case tt.err == "" && c.DevMailbox() != tt.on:
			t.Errorf("Load(%v): DevMailbox = %v, want %v", tt.vars, c.DevMailbox(), tt.on)
		}
	}
}

// Issue 12 item 6: metrics listen apart from the pages, on loopback by
// default; METRICS_ENABLED=false turns the listener off.
func TestMetricsAddr(t *testing.T) {
	c, err := config.Load(env(map[string]string{"METRICS_ENABLED": "false"}))
	if err != nil || c.MetricsAddr != "" {
		t.Errorf("METRICS_ENABLED=false: MetricsAddr %q, err %v; want none", c.MetricsAddr, err)
	}
	c, err = config.Load(env(map[string]string{"METRICS_ADDR": ":9100"}))
	if err != nil || c.MetricsAddr != ":9100" {
		t.Errorf("METRICS_ADDR=:9100: MetricsAddr %q, err %v", c.MetricsAddr, err)
	}
	for _, bad := range []map[string]string{
		{"METRICS_ADDR": "9080"},
		{"ADDR": "127.0.0.1:18301", "METRICS_ADDR": "127.0.0.1:18301"},
	} {
		if _, err := config.Load(env(bad)); err == nil || !strings.Contains(err.Error(), "METRICS_ADDR") {
			t.Errorf("Load(%v): err %v, want one naming METRICS_ADDR", bad, err)
		}
	}
}

// TestPlatform holds the handoff settings to their defaults and refuses
// what would misroute people or cookies, naming the variable.
func TestPlatform(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	c, err := config.Load(env())
	if err != nil {
		t.Fatal(err)
	}
	if c.Platform.LandingPath() != "/account" || c.Platform.TokenAudience(c.BaseURL) != "http://localhost:8080" {
		t.Errorf("without an upstream: landing %q, audience %q", c.Platform.LandingPath(), c.Platform.TokenAudience(c.BaseURL))
	}
	c, err = config.Load(env("UPSTREAM_URL", "http://app.internal:9000/", "UPSTREAM_PUBLIC_PATHS", "/public/, /favicon.png"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Platform.LandingPath() != "/" || c.Platform.TokenAudience(c.BaseURL) != "http://app.internal:9000" ||
		strings.Join(c.Platform.PublicPaths, ",") != "/public/,/favicon.png" {
		t.Errorf("with an upstream: %+v", c.Platform)
	}
	bad := []struct {
		name string
		env  []string
	}{
		{"UPSTREAM_URL", []string{"UPSTREAM_URL", "app.internal:9000"}},
		{"UPSTREAM_URL", []string{"UPSTREAM_URL", "ftp://app.internal"}},
		{"UPSTREAM_URL", []string{"UPSTREAM_URL", "http://user:pw@app.internal"}},
		{"UPSTREAM_PUBLIC_PATHS", []string{"UPSTREAM_URL", "http://app", "UPSTREAM_PUBLIC_PATHS", "//evil"}},
		{"UPSTREAM_PUBLIC_PATHS", []string{"UPSTREAM_PUBLIC_PATHS", "/public/"}},
		{"UPSTREAM_TIMEOUT", []string{"UPSTREAM_TIMEOUT", "soon"}},
		{"LANDING_PATH", []string{"LANDING_PATH", "https://evil.example/"}},
		{"COOKIE_DOMAIN", []string{"BASE_URL", "https://auth.example.com", "COOKIE_DOMAIN", "example.org", "RESEND_API_KEY", "re_x"}},
		{"COOKIE_DOMAIN", []string{"BASE_URL", "https://auth.example.com", "COOKIE_DOMAIN", "com", "RESEND_API_KEY", "re_x"}},
		{"WEBHOOK_SECRET", []string{"WEBHOOK_URL", "https://app.example.com/hooks", "WEBHOOK_SECRET", "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"}},
		{"WEBHOOK_SECRET", []string{"WEBHOOK_URL", "https://app.example.com/hooks"}},
		{"WEBHOOK_SECRET", []string{"WEBHOOK_URL", "https://app.example.com/hooks", "WEBHOOK_SECRET", "whsec_short"}},
		{"WEBHOOK_URL", []string{"WEBHOOK_URL", "app.example.com/hooks", "WEBHOOK_SECRET", "whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"}},
	}
	for _, tt := range bad {
		_, err := config.Load(env(tt.env...))
		if err == nil || !strings.Contains(err.Error(), tt.name+":") {
			t.Errorf("%v: err %v, want one naming %s", tt.env, err, tt.name)
		}
	}
	c, err = config.Load(env("BASE_URL", "https://auth.example.com", "COOKIE_DOMAIN", ".Example.com", "RESEND_API_KEY", "re_x"))
	if err != nil || c.Platform.CookieDomain != "example.com" {
		t.Errorf("COOKIE_DOMAIN=.Example.com: %q, %v", c.Platform.CookieDomain, err)
	}
}

// A terms or privacy link is kept as given.
func TestTermsURLs(t *testing.T) {
	c, err := config.Load(env(map[string]string{"TERMS_URL": "https://example.com/terms", "PRIVACY_URL": "http://example.com/privacy#data"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.TermsURL != "https://example.com/terms" || c.PrivacyURL != "http://example.com/privacy#data" {
		t.Errorf("terms %q, privacy %q", c.TermsURL, c.PrivacyURL)
	}
}

// TestWebAuthnRPID: the override must be BASE_URL's host or a parent
// domain of it, and a domain name at all.
func TestWebAuthnRPID(t *testing.T) {
	for _, tc := range []struct {
		base, rp string
		ok       bool
	}{
		{"https://login.example.com", "example.com", true},
		{"https://login.example.com", "login.example.com", true},
		{"https://login.example.com", "EXAMPLE.com", true},
		{"https://login.example.com", "other.com", false},
		{"https://login.example.com", "ample.com", false},
		{"https://login.example.com", "sub.login.example.com", false},
		{"https://login.example.com", "https://example.com", false},
		{"https://login.example.com", "example.com:443", false},
		{"http://127.0.0.1:8080", "127.0.0.1", false},
		{"https://login.example.com", ".example.com", false},
	} {
		env := map[string]string{"BASE_URL": tc.base, "WEBAUTHN_RP_ID": tc.rp, "RESEND_API_KEY": "re_test"}
		c, err := config.Load(func(k string) string { return env[k] })
		if tc.ok != (err == nil) {
			t.Errorf("BASE_URL=%s WEBAUTHN_RP_ID=%s: err %v, want ok=%v", tc.base, tc.rp, err, tc.ok)
			continue
		}
		if err != nil && !strings.Contains(err.Error(), "WEBAUTHN_RP_ID") {
			t.Errorf("error %q does not name WEBAUTHN_RP_ID", err)
		}
		if err == nil && c.WebAuthnRPID != strings.ToLower(tc.rp) {
			t.Errorf("WebAuthnRPID = %q", c.WebAuthnRPID)
		}
	}
}
