package money

import (
	"errors"
	"fmt"
	"math/big"
	"math/bits"
	"slices"
)

// Allocate splits total, which must already have at most places fractional
// digits, into len(weights) parts of places digits each that add up to
// exactly total. Weights are proportions (percentages, shares) that need not
// add up to 100; each must be ≥ 0 and their sum > 0.
//
// Each part first gets its exact share truncated toward zero (total may be
// negative, after refunds); the minor units left over then go one each to the
// parts with the largest remainders, ties to the lowest index, so the result
// is deterministic. Every part is within one minor unit of its exact share,
// and a zero weight always gets zero.
func Allocate(total Decimal, weights []Decimal, places int) ([]Decimal, error) {
	if places < 0 || places > MaxScale {
		return nil, fmt.Errorf("allocate %s: places %d outside 0…%d", total, places, MaxScale)
	}
	if len(weights) == 0 {
		return nil, fmt.Errorf("allocate %s: no weights", total)
	}
	// The total in minor units (10^−places).
	var t u128
	if int(total.scale) > places {
		q, r := total.mag.divPow10(int(total.scale) - places)
		if !r.isZero() {
			return nil, fmt.Errorf("allocate %s: total has more than %d fractional digits", total, places)
		}
		t = q
	} else {
		var ok bool
		if t, ok = total.mag.scaleUp(places - int(total.scale)); !ok {
			return nil, fmt.Errorf("allocate %s at %d places: %w", total, places, ErrOverflow)
		}
	}
	// The weights as integers at their largest scale, and their sum.
	scale := 0
	for i, w := range weights {
		if w.neg {
			return nil, fmt.Errorf("allocate %s: weight %d is negative (%s)", total, i, w)
		}
		scale = max(scale, int(w.scale))
	}
	ws := make([]u128, len(weights))
	var sum u128
	for i, w := range weights {
		m, ok := w.mag.scaleUp(scale - int(w.scale))
		var carry bool
		if ok {
			sum, carry = sum.add(m)
		}
		if !ok || carry || !sum.inRange() {
			return nil, fmt.Errorf("allocate %s: weights: %w", total, ErrOverflow)
		}
		ws[i] = m
	}
	if sum.isZero() {
		return nil, fmt.Errorf("allocate %s: weights add up to zero", total)
	}

	quot := make([]u128, len(weights))
	rem := make([]u128, len(weights))
	if t.hi == 0 && sum.hi == 0 {
		// Every weight ≤ sum < 2^64, and t×w/sum ≤ t < 2^64: 64-bit division.
		for i, w := range ws {
			hi, lo := bits.Mul64(t.lo, w.lo)
			q, r := bits.Div64(hi, lo, sum.lo)
			quot[i], rem[i] = u128{lo: q}, u128{lo: r}
		}
	} else if err := divideBig(t, ws, sum, quot, rem); err != nil {
		return nil, fmt.Errorf("allocate %s: %w", total, err)
	}

	// Minor units left after truncation: fewer than len(weights).
	left := t
	for _, q := range quot {
		left = left.sub(q)
	}
	order := make([]int, len(weights))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return rem[b].cmp(rem[a]) })
	for _, i := range order[:left.lo] {
		quot[i], _ = quot[i].add(u128{lo: 1})
	}

	parts := make([]Decimal, len(weights))
	for i, q := range quot {
		parts[i] = Decimal{mag: q, scale: uint8(places), neg: total.neg && !q.isZero()}
	}
	return parts, nil
}

// divideBig computes quot[i], rem[i] = t×w[i] divmod sum with math/big, for
// totals or weight sums beyond 64 bits.
func divideBig(t u128, ws []u128, sum u128, quot, rem []u128) error {
	bt, bs := t.big(), sum.big()
	for i, w := range ws {
		q, r := new(big.Int).QuoRem(new(big.Int).Mul(bt, w.big()), bs, new(big.Int))
		var ok1, ok2 bool
		quot[i], ok1 = fromBig(q)
		rem[i], ok2 = fromBig(r) // r < sum, so it fits
		if !ok1 || !ok2 {
			return errors.New("intermediate result out of range")
		}
	}
	return nil
}
