package ident

import "strings"

// NormalizeISNI checks an ISNI typed as 16 characters or as four groups of
// four joined by single spaces or by single dashes ("0000 0001 2281 955X",
// "0000-0001-2281-955X"; surrounding spaces ignored) and returns its 16
// characters with an uppercase X. The first 15 characters are digits and the
// 16th is their ISO 7064 MOD 11-2 check character, 0–9 or X.
func NormalizeISNI(s string) (string, bool) {
	s = strings.TrimSpace(s)
	var out [16]byte
	switch len(s) {
	case 16:
		copy(out[:], s)
	case 19:
		sep := s[4]
		if (sep != ' ' && sep != '-') || s[9] != sep || s[14] != sep {
			return "", false
		}
		for g := 0; g < 4; g++ {
			copy(out[4*g:], s[5*g:5*g+4])
		}
	default:
		return "", false
	}
	out[15] = toUpper(out[15])
	if !allDigits(out[:15]) || mod11x2(out[:15]) != out[15] {
		return "", false
	}
	if string(out[:]) == s {
		return s, true
	}
	return string(out[:]), true
}

// mod11x2 computes the ISO 7064 MOD 11-2 check character of a string of
// digits: '0'…'9', or 'X' for ten.
func mod11x2[T ~string | ~[]byte](digits T) byte {
	total := 0
	for i := 0; i < len(digits); i++ {
		total = (total + int(digits[i]-'0')) * 2 % 11
	}
	check := (12 - total) % 11
	if check == 10 {
		return 'X'
	}
	return byte('0' + check)
}

// NormalizeIPI checks a CISAC IPI name number typed as 9 to 11 digits and
// returns it left-padded with zeros to the 11 digits DDEX and CWR carry.
// IPI name numbers have check digits, but their algorithm is not published
// openly, so only the shape is checked.
func NormalizeIPI(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 9 || len(s) > 11 || !allDigits(s) {
		return "", false
	}
	if len(s) == 11 {
		return s, true
	}
	return strings.Repeat("0", 11-len(s)) + s, true
}

// ValidDPID reports whether s is a DDEX party id as the ERN schema defines it:
// "PADPIDA" followed by one or more ASCII letters or digits.
func ValidDPID(s string) bool {
	rest, ok := strings.CutPrefix(s, "PADPIDA")
	if !ok || rest == "" {
		return false
	}
	for i := 0; i < len(rest); i++ {
		c := toUpper(rest[i])
		if !isUpper(c) && !isDigit(c) {
			return false
		}
	}
	return true
}
