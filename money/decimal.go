// Package money owns ToneGrid's exact money arithmetic: the Decimal type,
// half-even rounding to a currency's minor unit, the ISO 4217 table of minor
// units, and largest-remainder allocation that never creates or loses a
// minor unit.
//
// No float64 appears anywhere in it. It imports only the standard library and
// must not import the domain package or any adapter.
package money

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
)

// MaxDigits is the number of significant digits a Decimal holds: every
// value with at most 38 digits (|coefficient| ≤ 10^38 − 1) is exact.
const MaxDigits = 38

// MaxScale is the largest number of fractional digits a Decimal carries.
const MaxScale = 38

// AmountScale is the number of fractional digits imported amounts may have.
const AmountScale = 10

// PercentageScale is the number of fractional digits a percentage may have.
const PercentageScale = 4

// Errors returned (wrapped) by parsing and arithmetic.
var (
	// ErrSyntax means the text is not a plain decimal number.
	ErrSyntax = errors.New("not a decimal number")
	// ErrOverflow means a value or result needs more than MaxDigits digits.
	ErrOverflow = errors.New("decimal out of range (more than 38 digits)")
	// ErrPrecision means a value has more fractional digits than allowed.
	ErrPrecision = errors.New("too many fractional digits")
)

// Decimal is an exact decimal number: a coefficient of at most 38 digits and
// a scale (the number of digits after the point, 0–38).
//
// The zero value is 0. A Decimal keeps the scale it was written with, so
// "1.50" prints back as "1.50"; == therefore compares representations, and
// Cmp compares values ("1.5" and "1.50" are equal by Cmp). Arithmetic never
// rounds: Add, Sub and Mul are exact, or return an error wrapping ErrOverflow
// (or, for Mul, ErrPrecision when the exact product needs more than MaxScale
// fractional digits). Values are safe to copy and to share between
// goroutines.
type Decimal struct {
	mag   u128 // magnitude of the coefficient, ≤ 10^38 − 1
	scale uint8
	neg   bool // never set on a zero magnitude
}

// New returns coef × 10^−scale; New(12345, 2) is 123.45. It panics when scale
// is outside 0…MaxScale, which is a programming error.
func New(coef int64, scale int) Decimal {
	if scale < 0 || scale > MaxScale {
		panic(fmt.Sprintf("money.New: scale %d outside 0…%d", scale, MaxScale))
	}
	d := Decimal{scale: uint8(scale)}
	if coef < 0 {
		d.neg = true
		d.mag.lo = uint64(-(coef + 1)) + 1
	} else {
		d.mag.lo = uint64(coef)
	}
	return d
}

// Parse reads a plain decimal number: an optional sign, digits, and an
// optional point with more digits ("12.345678", "-0.0000000001", "5.", ".5").
// Exponents ("1e3"), spaces, thousands separators, "NaN" and "Inf" are
// rejected with ErrSyntax; more than 38 significant digits with ErrOverflow;
// more than MaxScale fractional digits with ErrPrecision.
func Parse(s string) (Decimal, error) { return parse(s, MaxScale) }

// ParseAmount reads a money amount: like Parse, with at most AmountScale (10)
// fractional digits, as the import contract requires.
func ParseAmount(s string) (Decimal, error) { return parse(s, AmountScale) }

// ParseAmountBytes is ParseAmount for a byte slice; it does not allocate when
// the input is valid, for parsers on the import hot path.
func ParseAmountBytes(b []byte) (Decimal, error) { return parse(b, AmountScale) }

// ParseBytes is Parse for a byte slice; it does not allocate when the input
// is valid.
func ParseBytes(b []byte) (Decimal, error) { return parse(b, MaxScale) }

// ParsePercentage reads a percentage such as "33.3333": at most
// PercentageScale (4) fractional digits, between 0 and 100 inclusive.
func ParsePercentage(s string) (Decimal, error) {
	d, err := parse(s, PercentageScale)
	if err != nil {
		return Decimal{}, err
	}
	if d.neg || d.Cmp(New(100, 0)) > 0 {
		return Decimal{}, fmt.Errorf("parse percentage %q: must be between 0 and 100", s)
	}
	return d, nil
}

