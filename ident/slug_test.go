package ident

import (
	"regexp"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

var (
	slugShape         = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	fallbackSlugShape = regexp.MustCompile(`^artist-[0-9a-f]{8}$`)
)

func TestSlugify(t *testing.T) {
	cases := []struct{ name, want string }{
		{"Beyoncé Knowles", "beyonce-knowles"},
		{"Sigur Rós", "sigur-ros"},
		{"Mötley Crüe", "motley-crue"},
		{"  AC/DC  ", "ac-dc"},
		{"Destiny's Child", "destinys-child"},
		{"Guns N’ Roses", "guns-n-roses"},
		{"Ólafur Arnalds", "olafur-arnalds"},
		{"Mø", "mo"},
		{"Die Ärzte & Straßenjungs", "die-arzte-strassenjungs"},
		{"Łódź Łobuzy", "lodz-lobuzy"},
		{"Sezen Aksu İstanbul", "sezen-aksu-istanbul"},
		{"Æon Flux", "aeon-flux"},
		{"ＡＢＣ ﬁve", "abc-five"}, // full-width letters and a ligature
		{"2Pac", "2pac"},
		{"--Hello___World--", "hello-world"},
		{"BTS (방탄소년단)", "bts"},
		{"Zoë\u0301", "zoe"},
		{strings.Repeat("abc ", 40), strings.TrimSuffix(strings.Repeat("abc-", 20), "-")},
		{strings.Repeat("x", 100), strings.Repeat("x", 80)},
	}
	for _, c := range cases {
		got := Slugify(c.name)
		if got != c.want {
			t.Errorf("Slugify(%q) = %q, want %q", c.name, got, c.want)
		}
		if !slugShape.MatchString(got) || len(got) > 80 {
			t.Errorf("Slugify(%q) = %q, not a slug of at most 80 characters", c.name, got)
		}
	}
}

func TestSlugifyFallback(t *testing.T) {
	names := []string{"방탄소년단", "宇多田ヒカル", "Кино", "!!!", "", "   ", "★"}
	seen := map[string]string{}
	for _, name := range names {
		got := Slugify(name)
		if !fallbackSlugShape.MatchString(got) {
			t.Errorf("Slugify(%q) = %q, want artist- and 8 hex digits", name, got)
		}
		if again := Slugify(name); again != got {
			t.Errorf("Slugify(%q) = %q then %q: not stable", name, got, again)
		}
		if other, dup := seen[got]; dup && strings.TrimSpace(other) != strings.TrimSpace(name) {
			t.Errorf("Slugify(%q) and Slugify(%q) are both %q", other, name, got)
		}
		seen[got] = name
	}
	composed, decomposed := "방탄소년단", norm.NFD.String("방탄소년단")
	if composed == decomposed {
		t.Fatal("test setup: NFD did not decompose the Hangul syllables")
	}
	if Slugify(composed) != Slugify(decomposed) {
		t.Errorf("Slugify gives %q for composed and %q for decomposed Hangul", Slugify(composed), Slugify(decomposed))
	}
	if Slugify("Кино") == Slugify("Кин") {
		t.Error("Slugify gives the same fallback for two different names")
	}
}
