package secret

import (
	"strings"
	"testing"
)

func TestToken(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		tok := Token("tgk_", 40)
		if len(tok) != 44 || !strings.HasPrefix(tok, "tgk_") || !IsBase62(tok[4:]) {
			t.Fatalf("Token = %q", tok)
		}
		if seen[tok] {
			t.Fatalf("duplicate token %q", tok)
		}
		seen[tok] = true
	}
}

func TestTokenAlphabetIsUniform(t *testing.T) {
	counts := map[byte]int{}
	const n = 62 * 2000
	s := Token("", n)
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	if len(counts) != 62 {
		t.Fatalf("%d distinct characters", len(counts))
	}
	for c, k := range counts {
		// Expected 2000 each; 6 sigma is about ±270.
		if k < 1700 || k > 2300 {
			t.Errorf("character %q drawn %d times of %d", c, k, n)
		}
	}
}

func TestDigits(t *testing.T) {
	leadingZero := false
	for i := 0; i < 2000; i++ {
		d := Digits(6)
		if len(d) != 6 || strings.Trim(d, "0123456789") != "" {
			t.Fatalf("Digits(6) = %q", d)
		}
		leadingZero = leadingZero || d[0] == '0'
	}
	if !leadingZero {
		t.Error("no code starts with 0 in 2000 draws: codes are not uniform")
	}
}

func TestHashAndEqual(t *testing.T) {
	if Hash("abc") != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Errorf("Hash(abc) = %s", Hash("abc"))
	}
	if !Equal("same", "same") || Equal("same", "Same") || Equal("a", "ab") {
		t.Error("Equal is wrong")
	}
	k1, k2 := DeriveKey([]byte("master"), "a"), DeriveKey([]byte("master"), "b")
	if KeyedHash(k1, "123456") == KeyedHash(k2, "123456") || len(k1) != 32 {
		t.Error("derived keys are not independent")
	}
}

func TestSealer(t *testing.T) {
	s, err := NewSealer(DeriveKey([]byte("master"), "seal"))
	if err != nil {
		t.Fatal(err)
	}
	sealed := s.Seal([]byte("sftp password"), "dsp:spotify")
	if strings.Contains(sealed, "password") {
		t.Fatal("sealed value leaks the plaintext")
	}
	got, err := s.Open(sealed, "dsp:spotify")
	if err != nil || string(got) != "sftp password" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	other, _ := NewSealer(DeriveKey([]byte("other"), "seal"))
	for name, tc := range map[string]struct {
		s       *Sealer
		sealed  string
		context string
	}{
		"wrong context": {s, sealed, "dsp:deezer"},
		"wrong key":     {other, sealed, "dsp:spotify"},
		"tampered":      {s, sealed[:len(sealed)-2] + "AA", "dsp:spotify"},
		"truncated":     {s, sealed[:10], "dsp:spotify"},
		"no version":    {s, "xx" + sealed, "dsp:spotify"},
		"empty":         {s, "", "dsp:spotify"},
	} {
		if _, err := tc.s.Open(tc.sealed, tc.context); err != ErrUnsealable {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	if _, err := NewSealer([]byte("short")); err == nil {
		t.Error("short key accepted")
	}
}
