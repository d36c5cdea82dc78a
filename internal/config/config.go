// Package config reads Gatehouse's settings from the environment once, at start-up.
package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config is every setting Gatehouse reads from the environment, already validated.
type Config struct {
	Addr        string
	BaseURL     *url.URL
	DatabaseURL string
	// DatabaseListenURL is where the session cache's listener connects
	// when DatabaseURL goes through a pooler ("" for DatabaseURL).
	DatabaseListenURL string
	// WebAuthnRPID is the passkeys' relying party id when it is a parent
	// domain of BASE_URL's host; "" means the host itself.
	WebAuthnRPID string

	ResendAPIKey  string
	ResendBaseURL string
	MailFrom      string

	ActivationTTL time.Duration
	ResetTTL      time.Duration
	// InviteTTL is how long an invitation's link works.
	InviteTTL time.Duration
	// SignupMode is open, approval or invite.
	SignupMode string
	// ApprovalNotify are the addresses told of each sign-up to approve.
	ApprovalNotify []string

	SessionIdleTimeout     time.Duration
	SessionAbsoluteTimeout time.Duration

	PasswordMinLength          int
	PasswordMaxLength          int
	PasswordRequireComposition bool
	// OrgAllowDuplicateDomain lets a sign-up on a domain claimed "invitation
	// only" create an organisation of its own (ORG_ALLOW_DUPLICATE_DOMAIN).
	OrgAllowDuplicateDomain bool

	TokenAttemptsPerIP     int
	TokenAttemptsWindow    time.Duration
	MailWorkerPollInterval time.Duration
	MailMaxAttempts        int
	MailSendConcurrency    int
	MailSendTimeout        time.Duration
	MailRetryDelay         time.Duration
	MailClaimLease         time.Duration
	// MailBatchSize is the most emails one call to Resend carries (1 to 100).
	MailBatchSize int
	// ResendMaxRequestsPerSecond is the request rate all instances
	// together keep to (Resend's per-team limit).
	ResendMaxRequestsPerSecond float64
	// ResendWebhookSecret verifies Resend's delivery events; "" turns the
	// webhook route off.
	ResendWebhookSecret string
	// TOTPSecretKey encrypts the authenticator secrets at rest (32 bytes);
	// nil keeps them as they are.
	TOTPSecretKey []byte
	// MailBounceCooldown is how long a bounced address stays suppressed
	// before a new request from its owner lifts it.
	MailBounceCooldown time.Duration
	LogLevel           string
	LogFormat          string
	TrustedProxies     []string
	VerificationMethod string
	MetricsEnabled     bool
	// TermsURL and PrivacyURL are the documents sign-up asks to accept;
	// with both empty the form asks for nothing.
	TermsURL, PrivacyURL string
	// MetricsAddr is the listener of /metrics, apart from the pages; ""
	// when metrics are off.
	MetricsAddr string
	// Platform is the application behind Gatehouse (platform.go).
	Platform Platform

	// devMailbox is DEV_MAILBOX as resolved by Load; read it through
	// DevMailbox.
	devMailbox bool

	// Abuse limits: Max events per Window.
	EmailPerAddress, EmailPerIP, LoginPerIP, CodesPerAddress Limit
	LoginFreeFailures                                        int
	LoginMaxDelay                                            time.Duration
	// IPv6Prefix is the network size one IPv6 client counts as.
	IPv6Prefix int

	// How long the janitor keeps each kind of row past its use, and how
	// often it runs.
	RetentionSentMail      time.Duration
	RetentionExpired       time.Duration
	RetentionRateLimits    time.Duration
	RetentionLoginFailures time.Duration
	RetentionPendingUsers  time.Duration
	JanitorInterval        time.Duration
}

// Limit is at most Max events per Window.
type Limit struct {
	Max    int
	Window time.Duration
}

// Var documents one environment variable: its name, default and meaning.
type Var struct {
	Name, Default, Meaning string
}

