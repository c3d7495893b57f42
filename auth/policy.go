package auth

import (
	"strings"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn/frequency"

	"tonegrid"
)

// Password length bounds, in characters.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 128
)

// common holds the 30,000 most common leaked passwords (zxcvbn's list,
// ranked by frequency), lowercased, for exact matches.
var common = func() map[string]struct{} {
	list := frequency.FrequencyLists["passwords"]
	m := make(map[string]struct{}, len(list))
	for _, p := range list {
		m[strings.ToLower(p)] = struct{}{}
	}
	return m
}()

// IsCommonPassword reports whether plain is one of the most common leaked
// passwords, ignoring case.
func IsCommonPassword(plain string) bool {
	_, ok := common[strings.ToLower(plain)]
	return ok
}

// ValidatePassword records on field what is wrong with plain: length (in
// characters), a common password, or the account's own email.
func ValidatePassword(v *tonegrid.Violations, field, plain, email string) {
	n := utf8.RuneCountInString(plain)
	switch {
	case plain == "":
		v.Add(field, "required")
	case n < MinPasswordLen:
		v.Add(field, "too_short", "min", MinPasswordLen)
	case n > MaxPasswordLen:
		v.Add(field, "too_long", "max", MaxPasswordLen)
	case IsCommonPassword(plain) || (email != "" && strings.EqualFold(plain, email)) || isRepetition(plain):
		v.Add(field, "common_password")
	}
}

// isRepetition reports whether plain is one short unit repeated
// ("aaaaaaaaaa", "abcabcabcabc").
func isRepetition(plain string) bool {
	for unit := 1; unit <= 3 && unit < len(plain); unit++ {
		if strings.Repeat(plain[:unit], len(plain)/unit+1)[:len(plain)] == plain {
			return true
		}
	}
	return false
}
