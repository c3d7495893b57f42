package ident

import (
	"regexp"
	"testing"
)

// ddexLanguageAndScriptCode is the pattern the ERN 4.3 schema puts on the
// LanguageAndScriptCode attribute localized titles are sent with.
var ddexLanguageAndScriptCode = regexp.MustCompile(`^[a-zA-Z]{2,3}(-[a-zA-Z]+)?(-[a-zA-Z]{2}|-[0-9]{3})?(-[a-zA-Z][a-zA-Z0-9]{4}[a-zA-Z0-9]*)?$`)

func TestNormalizeLocaleTag(t *testing.T) {
	cases := []normalizeCase{
		{"fr", "fr"},
		{"pt-br", "pt-BR"},
		{"PT-BR", "pt-BR"},
		{"pt_BR", "pt-BR"},
		{"zh-hant", "zh-Hant"},
		{"zh-Hant-TW", "zh-Hant-TW"},
		{"sr-latn-rs", "sr-Latn-RS"},
		{"es-419", "es-419"},
		{" de ", "de"},
		{"en-Latn", "en"}, // a language's usual script is dropped
		{"ja-Jpan", "ja"},
		{"iw", "he"}, // replaced codes become current ones
		{"in", "id"},
		{"yue", "yue"},
		{"fil", "fil"},
		{"i-klingon", "tlh"},
		{"", ""},
		{"und", ""},
		{"und-US", ""},
		{"mul", ""},
		{"zxx", ""},
		{"en-Zzzz", ""},
		{"en-ZZ", ""},
		{"root", ""},
		{"xx", ""},
		{"english", ""},
		{"en-", ""},
		{"en--US", ""},
		{"en-US-u-ca-buddhist", ""}, // extension
		{"en-US-x-twain", ""},       // private use
		{"x-foo", ""},
		{"de-1996", ""}, // variant
		{"en-gb-oed", ""},
		{"fr-CA-CA", ""},
		{"<script>", ""},
	}
	checkNormalize(t, "NormalizeLocaleTag", NormalizeLocaleTag, cases)
	for _, c := range cases {
		if c.want != "" && !ddexLanguageAndScriptCode.MatchString(c.want) {
			t.Errorf("NormalizeLocaleTag(%q) = %q, which the DDEX schema refuses", c.in, c.want)
		}
	}
}
