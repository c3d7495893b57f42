package ident

import "strings"

// NormalizeISRC checks an ISRC typed as CC-XXX-YY-NNNNN or CCXXXYYNNNNN (any
// case, surrounding spaces ignored) and returns it as stored: 12 uppercase
// characters without dashes.
//
// CC must be two letters but need not be an assigned ISO 3166 country: the
// ISRC agency issues prefixes that are not countries (QM, QZ, ZZ…) and the
// codes of countries that no longer exist stay valid on old recordings. XXX
// (the registrant) is three letters or digits, YY two digits and NNNNN five.
// Dashes are all or nothing: none, or exactly three, after CC, XXX and YY.
func NormalizeISRC(s string) (string, bool) {
	s = strings.TrimSpace(s)
	var out [12]byte
	switch len(s) {
	case 12:
		copy(out[:], s)
	case 15:
		if s[2] != '-' || s[6] != '-' || s[9] != '-' {
			return "", false
		}
		n := copy(out[:], s[:2])
		n += copy(out[n:], s[3:6])
		n += copy(out[n:], s[7:9])
		copy(out[n:], s[10:])
	default:
		return "", false
	}
	for i := range out {
		c := toUpper(out[i])
		switch {
		case i < 2 && !isUpper(c),
			i >= 2 && i < 5 && !isUpper(c) && !isDigit(c),
			i >= 5 && !isDigit(c):
			return "", false
		}
		out[i] = c
	}
	if string(out[:]) == s {
		return s, true
	}
	return string(out[:]), true
}
