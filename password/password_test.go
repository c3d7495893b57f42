package password

import (
	"strings"
	"testing"
)

// fast keeps the tests quick; Default's costs are checked separately.
var fast = Params{MemoryKiB: 64, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}

func TestHashAndVerify(t *testing.T) {
	h, err := Hash("correct horse battery staple", fast)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q", h)
	}
	if ok, err := Verify("correct horse battery staple", h); !ok || err != nil {
		t.Errorf("right password: %v %v", ok, err)
	}
	if ok, err := Verify("correct horse battery stapl", h); ok || err != nil {
		t.Errorf("wrong password: %v %v", ok, err)
	}
	h2, _ := Hash("correct horse battery staple", fast)
	if h2 == h {
		t.Error("two hashes of one password are equal: no salt")
	}
}

func TestVerifyRejectsMalformedHashes(t *testing.T) {
	for _, h := range []string{"", "plain", "$2a$10$bcrypt", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA",
		"$argon2id$v=18$m=64,t=1,p=1$c2FsdA$aGFzaA", "$argon2id$v=19$m=x$c2FsdA$aGFzaA", "$argon2id$v=19$m=64,t=1,p=1$!!$aGFzaA",
		"$argon2id$v=19$m=64,t=1,p=1$c2FsdA$"} {
		if ok, err := Verify("x", h); ok || err == nil {
			t.Errorf("Verify(%q) = %v, %v", h, ok, err)
		}
	}
}

func TestDefaultMeetsTheFloor(t *testing.T) {
	if Default.MemoryKiB < 19*1024 || Default.Iterations < 2 || Default.Parallelism != 1 {
		t.Fatalf("Default = %+v", Default)
	}
	h, _ := Hash("x", fast)
	if !NeedsRehash(h, Default) {
		t.Error("a cheap hash does not need a rehash")
	}
}

func TestGenerate(t *testing.T) {
	a, b := Generate(), Generate()
	if len(a) < 20 || a == b {
		t.Fatalf("Generate() = %q, %q", a, b)
	}
}