// Vars lists every variable Gatehouse reads, in the order the README shows them.
var Vars = []Var{
	{"ADDR", ":8080", "listen address"},
	{"BASE_URL", "http://localhost:8080", "public URL used in email links (never the Host header); https turns on Secure __Host- cookies"},
	{"WEBAUTHN_RP_ID", "", "relying party id of passkeys: unset, BASE_URL's host name; set it to a parent domain of that host (example.com for login.example.com) so passkeys work across its subdomains. Passkeys need a domain name: with an IP address in BASE_URL and no WEBAUTHN_RP_ID they are off"},
	{"DATABASE_URL", "gatehouse.db", "postgres://… for PostgreSQL; a file path or sqlite: URL for SQLite"},
	{"DATABASE_LISTEN_URL", "", "PostgreSQL only: a postgres:// URL of the server itself for the session cache's LISTEN, when DATABASE_URL goes through a pooler in transaction mode (which passes NOTIFY but cannot hold a LISTEN); unset, DATABASE_URL"},
	{"RESEND_API_KEY", "", "when set, mail goes through Resend; without it DEV_MAILBOX must be on, or start-up stops"},
	{"RESEND_BASE_URL", "", "Resend API base URL (empty: the client library's default); used to point at a local fake in tests"},
	{"MAIL_FROM", "Gatehouse <onboarding@localhost>", "sender address of every email"},
	{"DEV_MAILBOX", "", "true keeps every email in the dev mailbox at /dev/mailbox (loopback clients only) instead of sending it; unset, it is on only for the zero-setup start (no RESEND_API_KEY and BASE_URL http://localhost or http://127.0.0.1); refused with an https BASE_URL or a RESEND_API_KEY"},
	{"VERIFICATION_METHOD", "both", "how emails prove the address: link (a link), code (a 6-digit code typed into the browser that asked), or both"},
	{"ACTIVATION_TOKEN_TTL", "24h", "how long an activation link works (at most 24h)"},
	{"RESET_TOKEN_TTL", "45m", "how long a reset link works (30m to 60m)"},
	{"INVITE_TOKEN_TTL", "168h", "how long an invitation's link works (1h to 720h); a resend starts it again"},
	{"SIGNUP_APPROVAL_NOTIFY", "", "comma-separated addresses that get an email for each new account waiting for approval (SIGNUP_MODE=approval)"},
	{"SIGNUP_MODE", "open", "open (anyone signs up), approval (a new account that joins no existing organisation waits for an operator: gatehouse users approve EMAIL or decline EMAIL) or invite (only invitations create accounts)"},
	{"SESSION_IDLE_TIMEOUT", "30m", "a session ends after this long without a request"},
	{"SESSION_ABSOLUTE_TIMEOUT", "12h", "a session ends this long after sign-in, whatever its use"},
	{"PASSWORD_MIN_LENGTH", "15", "minimum password length in Unicode code points (at least 8)"},
	{"PASSWORD_MAX_LENGTH", "256", "maximum password length in code points (at least 64)"},
	{"PASSWORD_REQUIRE_COMPOSITION", "false", "true also requires a lower-case letter, an upper-case letter, a digit and a symbol (off by default, as NIST advises)"},
	{"TOKEN_ATTEMPTS_PER_IP", "100", "failed uses of emailed links and codes (an unknown, used or expired link, a wrong code) allowed per client IP per window; good links never count, so an office behind one address is not locked out"},
	{"TOKEN_ATTEMPTS_WINDOW", "15m", "the window for TOKEN_ATTEMPTS_PER_IP"},
	{"MAIL_POLL_INTERVAL", "2s", "how often the outbox worker looks for due mail (new mail is also sent at once)"},
	{"MAIL_MAX_ATTEMPTS", "12", "sends tried before an outbox row is marked failed"},
	{"MAIL_SEND_TIMEOUT", "15s", "timeout of one call to Resend"},
	{"MAIL_SEND_CONCURRENCY", "4", "outbox sending loops per instance (1 to 64), each claiming up to MAIL_BATCH_SIZE rows of its own, so a call hanging until MAIL_SEND_TIMEOUT holds up only its loop; a 429 pauses them all for its Retry-After"},
	{"MAIL_CLAIM_LEASE", "30s", "how long a worker holds a claimed email; one that dies mid-send frees it when this runs out (above MAIL_SEND_TIMEOUT; a worker gives back what it could not send before its claim runs out)"},
	{"MAIL_RETRY_DELAY", "5s", "pause before the first retry of a failed send; it doubles each time, up to 30m"},
	{"MAIL_BATCH_SIZE", "100", "most emails one call to Resend carries (1 to 100); when more than one is due they go through the batch endpoint, one call for many, and each sending loop claims this many rows"},
	{"RESEND_MAX_REQUESTS_PER_SECOND", "2", "calls to Resend a second, all instances together (Resend's per-team limit); the budget is kept in the database, so instances never exceed it between them"},
	{"RESEND_WEBHOOK_SECRET", "", "signing secret (whsec_…) of the Resend webhook for delivery events at POST /webhooks/resend; unset, that route answers 404"},
	{"TOTP_SECRET_KEY", "", "32 random bytes, base64 (openssl rand -base64 32), that encrypt two-step verification secrets in the database (AES-256-GCM); unset, they are stored as they are. Once set, keep it: secrets written with it cannot be read without it"},
	{"MAIL_BOUNCE_COOLDOWN", "24h", "how long a hard-bounced address stays suppressed before a new email its owner asks for lifts it (a complaint never lifts by itself; gatehouse mail suppressions remove lifts either)"},
	{"LOG_LEVEL", "info", "debug, info, warn or error"},
	{"LOG_FORMAT", "text", "text or json"},
	{"TRUSTED_PROXIES", "", "comma-separated proxy IPs or CIDRs whose X-Forwarded-For is believed; empty trusts none"},
	{"RATE_LIMIT_EMAIL_PER_ADDRESS", "5/1h", "emails one address may be sent by sign-up, resend and forgot-password, per window (count/duration)"},
	{"RATE_LIMIT_EMAIL_PER_IP", "30/1h", "emails one client IP may ask for, per window"},
	{"RATE_LIMIT_LOGIN_PER_IP", "50/15m", "sign-in attempts from one client IP, per window"},
	{"RATE_LIMIT_CODES_PER_ADDRESS", "10/24h", "guesses at emailed 6-digit codes for one address, across every email it is sent, per window; past it only the emailed link works"},
	{"LOGIN_FREE_FAILURES", "5", "wrong passwords an account takes before each further one adds a doubling delay (the 100th locks it until a password reset)"},
	{"LOGIN_MAX_DELAY", "15m", "the longest delay between sign-in attempts on one account"},
	{"RATE_LIMIT_IPV6_PREFIX", "64", "leading bits of an IPv6 address that make one client for the per-IP limits (1 to 128): a host is usually given a whole /64"},
	{"METRICS_ENABLED", "true", "false serves no metrics at all (METRICS_ADDR is then ignored)"},
	{"METRICS_ADDR", "127.0.0.1:9080", "listen address of Prometheus metrics at /metrics, a listener apart from the pages (never on ADDR); loopback by default, as the scrape has no authentication"},
	{"RETENTION_SENT_MAIL", "168h", "sent outbox rows (already without their data), the dev mailbox's copies of them and Resend's delivery events are deleted this long after sending (events: after they arrived); failed ones stay for gatehouse outbox retry"},
	{"RETENTION_EXPIRED", "24h", "emailed links and codes are deleted this long after they expired (sessions go as soon as they time out)"},
	{"RETENTION_RATE_LIMITS", "24h", "rate-limit counters are deleted this long after their window started (at least the longest RATE_LIMIT_* or TOKEN_ATTEMPTS_WINDOW)"},
	{"RETENTION_LOGIN_FAILURES", "720h", "an account's failed sign-ins are forgotten this long after the last one, once it is unlocked (the 100-failure lock stays until a password reset)"},
	{"RETENTION_PENDING_USERS", "720h", "accounts never activated are deleted, with their tokens, this long after their last registration when no link or code of theirs still works"},
	{"TERMS_URL", "", "absolute http(s) URL of the terms of service, linked from the sign-up form's check box; with TERMS_URL and PRIVACY_URL both unset the form has no check box and asks for no acceptance"},
	{"PRIVACY_URL", "", "absolute http(s) URL of the privacy policy, linked from the same check box"},
	{"JANITOR_INTERVAL", "1h", "how often each instance deletes what the RETENTION_* settings let go, in batches of 500 rows"},
	{"ORG_ALLOW_DUPLICATE_DOMAIN", "false", "true lets a new account whose email domain an organisation has claimed with the policy invitation only create an organisation of its own (as its owner); false leaves it without organisation, told to ask a colleague for an invitation"},
}

