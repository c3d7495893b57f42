package billing

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"tonegrid"
)

// StripeTolerance is how far a Stripe signature's timestamp may be from the
// server's clock, either way.
const StripeTolerance = 300 * time.Second

// maxSignatureHeader bounds the signature headers parsed.
const maxSignatureHeader = 4096

// stripeMAC is the v1 signature of body at unix time t: HMAC-SHA256 of
// "<t>.<body>" keyed by the webhook secret.
func stripeMAC(secret string, t string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(t))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// SignStripe returns the Stripe-Signature header Stripe sends with body at
// time t: "t=<unix seconds>,v1=<hex HMAC-SHA256>".
func SignStripe(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(stripeMAC(secret, ts, body))
}

// VerifyStripe checks a Stripe-Signature header against the raw body: one
// of its v1 values must be the HMAC of "<t>.<body>" (compared in constant
// time), and t within StripeTolerance of now. Other schemes (v0) are
// ignored. It returns ErrWebhookSignatureInvalid or
// ErrWebhookSignatureStale.
func VerifyStripe(header string, body []byte, secret string, now time.Time) error {
	if secret == "" || header == "" || len(header) > maxSignatureHeader {
		return tonegrid.ErrWebhookSignatureInvalid
	}
	var ts string
	var sigs [][]byte
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return tonegrid.ErrWebhookSignatureInvalid
		}
		switch k {
		case "t":
			if ts != "" {
				return tonegrid.ErrWebhookSignatureInvalid
			}
			ts = v
		case "v1":
			if sig, err := hex.DecodeString(v); err == nil && len(sig) == sha256.Size {
				sigs = append(sigs, sig)
			}
		}
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return tonegrid.ErrWebhookSignatureInvalid
	}
	want := stripeMAC(secret, ts, body)
	matched := false
	for _, sig := range sigs {
		if hmac.Equal(sig, want) {
			matched = true
		}
	}
	if !matched {
		return tonegrid.ErrWebhookSignatureInvalid
	}
	age := now.Unix() - unix
	if age > int64(StripeTolerance/time.Second) || age < -int64(StripeTolerance/time.Second) {
		return tonegrid.ErrWebhookSignatureStale
	}
	return nil
}

// paystackMAC is HMAC-SHA512 of body keyed by the secret key.
func paystackMAC(secretKey string, body []byte) []byte {
	m := hmac.New(sha512.New, []byte(secretKey))
	m.Write(body)
	return m.Sum(nil)
}

// SignPaystack returns the x-paystack-signature header Paystack sends with
// body: the hex HMAC-SHA512 of the body keyed by the secret key.
func SignPaystack(secretKey string, body []byte) string {
	return hex.EncodeToString(paystackMAC(secretKey, body))
}

// VerifyPaystack checks an x-paystack-signature header against the raw
// body in constant time. It returns ErrWebhookSignatureInvalid.
func VerifyPaystack(header string, body []byte, secretKey string) error {
	if secretKey == "" || len(header) != 2*sha512.Size {
		return tonegrid.ErrWebhookSignatureInvalid
	}
	sig, err := hex.DecodeString(header)
	if err != nil || !hmac.Equal(sig, paystackMAC(secretKey, body)) {
		return tonegrid.ErrWebhookSignatureInvalid
	}
	return nil
}
