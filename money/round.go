package money

import (
	"errors"
	"fmt"
	"math/big"
	"math/bits"
)

// RoundHalfEven returns d rounded to places fractional digits, ties to the
// even neighbour (banker's rounding): 0.125 → 0.12, 0.135 → 0.14, −0.125 →
// −0.12. A value with fewer digits is padded with zeros to exactly places
// digits ("12.3" → "12.30") when that fits in 38 digits, and is returned
// unchanged otherwise; its value is the same either way. places is clamped to
// 0…MaxScale.
func RoundHalfEven(d Decimal, places int) Decimal {
	places = min(max(places, 0), MaxScale)
	s := int(d.scale)
	if places >= s {
		m, ok := d.mag.scaleUp(places - s)
		if !ok {
			return d
		}
		return Decimal{mag: m, scale: uint8(places), neg: d.neg}
	}
	k := s - places
	q, r := d.mag.divPow10(k)
	if c := r.cmp(halfPow10[k]); c > 0 || (c == 0 && q.lo&1 == 1) {
		q, _ = q.add(u128{lo: 1})
	}
	return Decimal{mag: q, scale: uint8(places), neg: d.neg && !q.isZero()}
}

// ErrUnknownCurrency means a code is not in the ISO 4217 table.
var ErrUnknownCurrency = errors.New("unknown ISO 4217 currency")

// RoundToCurrency rounds d half-even to the minor unit of an ISO 4217
// currency (2 places for USD, 0 for JPY, 3 for KWD), for statement totals.
func RoundToCurrency(d Decimal, currency string) (Decimal, error) {
	places, ok := MinorUnits(currency)
	if !ok {
		return Decimal{}, fmt.Errorf("round %s to currency %q: %w", d, currency, ErrUnknownCurrency)
	}
	return RoundHalfEven(d, places), nil
}

// Prorate returns total × part / whole rounded half-even to places
// fractional digits: the share of a revenue that belongs to part of its
// usages. whole must not be zero.
//
// To split one total over lines that arrive one at a time without creating or
// losing a unit, give each line Prorate(total, cumulative after it, whole) −
// Prorate(total, cumulative before it, whole): the shares then add up to
// exactly total when the parts add up to whole.
func Prorate(total, part, whole Decimal, places int) (Decimal, error) {
	if whole.IsZero() {
		return Decimal{}, fmt.Errorf("prorate %s × %s / %s: division by zero", total, part, whole)
	}
	if places < 0 || places > MaxScale {
		return Decimal{}, fmt.Errorf("prorate to %d places: must be 0…%d", places, MaxScale)
	}
	neg := total.neg != part.neg != whole.neg
	// In units of 10^−places the result is
	// total.mag × part.mag × 10^e / whole.mag, e = places − ts − ps + ws.
	e := places - int(total.scale) - int(part.scale) + int(whole.scale)
	q, ok := prorateFast(total.mag, part.mag, whole.mag, e)
	if !ok {
		var err error
		if q, err = prorateBig(total.mag, part.mag, whole.mag, e); err != nil {
			return Decimal{}, fmt.Errorf("prorate %s × %s / %s: %w", total, part, whole, err)
		}
	}
	return Decimal{mag: q, scale: uint8(places), neg: neg && !q.isZero()}, nil
}

// prorateFast handles the common case where every operand fits in 64 bits
// and e ≥ 0, with 128-bit arithmetic; ok is false when it cannot.
func prorateFast(t, p, w u128, e int) (u128, bool) {
	if t.hi != 0 || p.hi != 0 || w.hi != 0 || e < 0 || e > MaxDigits {
		return u128{}, false
	}
	hi, lo := bits.Mul64(t.lo, p.lo)
	n, over := u128{hi, lo}.mul(pow10[e])
	if over {
		return u128{}, false
	}
	q, r := n.divmod64(w.lo)
	// Round half-even: compare r with w − r instead of 2r with w (no overflow).
	if r > w.lo-r || (r == w.lo-r && q.lo&1 == 1) {
		q, _ = q.add(u128{lo: 1})
	}
	return q, q.inRange()
}

// prorateBig is prorateFast for any operands, with math/big.
func prorateBig(t, p, w u128, e int) (u128, error) {
	num := new(big.Int).Mul(t.big(), p.big())
	den := w.big()
	ten := big.NewInt(10)
	if e >= 0 {
		num.Mul(num, new(big.Int).Exp(ten, big.NewInt(int64(e)), nil))
	} else {
		den.Mul(den, new(big.Int).Exp(ten, big.NewInt(int64(-e)), nil))
	}
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	r.Lsh(r, 1)
	if c := r.Cmp(den); c > 0 || (c == 0 && q.Bit(0) == 1) {
		q.Add(q, big.NewInt(1))
	}
	m, ok := fromBig(q)
	if !ok {
		return u128{}, ErrOverflow
	}
	return m, nil
}

func (a u128) big() *big.Int {
	b := new(big.Int).SetUint64(a.hi)
	b.Lsh(b, 64)
	return b.Or(b, new(big.Int).SetUint64(a.lo))
}

// fromBig converts a non-negative big.Int that fits in a Decimal.
func fromBig(b *big.Int) (u128, bool) {
	if b.Sign() < 0 || b.BitLen() > 128 {
		return u128{}, false
	}
	lo := new(big.Int).And(b, new(big.Int).SetUint64(^uint64(0))).Uint64()
	hi := new(big.Int).Rsh(b, 64).Uint64()
	m := u128{hi, lo}
	return m, m.inRange()
}
