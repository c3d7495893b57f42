package money

import "math/bits"

// u128 is an unsigned 128-bit integer: the magnitude of a Decimal's coefficient.
type u128 struct{ hi, lo uint64 }

// pow10 holds 10^0 … 10^MaxDigits.
var pow10 = func() (t [MaxDigits + 1]u128) {
	t[0] = u128{lo: 1}
	for i := 1; i <= MaxDigits; i++ {
		t[i], _ = t[i-1].mul64(10)
	}
	return t
}()

// halfPow10 holds 10^k / 2 for k ≥ 1 (index 0 is unused): the tie point when
// dropping k digits.
var halfPow10 = func() (t [MaxDigits + 1]u128) {
	for i := 1; i <= MaxDigits; i++ {
		t[i], _ = pow10[i-1].mul64(5)
	}
	return t
}()

// maxMag is the largest magnitude a Decimal holds: 10^38 − 1.
var maxMag = pow10[MaxDigits].sub(u128{lo: 1})

func (a u128) isZero() bool { return a.hi|a.lo == 0 }

func (a u128) cmp(b u128) int {
	switch {
	case a.hi < b.hi:
		return -1
	case a.hi > b.hi:
		return 1
	case a.lo < b.lo:
		return -1
	case a.lo > b.lo:
		return 1
	}
	return 0
}

// inRange reports whether a fits in a Decimal (at most MaxDigits digits).
func (a u128) inRange() bool { return a.cmp(maxMag) <= 0 }

// add returns a+b and whether the sum overflowed 128 bits.
func (a u128) add(b u128) (u128, bool) {
	lo, c := bits.Add64(a.lo, b.lo, 0)
	hi, c := bits.Add64(a.hi, b.hi, c)
	return u128{hi, lo}, c != 0
}

// sub returns a−b; the caller guarantees a ≥ b.
func (a u128) sub(b u128) u128 {
	lo, borrow := bits.Sub64(a.lo, b.lo, 0)
	hi, _ := bits.Sub64(a.hi, b.hi, borrow)
	return u128{hi, lo}
}

// mul64 returns a×m and whether the product overflowed 128 bits.
func (a u128) mul64(m uint64) (u128, bool) {
	h1, lo := bits.Mul64(a.lo, m)
	h2, l2 := bits.Mul64(a.hi, m)
	hi, c := bits.Add64(h1, l2, 0)
	return u128{hi, lo}, h2 != 0 || c != 0
}

// mul returns a×b and whether the product overflowed 128 bits.
func (a u128) mul(b u128) (u128, bool) {
	if a.hi != 0 && b.hi != 0 {
		return u128{}, true
	}
	h, lo := bits.Mul64(a.lo, b.lo)
	ch, cl := bits.Mul64(a.hi, b.lo)
	dh, dl := bits.Mul64(a.lo, b.hi)
	hi, c1 := bits.Add64(h, cl, 0)
	hi, c2 := bits.Add64(hi, dl, 0)
	return u128{hi, lo}, ch != 0 || dh != 0 || c1 != 0 || c2 != 0
}

// divmod64 returns a/d and a%d; d must not be zero.
func (a u128) divmod64(d uint64) (u128, uint64) {
	qhi, r := a.hi/d, a.hi%d
	qlo, r := bits.Div64(r, a.lo, d)
	return u128{qhi, qlo}, r
}

// divPow10 returns a / 10^k and a % 10^k for 0 ≤ k ≤ MaxDigits.
func (a u128) divPow10(k int) (q, r u128) {
	if k == 0 {
		return a, u128{}
	}
	if k <= 19 {
		q, r64 := a.divmod64(pow10[k].lo)
		return q, u128{lo: r64}
	}
	q1, r1 := a.divmod64(pow10[19].lo)
	q, r2 := q1.divmod64(pow10[k-19].lo)
	r, _ = u128{lo: r2}.mul64(pow10[19].lo)
	r, _ = r.add(u128{lo: r1})
	return q, r
}

// scaleUp returns a × 10^k and whether the result still fits in a Decimal.
func (a u128) scaleUp(k int) (u128, bool) {
	if k == 0 {
		return a, true
	}
	if k > MaxDigits {
		return u128{}, a.isZero()
	}
	p, over := a.mul(pow10[k])
	return p, !over && p.inRange()
}

// trailingZeros counts the decimal zeros a ends with (0 for a zero value).
func (a u128) trailingZeros() int {
	if a.isZero() {
		return 0
	}
	n := 0
	for {
		q, r := a.divmod64(10)
		if r != 0 {
			return n
		}
		a = q
		n++
	}
}
