package ident

import "fmt"

// ValidUPC reports whether s is a 12-digit UPC-A or a 13-digit EAN-13 whose
// last digit is the GS1 mod-10 check digit of the others. s must be digits
// only, as stored: no spaces or dashes.
func ValidUPC(s string) bool {
	if len(s) != 12 && len(s) != 13 {
		return false
	}
	c, ok := gs1CheckDigit(s[:len(s)-1])
	return ok && c == s[len(s)-1]
}

// CheckDigit returns the GS1 check digit, as the ASCII character '0'…'9', of
// the first 11 digits of a UPC-A or the first 12 of an EAN-13, so that
// digits+string(c) passes ValidUPC. It is how codes from a UPC pool are
// completed.
func CheckDigit(digits string) (byte, error) {
	if len(digits) != 11 && len(digits) != 12 {
		return 0, fmt.Errorf("compute UPC check digit: want 11 or 12 digits, got %d characters", len(digits))
	}
	c, ok := gs1CheckDigit(digits)
	if !ok {
		return 0, fmt.Errorf("compute UPC check digit: %.20q is not all digits", digits)
	}
	return c, nil
}

// gs1CheckDigit computes the GS1 check digit of body: digits are weighted 3
// and 1 alternately, starting with 3 on the rightmost one, and the check digit
// brings the weighted sum up to a multiple of 10. ok is false when body holds
// anything but ASCII digits.
func gs1CheckDigit(body string) (c byte, ok bool) {
	sum := 0
	for i := 0; i < len(body); i++ {
		if !isDigit(body[i]) {
			return 0, false
		}
		d := int(body[i] - '0')
		if (len(body)-i)%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10), true
}
