// Package secret makes and checks the platform's secrets: random tokens and
// codes, their hashes for storage, constant-time comparison, key derivation
// and authenticated encryption of data at rest. It imports only the
// standard library.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
)

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// Token returns prefix followed by n random base62 characters (about 5.95
// bits each, drawn without modulo bias).
func Token(prefix string, n int) string {
	b := make([]byte, 0, len(prefix)+n)
	b = append(b, prefix...)
	for len(b) < len(prefix)+n {
		var buf [64]byte
		rand.Read(buf[:])
		for _, c := range buf {
			// 248 = 4 × 62: values above would bias the first letters.
			if c < 248 && len(b) < len(prefix)+n {
				b = append(b, base62[c%62])
			}
		}
	}
	return string(b)
}

// IsBase62 reports whether s consists only of base62 characters.
func IsBase62(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') {
			return false
		}
	}
	return true
}

// Digits returns n uniformly random decimal digits, such as a one-time code.
func Digits(n int) string {
	max := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
	v, err := rand.Int(rand.Reader, max)
	if err != nil {
		panic(fmt.Sprintf("secret: random: %v", err))
	}
	return fmt.Sprintf("%0*s", n, v.String())
}

// Hash returns the hex SHA-256 of token: how tokens with enough entropy
// (API keys, refresh and reset tokens) are stored and looked up.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// KeyedHash returns the hex HMAC-SHA256 of value under key: how low-entropy
// secrets such as 6-digit codes are stored, so a leaked table cannot be
// brute-forced offline without the key.
func KeyedHash(key []byte, value string) string {
	return hex.EncodeToString(hmacSHA256(key, []byte(value)))
}

// Equal compares two strings in constant time (for equal lengths).
func Equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// DeriveKey derives a 32-byte key for one purpose from a master secret, so
// one configured secret yields independent keys for signing, sealing and
// hashing.
func DeriveKey(master []byte, purpose string) []byte {
	key, err := hkdf.Key(sha256.New, master, nil, "tonegrid "+purpose, 32)
	if err != nil {
		panic(fmt.Sprintf("secret: derive key: %v", err))
	}
	return key
}

// sealVersion prefixes sealed values so the format can change later.
const sealVersion = "v1."

// ErrUnsealable means sealed data was tampered with, truncated, or sealed
// under another key.
var ErrUnsealable = errors.New("secret: cannot open sealed data")

// Sealer encrypts and authenticates small values at rest with AES-256-GCM.
type Sealer struct{ aead cipher.AEAD }

// NewSealer returns a sealer for a 32-byte key.
func NewSealer(key []byte) (*Sealer, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("secret: sealer key is %d bytes, want 32", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secret: sealer: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secret: sealer: %w", err)
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts plaintext; context binds it to its use (a row id, a
// purpose) so a sealed value cannot be moved to another place.
func (s *Sealer) Seal(plaintext []byte, context string) string {
	nonce := make([]byte, s.aead.NonceSize())
	rand.Read(nonce)
	out := s.aead.Seal(nonce, nonce, plaintext, []byte(context))
	return sealVersion + base64.RawURLEncoding.EncodeToString(out)
}

// Open decrypts a value made by Seal with the same context.
func (s *Sealer) Open(sealed, context string) ([]byte, error) {
	if len(sealed) < len(sealVersion) || sealed[:len(sealVersion)] != sealVersion {
		return nil, ErrUnsealable
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(sealed[len(sealVersion):])
	if err != nil || len(raw) < s.aead.NonceSize() {
		return nil, ErrUnsealable
	}
	plain, err := s.aead.Open(nil, raw[:s.aead.NonceSize()], raw[s.aead.NonceSize():], []byte(context))
	if err != nil {
		return nil, ErrUnsealable
	}
	return plain, nil
}
