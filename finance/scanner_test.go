package finance

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"tonegrid"
	"tonegrid/money"
	"tonegrid/salesreport"
	"tonegrid/sqlstore"
)

// TestScannerSums reads a CSV whose one ISRC is sold in 40 territories
// (more than the short list holds, so the map takes over), a UPC-only line
// and unknown codes, and checks every sum against a plain recount.
func TestScannerSums(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("reporting_period,dsp,territory,isrc,upc,usage_type,units,amount,currency\n")
	want := map[string]money.Decimal{}
	wantUnits := map[string]int64{}
	lines := 0
	for round := 0; round < 3; round++ {
		for i := 0; i < 40; i++ {
			terr := fmt.Sprintf("T%02d", i)
			amount := money.New(int64(round*1000+i+1), 4)
			fmt.Fprintf(&sb, "2024-01,Spotify,%s,QZAAA2400001,,stream,%d,%s,USD\n", terr, i+1, amount)
			var err error
			if want[terr], err = want[terr].Add(amount); err != nil {
				t.Fatal(err)
			}
			wantUnits[terr] += int64(i + 1)
			lines++
		}
	}
	sb.WriteString("2024-01,,US,,123456789012,download,2,1.5,EUR\n")
	sb.WriteString("2024-01,Spotify,US,QZZZZ2499999,,stream,5,0.25,USD\n")
	sb.WriteString("2024-01,Spotify,US,QZZZZ2499998,999999999999,stream,5,0.5,USD\n")
	var unmatched []tonegrid.UnmatchedLine
	sc := &Scanner{
		ByISRC: map[string]sqlstore.CatalogMatch{"QZAAA2400001": {TrackID: 7, ReleaseID: 3, OwnerTenantID: 1}},
		ByUPC:  map[string]sqlstore.CatalogMatch{"123456789012": {ReleaseID: 4, OwnerTenantID: 1}},
		DSP:    "Import DSP", Batch: 1,
		Unmatched: func(ls []tonegrid.UnmatchedLine) error { unmatched = append(unmatched, ls...); return nil },
	}
	if err := sc.Scan(context.Background(), salesreport.NewCSVReader(strings.NewReader(sb.String()))); err != nil {
		t.Fatal(err)
	}
	r := sc.Result
	if r.LinesTotal != int64(lines+3) || r.LinesMatched != int64(lines+1) || r.LinesUnmatched != 2 || len(unmatched) != 2 || sc.Sums() != 41 {
		t.Fatalf("result %+v, %d unmatched handed over, %d sums", r, len(unmatched), sc.Sums())
	}
	if unmatched[0].ISRC != "QZZZZ2499999" || unmatched[1].UPC != "999999999999" {
		t.Errorf("unmatched = %+v", unmatched)
	}
	if r.Totals["EUR"].Cmp(money.MustParse("1.5")) != 0 || len(r.Currencies) != 2 || r.Currencies[0] != "USD" {
		t.Errorf("totals %v, currencies %v", r.Totals, r.Currencies)
	}
	seen := 0
	for _, c := range sc.byISRC {
		for _, v := range c.list {
			seen++
			if v.amount.Cmp(want[v.territory]) != 0 || v.units != wantUnits[v.territory] || v.lines != 3 || c.match.TrackID != 7 {
				t.Errorf("%s: %s, %d units, %d lines; want %s, %d, 3", v.territory, v.amount, v.units, v.lines, want[v.territory], wantUnits[v.territory])
			}
		}
	}
	upc := sc.byUPC["123456789012"]
	if seen != 40 || upc == nil || len(upc.list) != 1 || upc.list[0].dsp != "Import DSP" || upc.list[0].units != 2 {
		t.Errorf("%d ISRC sums; UPC sums %+v", seen, upc)
	}
}
