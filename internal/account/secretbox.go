package account

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// sealedPrefix marks a secret stored encrypted with TOTP_SECRET_KEY; a
// secret without it was stored before the key was set, and is read as is.
const sealedPrefix = "v1:"

// errNoSecretKey means a secret was stored encrypted but no key is set.
var errNoSecretKey = errors.New("account: a two-step secret is encrypted but TOTP_SECRET_KEY is not set")

// sealSecret is how secret is stored for the account: encrypted with
// AES-256-GCM when a key is configured, bound to the account by the
// additional data, so a row copied onto another account does not open.
func (s *Service) sealSecret(userID int64, secret string) (string, error) {
	if len(s.cfg.SecretKey) == 0 {
		return secret, nil
	}
	aead, err := s.aead()
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	sealed := aead.Seal(nonce, nonce, []byte(secret), secretAD(userID))
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(sealed), nil
}

// openSecret reads a stored secret back.
func (s *Service) openSecret(userID int64, stored string) (string, error) {
	rest, sealed := strings.CutPrefix(stored, sealedPrefix)
	if !sealed {
		return stored, nil
	}
	if len(s.cfg.SecretKey) == 0 {
		return "", errNoSecretKey
	}
	aead, err := s.aead()
	if err != nil {
		return "", err
	}
	b, err := base64.RawStdEncoding.DecodeString(rest)
	if err != nil || len(b) < aead.NonceSize() {
		return "", fmt.Errorf("account: stored two-step secret of user %d is damaged", userID)
	}
	plain, err := aead.Open(nil, b[:aead.NonceSize()], b[aead.NonceSize():], secretAD(userID))
	if err != nil {
		return "", fmt.Errorf("account: two-step secret of user %d does not open with TOTP_SECRET_KEY: %w", userID, err)
	}
	return string(plain), nil
}

func (s *Service) aead() (cipher.AEAD, error) {
	block, err := aes.NewCipher(s.cfg.SecretKey)
	if err != nil {
		return nil, fmt.Errorf("account: TOTP_SECRET_KEY: %w", err)
	}
	return cipher.NewGCM(block)
}

func secretAD(userID int64) []byte {
	return []byte("gatehouse totp secret:" + strconv.FormatInt(userID, 10))
}
