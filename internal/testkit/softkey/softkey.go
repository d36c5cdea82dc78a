// Package softkey is a software WebAuthn authenticator for tests: one
// P-256 passkey whose answers are built as an authenticator builds them
// (CTAP2 authenticator data, a "none" attestation, an ECDSA signature over
// the authenticator data and the client data's hash), so the product is
// tested through go-webauthn's real checks without a browser. It is test
// tooling only, never the product's WebAuthn.
package softkey

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/fxamacker/cbor/v2"
)

var enc = base64.RawURLEncoding

// Key is one passkey on a software authenticator.
type Key struct {
	Priv *ecdsa.PrivateKey
	ID   []byte
	// Handle is the user handle given at registration (Create), sent back
	// with every assertion.
	Handle []byte
	Origin string
	RPID   string
	// Synced sets the backup-eligible and backed-up flags.
	Synced bool
}

// New is a fresh key for the relying party rpID, answering from origin.
func New(rpID, origin string, synced bool) *Key {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	id := make([]byte, 32)
	rand.Read(id)
	return &Key{Priv: k, ID: id, Origin: origin, RPID: rpID, Synced: synced}
}

// CredentialID is the key's id as the product stores it.
func (k *Key) CredentialID() string { return enc.EncodeToString(k.ID) }

func (k *Key) flags(extra byte) byte {
	f := byte(0x01 | 0x04) // UP, UV
	if k.Synced {
		f |= 0x08 | 0x10 // BE, BS
	}
	return f | extra
}

func (k *Key) authData(extra byte, counter uint32, attested []byte) []byte {
	rp := sha256.Sum256([]byte(k.RPID))
	b := append([]byte{}, rp[:]...)
	b = append(b, k.flags(extra))
	b = binary.BigEndian.AppendUint32(b, counter)
	return append(b, attested...)
}

func clientData(typ, challenge, origin string) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": origin, "crossOrigin": false})
	return b
}

// Options reads the challenge and the user handle (registrations only)
// out of a ceremony's options as go-webauthn writes them.
func Options(options []byte) (challenge string, user []byte, err error) {
	var o struct {
		PublicKey struct {
			Challenge string `json:"challenge"`
			User      struct {
				ID string `json:"id"`
			} `json:"user"`
		} `json:"publicKey"`
	}
	if err := json.Unmarshal(options, &o); err != nil {
		return "", nil, fmt.Errorf("softkey: options %s: %w", options, err)
	}
	if o.PublicKey.User.ID != "" {
		if user, err = enc.DecodeString(o.PublicKey.User.ID); err != nil {
			return "", nil, err
		}
	}
	return o.PublicKey.Challenge, user, nil
}

// Create answers a registration ceremony's options with the credential
// JSON a browser posts.
func (k *Key) Create(options []byte) ([]byte, error) {
	challenge, user, err := Options(options)
	if err != nil {
		return nil, err
	}
	k.Handle = user
	cose, err := cbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: k.Priv.X.FillBytes(make([]byte, 32)), -3: k.Priv.Y.FillBytes(make([]byte, 32))})
	if err != nil {
		return nil, err
	}
	att := make([]byte, 16) // AAGUID: none
	att = binary.BigEndian.AppendUint16(att, uint16(len(k.ID)))
	att = append(att, k.ID...)
	att = append(att, cose...)
	obj, err := cbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": k.authData(0x40, 0, att)})
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{
		"id": enc.EncodeToString(k.ID), "rawId": enc.EncodeToString(k.ID), "type": "public-key", "authenticatorAttachment": "platform",
		"response": map[string]any{"clientDataJSON": enc.EncodeToString(clientData("webauthn.create", challenge, k.Origin)),
			"attestationObject": enc.EncodeToString(obj), "transports": []string{"internal"}},
		"clientExtensionResults": map[string]any{"credProps": map[string]any{"rk": true}},
	})
}

// Get answers a sign-in ceremony's options with the signature counter at
// counter.
func (k *Key) Get(options []byte, counter uint32) ([]byte, error) {
	challenge, _, err := Options(options)
	if err != nil {
		return nil, err
	}
	ad := k.authData(0, counter, nil)
	cd := clientData("webauthn.get", challenge, k.Origin)
	sum := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte{}, ad...), sum[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, k.Priv, digest[:])
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{
		"id": enc.EncodeToString(k.ID), "rawId": enc.EncodeToString(k.ID), "type": "public-key", "authenticatorAttachment": "platform",
		"response": map[string]any{"clientDataJSON": enc.EncodeToString(cd), "authenticatorData": enc.EncodeToString(ad),
			"signature": enc.EncodeToString(sig), "userHandle": enc.EncodeToString(k.Handle)},
		"clientExtensionResults": map[string]any{},
	})
}
