package handoff

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

func TestStripInbound(t *testing.T) {
	h := http.Header{}
	h["X-Gatehouse-Email"] = []string{"boss@example.com"}
	h["x-gatehouse-user-id"] = []string{"1"}
	h["X_Gatehouse_Company"] = []string{"Evil"}
	h["X-GATEHOUSE-ANYTHING"] = []string{"a", "b"}
	h.Set("X-Gatehouse", "not ours: no dash after the name")
	h.Set("Accept", "text/html")
	StripInbound(h)
	if len(h) != 2 || h.Get("Accept") == "" || h.Get("X-Gatehouse") == "" {
		t.Errorf("left %v", h)
	}
}

func TestStripCookies(t *testing.T) {
	h := http.Header{"Cookie": {"a=1; __Host-gatehouse_session=secret; b=2", "gatehouse_session=secret2;theme=dark"}}
	StripCookies(h, GatehouseCookie)
	if got := h.Get("Cookie"); got != "a=1; b=2; theme=dark" || len(h["Cookie"]) != 1 {
		t.Errorf("Cookie = %q", h["Cookie"])
	}
	h = http.Header{"Cookie": {"__Secure-gatehouse_session=x"}}
	StripCookies(h, GatehouseCookie)
	if _, ok := h["Cookie"]; ok {
		t.Errorf("Cookie kept: %q", h["Cookie"])
	}
}

func TestPercentEncode(t *testing.T) {
	for _, s := range []string{"Ada", "Zoë Ångström", "山田 太郎", "O'Brien & Sons, Ltd.", "a%b\r\nX-Evil: 1", "محمد"} {
		enc := PercentEncode(s)
		for i := 0; i < len(enc); i++ {
			if c := enc[i]; !unreserved(c) && c != '%' {
				t.Errorf("PercentEncode(%q) = %q keeps %q", s, enc, c)
			}
		}
		if dec, err := url.PathUnescape(enc); err != nil || dec != s {
			t.Errorf("PercentEncode(%q) = %q decodes to %q, %v", s, enc, dec, err)
		}
	}
}

