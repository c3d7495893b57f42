package sqlstore_test

import (
	"errors"
	"math/rand/v2"
	"testing"

	"tonegrid"
	"tonegrid/money"
	"tonegrid/sqlstore"
)

// randomSplits draws 1–20 percentages with 4 decimal places that add up to
// exactly 100, then moves the largest by offset ten-thousandths (the other
// way when that would take it above 100).
func randomSplits(r *rand.Rand, offset int64) []tonegrid.Split {
	n := 1 + r.IntN(20)
	// Cut 1 000 000 ten-thousandths into n positive parts.
	cuts := map[int64]bool{}
	for len(cuts) < n-1 {
		cuts[1+r.Int64N(999_999)] = true
	}
	points := []int64{0, 1_000_000}
	for c := range cuts {
		points = append(points, c)
	}
	sortInts(points)
	parts := make([]int64, n)
	largest := 0
	for i := range parts {
		parts[i] = points[i+1] - points[i]
		if parts[i] > parts[largest] {
			largest = i
		}
	}
	if v := parts[largest] + offset; v <= 1_000_000 {
		parts[largest] = v
	} else {
		parts[largest] -= offset
	}
	out := make([]tonegrid.Split, n)
	for i, part := range parts {
		out[i] = tonegrid.Split{PayeeUUID: "p", Percentage: money.New(part, 4).String()}
	}
	return out
}

func sortInts(s []int64) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// TestSplitsAllocationNeverExceedsOrLoses is the property test of splits:
// any set of percentages the API accepts (100 within 0.01), used as
// weights by money.Allocate, splits an amount into parts that add up to
// exactly that amount, none negative and none above it; sets off by more
// than 0.01 are refused.
func TestSplitsAllocationNeverExceedsOrLoses(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 2026))
	totals := []string{"100", "0.01", "1234567.891234", "0", "-52.17", "99999999999.9999"}
	for iter := 0; iter < 3000; iter++ {
		offset := r.Int64N(201) - 100 // within ±0.01
		splits := randomSplits(r, offset)
		if err := sqlstore.CheckSplitsSum(splits); err != nil {
			t.Fatalf("splits %v (off by %d/10000) refused: %v", splits, offset, err)
		}
		weights := make([]money.Decimal, len(splits))
		for i, s := range splits {
			d, err := money.ParsePercentage(s.Percentage)
			if err != nil {
				t.Fatalf("percentage %q: %v", s.Percentage, err)
			}
			weights[i] = d
		}
		total := money.MustParse(totals[iter%len(totals)])
		places := max(total.Scale(), 2)
		parts, err := money.Allocate(total, weights, places)
		if err != nil {
			t.Fatalf("allocate %s over %v: %v", total, splits, err)
		}
		sum := money.New(0, 0)
		for i, p := range parts {
			if total.Sign() >= 0 && (p.Sign() < 0 || p.Cmp(total) > 0) {
				t.Fatalf("part %d of %s is %s (weights %v)", i, total, p, splits)
			}
			if total.Sign() < 0 && (p.Sign() > 0 || p.Cmp(total) < 0) {
				t.Fatalf("part %d of %s is %s (weights %v)", i, total, p, splits)
			}
			if sum, err = sum.Add(p); err != nil {
				t.Fatal(err)
			}
		}
		if sum.Cmp(total) != 0 {
			t.Fatalf("parts of %s add up to %s (weights %v)", total, sum, splits)
		}
	}
	// Off by more than 0.01 either way: refused.
	for iter := 0; iter < 500; iter++ {
		offset := 101 + r.Int64N(5000)
		if iter%2 == 0 {
			offset = -offset
		}
		splits := randomSplits(r, offset)
		if err := sqlstore.CheckSplitsSum(splits); !errors.Is(err, tonegrid.ErrSplitsSum) {
			t.Fatalf("splits %v (off by %d/10000) accepted: %v", splits, offset, err)
		}
	}
}
