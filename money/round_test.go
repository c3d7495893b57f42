package money

import (
	"errors"
	"math/big"
	"testing"
)

func TestRoundHalfEven(t *testing.T) {
	tests := []struct {
		in     string
		places int
		want   string
	}{
		{"0.125", 2, "0.12"},
		{"0.135", 2, "0.14"},
		{"-0.125", 2, "-0.12"},
		{"-0.135", 2, "-0.14"},
		{"0.1250001", 2, "0.13"},
		{"2.5", 0, "2"},
		{"3.5", 0, "4"},
		{"-2.5", 0, "-2"},
		{"-0.004", 2, "0.00"},
		{"12.3", 2, "12.30"},
		{"7", 3, "7.000"},
		{"0.0034125000", 2, "0.00"},
		{"1234.5678", -1, "1235"},
		{"0.00000000000000000000000000000000000005", 37, "0.0000000000000000000000000000000000000"},
		{"0.00000000000000000000000000000000000015", 37, "0.0000000000000000000000000000000000002"},
		{"9999999999999999999.9999999999999999995", 18, "10000000000000000000.000000000000000000"},
		// Padding would need 39 digits: the value comes back unchanged.
		{"99999999999999999999999999999999999999", 1, "99999999999999999999999999999999999999"},
	}
	for _, tt := range tests {
		if got := RoundHalfEven(mustParse(t, tt.in), tt.places).String(); got != tt.want {
			t.Errorf("RoundHalfEven(%s, %d) = %s, want %s", tt.in, tt.places, got, tt.want)
		}
	}
}

// roundRat rounds x half-even to places digits with math/big.
func roundRat(x *big.Rat, places int) *big.Rat {
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places)), nil)
	n := new(big.Int).Mul(x.Num(), scale)
	q, r := new(big.Int).QuoRem(n, x.Denom(), new(big.Int))
	r.Abs(r).Lsh(r, 1)
	if c := r.Cmp(x.Denom()); c > 0 || (c == 0 && q.Bit(0) == 1) {
		if x.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return new(big.Rat).SetFrac(q, scale)
}

func TestRoundHalfEvenMatchesBigRat(t *testing.T) {
	r := newRand(t)
	for range 5000 {
		d := mustParse(t, randomDecimal(r, 38, 38))
		places := r.IntN(39)
		got := RoundHalfEven(d, places)
		want := roundRat(rat(t, d), places)
		if rat(t, got).Cmp(want) != 0 {
			t.Fatalf("RoundHalfEven(%s, %d) = %s, want %s", d, places, got, want.FloatString(places))
		}
		if d.Scale() > places && got.Scale() != places {
			t.Fatalf("RoundHalfEven(%s, %d) has scale %d", d, places, got.Scale())
		}
	}
}

func TestRoundToCurrency(t *testing.T) {
	tests := []struct{ in, currency, want string }{
		{"12.345", "USD", "12.34"},
		{"12.355", "EUR", "12.36"},
		{"1234.5", "JPY", "1234"},
		{"1235.5", "JPY", "1236"},
		{"1.23456", "KWD", "1.235"},
		{"1.2345", "BHD", "1.234"},
		{"7", "CLF", "7.0000"},
	}
	for _, tt := range tests {
		got, err := RoundToCurrency(mustParse(t, tt.in), tt.currency)
		if err != nil || got.String() != tt.want {
			t.Errorf("RoundToCurrency(%s, %s) = %s, %v; want %s", tt.in, tt.currency, got, err, tt.want)
		}
	}
	if _, err := RoundToCurrency(New(1, 0), "usd"); !errors.Is(err, ErrUnknownCurrency) {
		t.Errorf("RoundToCurrency(usd) error = %v, want ErrUnknownCurrency", err)
	}
}

