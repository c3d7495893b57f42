package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"tonegrid/webhook"
)

// oneOf reports whether err wraps one of wants.
func oneOf(err error, wants ...error) bool {
	for _, w := range wants {
		if errors.Is(err, w) {
			return true
		}
	}
	return false
}

func FuzzVerifyToneGrid(f *testing.F) {
	f.Add(vectorToneGrid, []byte(vectorPayload))
	f.Add("t=1614265330,v1=00,v1="+strings.Repeat("ab", 32), []byte("{}"))
	f.Add(" t=1 , v1= ,v0=x,=,,", []byte(""))
	f.Add("t=1614265330,t=1614265330", []byte("x"))
	f.Add("v1="+strings.TrimPrefix(vectorToneGrid, "t=1614265330,v1="), []byte(vectorPayload))
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		h := http.Header{}
		h.Set(webhook.HeaderToneGridSignature, header)
		err := webhook.VerifyToneGrid(vectorSecret, h, body, vectorTime)
		if err != nil {
			if !oneOf(err, webhook.ErrMalformedHeader, webhook.ErrTimestampOutOfTolerance, webhook.ErrSignatureMismatch) {
				t.Fatalf("VerifyToneGrid(%q) = %v, an error of no known kind", header, err)
			}
		} else {
			// Accepted: the header must hold the true signature of its t.
			var tValue string
			for item := range strings.SplitSeq(header, ",") {
				if v, ok := strings.CutPrefix(strings.Trim(item, " \t"), "t="); ok {
					tValue = v
				}
			}
			m := hmac.New(sha256.New, []byte(vectorSecret))
			m.Write([]byte(tValue + "."))
			m.Write(body)
			if !strings.Contains(strings.ToLower(header), "v1="+hex.EncodeToString(m.Sum(nil))) {
				t.Fatalf("VerifyToneGrid accepted %q without the true signature", header)
			}
		}

		signed, err := webhook.Sign(vectorSecret, vectorID, vectorTime, body)
		if err != nil {
			t.Fatalf("Sign: %v", err)
		}
		if err := webhook.VerifyToneGrid(vectorSecret, signed, body, vectorTime); err != nil {
			t.Fatalf("VerifyToneGrid(Sign(%q)) = %v", body, err)
		}
		if err := webhook.VerifyToneGrid(vectorSecret, signed, append(body, 'x'), vectorTime); !errors.Is(err, webhook.ErrSignatureMismatch) {
			t.Fatalf("VerifyToneGrid of a longer body = %v, want ErrSignatureMismatch", err)
		}
	})
}

func FuzzVerifyStandard(f *testing.F) {
	f.Add(vectorID, "1614265330", vectorSig, []byte(vectorPayload))
	f.Add("msg_1", "1614265330", "v1,xx v1a,yy  v1,"+strings.Repeat("A", 44), []byte("{}"))
	f.Add("a.b", "1614265330", vectorSig, []byte(""))
	f.Add(vectorID, "01614265330", vectorSig, []byte(vectorPayload))
	f.Add(vectorID, "-1", ",", []byte("x"))
	f.Fuzz(func(t *testing.T, id, ts, sigs string, body []byte) {
		h := http.Header{}
		h.Set(webhook.HeaderWebhookID, id)
		h.Set(webhook.HeaderWebhookTimestamp, ts)
		h.Set(webhook.HeaderWebhookSignature, sigs)
		err := webhook.VerifyStandard(vectorSecret, h, body, vectorTime)
		if err != nil {
			if !oneOf(err, webhook.ErrMalformedHeader, webhook.ErrTimestampOutOfTolerance, webhook.ErrSignatureMismatch) {
				t.Fatalf("VerifyStandard(%q, %q, %q) = %v, an error of no known kind", id, ts, sigs, err)
			}
		} else {
			// Accepted: the list must hold the true signature.
			key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(vectorSecret, "whsec_"))
			m := hmac.New(sha256.New, key)
			m.Write([]byte(id + "." + ts + "."))
			m.Write(body)
			if !strings.Contains(sigs, "v1,"+base64.StdEncoding.EncodeToString(m.Sum(nil))) {
				t.Fatalf("VerifyStandard accepted %q, %q, %q without the true signature", id, ts, sigs)
			}
		}

		signed, err := webhook.Sign(vectorSecret, vectorID, vectorTime, body)
		if err != nil {
			t.Fatalf("Sign: %v", err)
		}
		if err := webhook.VerifyStandard(vectorSecret, signed, body, vectorTime); err != nil {
			t.Fatalf("VerifyStandard(Sign(%q)) = %v", body, err)
		}
	})
}

