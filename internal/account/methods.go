package account

import (
	"context"
	"slices"
	"strings"
	"time"

	"gatehouse/internal/i18n"
	"gatehouse/internal/store"
	"gatehouse/internal/token"
)

// Method is one authentication method reference of RFC 8176, as the
// platform reads it in the token's amr claim and X-Gatehouse-Auth-Methods.
type Method string

// The methods Gatehouse records.
const (
	// MethodPassword is a password (knowledge).
	MethodPassword Method = "pwd"
	// MethodOTP is a one-time code from an authenticator app or a
	// recovery code (possession).
	MethodOTP Method = "otp"
	// MethodHardwareKey is a proof of possession of a hardware-secured
	// key (a device-bound passkey or security key).
	MethodHardwareKey Method = "hwk"
	// MethodSoftwareKey is a proof of possession of a software-secured
	// key (a synced passkey).
	MethodSoftwareKey Method = "swk"
	// MethodUserVerified is a user presence test; with a passkey it
	// means the authenticator verified the person (PIN or biometric).
	MethodUserVerified Method = "user"
	// MethodMultiFactor is added when the methods span two factors.
	MethodMultiFactor Method = "mfa"
)

// The authentication context classes (acr) a session reaches, from the
// methods it was opened with. They are URNs of Gatehouse's own, documented
// in the README: a platform compares them as opaque strings.
const (
	// ACRPassword is a single factor: a password alone.
	ACRPassword = "urn:gatehouse:acr:password"
	// ACRMultiFactor is two factors: a password and a one-time code.
	ACRMultiFactor = "urn:gatehouse:acr:mfa"
	// ACRPhishingResistant is a passkey: a key bound to this site's
	// origin, which a look-alike site cannot replay.
	ACRPhishingResistant = "urn:gatehouse:acr:phishing-resistant"
)

// factor is which of the three factors a method proves, "" for none.
func (m Method) factor() string {
	switch m {
	case MethodPassword:
		return "knowledge"
	case MethodOTP, MethodHardwareKey, MethodSoftwareKey:
		return "possession"
	}
	return ""
}

// Methods are how a session was opened, in the order they were used.
type Methods []Method

// methodsOf returns ms in order without repeats, with MethodMultiFactor
// at the end when they span two factors.
func methodsOf(ms ...Method) Methods {
	out := make(Methods, 0, len(ms)+1)
	factors := map[string]bool{}
	for _, m := range ms {
		if m == "" || m == MethodMultiFactor || slices.Contains(out, m) {
			continue
		}
		out = append(out, m)
		if f := m.factor(); f != "" {
			factors[f] = true
		}
	}
	if len(factors) > 1 {
		out = append(out, MethodMultiFactor)
	}
	return out
}

// parseMethods reads the stored, space-separated form.
func parseMethods(s string) Methods {
	var ms []Method
	for f := range strings.FieldsSeq(s) {
		ms = append(ms, Method(f))
	}
	if len(ms) == 0 {
		// A session stored before methods were recorded was a password's.
		return Methods{MethodPassword}
	}
	return ms
}

// String is the stored, space-separated form.
func (ms Methods) String() string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = string(m)
	}
	return strings.Join(parts, " ")
}

// Strings is ms as the amr claim's array.
func (ms Methods) Strings() []string { return strings.Fields(ms.String()) }

// Has reports whether m is one of ms.
func (ms Methods) Has(m Method) bool { return slices.Contains(ms, m) }

// ACR is the authentication context class the methods reach.
func (ms Methods) ACR() string {
	switch {
	case ms.Has(MethodHardwareKey) || ms.Has(MethodSoftwareKey):
		return ACRPhishingResistant
	case ms.Has(MethodMultiFactor):
		return ACRMultiFactor
	}
	return ACRPassword
}

// openSession creates a session for u inside tx, opened with methods at
// the current time (its auth_time), ending the browser's previous session
// if any. It returns the token for the cookie and its stored hash.
func (s *Service) openSession(ctx context.Context, tx *store.Store, u *store.User, previous string, methods Methods, m Meta) (raw, hash string, err error) {
	raw, hash = token.New()
	if tz := zoneToSet(u, m); tz != "" {
		if err := tx.SetUserTimeZoneIfUnset(ctx, u.ID, tz); err != nil {
			return "", "", err
		}
	}
	if previous != "" {
		if err := tx.DeleteSession(ctx, token.Hash(previous)); err != nil {
			return "", "", err
		}
	}
	if err := tx.CreateSession(ctx, s.newSession(u, hash, methods, m)); err != nil {
		return "", "", err
	}
	return raw, hash, nil
}

// zoneToSet is the zone a sign-in from the browser of m gives u: the
// browser's, sent with the form, until the owner has one; "" for none.
func zoneToSet(u *store.User, m Meta) string {
	if u.TimeZone != "" {
		return ""
	}
	return i18n.TimeZone(m.TimeZone)
}

// newSession is the row of a session opened now for u, whose token
// hashes to hash.
func (s *Service) newSession(u *store.User, hash string, methods Methods, m Meta) *store.Session {
	now := s.now()
	return &store.Session{UserID: u.ID, Hash: hash, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.cfg.SessionAbsolute),
		IP: clip(m.IP, 64), UserAgent: clip(m.UserAgent, 512), AuthMethods: methods.String(), AuthTime: now}
}

// authTimeOf is when the session's password or strong factor was entered.
func authTimeOf(sess *store.Session) time.Time {
	if sess.AuthTime.IsZero() {
		return sess.CreatedAt
	}
	return sess.AuthTime
}

// Fresh reports whether the session's password (or strong factor) was
// entered within maxAge, for a platform that asks for a recent sign-in.
func (s *Service) Fresh(sess Session, maxAge time.Duration) bool {
	return s.now().Sub(sess.AuthTime) <= maxAge
}
