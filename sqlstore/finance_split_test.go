package sqlstore

import (
	"math/rand/v2"
	"testing"
	"time"

	"tonegrid/money"
)

// randomSplits returns n percentages with 4 fractional digits that add up to
// exactly 100.
func randomSplits(r *rand.Rand, n int) []money.Decimal {
	left := int64(1000000)
	out := make([]money.Decimal, n)
	for i := 0; i < n-1; i++ {
		v := r.Int64N(left + 1)
		out[i] = money.New(v, 4)
		left -= v
	}
	out[n-1] = money.New(left, 4)
	return out
}

// TestSplitNetSumsExactly is the property of payee statements: whatever the
// lines' amounts (10 fractional digits, returns included), the splits, the
// fee and the currency, the payees' parts add up to exactly the net, and
// every part has the currency's number of digits.
func TestSplitNetSumsExactly(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(9, seed))
	for iter := 0; iter < 3000; iter++ {
		currency := []string{"USD", "JPY", "KWD", "EUR"}[r.IntN(4)]
		places, _ := money.MinorUnits(currency)
		tracks := map[[2]int64]money.Decimal{}
		splits := map[int64][]split{}
		total := money.New(0, 0)
		nTracks := 1 + r.IntN(12)
		for i := 0; i < nTracks; i++ {
			trackID := int64(i + 1)
			if r.IntN(8) == 0 {
				trackID = 0 // release-level revenue
			}
			amount := money.New(r.Int64N(2_000_000_000_000)-r.Int64N(200_000_000_000), 10)
			key := [2]int64{int64(1 + r.IntN(3)), trackID}
			sum, err := tracks[key].Add(amount)
			if err != nil {
				t.Fatal(err)
			}
			tracks[key] = sum
			if total, err = total.Add(amount); err != nil {
				t.Fatal(err)
			}
			if trackID != 0 && r.IntN(4) != 0 {
				n := 1 + r.IntN(5)
				var ss []split
				for j, pct := range randomSplits(r, n) {
					ss = append(ss, split{payeeID: int64(100 + r.IntN(6) + j), pct: pct})
				}
				splits[trackID] = ss
			}
		}
		gross := money.RoundHalfEven(total, places)
		fee, err := money.Prorate(gross, money.New(r.Int64N(1000001), 4), hundred, places)
		if err != nil {
			t.Fatal(err)
		}
		net, err := gross.Sub(fee)
		if err != nil {
			t.Fatal(err)
		}
		payees, parts, shares, err := splitNet(net, places, tracks, splits, 1)
		if err != nil {
			t.Fatalf("iteration %d: %v", iter, err)
		}
		if len(payees) != len(parts) || len(payees) == 0 {
			t.Fatalf("iteration %d: %d payees, %d parts", iter, len(payees), len(parts))
		}
		sum := money.New(0, 0)
		for _, p := range parts {
			if p.Scale() != places {
				t.Fatalf("iteration %d: part %s has %d digits, want %d", iter, p, p.Scale(), places)
			}
			if sum, err = sum.Add(p); err != nil {
				t.Fatal(err)
			}
		}
		if sum.Cmp(net) != 0 {
			t.Fatalf("iteration %d (%s): parts %v add up to %s, net is %s", iter, currency, parts, sum, net)
		}
		// The shares of each track add up to its amount (splits sum to 100).
		byTrack := map[[2]int64]money.Decimal{}
		for _, s := range shares {
			k := [2]int64{s.ReleaseID, s.TrackID}
			if byTrack[k], err = byTrack[k].Add(s.Share); err != nil {
				t.Fatal(err)
			}
		}
		for k, v := range tracks {
			if byTrack[k].Cmp(v) != 0 {
				t.Fatalf("iteration %d: shares of %v add up to %s, amount %s", iter, k, byTrack[k], v)
			}
		}
	}
}