// MustParse is Parse for constants known to be valid; it panics on error.
func MustParse(s string) Decimal {
	d, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

func parse[T string | []byte](s T, maxScale int) (Decimal, error) {
	var d Decimal
	i := 0
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		d.neg = s[0] == '-'
		i++
	}
	var lo uint64
	var m u128
	digits, scale := 0, 0
	sawDigit, sawPoint := false, false
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			sawDigit = true
			if sawPoint {
				scale++
			}
			if digits == 0 && c == '0' {
				continue // a leading zero adds no significant digit
			}
			digits++
			switch {
			case digits <= 19:
				lo = lo*10 + uint64(c-'0')
			case digits <= MaxDigits:
				if digits == 20 {
					m = u128{lo: lo}
				}
				m, _ = m.mul64(10)
				m, _ = m.add(u128{lo: uint64(c - '0')})
			default:
				return Decimal{}, parseError(s, ErrOverflow)
			}
		case c == '.' && !sawPoint:
			sawPoint = true
		default:
			return Decimal{}, parseError(s, ErrSyntax)
		}
	}
	if !sawDigit {
		return Decimal{}, parseError(s, ErrSyntax)
	}
	if scale > maxScale {
		return Decimal{}, parseError(s, fmt.Errorf("%w (at most %d)", ErrPrecision, maxScale))
	}
	if digits <= 19 {
		m = u128{lo: lo}
	}
	d.mag = m
	d.scale = uint8(scale)
	if m.isZero() {
		d.neg = false
	}
	return d, nil
}

// parseError names the (possibly shortened) input in a parse error.
func parseError[T string | []byte](s T, err error) error {
	const show = 64
	text := string(s)
	if len(text) > show {
		text = text[:show] + "…"
	}
	return fmt.Errorf("parse decimal %q: %w", text, err)
}

// String renders d canonically: no exponent, a leading "-" when negative, a
// "0" before the point, and exactly Scale() fractional digits.
func (d Decimal) String() string {
	var buf [48]byte
	return string(d.append(buf[:0]))
}

// AppendText appends String() to b (encoding.TextAppender).
func (d Decimal) AppendText(b []byte) ([]byte, error) { return d.append(b), nil }

func (d Decimal) append(b []byte) []byte {
	var digits [MaxDigits + 1]byte
	n := d.mag.formatDigits(&digits)
	if d.neg {
		b = append(b, '-')
	}
	scale := int(d.scale)
	if scale == 0 {
		return append(b, digits[len(digits)-n:]...)
	}
	// Pad with zeros so there is at least one digit before the point.
	for n <= scale {
		n++
		digits[len(digits)-n] = '0'
	}
	ds := digits[len(digits)-n:]
	b = append(b, ds[:n-scale]...)
	b = append(b, '.')
	return append(b, ds[n-scale:]...)
}

// formatDigits writes the decimal digits of a at the end of buf and returns
// how many it wrote (at least one).
func (a u128) formatDigits(buf *[MaxDigits + 1]byte) int {
	i := len(buf)
	if a.hi == 0 {
		v := a.lo
		for v >= 10 {
			i--
			buf[i] = byte('0' + v%10)
			v /= 10
		}
		i--
		buf[i] = byte('0' + v)
		return len(buf) - i
	}
	// Below 10^38, a / 10^19 fits in 64 bits: print the low 19 digits
	// zero-padded, then the rest.
	q, r := a.divmod64(pow10[19].lo)
	for range 19 {
		i--
		buf[i] = byte('0' + r%10)
		r /= 10
	}
	v := q.lo
	for v > 0 {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	return len(buf) - i
}

// Scale returns the number of digits after the decimal point.
func (d Decimal) Scale() int { return int(d.scale) }

// Sign returns −1, 0 or +1.
func (d Decimal) Sign() int {
	switch {
	case d.mag.isZero():
		return 0
	case d.neg:
		return -1
	}
	return 1
}

// IsZero reports whether d is zero (at any scale).
func (d Decimal) IsZero() bool { return d.mag.isZero() }

// Neg returns −d.
func (d Decimal) Neg() Decimal {
	if !d.mag.isZero() {
		d.neg = !d.neg
	}
	return d
}

// Abs returns |d|.
func (d Decimal) Abs() Decimal {
	d.neg = false
	return d
}

// Cmp compares values: −1 when d < e, 0 when equal, +1 when d > e.
func (d Decimal) Cmp(e Decimal) int {
	ds, es := d.Sign(), e.Sign()
	if ds != es {
		if ds < es {
			return -1
		}
		return 1
	}
	c := cmpMag(d, e)
	if ds < 0 {
		return -c
	}
	return c
}

// cmpMag compares |d| and |e|.
func cmpMag(d, e Decimal) int {
	a, b := d.mag, e.mag
	switch {
	case d.scale < e.scale:
		var ok bool
		if a, ok = a.scaleUp(int(e.scale - d.scale)); !ok {
			return 1
		}
	case d.scale > e.scale:
		var ok bool
		if b, ok = b.scaleUp(int(d.scale - e.scale)); !ok {
			return -1
		}
	}
	return a.cmp(b)
}

// Add returns d+e exactly, at the larger of the two scales (or fewer
// fractional digits when the result needs 38 digits and ends in zeros).
func (d Decimal) Add(e Decimal) (Decimal, error) {
	a, b := d, e
	if a.scale != b.scale {
		var ok bool
		if a, b, ok = align(a, b); !ok {
			return d.addBig(e)
		}
	}
	r := Decimal{scale: a.scale}
	if a.neg == b.neg {
		sum, carry := a.mag.add(b.mag)
		if carry || !sum.inRange() {
			return d.addBig(e)
		}
		r.mag, r.neg = sum, a.neg
	} else if a.mag.cmp(b.mag) >= 0 {
		r.mag, r.neg = a.mag.sub(b.mag), a.neg
	} else {
		r.mag, r.neg = b.mag.sub(a.mag), b.neg
	}
	if r.mag.isZero() {
		r.neg = false
	}
	return r, nil
}

// addBig is Add for sums beyond 38 digits, with math/big: it succeeds only
// when dropping trailing zeros brings the exact sum back in range.
func (d Decimal) addBig(e Decimal) (Decimal, error) {
	scale := max(int(d.scale), int(e.scale))
	n := new(big.Int).Add(d.bigAt(scale), e.bigAt(scale))
	r, err := fromBigScaled(n, scale)
	if err != nil {
		return Decimal{}, fmt.Errorf("add %s and %s: %w", d, e, err)
	}
	return r, nil
}

// bigAt returns d's signed coefficient at a scale ≥ d's.
func (d Decimal) bigAt(scale int) *big.Int {
	n := d.mag.big()
	if k := scale - int(d.scale); k > 0 {
		n.Mul(n, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(k)), nil))
	}
	if d.neg {
		n.Neg(n)
	}
	return n
}

