// Package ident checks and normalizes the identifiers labels type into the
// catalog (ISRC, UPC/EAN, ISNI, IPI, ISWC, DDEX party ids, BCP-47 title
// locales), makes artist slugs, and owns the fixed reference lists the catalog
// is validated against: ISO 639-1 languages, ISO 3166-1 territories and genres.
//
// Normalize* functions accept the forms people usually type (any case,
// surrounding spaces, the usual separators), return the canonical form that is
// stored and sent to stores, and are idempotent: normalizing their output
// again returns it unchanged. Valid* functions check a value that must already
// be canonical.
//
// It imports only the standard library and golang.org/x/text. It must not
// import tonegrid or any other ToneGrid package, so that every layer (domain
// validation, storage, HTTP, DDEX, report imports) can use it.
package ident

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isUpper(c byte) bool { return 'A' <= c && c <= 'Z' }

// toUpper upper-cases an ASCII letter and leaves every other byte alone.
func toUpper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

func allDigits[T ~string | ~[]byte](s T) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
