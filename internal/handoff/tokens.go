package handoff

import (
	"context"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"

	"gatehouse/internal/cache"
)

// Claims are the identity token's own claims beside the registered ones.
type Claims struct {
	SessionID     string   `json:"sid"`
	Email         string   `json:"email"`
	EmailVerified bool     `json:"email_verified"`
	GivenName     string   `json:"given_name"`
	FamilyName    string   `json:"family_name"`
	Locale        string   `json:"locale"`
	Company       string   `json:"company"`
	OrgID         string   `json:"org_id"`
	OrgName       string   `json:"org_name"`
	OrgRole       string   `json:"org_role"`
	AMR           []string `json:"amr"`
	ACR           string   `json:"acr,omitempty"`
	// AuthTime is when the person last entered the password or a strong
	// factor (OpenID Connect's auth_time).
	AuthTime *jwt.NumericDate `json:"auth_time,omitempty"`
}

// tokenWindow is how long a signed token is handed out again: it is
// signed for TokenTTL, so every use of it has at least TokenTTL -
// tokenWindow (one minute) left.
const tokenWindow = 4 * time.Minute

// maxCachedTokens bounds the memory of the cache: about 1 KiB a session.
const maxCachedTokens = 20000

type tokenKey struct {
	id     Identity
	kid    string
	window int64
}

// Issuer signs identity tokens. Signing costs tens of microseconds, so a
// token is reused for the same identity, session and key within one
// window. The cache is only ever asked after the session was looked up
// and found live, so it never outlives a sign-out.
type Issuer struct {
	keys     *Keyring
	issuer   string
	audience string
	now      func() time.Time
	cache    *cache.Cache[tokenKey, string]
}

// NewIssuer returns an issuer of tokens with iss issuer and aud audience.
func NewIssuer(keys *Keyring, issuer, audience string, now func() time.Time) *Issuer {
	if now == nil {
		now = time.Now
	}
	return &Issuer{keys: keys, issuer: issuer, audience: audience, now: now, cache: cache.New[tokenKey, string](maxCachedTokens)}
}

// Token returns a signed token for id, valid for at least a minute more.
func (i *Issuer) Token(ctx context.Context, id Identity) (string, error) {
	st, err := i.keys.current(ctx)
	if err != nil {
		return "", err
	}
	now := i.now()
	key := tokenKey{id: id, kid: st.signing.kid, window: now.UnixNano() / int64(tokenWindow)}
	if tok, ok := i.cache.Get(key); ok {
		return tok, nil
	}
	std := jwt.Claims{Issuer: i.issuer, Subject: id.UserID, Audience: jwt.Audience{i.audience},
		IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now.Add(-30 * time.Second)),
		Expiry: jwt.NewNumericDate(now.Add(TokenTTL))}
	own := Claims{SessionID: id.SessionID, Email: id.Email, EmailVerified: id.EmailVerified, GivenName: id.GivenName,
		FamilyName: id.FamilyName, Locale: id.Locale, Company: id.Company, OrgID: id.OrgID, OrgName: id.OrgName, OrgRole: id.OrgRole,
		AMR: id.AMR(), ACR: id.ACR}
	if id.AuthTime > 0 {
		own.AuthTime = jwt.NewNumericDate(time.Unix(id.AuthTime, 0))
	}
	tok, err := jwt.Signed(st.signing.signer).Claims(std).Claims(own).Serialize()
	if err != nil {
		return "", err
	}
	if i.cache.Len() >= maxCachedTokens {
		// Past windows pile up; starting again costs one signature per
		// session and keeps the bound.
		i.cache.Clear()
	}
	return i.cache.Put(key, tok), nil
}
