package ident

import (
	"regexp"
	"strings"
	"testing"
)

var (
	isrcShape = regexp.MustCompile(`^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$`)
	isniShape = regexp.MustCompile(`^[0-9]{15}[0-9X]$`)
	ipiShape  = regexp.MustCompile(`^[0-9]{11}$`)
	iswcShape = regexp.MustCompile(`^T[0-9]{10}$`)
)

// fuzzNormalize checks one input of a Normalize* function: it must not panic,
// an accepted value must have the canonical shape, and normalizing the output
// again must give the output unchanged.
func fuzzNormalize(t *testing.T, name string, normalize func(string) (string, bool), shape *regexp.Regexp, in string) {
	t.Helper()
	out, ok := normalize(in)
	if !ok {
		if out != "" {
			t.Fatalf("%s(%q) refused the input but returned %q", name, in, out)
		}
		return
	}
	if !shape.MatchString(out) {
		t.Fatalf("%s(%q) = %q, which does not match %s", name, in, out, shape)
	}
	again, ok := normalize(out)
	if !ok || again != out {
		t.Fatalf("%s(%q) = %q, but %s(%q) = %q, %v", name, in, out, name, out, again, ok)
	}
}

func FuzzNormalizeISRC(f *testing.F) {
	for _, seed := range []string{"USRC17607839", "us-rc1-76-07839", " QMZG32500017 ", "US-RC17607839", "ÜSRC1760783"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		fuzzNormalize(t, "NormalizeISRC", NormalizeISRC, isrcShape, in)
	})
}

func FuzzNormalizeISNI(f *testing.F) {
	for _, seed := range []string{"0000 0001 2281 955X", "0000-0002-1825-0097", "000000021694233x", "0000 0001-2281 955X"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		fuzzNormalize(t, "NormalizeISNI", NormalizeISNI, isniShape, in)
	})
}

func FuzzNormalizeIPI(f *testing.F) {
	for _, seed := range []string{"00052210040", "252210040", " 0052210040 ", "I-000000229-7"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		fuzzNormalize(t, "NormalizeIPI", NormalizeIPI, ipiShape, in)
	})
}

func FuzzNormalizeISWC(f *testing.F) {
	for _, seed := range []string{"T-034.524.680-1", "t0345246801", " T-070.116.513-0 ", "T-034524680-1"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		fuzzNormalize(t, "NormalizeISWC", NormalizeISWC, iswcShape, in)
	})
}

func FuzzNormalizeLocaleTag(f *testing.F) {
	for _, seed := range []string{"pt-br", "zh-hant", "sr_Latn_RS", "es-419", "iw", "i-klingon", "und", "en-US-u-ca-buddhist", "zh-min-nan", "sgn-BE-FR"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		fuzzNormalize(t, "NormalizeLocaleTag", NormalizeLocaleTag, ddexLanguageAndScriptCode, in)
	})
}

// FuzzNormalizeTerritories takes a comma-separated list of codes.
func FuzzNormalizeTerritories(f *testing.F) {
	for _, seed := range []string{"fr, us,FR,de", "ww", "WW,ww", "WW,FR", "FR,XX", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		list := strings.Split(in, ",")
		out, err := NormalizeTerritories(list)
		if err != nil {
			if out != nil {
				t.Fatalf("NormalizeTerritories(%q) = %q with error %v", list, out, err)
			}
			return
		}
		for i, code := range out {
			if !ValidTerritory(code) || (i > 0 && out[i-1] >= code) || (code == worldwide && len(out) > 1) {
				t.Fatalf("NormalizeTerritories(%q) = %q: not sorted valid unique codes with WW alone", list, out)
			}
		}
		again, err := NormalizeTerritories(out)
		if err != nil || strings.Join(again, ",") != strings.Join(out, ",") {
			t.Fatalf("NormalizeTerritories(%q) = %q, but NormalizeTerritories(%q) = %q, %v", list, out, out, again, err)
		}
	})
}

// FuzzSlugify checks that every name gives a slug of the right shape and that
// a slug is its own slug.
func FuzzSlugify(f *testing.F) {
	for _, seed := range []string{"Beyoncé Knowles", "Guns N’ Roses", "방탄소년단", "!!!", "", "ＡＢＣ ﬁve", strings.Repeat("abc ", 40)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, name string) {
		slug := Slugify(name)
		if !slugShape.MatchString(slug) || len(slug) > maxSlugLen {
			t.Fatalf("Slugify(%q) = %q, not a slug of at most %d characters", name, slug, maxSlugLen)
		}
		if again := Slugify(slug); again != slug {
			t.Fatalf("Slugify(%q) = %q, but Slugify(%q) = %q", name, slug, slug, again)
		}
	})
}