// fromBigScaled converts the exact value n × 10^−scale to a Decimal. Trailing
// zeros are dropped only as far as needed to fit 38 digits and MaxScale; the
// error wraps ErrOverflow or ErrPrecision when the value does not fit.
func fromBigScaled(n *big.Int, scale int) (Decimal, error) {
	neg := n.Sign() < 0
	n = new(big.Int).Abs(n)
	want := min(scale, MaxScale)
	limit := maxMag.big()
	ten, q, r := big.NewInt(10), new(big.Int), new(big.Int)
	for scale > 0 && (scale > MaxScale || n.Cmp(limit) > 0) {
		q.QuoRem(n, ten, r)
		if r.Sign() != 0 {
			break
		}
		n, q = q, n
		scale--
	}
	if scale > MaxScale {
		return Decimal{}, fmt.Errorf("%w (result needs more than %d)", ErrPrecision, MaxScale)
	}
	m, ok := fromBig(n)
	if !ok {
		return Decimal{}, ErrOverflow
	}
	// Put back as many of the dropped zeros as fit.
	for k := want - scale; k > 0; k-- {
		if p, ok := m.scaleUp(k); ok {
			m, scale = p, scale+k
			break
		}
	}
	return Decimal{mag: m, scale: uint8(scale), neg: neg && !m.isZero()}, nil
}

// Sub returns d−e exactly, at the larger of the two scales.
func (d Decimal) Sub(e Decimal) (Decimal, error) { return d.Add(e.Neg()) }

// align rescales the operand with the smaller scale so both share the larger.
func align(d, e Decimal) (Decimal, Decimal, bool) {
	var ok bool
	if d.scale < e.scale {
		d.mag, ok = d.mag.scaleUp(int(e.scale - d.scale))
		d.scale = e.scale
	} else {
		e.mag, ok = e.mag.scaleUp(int(d.scale - e.scale))
		e.scale = d.scale
	}
	return d, e, ok
}

// Mul returns d×e exactly; the result's scale is the sum of the scales
// (trailing zeros are dropped only when needed to stay within 38 digits and
// MaxScale).
func (d Decimal) Mul(e Decimal) (Decimal, error) {
	p, over := d.mag.mul(e.mag)
	scale := int(d.scale) + int(e.scale)
	if over || !p.inRange() || scale > MaxScale {
		n := new(big.Int).Mul(d.mag.big(), e.mag.big())
		if d.neg != e.neg {
			n.Neg(n)
		}
		r, err := fromBigScaled(n, scale)
		if err != nil {
			return Decimal{}, fmt.Errorf("multiply %s by %s: %w", d, e, err)
		}
		return r, nil
	}
	return Decimal{mag: p, scale: uint8(scale), neg: d.neg != e.neg && !p.isZero()}, nil
}

// Int64 returns d's integer value when d has no fractional part and fits in
// an int64.
func (d Decimal) Int64() (int64, bool) {
	q, r := d.mag.divPow10(int(d.scale))
	if !r.isZero() || q.hi != 0 || q.lo > 1<<63 || (q.lo == 1<<63 && !d.neg) {
		return 0, false
	}
	if d.neg {
		return -int64(q.lo-1) - 1, true
	}
	return int64(q.lo), true
}

// GoString renders d for %#v as money.MustParse("…").
func (d Decimal) GoString() string { return "money.MustParse(" + strconv.Quote(d.String()) + ")" }
