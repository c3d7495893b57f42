package auth

import (
	"strings"
	"testing"
	"time"

	"tonegrid"
)

func testSigner(t testing.TB, now time.Time) *Signer {
	t.Helper()
	s, err := NewSigner([]byte(strings.Repeat("k", 32)), func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var (
	testUser   = &tonegrid.User{UUID: "0193f7d0-0000-7000-8000-0000000000aa", TokenVersion: 3}
	testTenant = &tonegrid.Tenant{UUID: "0193f7d0-0000-7000-8000-0000000000bb"}
)

func TestSignerRoundTrip(t *testing.T) {
	now := time.Now()
	s := testSigner(t, now)
	tok, err := s.Issue(testUser, testTenant, tonegrid.RoleStaff, "")
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Parse(tok)
	if err != nil {
		t.Fatal(err)
	}
	if c.Subject != testUser.UUID || c.Tenant != testTenant.UUID || c.Role != tonegrid.RoleStaff || c.Version != 3 || c.Act != nil {
		t.Errorf("claims = %+v", c)
	}
	if got := c.ExpiresAt.Sub(now); got < 59*time.Minute || got > time.Hour+time.Second {
		t.Errorf("lifetime %v", got)
	}
	actTok, _ := s.Issue(testUser, testTenant, tonegrid.RoleLabelAdmin, "home-tenant")
	if c, err := s.Parse(actTok); err != nil || c.Act == nil || c.Act.Subject != testUser.UUID || c.Act.Tenant != "home-tenant" {
		t.Errorf("act claims = %+v, %v", c, err)
	}

	// Seen from 2 hours later, the token has expired.
	if _, err := testSigner(t, now.Add(2*time.Hour)).Parse(tok); err == nil {
		t.Error("expired token accepted")
	}
	// Seen from before its issue (beyond the leeway), it is not valid yet.
	if _, err := testSigner(t, now.Add(-time.Hour)).Parse(tok); err == nil {
		t.Error("token accepted before its not-before")
	}
	if _, err := NewSigner([]byte("short"), nil); err == nil {
		t.Error("short key accepted")
	}
}

func TestVerifyRemembersOnlyValidTokensUntilTheyExpire(t *testing.T) {
	now := time.Now()
	s, err := NewSigner([]byte(strings.Repeat("k", 32)), func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s.Issue(testUser, testTenant, tonegrid.RoleStaff, "")
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := s.Verify(tok); err != nil || again != first {
		t.Errorf("second Verify = %p, %v; want the remembered claims %p", again, err, first)
	}
	// A token differing in one signature character is verified, and
	// refused, not taken from memory.
	i := len(tok) - 10
	swap := byte('A')
	if tok[i] == 'A' {
		swap = 'B'
	}
	forged := tok[:i] + string(swap) + tok[i+1:]
	if _, err := s.Verify(forged); err == nil {
		t.Error("forged token accepted")
	}
	// Past its expiry (and the leeway), the remembered token is refused.
	now = now.Add(AccessTTL + leeway + time.Second)
	s.verified.put(tok, first)
	if _, err := s.Verify(tok); err == nil {
		t.Error("expired token accepted from memory")
	}
}

// FuzzParse feeds arbitrary strings, and mutations of a valid token, to the
// token parser: it must never panic, and anything it accepts must carry the
// claims that were signed.
func FuzzParse(f *testing.F) {
	now := time.Now()
	s := testSigner(f, now)
	valid, _ := s.Issue(testUser, testTenant, tonegrid.RoleStaff, "")
	f.Add(valid)
	f.Add(valid[:len(valid)-1])
	f.Add(strings.Replace(valid, ".", "..", 1))
	f.Add("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")
	f.Add("a.b.c")
	f.Add("")
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := s.Parse(tok)
		if err != nil {
			return
		}
		if c.Subject != testUser.UUID || c.Tenant != testTenant.UUID || c.Role != tonegrid.RoleStaff {
			t.Fatalf("forged token %q accepted with claims %+v", tok, c)
		}
	})
}

func TestValidatePassword(t *testing.T) {
	for _, tt := range []struct {
		pw, email string
		want      string
	}{
		{"tr0mbone-sunrise-42", "a@example.com", ""},
		{"", "", "required"},
		{"short", "", "too_short"},
		{"ééééééééé", "", "too_short"},
		{strings.Repeat("ab1", 43), "", "too_long"},
		{"qwertyuiop", "", "common_password"},
		{"QWERTYUIOP", "", "common_password"},
		{"zzzzzzzzzzzz", "", "common_password"},
		{"abcabcabcabc", "", "common_password"},
		{"me@example.com", "me@example.com", "common_password"},
	} {
		var v tonegrid.Violations
		ValidatePassword(&v, "password", tt.pw, tt.email)
		got := ""
		if fe := v["password"]; len(fe) > 0 {
			got = fe[0].Code
		}
		if got != tt.want {
			t.Errorf("ValidatePassword(%q) = %q, want %q", tt.pw, got, tt.want)
		}
	}
	if len(common) < 20000 {
		t.Errorf("only %d common passwords loaded", len(common))
	}
}

func TestValidToken(t *testing.T) {
	for _, tt := range []struct {
		tok  string
		want bool
	}{
		{"rft_" + strings.Repeat("a", 40), true},
		{"rft_" + strings.Repeat("a", 39), false},
		{"rft_" + strings.Repeat("a", 39) + "-", false},
		{"tgk_" + strings.Repeat("a", 40), false},
	} {
		if got := validToken(tt.tok, "rft_"); got != tt.want {
			t.Errorf("validToken(%q) = %v", tt.tok, got)
		}
	}
}
