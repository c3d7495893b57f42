package money

import (
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
)

func decimals(t testing.TB, ss ...string) []Decimal {
	t.Helper()
	out := make([]Decimal, len(ss))
	for i, s := range ss {
		out[i] = mustParse(t, s)
	}
	return out
}

func TestAllocate(t *testing.T) {
	tests := []struct {
		name    string
		total   string
		weights []string
		places  int
		want    []string
	}{
		{"thirds", "100.00", []string{"1", "1", "1"}, 2, []string{"33.34", "33.33", "33.33"}},
		{"negative thirds", "-100.00", []string{"1", "1", "1"}, 2, []string{"-33.34", "-33.33", "-33.33"}},
		{"percentages", "10.00", []string{"33.3333", "33.3333", "33.3334"}, 2, []string{"3.33", "3.33", "3.34"}},
		{"largest remainder wins", "1.00", []string{"10", "20", "70"}, 1, []string{"0.1", "0.2", "0.7"}},
		{"remainder ties go to the lowest index", "0.05", []string{"1", "1", "1", "1"}, 2, []string{"0.02", "0.01", "0.01", "0.01"}},
		{"zero weight gets zero", "0.01", []string{"0", "1", "0", "1"}, 2, []string{"0.00", "0.01", "0.00", "0.00"}},
		{"zero total", "0", []string{"50", "50"}, 2, []string{"0.00", "0.00"}},
		{"weights need not sum to 100", "7", []string{"2", "1"}, 0, []string{"5", "2"}},
		{"yen", "1000", []string{"33.3333", "66.6667"}, 0, []string{"333", "667"}},
		{"total at fewer places", "5", []string{"1", "2"}, 2, []string{"1.67", "3.33"}},
		{"single weight", "12.34", []string{"0.0001"}, 2, []string{"12.34"}},
		{"beyond 64 bits", "12345678901234567890123.45", []string{"1", "1", "1"}, 2,
			[]string{"4115226300411522630041.15", "4115226300411522630041.15", "4115226300411522630041.15"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Allocate(mustParse(t, tt.total), decimals(t, tt.weights...), tt.places)
			if err != nil {
				t.Fatal(err)
			}
			var gs []string
			for _, g := range got {
				gs = append(gs, g.String())
			}
			if strings.Join(gs, " ") != strings.Join(tt.want, " ") {
				t.Errorf("Allocate(%s, %v, %d) = %v, want %v", tt.total, tt.weights, tt.places, gs, tt.want)
			}
		})
	}
}

func TestAllocateErrors(t *testing.T) {
	tests := []struct {
		name    string
		total   string
		weights []string
		places  int
	}{
		{"no weights", "1", nil, 2},
		{"negative weight", "1", []string{"1", "-1"}, 2},
		{"weights sum to zero", "1", []string{"0", "0"}, 2},
		{"total finer than places", "1.005", []string{"1"}, 2},
		{"places out of range", "1", []string{"1"}, 39},
	}
	for _, tt := range tests {
		if _, err := Allocate(mustParse(t, tt.total), decimals(t, tt.weights...), tt.places); err == nil {
			t.Errorf("%s: Allocate succeeded, want an error", tt.name)
		}
	}
}

// TestAllocateProperties checks thousands of random splits: the parts add up
// exactly, each is within one minor unit of its exact share, zero weights get
// zero, and signs follow the total.
func TestAllocateProperties(t *testing.T) {
	r := newRand(t)
	for i := range 5000 {
		places := r.IntN(5)
		digits := 12
		if i%10 == 0 {
			digits = 30 // beyond 64 bits: the math/big path
		}
		total := RoundHalfEven(mustParse(t, randomDecimal(r, digits, places)), places)
		if i%7 == 0 {
			total = RoundHalfEven(Decimal{}, places)
		}
		weights := randomWeights(r, 1+r.IntN(12))
		parts, err := Allocate(total, weights, places)
		if err != nil {
			t.Fatalf("Allocate(%s, %v, %d): %v", total, weights, places, err)
		}
		checkAllocation(t, total, weights, places, parts)
	}
}

// randomWeights returns weights with some zeros and tiny values, never all
// zero.
func randomWeights(r *rand.Rand, n int) []Decimal {
	ws := make([]Decimal, n)
	for {
		nonZero := false
		for i := range ws {
			switch r.IntN(5) {
			case 0:
				ws[i] = New(0, r.IntN(5))
			case 1:
				ws[i] = New(1+r.Int64N(9), 4) // 0.0001 … 0.0009
			default:
				ws[i] = New(r.Int64N(1_000_000), 4)
			}
			nonZero = nonZero || !ws[i].IsZero()
		}
		if nonZero {
			return ws
		}
	}
}

func checkAllocation(t *testing.T, total Decimal, weights []Decimal, places int, parts []Decimal) {
	t.Helper()
	if len(parts) != len(weights) {
		t.Fatalf("got %d parts for %d weights", len(parts), len(weights))
	}
	var sum Decimal
	wsum := new(big.Rat)
	for _, w := range weights {
		wsum.Add(wsum, rat(t, w))
	}
	unit := new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places)), nil))
	for i, p := range parts {
		sum, _ = sum.Add(p)
		if p.Scale() != places {
			t.Fatalf("part %d = %s has scale %d, want %d", i, p, p.Scale(), places)
		}
		if weights[i].IsZero() && !p.IsZero() {
			t.Fatalf("zero weight %d got %s (total %s, weights %v)", i, p, total, weights)
		}
		if p.Sign() != 0 && p.Sign() != total.Sign() {
			t.Fatalf("part %d = %s has the wrong sign for total %s", i, p, total)
		}
		exact := new(big.Rat).Quo(new(big.Rat).Mul(rat(t, total), rat(t, weights[i])), wsum)
		off := new(big.Rat).Sub(rat(t, p), exact)
		if off.Abs(off).Cmp(unit) >= 0 {
			t.Fatalf("part %d = %s is a unit or more from its exact share %s (total %s, weights %v)",
				i, p, exact.FloatString(places+4), total, weights)
		}
	}
	if sum.Cmp(total) != 0 {
		t.Fatalf("parts %v add up to %s, want %s", parts, sum, total)
	}
}