// Load reads the configuration through getenv, applying defaults and
// rejecting bad values with an error that names the variable.
func Load(getenv func(string) string) (Config, error) {
	get := func(name string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		for _, v := range Vars {
			if v.Name == name {
				return v.Default
			}
		}
		return ""
	}
	var errs []error
	dur := func(name string) time.Duration {
		d, err := time.ParseDuration(get(name))
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("%s: want a positive duration such as 30m, got %q", name, get(name)))
		}
		return d
	}
	num := func(name string) int {
		n, err := strconv.Atoi(get(name))
		if err != nil || n <= 0 {
			errs = append(errs, fmt.Errorf("%s: want a positive whole number, got %q", name, get(name)))
		}
		return n
	}

	c := Config{
		Addr:                   get("ADDR"),
		DatabaseURL:            get("DATABASE_URL"),
		DatabaseListenURL:      get("DATABASE_LISTEN_URL"),
		ResendAPIKey:           get("RESEND_API_KEY"),
		ResendBaseURL:          get("RESEND_BASE_URL"),
		MailFrom:               get("MAIL_FROM"),
		ActivationTTL:          dur("ACTIVATION_TOKEN_TTL"),
		ResetTTL:               dur("RESET_TOKEN_TTL"),
		InviteTTL:              dur("INVITE_TOKEN_TTL"),
		SignupMode:             strings.ToLower(get("SIGNUP_MODE")),
		SessionIdleTimeout:     dur("SESSION_IDLE_TIMEOUT"),
		SessionAbsoluteTimeout: dur("SESSION_ABSOLUTE_TIMEOUT"),
		PasswordMinLength:      num("PASSWORD_MIN_LENGTH"),
		PasswordMaxLength:      num("PASSWORD_MAX_LENGTH"),
		TokenAttemptsPerIP:     num("TOKEN_ATTEMPTS_PER_IP"),
		TokenAttemptsWindow:    dur("TOKEN_ATTEMPTS_WINDOW"),
		MailWorkerPollInterval: dur("MAIL_POLL_INTERVAL"),
		MailMaxAttempts:        num("MAIL_MAX_ATTEMPTS"),
		MailSendConcurrency:    num("MAIL_SEND_CONCURRENCY"),
		MailSendTimeout:        dur("MAIL_SEND_TIMEOUT"),
		MailRetryDelay:         dur("MAIL_RETRY_DELAY"),
		MailClaimLease:         dur("MAIL_CLAIM_LEASE"),
		MailBatchSize:          num("MAIL_BATCH_SIZE"),
		ResendWebhookSecret:    get("RESEND_WEBHOOK_SECRET"),
		MailBounceCooldown:     dur("MAIL_BOUNCE_COOLDOWN"),
		LogLevel:               strings.ToLower(get("LOG_LEVEL")),
		LogFormat:              strings.ToLower(get("LOG_FORMAT")),
		VerificationMethod:     strings.ToLower(get("VERIFICATION_METHOD")),
	}

	limit := func(name string) Limit {
		n, w, ok := strings.Cut(get(name), "/")
		max, err1 := strconv.Atoi(n)
		window, err2 := time.ParseDuration(w)
		if !ok || err1 != nil || err2 != nil || max < 1 || window <= 0 {
			errs = append(errs, fmt.Errorf("%s: want count/duration such as 5/1h, got %q", name, get(name)))
		}
		return Limit{Max: max, Window: window}
	}
	c.EmailPerAddress = limit("RATE_LIMIT_EMAIL_PER_ADDRESS")
	c.EmailPerIP = limit("RATE_LIMIT_EMAIL_PER_IP")
	c.LoginPerIP = limit("RATE_LIMIT_LOGIN_PER_IP")
	c.CodesPerAddress = limit("RATE_LIMIT_CODES_PER_ADDRESS")
	c.LoginFreeFailures = num("LOGIN_FREE_FAILURES")
	c.LoginMaxDelay = dur("LOGIN_MAX_DELAY")
	if c.DatabaseListenURL != "" && !(isPostgresURL(c.DatabaseURL) && isPostgresURL(c.DatabaseListenURL)) {
		errs = append(errs, errors.New("DATABASE_LISTEN_URL: a postgres:// URL, and only with a postgres:// DATABASE_URL"))
	}
	if c.IPv6Prefix = num("RATE_LIMIT_IPV6_PREFIX"); c.IPv6Prefix > 128 {
		errs = append(errs, fmt.Errorf("RATE_LIMIT_IPV6_PREFIX: want 1 to 128, got %d", c.IPv6Prefix))
	}
	c.RetentionSentMail = dur("RETENTION_SENT_MAIL")
	c.RetentionExpired = dur("RETENTION_EXPIRED")
	c.RetentionRateLimits = dur("RETENTION_RATE_LIMITS")
	c.RetentionLoginFailures = dur("RETENTION_LOGIN_FAILURES")
	c.RetentionPendingUsers = dur("RETENTION_PENDING_USERS")
	c.JanitorInterval = dur("JANITOR_INTERVAL")
	// A counter deleted while its window runs would let the rest of that
	// window start from zero.
	if longest := max(c.EmailPerAddress.Window, c.EmailPerIP.Window, c.LoginPerIP.Window, c.CodesPerAddress.Window, c.TokenAttemptsWindow); c.RetentionRateLimits != 0 && c.RetentionRateLimits < longest {
		errs = append(errs, fmt.Errorf("RETENTION_RATE_LIMITS: at least the longest rate-limit window (%s), got %s", longest, c.RetentionRateLimits))
	}
	// A pending account must outlive its activation link, or the link in
	// the inbox would lead nowhere.
	if c.RetentionPendingUsers != 0 && c.RetentionPendingUsers < c.ActivationTTL {
		errs = append(errs, fmt.Errorf("RETENTION_PENDING_USERS: at least ACTIVATION_TOKEN_TTL (%s), got %s", c.ActivationTTL, c.RetentionPendingUsers))
	}

	if b, err := strconv.ParseBool(get("PASSWORD_REQUIRE_COMPOSITION")); err != nil {
		errs = append(errs, fmt.Errorf("PASSWORD_REQUIRE_COMPOSITION: want true or false, got %q", get("PASSWORD_REQUIRE_COMPOSITION")))
	} else {
		c.PasswordRequireComposition = b
	}

	if b, err := strconv.ParseBool(get("ORG_ALLOW_DUPLICATE_DOMAIN")); err != nil {
		errs = append(errs, fmt.Errorf("ORG_ALLOW_DUPLICATE_DOMAIN: want true or false, got %q", get("ORG_ALLOW_DUPLICATE_DOMAIN")))
	} else {
		c.OrgAllowDuplicateDomain = b
	}

	if b, err := strconv.ParseBool(get("METRICS_ENABLED")); err != nil {
		errs = append(errs, fmt.Errorf("METRICS_ENABLED: want true or false, got %q", get("METRICS_ENABLED")))
	} else {
		c.MetricsEnabled = b
	}

	if c.MetricsEnabled {
		c.MetricsAddr = get("METRICS_ADDR")
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			errs = append(errs, fmt.Errorf("METRICS_ADDR: want host:port such as 127.0.0.1:9080, got %q", c.MetricsAddr))
		} else if c.MetricsAddr == c.Addr {
			errs = append(errs, fmt.Errorf("METRICS_ADDR: must differ from ADDR, so metrics never sit beside the pages"))
		}
	}

	for _, p := range strings.Split(get("TRUSTED_PROXIES"), ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
	}

	u, err := url.Parse(get("BASE_URL"))
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		errs = append(errs, fmt.Errorf("BASE_URL: want an absolute http or https URL, got %q", get("BASE_URL")))
	case u.RawQuery != "" || u.Fragment != "":
		errs = append(errs, fmt.Errorf("BASE_URL: must not carry a query or fragment"))
	default:
		u.Path = strings.TrimSuffix(u.Path, "/")
		c.BaseURL = u
	}
	if rp := strings.ToLower(get("WEBAUTHN_RP_ID")); rp != "" {
		if err := CheckRPID(rp, c.BaseURL); err != nil {
			errs = append(errs, fmt.Errorf("WEBAUTHN_RP_ID: %w", err))
		}
		c.WebAuthnRPID = rp
	}
	c.TermsURL, c.PrivacyURL = get("TERMS_URL"), get("PRIVACY_URL")
	for _, v := range []struct{ name, url string }{{"TERMS_URL", c.TermsURL}, {"PRIVACY_URL", c.PrivacyURL}} {
		if u, err := url.Parse(v.url); v.url != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
			errs = append(errs, fmt.Errorf("%s: want an absolute http or https URL, got %q", v.name, v.url))
		}
	}
	errs = append(errs, c.resolveDevMailbox(get("DEV_MAILBOX"))...)
	errs = append(errs, c.loadPlatform(get)...)
	if c.ResendBaseURL != "" {
		if u, err := url.Parse(c.ResendBaseURL); err != nil || u.Host == "" {
			errs = append(errs, fmt.Errorf("RESEND_BASE_URL: want an absolute URL, got %q", c.ResendBaseURL))
		}
	}
	if c.ActivationTTL > 24*time.Hour {
		errs = append(errs, fmt.Errorf("ACTIVATION_TOKEN_TTL: at most 24h, got %s", c.ActivationTTL))
	}
	if c.ResetTTL != 0 && (c.ResetTTL < 30*time.Minute || c.ResetTTL > time.Hour) {
		errs = append(errs, fmt.Errorf("RESET_TOKEN_TTL: between 30m and 60m, got %s", c.ResetTTL))
	}
	if c.InviteTTL != 0 && (c.InviteTTL < time.Hour || c.InviteTTL > 720*time.Hour) {
		errs = append(errs, fmt.Errorf("INVITE_TOKEN_TTL: between 1h and 720h, got %s", c.InviteTTL))
	}
	for _, a := range strings.Split(get("SIGNUP_APPROVAL_NOTIFY"), ",") {
		if a = strings.TrimSpace(a); a == "" {
			continue
		}
		if strings.Count(a, "@") != 1 || strings.ContainsAny(a, " <>\"\r\n") {
			errs = append(errs, fmt.Errorf("SIGNUP_APPROVAL_NOTIFY: want comma-separated email addresses, got %q", a))
			continue
		}
		c.ApprovalNotify = append(c.ApprovalNotify, strings.ToLower(a))
	}
	switch c.SignupMode {
	case "open", "approval", "invite":
	default:
		errs = append(errs, fmt.Errorf("SIGNUP_MODE: want open, approval or invite, got %q", c.SignupMode))
	}
	if c.MailBatchSize > 100 {
		errs = append(errs, fmt.Errorf("MAIL_BATCH_SIZE: at most 100 (Resend's batch limit), got %d", c.MailBatchSize))
	}
	if rps, err := strconv.ParseFloat(get("RESEND_MAX_REQUESTS_PER_SECOND"), 64); err != nil || !(rps > 0) || rps > 1000 {
		errs = append(errs, fmt.Errorf("RESEND_MAX_REQUESTS_PER_SECOND: want a positive number such as 2, got %q", get("RESEND_MAX_REQUESTS_PER_SECOND")))
	} else {
		c.ResendMaxRequestsPerSecond = rps
	}
	if v := get("TOTP_SECRET_KEY"); v != "" {
		k, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(k) != 32 {
			errs = append(errs, errors.New("TOTP_SECRET_KEY: want 32 random bytes in base64 (openssl rand -base64 32)"))
		}
		c.TOTPSecretKey = k
	}
	if c.ResendWebhookSecret != "" {
		if _, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(c.ResendWebhookSecret, "whsec_")); err != nil {
			errs = append(errs, errors.New("RESEND_WEBHOOK_SECRET: want the signing secret Resend shows (whsec_ and base64)"))
		}
	}
	if c.MailSendConcurrency > 64 {
		errs = append(errs, fmt.Errorf("MAIL_SEND_CONCURRENCY: at most 64, got %d", c.MailSendConcurrency))
	}
	if c.MailClaimLease != 0 && c.MailClaimLease <= c.MailSendTimeout {
		errs = append(errs, fmt.Errorf("MAIL_CLAIM_LEASE: must exceed MAIL_SEND_TIMEOUT, or a slow send could be claimed twice"))
	}
	if c.SessionIdleTimeout > c.SessionAbsoluteTimeout {
		errs = append(errs, fmt.Errorf("SESSION_IDLE_TIMEOUT: must not exceed SESSION_ABSOLUTE_TIMEOUT"))
	}
	if c.PasswordMinLength != 0 && c.PasswordMinLength < 8 {
		errs = append(errs, fmt.Errorf("PASSWORD_MIN_LENGTH: at least 8, got %d", c.PasswordMinLength))
	}
	if c.PasswordMaxLength != 0 && (c.PasswordMaxLength < 64 || c.PasswordMaxLength > 4096) {
		errs = append(errs, fmt.Errorf("PASSWORD_MAX_LENGTH: between 64 and 4096, got %d", c.PasswordMaxLength))
	}
	if c.PasswordMinLength > c.PasswordMaxLength {
		errs = append(errs, fmt.Errorf("PASSWORD_MIN_LENGTH: must not exceed PASSWORD_MAX_LENGTH"))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("LOG_LEVEL: want debug, info, warn or error, got %q", c.LogLevel))
	}
	switch c.VerificationMethod {
	case "link", "code", "both":
	default:
		errs = append(errs, fmt.Errorf("VERIFICATION_METHOD: want link, code or both, got %q", c.VerificationMethod))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("LOG_FORMAT: want text or json, got %q", c.LogFormat))
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	return c, nil
}

