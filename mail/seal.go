package mail

import (
	"encoding/json"
	"errors"
	"fmt"

	"tonegrid/secret"
)

// KeySize is the length of the key that seals mail job payloads (AES-256).
const KeySize = 32

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
	// Sealed is the JSON payload sealed by secret.Sealer (AES-256-GCM,
	// versioned, bound to the job's kind, template and locale).
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

// sealer returns the AES-256-GCM sealer of key.
func sealer(key []byte) (*secret.Sealer, error) {
	if len(key) != KeySize {
		return nil, ErrKeySize
	}
	return secret.NewSealer(key)
}

// seal encrypts plain under key, bound to ad.
func seal(key, plain, ad []byte) ([]byte, error) {
	s, err := sealer(key)
	if err != nil {
		return nil, err
	}
	return []byte(s.Seal(plain, string(ad))), nil
}

// unseal reverses seal.
func unseal(key, sealed, ad []byte) ([]byte, error) {
	s, err := sealer(key)
	if err != nil {
		return nil, err
	}
	plain, err := s.Open(string(sealed), string(ad))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSealed, err)
	}
	return plain, nil
}