func TestMinorUnits(t *testing.T) {
	tests := []struct {
		code string
		want int
		ok   bool
	}{
		{"USD", 2, true}, {"EUR", 2, true}, {"JPY", 0, true}, {"KRW", 0, true},
		{"ISK", 0, true}, {"KWD", 3, true}, {"BHD", 3, true}, {"OMR", 3, true},
		{"JOD", 3, true}, {"TND", 3, true}, {"LYD", 3, true}, {"IQD", 3, true},
		{"CLF", 4, true}, {"UYW", 4, true}, {"XOF", 0, true}, {"ZWG", 2, true},
		{"XAU", 0, false}, {"XXX", 0, false}, {"usd", 0, false}, {"", 0, false}, {"US", 0, false},
	}
	for _, tt := range tests {
		got, ok := MinorUnits(tt.code)
		if got != tt.want || ok != tt.ok {
			t.Errorf("MinorUnits(%q) = %d, %v; want %d, %v", tt.code, got, ok, tt.want, tt.ok)
		}
		if ValidCurrency(tt.code) != tt.ok {
			t.Errorf("ValidCurrency(%q) = %v, want %v", tt.code, !tt.ok, tt.ok)
		}
	}
}

func TestProrate(t *testing.T) {
	tests := []struct {
		total, part, whole string
		places             int
		want               string
	}{
		{"0.96", "500", "800", 10, "0.6000000000"},
		{"5.21", "1000", "1523", 10, "3.4208798424"},
		{"5.21", "523", "1523", 10, "1.7891201576"},
		{"-5.21", "1000", "1523", 2, "-3.42"},
		{"1", "1", "3", 0, "0"},
		{"2", "1", "4", 0, "0"},
		{"6", "1", "4", 0, "2"},
		{"1", "2", "0.5", 1, "4.0"},
	}
	for _, tt := range tests {
		got, err := Prorate(mustParse(t, tt.total), mustParse(t, tt.part), mustParse(t, tt.whole), tt.places)
		if err != nil || got.String() != tt.want {
			t.Errorf("Prorate(%s, %s, %s, %d) = %s, %v; want %s", tt.total, tt.part, tt.whole, tt.places, got, err, tt.want)
		}
	}
	if _, err := Prorate(New(1, 0), New(1, 0), Decimal{}, 2); err == nil {
		t.Error("Prorate by zero succeeded, want an error")
	}
}

func TestProrateMatchesBigRat(t *testing.T) {
	r := newRand(t)
	for i := range 5000 {
		// Half the cases stay on the 64-bit fast path, half need math/big.
		digits := 9
		if i%2 == 1 {
			digits = 30
		}
		total := mustParse(t, randomDecimal(r, digits, 10))
		part := mustParse(t, randomDecimal(r, digits, 4))
		whole := mustParse(t, randomDecimal(r, digits, 4))
		if whole.IsZero() {
			continue
		}
		places := r.IntN(12)
		got, err := Prorate(total, part, whole, places)
		exact := new(big.Rat).Quo(new(big.Rat).Mul(rat(t, total), rat(t, part)), rat(t, whole))
		want := roundRat(exact, places)
		if err != nil {
			units := new(big.Rat).Mul(want, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places)), nil)))
			if units.Abs(units).Cmp(new(big.Rat).SetInt(maxMag.big())) > 0 {
				continue // the result is out of range: an error is right
			}
			t.Fatalf("Prorate(%s, %s, %s, %d): %v", total, part, whole, places, err)
		}
		if rat(t, got).Cmp(want) != 0 {
			t.Fatalf("Prorate(%s, %s, %s, %d) = %s, want %s", total, part, whole, places, got, want.FloatString(places))
		}
	}
}

// TestProrateCumulativeIsExact checks the streaming split Prorate's doc
// describes: shares from cumulative parts add up to the total.
func TestProrateCumulativeIsExact(t *testing.T) {
	r := newRand(t)
	for range 500 {
		total := mustParse(t, randomDecimal(r, 12, 4))
		n := 1 + r.IntN(50)
		parts := make([]int64, n)
		var whole int64
		for i := range parts {
			parts[i] = r.Int64N(100000)
			whole += parts[i]
		}
		if whole == 0 {
			continue
		}
		var cum int64
		var prev, sum Decimal
		for _, p := range parts {
			cum += p
			next, err := Prorate(total, New(cum, 0), New(whole, 0), 10)
			if err != nil {
				t.Fatal(err)
			}
			share, _ := next.Sub(prev)
			sum, _ = sum.Add(share)
			prev = next
		}
		if sum.Cmp(total) != 0 {
			t.Fatalf("cumulative shares of %s over %v add up to %s", total, parts, sum)
		}
	}
}
