package mail

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"strings"
	"testing"
)

// testKey returns a KeySize-byte key filled with b.
func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

func TestSealRoundTrip(t *testing.T) {
	data := map[string]string{"code": "640213", "name": "Inês"}
	args, err := NewJob(testKey(1), "ines@example.pt", OTP, "pt-BR", data)
	if err != nil {
		t.Fatalf("NewJob: %v", err)
	}
	if args.Kind() != "mail.send" || args.Template != OTP || args.Locale != "pt" {
		t.Errorf("args = %s %s %s, want mail.send otp pt", args.Kind(), args.Template, args.Locale)
	}
	stored, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"640213", "ines@example.pt", "Inês", "ines"} {
		if bytes.Contains(stored, []byte(secret)) {
			t.Errorf("stored args %s contain %q in clear", stored, secret)
		}
	}
	var back SendArgs
	if err := json.Unmarshal(stored, &back); err != nil {
		t.Fatal(err)
	}
	p, err := back.open(testKey(1))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	if p.To != "ines@example.pt" || !maps.Equal(p.Data, data) {
		t.Errorf("opened %+v, want to ines@example.pt with %v", p, data)
	}
	again, err := NewJob(testKey(1), "ines@example.pt", OTP, "pt", data)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(again.Sealed, args.Sealed) {
		t.Error("two seals of one payload are equal: the nonce is not random")
	}
}

func TestSealDetectsTampering(t *testing.T) {
	args, err := NewJob(testKey(1), "bob@example.com", PasswordReset, "en", map[string]string{"link": "https://x.example/reset-password?token=t"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range args.Sealed {
		for _, bit := range []byte{0x01, 0x80} {
			tampered := args
			tampered.Sealed = bytes.Clone(args.Sealed)
			tampered.Sealed[i] ^= bit
			if _, err := tampered.open(testKey(1)); !errors.Is(err, ErrSealed) {
				t.Fatalf("byte %d ^ %#x: open error %v, want ErrSealed", i, bit, err)
			}
		}
	}
	for name, edit := range map[string]func(*SendArgs){
		"truncated":       func(a *SendArgs) { a.Sealed = a.Sealed[:len(a.Sealed)-1] },
		"extended":        func(a *SendArgs) { a.Sealed = append(bytes.Clone(a.Sealed), 0) },
		"empty":           func(a *SendArgs) { a.Sealed = nil },
		"other template":  func(a *SendArgs) { a.Template = Invitation },
		"other locale":    func(a *SendArgs) { a.Locale = "fr" },
		"unknown version": func(a *SendArgs) { a.Sealed = append([]byte{2}, a.Sealed[1:]...) },
		"header only":     func(a *SendArgs) { a.Sealed = a.Sealed[:13] },
		"sealed elsewhere": func(a *SendArgs) {
			other, _ := NewJob(testKey(2), "bob@example.com", a.Template, a.Locale, map[string]string{"link": "x"})
			a.Sealed = other.Sealed
		},
	} {
		tampered := args
		edit(&tampered)
		if _, err := tampered.open(testKey(1)); !errors.Is(err, ErrSealed) {
			t.Errorf("%s: open error %v, want ErrSealed", name, err)
		}
	}
	if _, err := args.open(testKey(2)); !errors.Is(err, ErrSealed) {
		t.Errorf("wrong key: open error %v, want ErrSealed", err)
	}
	if _, err := args.open(testKey(1)[:16]); !errors.Is(err, ErrKeySize) {
		t.Errorf("short key: open error %v, want ErrKeySize", err)
	}
}

func TestNewJobRejectsBadInput(t *testing.T) {
	otp := map[string]string{"code": "123456"}
	for _, tc := range []struct {
		name                   string
		key                    []byte
		to, template, locale   string
		data                   map[string]string
		wantInvalid, wantShort bool
	}{
		{name: "16-byte key", key: testKey(1)[:16], to: "a@example.com", template: OTP, data: otp, wantShort: true},
		{name: "no key", to: "a@example.com", template: OTP, data: otp, wantShort: true},
		{name: "unknown template", key: testKey(1), to: "a@example.com", template: "newsletter", data: otp},
		{name: "missing data", key: testKey(1), to: "a@example.com", template: OTP, data: map[string]string{"name": "A"}},
		{name: "header injection in To", key: testKey(1), to: "a@example.com\r\nBcc: e@evil.example", template: OTP, data: otp, wantInvalid: true},
		{name: "not an address", key: testKey(1), to: "a", template: OTP, data: otp, wantInvalid: true},
	} {
		_, err := NewJob(tc.key, tc.to, tc.template, tc.locale, tc.data)
		switch {
		case err == nil:
			t.Errorf("%s: NewJob succeeded, want an error", tc.name)
		case tc.wantInvalid && !errors.Is(err, ErrInvalidMessage):
			t.Errorf("%s: error %v, want ErrInvalidMessage", tc.name, err)
		case tc.wantShort && !errors.Is(err, ErrKeySize):
			t.Errorf("%s: error %v, want ErrKeySize", tc.name, err)
		}
	}
}

// FuzzOpenSealed feeds arbitrary stored payloads to open: it must fail
// cleanly, never panic, and never accept bytes that were not sealed.
func FuzzOpenSealed(f *testing.F) {
	args, err := NewJob(testKey(1), "bob@example.com", OTP, "en", map[string]string{"code": "123456"})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(args.Sealed, OTP, "en")
	f.Add([]byte{1}, OTP, "en")
	f.Add([]byte{}, "", "")
	f.Add(bytes.Repeat([]byte{1}, 64), Invitation, "de")
	f.Fuzz(func(t *testing.T, sealed []byte, template, locale string) {
		in := SendArgs{Template: template, Locale: locale, Sealed: sealed}
		p, err := in.open(testKey(1))
		if err == nil {
			// Only a genuine seal (the seed's, or another process's seal of
			// the same payload) may open.
			if p.To != "bob@example.com" || p.Data["code"] != "123456" || len(p.Data) != 1 || template != OTP || locale != "en" {
				t.Fatalf("opened bytes that were never sealed: %+v", p)
			}
			return
		}
		if !errors.Is(err, ErrSealed) {
			t.Fatalf("error %v does not wrap ErrSealed", err)
		}
		if strings.Contains(err.Error(), "123456") {
			t.Fatalf("error shows the payload: %v", err)
		}
	})
}
