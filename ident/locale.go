package ident

import (
	"strings"

	"golang.org/x/text/language"
)

// maxLocaleTagLen bounds what NormalizeLocaleTag parses; a language, script
// and region fit in 12 characters, so longer input is only old grandfathered
// forms or garbage.
const maxLocaleTagLen = 35

// NormalizeLocaleTag checks a BCP-47 language tag used as a key of localized
// titles and returns its canonical form ("pt-br" → "pt-BR", "zh-hant" →
// "zh-Hant", "iw" → "he", "en-Latn" → "en"). Only a language with an optional
// script and region is accepted: tags with variants, extensions or private
// use subtags are refused, since stores take titles per language and DDEX
// restricts the attribute to that shape, and so are tags that name no
// language: the special codes und, mul, mis and zxx, the unknown script Zzzz
// and the unknown region ZZ.
func NormalizeLocaleTag(tag string) (string, bool) {
	tag = strings.TrimSpace(tag)
	if tag == "" || len(tag) > maxLocaleTagLen {
		return "", false
	}
	t, err := language.BCP47.Parse(tag)
	if err != nil {
		return "", false
	}
	if len(t.Variants()) > 0 || len(t.Extensions()) > 0 {
		return "", false
	}
	canonical := t.String()
	for _, subtag := range strings.Split(canonical, "-") {
		switch subtag {
		case "und", "mul", "mis", "zxx", "Zzzz", "ZZ":
			return "", false
		}
	}
	return canonical, true
}