// referenceMatch is Match written the obvious way, as the fuzz oracle.
func referenceMatch(pattern, eventType string) bool {
	if pattern == "*" {
		return eventType != ""
	}
	ps, es := strings.Split(pattern, "."), strings.Split(eventType, ".")
	if len(ps) != len(es) {
		return false
	}
	for i := range ps {
		if es[i] == "" || ps[i] != "*" && ps[i] != es[i] {
			return false
		}
	}
	return true
}

func FuzzMatch(f *testing.F) {
	for _, seed := range [][2]string{
		{"*", "release.created"}, {"release.dsp.*.*", "release.dsp.spotify.live"}, {"ingestion.*", "ingestion.failed"},
		{"release.*", "release.dsp.spotify.live"}, {"*.*", "a.."}, {"", ""}, {"..", ".."}, {"*.", "a."},
		{"release.dsp.*", "release.dsp.x"}, {"foo.*", "foo.bar"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, pattern, eventType string) {
		got := webhook.Match(pattern, eventType)
		if want := referenceMatch(pattern, eventType); got != want {
			t.Fatalf("Match(%q, %q) = %v, reference says %v", pattern, eventType, got, want)
		}
		if webhook.ValidEventType(eventType) {
			if !webhook.ValidPattern(eventType) || !webhook.Match(eventType, eventType) || !webhook.Match("*", eventType) {
				t.Fatalf("event type %q is not a valid pattern matching itself and *", eventType)
			}
		}
		if webhook.ValidPattern(pattern) && pattern != "*" {
			for seg := range strings.SplitSeq(pattern, ".") {
				if seg == "" || seg != "*" && strings.Trim(seg, "abcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
					t.Fatalf("ValidPattern(%q) accepted segment %q", pattern, seg)
				}
			}
		}
	})
}

// publicResolver answers every name with one public address.
type publicResolver struct{}

func (publicResolver) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	return []netip.Addr{netip.MustParseAddr("93.184.215.14")}, nil
}

func FuzzCheckURL(f *testing.F) {
	for _, seed := range []string{
		"https://hooks.example.com/x", "http://127.0.0.1/", "http://[::ffff:10.0.0.1]:80/", "http://2130706433/",
		"https://user@host/", "http://[fe80::1%25eth0]/", "ftp://x/", "http://0x7f.1/", "http://host:0/",
		"http://[::1]:65535", "https://a.b.c:443/?q#f", "http:/x", "http://[2001:db8::1]/",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		err := webhook.CheckURL(context.Background(), raw, webhook.Options{Resolver: publicResolver{}})
		if err != nil {
			if !oneOf(err, webhook.ErrInvalidURL, webhook.ErrBlockedAddress, webhook.ErrUnresolvable) {
				t.Fatalf("CheckURL(%q) = %v, an error of no known kind", raw, err)
			}
			return
		}
		u, perr := url.Parse(raw)
		if perr != nil || u.Scheme != "http" && u.Scheme != "https" || u.User != nil || u.Hostname() == "" || len(raw) > webhook.MaxURLLength {
			t.Fatalf("CheckURL accepted %q (%v)", raw, perr)
		}
		if addr, err := netip.ParseAddr(u.Hostname()); err == nil && !webhook.PublicAddr(addr) {
			t.Fatalf("CheckURL accepted %q, whose host is the non-public %s", raw, addr)
		}
	})
}

func FuzzDecodeEvent(f *testing.F) {
	f.Add([]byte(`{"id":"e1","type":"payout.paid","created_at":"2026-01-01T00:00:00.123456789+02:00","tenant_uuid":"t","data":{"a":[1,"<"]}}`))
	f.Add([]byte(`{"id":"e1","type":"release.dsp.x.live","created_at":"2026-01-01T00:00:00Z","tenant_uuid":"t","data":{ }}`))
	f.Add([]byte(`{"id":"e.1"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		e, err := webhook.DecodeEvent(body)
		if err != nil {
			if !errors.Is(err, webhook.ErrInvalidEvent) {
				t.Fatalf("DecodeEvent = %v, not ErrInvalidEvent", err)
			}
			return
		}
		first, err := e.Encode()
		if err != nil {
			return // a decodable event may still be unencodable (a year past 9999)
		}
		again, err := webhook.DecodeEvent(first)
		if err != nil {
			t.Fatalf("DecodeEvent(Encode()) = %v for %s", err, first)
		}
		second, err := again.Encode()
		if err != nil || string(second) != string(first) {
			t.Fatalf("encoding is not canonical:\n%s\n%s (%v)", first, second, err)
		}
	})
}
