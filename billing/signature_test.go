package billing_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"tonegrid"
	"tonegrid/billing"
)

const whsec = "whsec_test_0123456789abcdef"

// stripeHex computes a v1 value independently of the package.
func stripeHex(secret string, ts int64, body string) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "%d.%s", ts, body)
	return hex.EncodeToString(m.Sum(nil))
}

func TestVerifyStripe(t *testing.T) {
	body := `{"id":"evt_1","type":"checkout.session.completed"}`
	now := time.Unix(1_750_000_000, 0)
	ts := now.Unix()
	good := stripeHex(whsec, ts, body)
	for _, tt := range []struct {
		name   string
		header string
		body   string
		secret string
		want   error
	}{
		{"good", fmt.Sprintf("t=%d,v1=%s", ts, good), body, whsec, nil},
		{"as SignStripe makes it", billing.SignStripe(whsec, now, []byte(body)), body, whsec, nil},
		{"spaces and a v0", fmt.Sprintf("t=%d, v0=abc, v1=%s", ts, good), body, whsec, nil},
		{"second of several v1", fmt.Sprintf("t=%d,v1=%s,v1=%s", ts, stripeHex("whsec_old", ts, body), good), body, whsec, nil},
		{"upper-case hex", fmt.Sprintf("t=%d,v1=%s", ts, strings.ToUpper(good)), body, whsec, nil},
		{"299 s old", fmt.Sprintf("t=%d,v1=%s", ts-299, stripeHex(whsec, ts-299, body)), body, whsec, nil},
		{"301 s old", fmt.Sprintf("t=%d,v1=%s", ts-301, stripeHex(whsec, ts-301, body)), body, whsec, tonegrid.ErrWebhookSignatureStale},
		{"301 s ahead", fmt.Sprintf("t=%d,v1=%s", ts+301, stripeHex(whsec, ts+301, body)), body, whsec, tonegrid.ErrWebhookSignatureStale},
		{"old t with a signature of now", fmt.Sprintf("t=%d,v1=%s", ts-301, good), body, whsec, tonegrid.ErrWebhookSignatureInvalid},
		{"body changed", fmt.Sprintf("t=%d,v1=%s", ts, good), body + " ", whsec, tonegrid.ErrWebhookSignatureInvalid},
		{"other secret", fmt.Sprintf("t=%d,v1=%s", ts, good), body, "whsec_other", tonegrid.ErrWebhookSignatureInvalid},
		{"no secret configured", fmt.Sprintf("t=%d,v1=%s", ts, good), body, "", tonegrid.ErrWebhookSignatureInvalid},
		{"empty header", "", body, whsec, tonegrid.ErrWebhookSignatureInvalid},
		{"no timestamp", "v1=" + good, body, whsec, tonegrid.ErrWebhookSignatureInvalid},
		{"two timestamps", fmt.Sprintf("t=%d,t=%d,v1=%s", ts, ts, good), body, whsec, tonegrid.ErrWebhookSignatureInvalid},
		{"no v1", fmt.Sprintf("t=%d,v0=%s", ts, good), body, whsec, tonegrid.ErrWebhookSignatureInvalid},
		{"v1 not hex", fmt.Sprintf("t=%d,v1=%s", ts, "zz"+good[2:]), body, whsec, tonegrid.ErrWebhookSignatureInvalid},
		{"v1 truncated", fmt.Sprintf("t=%d,v1=%s", ts, good[:62]), body, whsec, tonegrid.ErrWebhookSignatureInvalid},
		{"not key=value", fmt.Sprintf("t=%d,%s", ts, good), body, whsec, tonegrid.ErrWebhookSignatureInvalid},
		{"timestamp not a number", fmt.Sprintf("t=now,v1=%s", good), body, whsec, tonegrid.ErrWebhookSignatureInvalid},
		{"huge header", fmt.Sprintf("t=%d,v1=%s,", ts, good) + strings.Repeat("v1=00,", 1000), body, whsec, tonegrid.ErrWebhookSignatureInvalid},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := billing.VerifyStripe(tt.header, []byte(tt.body), tt.secret, now)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Errorf("VerifyStripe = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestVerifyPaystack(t *testing.T) {
	const key = "sk_test_paystack"
	body := `{"event":"charge.success","data":{"reference":"tgp-1"}}`
	m := hmac.New(sha512.New, []byte(key))
	m.Write([]byte(body))
	good := hex.EncodeToString(m.Sum(nil))
	for _, tt := range []struct {
		name, header, body, key string
		ok                      bool
	}{
		{"good", good, body, key, true},
		{"as SignPaystack makes it", billing.SignPaystack(key, []byte(body)), body, key, true},
		{"upper-case hex", strings.ToUpper(good), body, key, true},
		{"body changed", good, body + "\n", key, false},
		{"other key", good, body, "sk_test_other", false},
		{"no key configured", good, body, "", false},
		{"empty header", "", body, key, false},
		{"truncated", good[:100], body, key, false},
		{"not hex", "g" + good[1:], body, key, false},
		{"sha256 length", good[:64], body, key, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := billing.VerifyPaystack(tt.header, []byte(tt.body), tt.key)
			if tt.ok != (err == nil) || (err != nil && !errors.Is(err, tonegrid.ErrWebhookSignatureInvalid)) {
				t.Errorf("VerifyPaystack = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func FuzzVerifyStripe(f *testing.F) {
	body := []byte(`{"id":"evt_1"}`)
	now := time.Unix(1_750_000_000, 0)
	f.Add(billing.SignStripe(whsec, now, body), body)
	f.Add("t=1750000000,v1=00,v1=", body)
	f.Add("t=,v1", []byte{})
	f.Add(",,,=,", []byte("x"))
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		err := billing.VerifyStripe(header, body, whsec, now)
		if err == nil && header != billing.SignStripe(whsec, now, body) {
			// Anything accepted must carry a v1 that is the HMAC of its own
			// timestamp and this body.
			ok := false
			var ts string
			for _, part := range strings.Split(header, ",") {
				if k, v, _ := strings.Cut(strings.TrimSpace(part), "="); k == "t" {
					ts = v
				}
			}
			for _, part := range strings.Split(header, ",") {
				if k, v, _ := strings.Cut(strings.TrimSpace(part), "="); k == "v1" {
					m := hmac.New(sha256.New, []byte(whsec))
					m.Write([]byte(ts + "."))
					m.Write(body)
					if strings.EqualFold(v, hex.EncodeToString(m.Sum(nil))) {
						ok = true
					}
				}
			}
			if !ok {
				t.Fatalf("accepted %q for %q", header, body)
			}
		}
		if err != nil && !errors.Is(err, tonegrid.ErrWebhookSignatureInvalid) && !errors.Is(err, tonegrid.ErrWebhookSignatureStale) {
			t.Fatalf("unexpected error %v", err)
		}
	})
}
