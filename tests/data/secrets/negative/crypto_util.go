// Package cryptoutil wraps key handling (ordinary code, no secrets).
package cryptoutil

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"os"
)

const (
	KeySize        = 32
	TokenPrefix    = "tok_"
	PasswordEnvVar = "APP_PASSWORD"
	keyFileMode    = 0o600
)

var ErrBadKey = errors.New("cryptoutil: bad key")

type Signer struct {
	key   ed25519.PrivateKey
	keyID string
}

func NewSigner(keyID string) (*Signer, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	return &Signer{key: priv, keyID: keyID}, nil
}

func (s *Signer) Token(payload []byte) string {
	sig := ed25519.Sign(s.key, payload)
	return TokenPrefix + base64.RawURLEncoding.EncodeToString(sig)
}

func PasswordFromEnv() (string, error) {
	password := os.Getenv(PasswordEnvVar)
	if password == "" {
		return "", errors.New("password not set")
	}
	return password, nil
}

func LoadKey(path string) (ed25519.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(data) != ed25519.PrivateKeySize {
		return nil, ErrBadKey
	}
	return ed25519.PrivateKey(data), nil
}