// SecureCookies reports whether the public URL is https, so cookies get
// the Secure flag and the __Host- prefix.
func (c Config) SecureCookies() bool { return c.BaseURL.Scheme == "https" }

// DevMailbox reports whether mail goes to the in-process dev mailbox
// instead of Resend.
func (c Config) DevMailbox() bool { return c.devMailbox }

// resolveDevMailbox decides DEV_MAILBOX. The mailbox shows every link it
// holds, so it must never be on by accident: unset, it is on only for the
// zero-setup start on an http loopback URL; asked for, it is refused where
// it could reach real people (https, a Resend key). Mail with nowhere to go
// is an error rather than a silent fall-back to the mailbox.
func (c *Config) resolveDevMailbox(raw string) []error {
	if raw == "" {
		c.devMailbox = c.ResendAPIKey == "" && c.BaseURL != nil && c.BaseURL.Scheme == "http" && isLoopbackHost(c.BaseURL.Hostname())
	} else {
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return []error{fmt.Errorf("DEV_MAILBOX: want true or false, got %q", raw)}
		}
		c.devMailbox = b
	}
	var errs []error
	if c.devMailbox && c.BaseURL != nil && c.BaseURL.Scheme == "https" {
		errs = append(errs, fmt.Errorf("DEV_MAILBOX: refused with an https BASE_URL (%s): the dev mailbox shows every reset link; set RESEND_API_KEY and leave DEV_MAILBOX unset", c.BaseURL))
	}
	if c.devMailbox && c.ResendAPIKey != "" {
		errs = append(errs, fmt.Errorf("DEV_MAILBOX: refused with RESEND_API_KEY set: mail would not go out; unset one of them"))
	}
	if !c.devMailbox && c.ResendAPIKey == "" && c.BaseURL != nil {
		errs = append(errs, fmt.Errorf("RESEND_API_KEY: mail has nowhere to go; set RESEND_API_KEY to send through Resend, or DEV_MAILBOX=true (with an http BASE_URL) to keep it in the local dev mailbox"))
	}
	return errs
}

// isLoopbackHost reports whether host names this machine only.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// CheckRPID reports whether rp can be the passkeys' relying party id for a
// site at base: a domain name (no scheme, port, path or IP address) that is
// base's host or a parent domain of it, as browsers require.
func CheckRPID(rp string, base *url.URL) error {
	if rp == "" || strings.ContainsAny(rp, ":/?#@ ") || strings.HasPrefix(rp, ".") || strings.HasSuffix(rp, ".") || net.ParseIP(rp) != nil {
		return fmt.Errorf("want a domain name such as example.com, got %q", rp)
	}
	if base == nil {
		return nil
	}
	host := strings.ToLower(base.Hostname())
	if host != rp && !strings.HasSuffix(host, "."+rp) {
		return fmt.Errorf("%q is neither BASE_URL's host %q nor a parent domain of it", rp, host)
	}
	return nil
}

// isPostgresURL reports whether dsn names a PostgreSQL database.
func isPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}
