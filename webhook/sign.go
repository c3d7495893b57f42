package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// SecretPrefix starts every subscription secret, as Standard Webhooks
// prescribes for symmetric keys.
const SecretPrefix = "whsec_"

// The headers every delivery carries.
const (
	// HeaderToneGridSignature is ToneGrid's own scheme: "t=<unix>,v1=<hex>".
	HeaderToneGridSignature = "X-ToneGrid-Signature"
	// HeaderWebhookID is the Standard Webhooks message id, the same on every
	// attempt of one delivery.
	HeaderWebhookID = "Webhook-Id"
	// HeaderWebhookTimestamp is the Standard Webhooks attempt time in Unix
	// seconds.
	HeaderWebhookTimestamp = "Webhook-Timestamp"
	// HeaderWebhookSignature is the Standard Webhooks signature list:
	// space-separated "v1,<base64>" entries.
	HeaderWebhookSignature = "Webhook-Signature"
)

// Tolerance is how far a signed timestamp may lie from the verifier's clock,
// in the past or the future, before the signature is refused as a replay.
const Tolerance = 300 * time.Second

// Secret key sizes, after base64 decoding, that Standard Webhooks allows (24
// to 64 bytes). NewSecret makes 32-byte keys; the wider range lets the
// verifiers and Sign accept the specification's own test secret (24 bytes).
const (
	minSecretKeyLen = 24
	maxSecretKeyLen = 64
	newSecretKeyLen = 32
)

// maxMessageIDLen bounds a webhook-id.
const maxMessageIDLen = 128

// maxTimestampDigits bounds a signed timestamp so it always fits an int64.
const maxTimestampDigits = 18

// Errors of signing and verification. Every error Sign, VerifyToneGrid and
// VerifyStandard return wraps exactly one of them.
var (
	// ErrInvalidSecret means a secret is not "whsec_" followed by the
	// standard base64 of 24 to 64 bytes.
	ErrInvalidSecret = errors.New("webhook: invalid secret")
	// ErrInvalidMessageID means a webhook-id is empty, too long, or has a
	// character other than ASCII letters, digits, '-' and '_'.
	ErrInvalidMessageID = errors.New("webhook: invalid message id")
	// ErrMalformedHeader means a signature header is missing or cannot be
	// parsed.
	ErrMalformedHeader = errors.New("webhook: missing or malformed signature header")
	// ErrTimestampOutOfTolerance means the signed timestamp is more than
	// Tolerance away from the verifier's clock.
	ErrTimestampOutOfTolerance = errors.New("webhook: signature timestamp outside tolerance")
	// ErrSignatureMismatch means no signature in the header matches the body.
	ErrSignatureMismatch = errors.New("webhook: no signature matches")
)

// NewSecret returns a fresh subscription secret: "whsec_" and the standard
// base64 of 32 random bytes.
func NewSecret() string {
	key := make([]byte, newSecretKeyLen)
	rand.Read(key)
	return SecretPrefix + base64.StdEncoding.EncodeToString(key)
}

// ValidSecret reports whether s is a secret Sign can use.
func ValidSecret(s string) bool {
	_, err := standardKey(s)
	return err == nil
}

// standardKey returns the Standard Webhooks signing key of a secret: the
// base64-decoded part after the prefix.
func standardKey(secret string) ([]byte, error) {
	encoded, ok := strings.CutPrefix(secret, SecretPrefix)
	if !ok {
		return nil, fmt.Errorf("%w: no %q prefix", ErrInvalidSecret, SecretPrefix)
	}
	if len(encoded) > base64.StdEncoding.EncodedLen(maxSecretKeyLen) {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrInvalidSecret, maxSecretKeyLen)
	}
	key, err := base64.StdEncoding.Strict().DecodeString(encoded)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidSecret, err)
	}
	if len(key) < minSecretKeyLen || len(key) > maxSecretKeyLen {
		return nil, fmt.Errorf("%w: key is %d bytes, want %d to %d", ErrInvalidSecret, len(key), minSecretKeyLen, maxSecretKeyLen)
	}
	return key, nil
}

