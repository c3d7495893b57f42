package ident

import "strings"

// NormalizeISWC checks an ISWC typed as T-DDD.DDD.DDD-C or TDDDDDDDDDC (any
// case, surrounding spaces ignored) and returns the compact uppercase form DDEX
// carries, "T" and ten digits. The last digit is the check digit of the nine
// before it.
func NormalizeISWC(s string) (string, bool) {
	s = strings.TrimSpace(s)
	var out [11]byte
	switch len(s) {
	case 11:
		copy(out[:], s)
	case 15:
		if s[1] != '-' || s[5] != '.' || s[9] != '.' || s[13] != '-' {
			return "", false
		}
		out[0] = s[0]
		copy(out[1:4], s[2:5])
		copy(out[4:7], s[6:9])
		copy(out[7:10], s[10:13])
		out[10] = s[14]
	default:
		return "", false
	}
	out[0] = toUpper(out[0])
	if out[0] != 'T' || !allDigits(out[1:]) {
		return "", false
	}
	if iswcCheckDigit(out[1:10]) != out[10] {
		return "", false
	}
	if string(out[:]) == s {
		return s, true
	}
	return string(out[:]), true
}

// iswcCheckDigit computes the ISWC check digit of its nine digits: 1 plus
// each digit times its position (1…9), and the check digit brings that sum up
// to a multiple of 10.
func iswcCheckDigit(nine []byte) byte {
	sum := 1
	for i := 0; i < len(nine); i++ {
		sum += (i + 1) * int(nine[i]-'0')
	}
	return byte('0' + (10-sum%10)%10)
}
