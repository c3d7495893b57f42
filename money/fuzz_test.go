package money

import (
	"errors"
	"math/big"
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{"0", "-0.00", "12.345678", "-0.0000000001", "5.", ".5", "1e3", "",
		"99999999999999999999999999999999999999", "0.00000000000000000000000000000000000001", "+-1", "1..2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrSyntax) && !errors.Is(err, ErrOverflow) && !errors.Is(err, ErrPrecision) {
				t.Fatalf("Parse(%q) error %v wraps none of the sentinels", s, err)
			}
			return
		}
		out := d.String()
		again, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(String(Parse(%q))) = Parse(%q): %v", s, out, err)
		}
		if again != d {
			t.Fatalf("Parse(%q) = %#v, but Parse(%q) = %#v", s, d, out, again)
		}
		if r, ok := new(big.Rat).SetString(strings.TrimSuffix(s, ".")); ok && r.Cmp(rat(t, d)) != 0 {
			t.Fatalf("Parse(%q) = %s, big.Rat reads %s", s, d, r.RatString())
		}
		b, err := ParseBytes([]byte(s))
		if err != nil || b != d {
			t.Fatalf("ParseBytes(%q) = %#v, %v; Parse gave %#v", s, b, err, d)
		}
	})
}

// fitsDecimal reports whether an exact value fits in a Decimal at most at
// MaxScale: its numerator at the smallest possible scale has ≤ 38 digits.
func fitsDecimal(r *big.Rat) bool {
	n := new(big.Int).Abs(r.Num())
	den := new(big.Int).Set(r.Denom())
	ten := big.NewInt(10)
	scale := 0
	for den.Cmp(big.NewInt(1)) != 0 {
		if scale == MaxScale {
			return false
		}
		n.Mul(n, ten)
		q, m := new(big.Int).QuoRem(n, den, new(big.Int))
		scale++
		if m.Sign() == 0 {
			n = q
			den.SetInt64(1)
			break
		}
	}
	return n.Cmp(maxMag.big()) <= 0
}

func FuzzArithmetic(f *testing.F) {
	f.Add("1.5", "-2.25")
	f.Add("99999999999999999999999999999999999999", "1")
	f.Add("0.0000000000000000001", "0.00000000000000000001")
	f.Add("10000000000000000000", "10000000000000000000")
	f.Fuzz(func(t *testing.T, as, bs string) {
		a, err1 := Parse(as)
		b, err2 := Parse(bs)
		if err1 != nil || err2 != nil {
			return
		}
		ra, rb := rat(t, a), rat(t, b)
		check := func(op string, got Decimal, err error, want *big.Rat) {
			t.Helper()
			if err != nil {
				if fitsDecimal(want) {
					t.Fatalf("%s %s %s: %v, but %s fits", a, op, b, err, want.RatString())
				}
				return
			}
			if rat(t, got).Cmp(want) != 0 {
				t.Fatalf("%s %s %s = %s, want %s", a, op, b, got, want.RatString())
			}
		}
		sum, err := a.Add(b)
		check("+", sum, err, new(big.Rat).Add(ra, rb))
		diff, err := a.Sub(b)
		check("-", diff, err, new(big.Rat).Sub(ra, rb))
		prod, err := a.Mul(b)
		check("×", prod, err, new(big.Rat).Mul(ra, rb))
		if got, want := a.Cmp(b), ra.Cmp(rb); got != want {
			t.Fatalf("Cmp(%s, %s) = %d, want %d", a, b, got, want)
		}
	})
}

func FuzzAllocate(f *testing.F) {
	f.Add("100.00", "1,1,1", uint8(2))
	f.Add("-0.05", "0,0.0001,3", uint8(2))
	f.Add("12345678901234567890123.45", "33.3333,66.6667", uint8(2))
	f.Fuzz(func(t *testing.T, totalText, weightText string, places uint8) {
		total, err := Parse(totalText)
		if err != nil || int(places) > 12 {
			return
		}
		var weights []Decimal
		for _, w := range strings.Split(weightText, ",") {
			d, err := ParsePercentage(w)
			if err != nil {
				return
			}
			weights = append(weights, d)
		}
		parts, err := Allocate(total, weights, int(places))
		if err != nil {
			return
		}
		checkAllocation(t, total, weights, int(places), parts)
	})
}
