package ident

import (
	"fmt"
	"hash/fnv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// maxSlugLen is the longest slug Slugify returns.
const maxSlugLen = 80

// Slugify turns a name into a lowercase ASCII slug for URLs and unique keys:
// accents are dropped ("Beyoncé Knowles" → "beyonce-knowles"), a few Latin
// letters without an accent-free decomposition are spelled out (ß → ss,
// ø → o), apostrophes vanish ("Destiny's Child" → "destinys-child") and every
// other run of characters becomes one dash. The slug is at most 80
// characters. A name with no Latin letter or digit (a name in another script,
// or only symbols) gets "artist-" and a short hash of the name instead, so the
// result is never empty and the same name always gives the same slug.
func Slugify(name string) string {
	var b strings.Builder
	pendingDash := false
	for _, r := range norm.NFKD.String(name) {
		if b.Len() > maxSlugLen {
			break
		}
		if unicode.Is(unicode.Mn, r) || isApostrophe(r) {
			continue
		}
		r = unicode.ToLower(r)
		spelled := latinSpelling[r]
		if ('a' <= r && r <= 'z') || ('0' <= r && r <= '9') {
			spelled = string(r)
		}
		if spelled == "" {
			pendingDash = b.Len() > 0
			continue
		}
		if pendingDash {
			b.WriteByte('-')
			pendingDash = false
		}
		b.WriteString(spelled)
	}
	slug := b.String()
	if len(slug) > maxSlugLen {
		slug = strings.TrimRight(slug[:maxSlugLen], "-")
	}
	if slug == "" {
		h := fnv.New32a()
		h.Write([]byte(norm.NFC.String(strings.TrimSpace(name))))
		return fmt.Sprintf("artist-%08x", h.Sum32())
	}
	return slug
}

// latinSpelling spells out lowercase Latin letters that Unicode does not
// decompose into a base letter and an accent.
var latinSpelling = map[rune]string{
	'ß': "ss",
	'æ': "ae",
	'œ': "oe",
	'ø': "o",
	'đ': "d",
	'ð': "d",
	'þ': "th",
	'ł': "l",
	'ı': "i",
	'ħ': "h",
	'ŧ': "t",
	'ŋ': "ng",
}

// isApostrophe reports whether r is one of the apostrophes names are typed
// with.
func isApostrophe(r rune) bool {
	switch r {
	case '\'', '’', 'ʼ', '‘', '`':
		return true
	}
	return false
}