// validMessageID reports whether id may be a webhook-id: it is put in a header
// and in the signed content, where a '.' would make the content ambiguous.
func validMessageID(id string) bool {
	if id == "" || len(id) > maxMessageIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Sign returns the headers that sign one delivery attempt of body: the
// X-ToneGrid-Signature keyed by the whole secret string, and the Standard
// Webhooks webhook-id, webhook-timestamp and webhook-signature keyed by the
// decoded secret. ts is the attempt's time (whole seconds are signed); id
// stays the same on every attempt of one event to one subscription. body must
// be exactly the bytes that will be sent.
func Sign(secret, id string, ts time.Time, body []byte) (http.Header, error) {
	key, err := standardKey(secret)
	if err != nil {
		return nil, fmt.Errorf("sign webhook: %w", err)
	}
	if !validMessageID(id) {
		return nil, fmt.Errorf("sign webhook: %w: %q", ErrInvalidMessageID, id)
	}
	t := strconv.FormatInt(ts.Unix(), 10)
	h := make(http.Header, 4)
	h.Set(HeaderToneGridSignature, "t="+t+",v1="+hex.EncodeToString(toneGridMAC([]byte(secret), t, body)))
	h.Set(HeaderWebhookID, id)
	h.Set(HeaderWebhookTimestamp, t)
	h.Set(HeaderWebhookSignature, "v1,"+base64.StdEncoding.EncodeToString(standardMAC(key, id, t, body)))
	return h, nil
}

// toneGridMAC is HMAC-SHA256 of "<t>.<body>".
func toneGridMAC(key []byte, t string, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(t))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// standardMAC is HMAC-SHA256 of "<id>.<timestamp>.<body>".
func standardMAC(key []byte, id, t string, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write([]byte(t))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// VerifyToneGrid checks the X-ToneGrid-Signature of a received body, as a
// receiver would: the header must hold one t and at least one v1 (several
// are allowed, for secret rotation; other keys are ignored), t must be
// within Tolerance of now, and one v1 must equal the HMAC-SHA256 of
// "<t>.<body>" keyed by the whole secret string, compared in constant time.
func VerifyToneGrid(secret string, header http.Header, body []byte, now time.Time) error {
	if secret == "" {
		return fmt.Errorf("verify %s: %w: empty", HeaderToneGridSignature, ErrInvalidSecret)
	}
	t, sigs, err := parseToneGridHeader(header.Get(HeaderToneGridSignature))
	if err != nil {
		return fmt.Errorf("verify %s: %w", HeaderToneGridSignature, err)
	}
	if err := checkTimestamp(t, now); err != nil {
		return fmt.Errorf("verify %s: %w", HeaderToneGridSignature, err)
	}
	want := toneGridMAC([]byte(secret), t, body)
	for _, sig := range sigs {
		if hmac.Equal(sig, want) {
			return nil
		}
	}
	return fmt.Errorf("verify %s: %w", HeaderToneGridSignature, ErrSignatureMismatch)
}

// parseToneGridHeader splits "t=<unix>,v1=<hex>[,v1=<hex>…]" into the raw
// timestamp and the decoded v1 signatures. Items may be padded with spaces;
// items with other keys are skipped; a v1 that is not 64 hex digits is
// skipped too, as it can never match.
func parseToneGridHeader(value string) (t string, sigs [][]byte, err error) {
	if value == "" {
		return "", nil, fmt.Errorf("%w: missing", ErrMalformedHeader)
	}
	seenT := false
	for item := range strings.SplitSeq(value, ",") {
		key, val, ok := strings.Cut(strings.Trim(item, " \t"), "=")
		if !ok {
			return "", nil, fmt.Errorf("%w: item without '='", ErrMalformedHeader)
		}
		switch key {
		case "t":
			if seenT {
				return "", nil, fmt.Errorf("%w: more than one t", ErrMalformedHeader)
			}
			seenT = true
			t = val
		case "v1":
			if len(val) != 2*sha256.Size {
				continue
			}
			sig, err := hex.DecodeString(val)
			if err != nil {
				continue
			}
			sigs = append(sigs, sig)
		}
	}
	if !seenT {
		return "", nil, fmt.Errorf("%w: no t", ErrMalformedHeader)
	}
	if !validTimestamp(t) {
		return "", nil, fmt.Errorf("%w: t is not Unix seconds", ErrMalformedHeader)
	}
	if len(sigs) == 0 {
		return "", nil, fmt.Errorf("%w: no well-formed v1", ErrMalformedHeader)
	}
	return t, sigs, nil
}

// VerifyStandard checks the Standard Webhooks headers of a received body, as
// a receiver would: webhook-id must be a valid message id, webhook-timestamp
// within Tolerance of now, and one "v1,<base64>" entry of the space-separated
// webhook-signature list (entries of other versions are ignored) must equal
// the HMAC-SHA256 of "<id>.<timestamp>.<body>" keyed by the decoded secret,
// compared in constant time.
func VerifyStandard(secret string, header http.Header, body []byte, now time.Time) error {
	key, err := standardKey(secret)
	if err != nil {
		return fmt.Errorf("verify %s: %w", HeaderWebhookSignature, err)
	}
	id := header.Get(HeaderWebhookID)
	t := header.Get(HeaderWebhookTimestamp)
	list := header.Get(HeaderWebhookSignature)
	switch {
	case id == "" || t == "" || list == "":
		return fmt.Errorf("verify %s: %w: missing webhook-id, webhook-timestamp or webhook-signature", HeaderWebhookSignature, ErrMalformedHeader)
	case !validMessageID(id):
		return fmt.Errorf("verify %s: %w: webhook-id is not a valid message id", HeaderWebhookSignature, ErrMalformedHeader)
	case !validTimestamp(t):
		return fmt.Errorf("verify %s: %w: webhook-timestamp is not Unix seconds", HeaderWebhookSignature, ErrMalformedHeader)
	}
	if err := checkTimestamp(t, now); err != nil {
		return fmt.Errorf("verify %s: %w", HeaderWebhookSignature, err)
	}
	want := standardMAC(key, id, t, body)
	for entry := range strings.FieldsSeq(list) {
		version, encoded, ok := strings.Cut(entry, ",")
		if !ok || version != "v1" || len(encoded) != base64.StdEncoding.EncodedLen(sha256.Size) {
			continue
		}
		sig, err := base64.StdEncoding.DecodeString(encoded)
		if err != nil {
			continue
		}
		if hmac.Equal(sig, want) {
			return nil
		}
	}
	return fmt.Errorf("verify %s: %w", HeaderWebhookSignature, ErrSignatureMismatch)
}

// validTimestamp reports whether t is Unix seconds in plain decimal digits.
func validTimestamp(t string) bool {
	if t == "" || len(t) > maxTimestampDigits {
		return false
	}
	for i := 0; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return false
		}
	}
	return true
}

// checkTimestamp refuses a valid timestamp more than Tolerance from now, both
// counted in whole seconds.
func checkTimestamp(t string, now time.Time) error {
	secs, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrMalformedHeader, err)
	}
	signed := time.Unix(secs, 0)
	now = time.Unix(now.Unix(), 0)
	if now.Sub(signed) > Tolerance || signed.Sub(now) > Tolerance {
		return fmt.Errorf("%w: signed at %d, now %d", ErrTimestampOutOfTolerance, secs, now.Unix())
	}
	return nil
}
