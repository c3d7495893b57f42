package mail

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
)

// KeySize is the length of the key that seals mail job payloads (AES-256).
const KeySize = 32

// sealVersion is the first byte of a sealed payload; a new format gets a new
// version, so that jobs queued before a change can still be told apart.
const sealVersion = 1

// ErrKeySize means a sealing key is not KeySize bytes long.
var ErrKeySize = fmt.Errorf("mail key must be %d bytes", KeySize)

// ErrSealed means a sealed payload is malformed, was altered, or was sealed
// under another key.
var ErrSealed = errors.New("mail payload cannot be opened")

// SendArgs are the arguments of a "mail.send" job. Template and locale are
// stored in clear; the recipient and the template data (codes, links) are
// sealed with AES-256-GCM, bound to the template and locale.
type SendArgs struct {
	Template string `json:"template"`
	Locale   string `json:"locale"`
	// Sealed is version byte 1, a 12-byte random nonce, then the GCM
	// ciphertext and tag of the JSON payload.
	Sealed []byte `json:"sealed"`
}

// Kind names the job's worker.
func (SendArgs) Kind() string { return "mail.send" }

// payload is what SendArgs seal.
type payload struct {
	To   string            `json:"to"`
	Data map[string]string `json:"data"`
}

// NewJob returns the arguments of a job that mails template, in locale, to
// to, with data sealed under key. It checks the address and the data now, so
// that a job that could never be sent is never queued.
func NewJob(key []byte, to, template, locale string, data map[string]string) (SendArgs, error) {
	spec, ok := specs[template]
	if !ok {
		return SendArgs{}, fmt.Errorf("new mail job: unknown template %q", template)
	}
	if err := spec.check(data); err != nil {
		return SendArgs{}, fmt.Errorf("new mail job %s: %w", template, err)
	}
	if err := checkMessage(Message{To: to}); err != nil {
		return SendArgs{}, fmt.Errorf("new mail job %s: %w", template, err)
	}
	args := SendArgs{Template: template, Locale: resolveLocale(locale)}
	plain, err := json.Marshal(payload{To: to, Data: data})
	if err != nil {
		return SendArgs{}, fmt.Errorf("new mail job %s: %w", template, err)
	}
	if args.Sealed, err = seal(key, plain, args.associatedData()); err != nil {
		return SendArgs{}, fmt.Errorf("new mail job %s: %w", template, err)
	}
	return args, nil
}

// open returns the payload args sealed, or an error wrapping ErrKeySize or
// ErrSealed.
func (args SendArgs) open(key []byte) (payload, error) {
	plain, err := unseal(key, args.Sealed, args.associatedData())
	if err != nil {
		return payload{}, err
	}
	var p payload
	if err := json.Unmarshal(plain, &p); err != nil {
		return payload{}, fmt.Errorf("%w: decode: %w", ErrSealed, err)
	}
	return p, nil
}

// associatedData binds a sealed payload to the job's kind, template and
// locale: moved to another job, it no longer opens.
func (args SendArgs) associatedData() []byte {
	return []byte(args.Kind() + "\x00" + args.Template + "\x00" + args.Locale)
}

func newGCM(key []byte) (cipher.AEAD, error) {
	if len(key) != KeySize {
		return nil, ErrKeySize
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("mail key: %w", err)
	}
	return cipher.NewGCM(block)
}

// seal encrypts plain under key with a random nonce.
func seal(key, plain, ad []byte) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 1+gcm.NonceSize(), 1+gcm.NonceSize()+len(plain)+gcm.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("seal: nonce: %w", err)
	}
	return gcm.Seal(out, out[1:], plain, ad), nil
}

// unseal reverses seal.
func unseal(key, sealed, ad []byte) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	if len(sealed) < 1+gcm.NonceSize()+gcm.Overhead() {
		return nil, fmt.Errorf("%w: %d bytes is too short", ErrSealed, len(sealed))
	}
	if sealed[0] != sealVersion {
		return nil, fmt.Errorf("%w: unknown version %d", ErrSealed, sealed[0])
	}
	nonce, ciphertext := sealed[1:1+gcm.NonceSize()], sealed[1+gcm.NonceSize():]
	plain, err := gcm.Open(nil, nonce, ciphertext, ad)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSealed, err)
	}
	return plain, nil
}
