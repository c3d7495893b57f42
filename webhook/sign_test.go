package webhook_test

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"tonegrid/webhook"
)

// The Standard Webhooks specification's published test vector, from
// github.com/standard-webhooks/standard-webhooks, libraries/go/webhook_test.go
// (TestWebhookSign; the same values are in the other reference libraries'
// tests): this secret, message id, timestamp and payload sign to vectorSig.
const (
	vectorSecret  = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorID      = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vectorUnix    = 1614265330
	vectorPayload = `{"test": 2432232314}`
	vectorSig     = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
	// vectorToneGrid is the X-ToneGrid-Signature of the same payload and
	// timestamp under the same secret, computed independently with
	// printf '%s' '1614265330.{"test": 2432232314}' |
	//   openssl dgst -sha256 -hmac 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
	vectorToneGrid = "t=1614265330,v1=2e37df5d4a028c51a7f3133d64ae1e300d2c2c900f1b1d49d4369ad2530f8964"
)

var vectorTime = time.Unix(vectorUnix, 0)

func TestSignMatchesPublishedVector(t *testing.T) {
	h, err := webhook.Sign(vectorSecret, vectorID, vectorTime, []byte(vectorPayload))
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	want := map[string]string{
		"webhook-id":           vectorID,
		"webhook-timestamp":    "1614265330",
		"webhook-signature":    vectorSig,
		"x-tonegrid-signature": vectorToneGrid,
	}
	for name, value := range want {
		if got := h.Get(name); got != value {
			t.Errorf("header %s = %q, want %q", name, got, value)
		}
	}
	if len(h) != len(want) {
		t.Errorf("Sign set %d headers (%v), want %d", len(h), h, len(want))
	}
}

func TestVerifyStandardAcceptsPublishedVector(t *testing.T) {
	h := http.Header{}
	h.Set("webhook-id", vectorID)
	h.Set("webhook-timestamp", "1614265330")
	h.Set("webhook-signature", vectorSig)
	if err := webhook.VerifyStandard(vectorSecret, h, []byte(vectorPayload), vectorTime); err != nil {
		t.Fatalf("VerifyStandard(published vector) = %v, want nil", err)
	}
}

func TestSignVerifyRoundTrip(t *testing.T) {
	secret := webhook.NewSecret()
	body := []byte(`{"id":"evt_1","type":"webhook.test","data":{}}`)
	now := time.Now()
	h, err := webhook.Sign(secret, "evt_1", now, body)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	if err := webhook.VerifyToneGrid(secret, h, body, now); err != nil {
		t.Errorf("VerifyToneGrid(own signature) = %v", err)
	}
	if err := webhook.VerifyStandard(secret, h, body, now); err != nil {
		t.Errorf("VerifyStandard(own signature) = %v", err)
	}
}

func TestNewSecret(t *testing.T) {
	a, b := webhook.NewSecret(), webhook.NewSecret()
	if a == b {
		t.Fatalf("two secrets are equal: %q", a)
	}
	encoded, ok := strings.CutPrefix(a, "whsec_")
	if !ok {
		t.Fatalf("secret %q lacks whsec_", a)
	}
	key, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil || len(key) != 32 {
		t.Fatalf("secret %q decodes to %d bytes, %v; want 32 bytes", a, len(key), err)
	}
	if !webhook.ValidSecret(a) {
		t.Errorf("ValidSecret(NewSecret()) = false")
	}
}