// verify checks tok as a platform would: signature by a key of the
// published set, issuer, audience and expiry.
func verify(t *testing.T, jwks []byte, tok, iss, aud string, at time.Time) (jwt.Claims, Claims, error) {
	t.Helper()
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(jwks, &set); err != nil {
		t.Fatal(err)
	}
	parsed, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		return jwt.Claims{}, Claims{}, err
	}
	var std jwt.Claims
	var own Claims
	if err := parsed.Claims(set, &std, &own); err != nil {
		return std, own, err
	}
	return std, own, std.ValidateWithLeeway(jwt.Expected{Issuer: iss, AnyAudience: jwt.Audience{aud}, Time: at}, 0)
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestRule42TokensAndRotation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		clk := &clock{t: time.Now()}
		// Two instances start together: one first key between them.
		a, b := NewKeyring(st, clk.Now), NewKeyring(st, clk.Now)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, k := range []*Keyring{a, b} {
			wg.Go(func() { errs[i] = k.Ensure(ctx) })
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil {
			t.Fatal(errs)
		}
		if keys, _ := st.SigningKeys(ctx, 10); len(keys) != 1 {
			t.Fatalf("%d keys after two first starts, want 1", len(keys))
		}
		ja, _ := a.JWKS(ctx)
		jb, _ := b.JWKS(ctx)
		if string(ja) != string(jb) {
			t.Fatal("the instances publish different keys")
		}

		id := Identity{UserID: "u-1", SessionID: "s-1", Email: "ada@example.com", EmailVerified: true, GivenName: "Ada", Locale: "en"}
		iss := NewIssuer(a, "https://auth.example.com", "https://app.example.com", clk.Now)
		tok, err := iss.Token(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		std, own, err := verify(t, ja, tok, "https://auth.example.com", "https://app.example.com", clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		if std.Subject != "u-1" || own.SessionID != "s-1" || own.Email != id.Email || !own.EmailVerified ||
			std.Expiry.Time().Sub(std.IssuedAt.Time()) > TokenTTL {
			t.Errorf("claims %+v %+v", std, own)
		}
		if _, _, err := verify(t, ja, tok, "https://auth.example.com", "https://other.example.com", clk.Now()); err == nil {
			t.Error("a token for another audience verified")
		}
		if _, _, err := verify(t, ja, tok, "https://auth.example.com", "https://app.example.com", clk.Now().Add(TokenTTL+time.Second)); err == nil {
			t.Error("a token verified after its 5 minutes")
		}
		// Reused while at least a minute is left, never longer.
		for range 6 {
			clk.Add(30 * time.Second)
			again, _ := iss.Token(ctx, id)
			if _, _, err := verify(t, ja, again, "https://auth.example.com", "https://app.example.com", clk.Now().Add(time.Minute)); err != nil {
				t.Fatalf("a token handed out has under a minute left: %v", err)
			}
		}
		// How the person signed in travels in the header and the token.
		mfa := id
		mfa.AuthMethods, mfa.ACR, mfa.AuthTime = "pwd otp mfa", "urn:gatehouse:acr:mfa", clk.Now().Add(-time.Minute).Unix()
		h := http.Header{}
		mtok, _ := iss.Token(ctx, mfa)
		mfa.Set(h, mtok)
		if h.Get(HeaderAuthMethods) != "pwd,otp,mfa" {
			t.Errorf("%s = %q", HeaderAuthMethods, h.Get(HeaderAuthMethods))
		}
		_, mown, err := verify(t, ja, mtok, "https://auth.example.com", "https://app.example.com", clk.Now())
		if err != nil || strings.Join(mown.AMR, " ") != "pwd otp mfa" || mown.ACR != mfa.ACR || mown.AuthTime == nil || mown.AuthTime.Time().Unix() != mfa.AuthTime {
			t.Errorf("amr %v acr %q auth_time %v (%v)", mown.AMR, mown.ACR, mown.AuthTime, err)
		}
		if mtok == tok {
			t.Error("a second factor did not change the token")
		}
		// Another session or a changed name gets its own token.
		if other, _ := iss.Token(ctx, Identity{UserID: "u-1", SessionID: "s-2"}); other == tok {
			t.Error("two sessions share a token")
		}

		// Rotation: the new key is published at once but signs only
		// after JWKSMaxAge; the old one stays until its tokens expire.
		kid, err := a.Rotate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		old := kidOf(t, tok)
		jwks, _ := a.JWKS(ctx)
		if !published(t, jwks, kid) || !published(t, jwks, old) {
			t.Fatalf("right after rotating, want both %s and %s in %s", kid, old, jwks)
		}
		clk.Add(JWKSMaxAge + time.Second)
		fresh, _ := iss.Token(ctx, Identity{UserID: "u-2", SessionID: "s-3"})
		if kidOf(t, fresh) != kid {
			t.Errorf("after JWKSMaxAge tokens are signed by %s, want %s", kidOf(t, fresh), kid)
		}
		// b has not reread yet; within keyRefresh it does.
		clk.Add(keyRefresh)
		jb, _ = b.JWKS(ctx)
		if !published(t, jb, kid) || !published(t, jb, old) {
			t.Errorf("the other instance does not publish both keys: %s", jb)
		}
		clk.Add(keyRetain + time.Second)
		jwks, _ = a.JWKS(ctx)
		if published(t, jwks, old) || !published(t, jwks, kid) {
			t.Errorf("long after rotation: %s", jwks)
		}
	})
}

func kidOf(t *testing.T, tok string) string {
	t.Helper()
	p, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		t.Fatal(err)
	}
	return p.Headers[0].KeyID
}

func published(t *testing.T, jwks []byte, kid string) bool {
	t.Helper()
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(jwks, &set); err != nil {
		t.Fatal(err)
	}
	for _, k := range set.Keys {
		if k.IsPublic() == false {
			t.Fatalf("a private key is published: %s", jwks)
		}
	}
	return len(set.Key(kid)) == 1
}

// TestHeaderNamesCanonical: Identity.Set writes the names into the header
// map as they are, so each must already be in canonical form (or
// Header.Get, and the proxy's copy, would miss it).
func TestHeaderNamesCanonical(t *testing.T) {
	for _, k := range IdentityHeaders {
		if http.CanonicalHeaderKey(k) != k {
			t.Errorf("%q is not canonical (%q)", k, http.CanonicalHeaderKey(k))
		}
	}
	h := http.Header{}
	Identity{UserID: "u", Email: "e", GivenName: "Łukasz", OrgID: "o"}.Set(h, "tok")
	for _, k := range IdentityHeaders {
		if len(h.Values(k)) != 1 {
			t.Errorf("%s: %q, want one value", k, h.Values(k))
		}
	}
	if h.Get(HeaderGivenName) != "%C5%81ukasz" || h.Get(HeaderToken) != "tok" || h.Get(HeaderUserID) != "u" {
		t.Errorf("headers %v", h)
	}
	h.Add(HeaderUserID, "second")
	if h.Get(HeaderEmail) != "e" {
		t.Errorf("an Add to one header changed another: %v", h)
	}
}
