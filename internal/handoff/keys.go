package handoff

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-jose/go-jose/v4"

	"gatehouse/internal/store"
)

// TokenTTL is how long an identity token is valid: at most 5 minutes
// (SECURITY.md rule 42), so a token the platform keeps dies soon after the
// session.
const TokenTTL = 5 * time.Minute

// JWKSMaxAge is how long a platform may cache the key set. A new key is
// published this long before it signs anything, so a platform that
// refetches only when its cache runs out already knows it.
const JWKSMaxAge = 5 * time.Minute

// keyRefresh is how often an instance rereads the keys, which is how a
// rotation done by `gatehouse keys rotate` reaches every instance.
const keyRefresh = 30 * time.Second

// keyRetain is how long a key stays published after its successor began
// signing: the tokens it signed live TokenTTL, and an instance may go on
// signing with it until its next refresh.
const keyRetain = TokenTTL + keyRefresh + time.Minute

// Keyring holds the signing keys from the database: the one that signs now
// and the ones still published. It rereads them every keyRefresh.
type Keyring struct {
	store   *store.Store
	now     func() time.Time
	reading sync.Mutex
	state   atomic.Pointer[keyState]
}

type keyState struct {
	signing  *signingKey
	jwks     []byte
	loadedAt time.Time
}

type signingKey struct {
	kid    string
	signer jose.Signer
}

// NewKeyring returns a keyring over st; now is the clock (time.Now when nil).
func NewKeyring(st *store.Store, now func() time.Time) *Keyring {
	if now == nil {
		now = time.Now
	}
	return &Keyring{store: st, now: now}
}

// Ensure makes sure a signing key exists, creating the first one. Two
// instances starting together both try; the database keeps one.
func (k *Keyring) Ensure(ctx context.Context) error {
	keys, err := k.store.SigningKeys(ctx, 1)
	if err != nil {
		return err
	}
	if len(keys) == 0 {
		if _, err := k.add(ctx, 1); err != nil {
			return err
		}
	}
	return k.load(ctx)
}

// Rotate adds a new key, published at once and signing from JWKSMaxAge
// on; it returns the new key's id. The previous key signs until then and
// stays published until its last token has expired.
func (k *Keyring) Rotate(ctx context.Context) (string, error) {
	keys, err := k.store.SigningKeys(ctx, 1)
	if err != nil {
		return "", err
	}
	gen := int64(1)
	if len(keys) > 0 {
		gen = keys[0].Generation + 1
	}
	row, err := k.add(ctx, gen)
	if err != nil {
		return "", err
	}
	if row == nil {
		return "", errors.New("handoff: another rotation happened at the same moment; run it again if a further key is wanted")
	}
	return row.KeyID, k.load(ctx)
}

func (k *Keyring) add(ctx context.Context, gen int64) (*store.SigningKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	thumb, err := (&jose.JSONWebKey{Key: pub}).Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, err
	}
	row := &store.SigningKey{Generation: gen, KeyID: base64.RawURLEncoding.EncodeToString(thumb),
		PrivateKey: base64.RawURLEncoding.EncodeToString(priv.Seed()), CreatedAt: k.now().UTC().Truncate(time.Microsecond)}
	added, err := k.store.AddSigningKey(ctx, row)
	if err != nil || !added {
		return nil, err
	}
	return row, nil
}

// load reads the newest keys and decides which signs and which are
// published.
func (k *Keyring) load(ctx context.Context) error {
	rows, err := k.store.SigningKeys(ctx, 8)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return errors.New("handoff: no signing key (Ensure was not called)")
	}
	now := k.now()
	// rows are newest first; the signer is the newest key published for
	// JWKSMaxAge already, or the first key ever while it is the only one.
	sign := len(rows) - 1
	for i, r := range rows {
		if !r.CreatedAt.Add(JWKSMaxAge).After(now) {
			sign = i
			break
		}
	}
	var set jose.JSONWebKeySet
	var signer *signingKey
	for i, r := range rows {
		if i > sign {
			// Older than the signer: kept while tokens it signed may live.
			successorSince := rows[i-1].CreatedAt.Add(JWKSMaxAge)
			if now.Sub(successorSince) > keyRetain {
				break
			}
		}
		seed, err := base64.RawURLEncoding.DecodeString(r.PrivateKey)
		if err != nil || len(seed) != ed25519.SeedSize {
			return fmt.Errorf("handoff: signing key %s is damaged", r.KeyID)
		}
		priv := ed25519.NewKeyFromSeed(seed)
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: priv.Public(), KeyID: r.KeyID, Algorithm: string(jose.EdDSA), Use: "sig"})
		if i == sign {
			s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: jose.JSONWebKey{Key: priv, KeyID: r.KeyID}},
				(&jose.SignerOptions{}).WithType("JWT"))
			if err != nil {
				return err
			}
			signer = &signingKey{kid: r.KeyID, signer: s}
		}
	}
	jwks, err := json.Marshal(set)
	if err != nil {
		return err
	}
	k.state.Store(&keyState{signing: signer, jwks: jwks, loadedAt: now})
	return nil
}

// current is the key state, reread when it is older than keyRefresh. One
// caller rereads while the others go on with what was read before; a
// failed reread keeps the old state (the database may be down a moment).
func (k *Keyring) current(ctx context.Context) (*keyState, error) {
	st := k.state.Load()
	if st != nil && k.now().Sub(st.loadedAt) < keyRefresh {
		return st, nil
	}
	if st == nil {
		k.reading.Lock()
		defer k.reading.Unlock()
		if st = k.state.Load(); st != nil {
			return st, nil
		}
		if err := k.load(ctx); err != nil {
			return nil, err
		}
		return k.state.Load(), nil
	}
	if k.reading.TryLock() {
		defer k.reading.Unlock()
		if err := k.load(ctx); err != nil {
			return st, nil
		}
		return k.state.Load(), nil
	}
	return st, nil
}

// JWKS is the public key set as JSON, for /.well-known/jwks.json.
func (k *Keyring) JWKS(ctx context.Context) ([]byte, error) {
	st, err := k.current(ctx)
	if err != nil {
		return nil, err
	}
	return st.jwks, nil
}