func TestValidSecret(t *testing.T) {
	for _, tc := range []struct {
		secret string
		want   bool
	}{
		{vectorSecret, true}, // 24 bytes, the minimum
		{"whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 64)), true},
		{"whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 23)), false},
		{"whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 65)), false},
		{"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", false},       // no prefix
		{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS!", false}, // not base64
		{"whsec_" + strings.Repeat("A", 43), false},       // bad padding
		{"whsk_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", false},  // asymmetric prefix
		{"", false},
	} {
		if got := webhook.ValidSecret(tc.secret); got != tc.want {
			t.Errorf("ValidSecret(%q) = %v, want %v", tc.secret, got, tc.want)
		}
	}
}

func TestSignRefusesBadInput(t *testing.T) {
	for _, tc := range []struct {
		name, secret, id string
		want             error
	}{
		{"secret without prefix", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", vectorID, webhook.ErrInvalidSecret},
		{"empty id", vectorSecret, "", webhook.ErrInvalidMessageID},
		{"id with dot", vectorSecret, "msg.1", webhook.ErrInvalidMessageID},
		{"id with newline", vectorSecret, "msg\r\nX-Evil: 1", webhook.ErrInvalidMessageID},
		{"id too long", vectorSecret, strings.Repeat("a", 129), webhook.ErrInvalidMessageID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := webhook.Sign(tc.secret, tc.id, vectorTime, []byte("{}"))
			if !errors.Is(err, tc.want) || h != nil {
				t.Errorf("Sign = %v, %v; want nil, %v", h, err, tc.want)
			}
		})
	}
}

// signedVector returns the headers Sign gives the published vector.
func signedVector(t *testing.T) http.Header {
	t.Helper()
	h, err := webhook.Sign(vectorSecret, vectorID, vectorTime, []byte(vectorPayload))
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	return h
}

// otherSecret is a valid secret that did not sign anything here.
const otherSecret = "whsec_c2VjcmV0LW9mLWFub3RoZXItZW5kcG9pbnQxMjM0"

func TestVerifyToneGrid(t *testing.T) {
	good := strings.TrimPrefix(vectorToneGrid, "t=1614265330,")
	wrong := "v1=" + strings.Repeat("0", 64)
	for _, tc := range []struct {
		name   string
		secret string
		header string // X-ToneGrid-Signature; "-" leaves it out
		body   string
		now    time.Time
		want   error // nil means accepted
	}{
		{"good", vectorSecret, vectorToneGrid, vectorPayload, vectorTime, nil},
		{"300 s late is still fresh", vectorSecret, vectorToneGrid, vectorPayload, vectorTime.Add(300 * time.Second), nil},
		{"300.9 s late counts whole seconds", vectorSecret, vectorToneGrid, vectorPayload, vectorTime.Add(300*time.Second + 900*time.Millisecond), nil},
		{"300 s early is still fresh", vectorSecret, vectorToneGrid, vectorPayload, vectorTime.Add(-300 * time.Second), nil},
		{"stale", vectorSecret, vectorToneGrid, vectorPayload, vectorTime.Add(301 * time.Second), webhook.ErrTimestampOutOfTolerance},
		{"from the future", vectorSecret, vectorToneGrid, vectorPayload, vectorTime.Add(-301 * time.Second), webhook.ErrTimestampOutOfTolerance},
		{"tampered body", vectorSecret, vectorToneGrid, `{"test": 2432232315}`, vectorTime, webhook.ErrSignatureMismatch},
		{"body with extra space", vectorSecret, vectorToneGrid, vectorPayload + " ", vectorTime, webhook.ErrSignatureMismatch},
		{"wrong secret", otherSecret, vectorToneGrid, vectorPayload, vectorTime, webhook.ErrSignatureMismatch},
		{"empty secret", "", vectorToneGrid, vectorPayload, vectorTime, webhook.ErrInvalidSecret},
		{"tampered timestamp", vectorSecret, "t=1614265331," + good, vectorPayload, vectorTime, webhook.ErrSignatureMismatch},
		{"several v1, one good", vectorSecret, "t=1614265330," + wrong + "," + good + "," + wrong, vectorPayload, vectorTime, nil},
		{"several v1, none good", vectorSecret, "t=1614265330," + wrong + "," + wrong, vectorPayload, vectorTime, webhook.ErrSignatureMismatch},
		{"v1 before t, spaces, unknown keys", vectorSecret, good + ", v0=abc , t=1614265330", vectorPayload, vectorTime, nil},
		{"upper-case hex", vectorSecret, "t=1614265330,v1=" + strings.ToUpper(strings.TrimPrefix(good, "v1=")), vectorPayload, vectorTime, nil},
		{"missing header", vectorSecret, "-", vectorPayload, vectorTime, webhook.ErrMalformedHeader},
		{"empty header", vectorSecret, "", vectorPayload, vectorTime, webhook.ErrMalformedHeader},
		{"no t", vectorSecret, good, vectorPayload, vectorTime, webhook.ErrMalformedHeader},
		{"two t", vectorSecret, "t=1614265330,t=1614265330," + good, vectorPayload, vectorTime, webhook.ErrMalformedHeader},
		{"t not a number", vectorSecret, "t=soon," + good, vectorPayload, vectorTime, webhook.ErrMalformedHeader},
		{"negative t", vectorSecret, "t=-1614265330," + good, vectorPayload, vectorTime, webhook.ErrMalformedHeader},
		{"t far too long", vectorSecret, "t=99999999999999999999," + good, vectorPayload, vectorTime, webhook.ErrMalformedHeader},
		{"no v1", vectorSecret, "t=1614265330", vectorPayload, vectorTime, webhook.ErrMalformedHeader},
		{"v1 short", vectorSecret, "t=1614265330,v1=2e37", vectorPayload, vectorTime, webhook.ErrMalformedHeader},
		{"v1 not hex", vectorSecret, "t=1614265330,v1=" + strings.Repeat("z", 64), vectorPayload, vectorTime, webhook.ErrMalformedHeader},
		{"item without =", vectorSecret, "t=1614265330,junk," + good, vectorPayload, vectorTime, webhook.ErrMalformedHeader},
		{"semicolons", vectorSecret, "t=1614265330;" + good, vectorPayload, vectorTime, webhook.ErrMalformedHeader},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.header != "-" {
				h.Set("X-ToneGrid-Signature", tc.header)
			}
			err := webhook.VerifyToneGrid(tc.secret, h, []byte(tc.body), tc.now)
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("VerifyToneGrid = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestVerifyStandard(t *testing.T) {
	wrongSig := "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="
	for _, tc := range []struct {
		name   string
		secret string
		edit   func(h http.Header)
		body   string
		now    time.Time
		want   error
	}{
		{"good", vectorSecret, nil, vectorPayload, vectorTime, nil},
		{"300 s late", vectorSecret, nil, vectorPayload, vectorTime.Add(300 * time.Second), nil},
		{"stale", vectorSecret, nil, vectorPayload, vectorTime.Add(301 * time.Second), webhook.ErrTimestampOutOfTolerance},
		{"from the future", vectorSecret, nil, vectorPayload, vectorTime.Add(-301 * time.Second), webhook.ErrTimestampOutOfTolerance},
		{"tampered body", vectorSecret, nil, `{"test": 2432232315}`, vectorTime, webhook.ErrSignatureMismatch},
		{"wrong secret", otherSecret, nil, vectorPayload, vectorTime, webhook.ErrSignatureMismatch},
		{"secret not whsec_", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", nil, vectorPayload, vectorTime, webhook.ErrInvalidSecret},
		{"other id", vectorSecret, func(h http.Header) { h.Set("webhook-id", "msg_other") }, vectorPayload, vectorTime, webhook.ErrSignatureMismatch},
		{"other timestamp", vectorSecret, func(h http.Header) { h.Set("webhook-timestamp", "1614265331") }, vectorPayload, vectorTime, webhook.ErrSignatureMismatch},
		{"several signatures, one good", vectorSecret, func(h http.Header) {
			h.Set("webhook-signature", wrongSig+" v1a,"+strings.TrimPrefix(vectorSig, "v1,")+"  "+vectorSig+" "+wrongSig)
		}, vectorPayload, vectorTime, nil},
		{"good signature under another version", vectorSecret, func(h http.Header) {
			h.Set("webhook-signature", "v2,"+strings.TrimPrefix(vectorSig, "v1,"))
		}, vectorPayload, vectorTime, webhook.ErrSignatureMismatch},
		{"several signatures, none good", vectorSecret, func(h http.Header) {
			h.Set("webhook-signature", wrongSig+" "+wrongSig)
		}, vectorPayload, vectorTime, webhook.ErrSignatureMismatch},
		{"entry without comma", vectorSecret, func(h http.Header) {
			h.Set("webhook-signature", "v1 "+vectorSig)
		}, vectorPayload, vectorTime, nil},
		{"signature not base64", vectorSecret, func(h http.Header) {
			h.Set("webhook-signature", "v1,"+strings.Repeat("!", 44))
		}, vectorPayload, vectorTime, webhook.ErrSignatureMismatch},
		{"missing id", vectorSecret, func(h http.Header) { h.Del("webhook-id") }, vectorPayload, vectorTime, webhook.ErrMalformedHeader},
		{"missing timestamp", vectorSecret, func(h http.Header) { h.Del("webhook-timestamp") }, vectorPayload, vectorTime, webhook.ErrMalformedHeader},
		{"missing signature", vectorSecret, func(h http.Header) { h.Del("webhook-signature") }, vectorPayload, vectorTime, webhook.ErrMalformedHeader},
		{"id with dot", vectorSecret, func(h http.Header) { h.Set("webhook-id", "msg.1") }, vectorPayload, vectorTime, webhook.ErrMalformedHeader},
		{"timestamp not a number", vectorSecret, func(h http.Header) { h.Set("webhook-timestamp", "1614265330.5") }, vectorPayload, vectorTime, webhook.ErrMalformedHeader},
		{"timestamp negative", vectorSecret, func(h http.Header) { h.Set("webhook-timestamp", "-1") }, vectorPayload, vectorTime, webhook.ErrMalformedHeader},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := signedVector(t)
			if tc.edit != nil {
				tc.edit(h)
			}
			err := webhook.VerifyStandard(tc.secret, h, []byte(tc.body), tc.now)
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("VerifyStandard = %v, want %v", err, tc.want)
			}
		})
	}
}
