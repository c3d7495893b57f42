package salesreport

import (
	"bytes"
	"runtime"
	"strings"
	"testing"
)

func generate(t testing.TB, opts GenerateOptions) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Generate(&buf, opts); err != nil {
		t.Fatalf("Generate(%+v): %v", opts, err)
	}
	return buf.Bytes()
}

// TestGenerateRoundTrip generates the same report in both formats, reads
// both back, and checks they hold the same lines and that the DSR file
// reconciles exactly.
func TestGenerateRoundTrip(t *testing.T) {
	catalog := SyntheticCatalog(30, 8)
	known := map[string]bool{}
	for _, r := range catalog {
		known[r.ISRC] = true
	}
	for _, seed := range []uint64{1, 2, 3} {
		opts := GenerateOptions{Lines: 3000, Seed: seed, Recordings: catalog, UnmatchedPercent: 20,
			DSP: "Store, Inc. | \"Quoted\"\tTabbed", Period: "2024-02"}
		opts.Format = FormatCSV
		csvLines := readAll(t, NewCSVReader(bytes.NewReader(generate(t, opts))))
		opts.Format = FormatDSR
		dsr := NewDSRReader(bytes.NewReader(generate(t, opts)))
		dsrLines := readAll(t, dsr)

		if len(csvLines) != opts.Lines || len(dsrLines) != opts.Lines {
			t.Fatalf("seed %d: read %d CSV and %d DSR lines, want %d", seed, len(csvLines), len(dsrLines), opts.Lines)
		}
		unmatched := 0
		for i := range csvLines {
			c, d := keyOf(csvLines[i]), keyOf(dsrLines[i])
			// The DSR amount is pro-rated from the summary: it has the same
			// value, not necessarily the same representation.
			if csvLines[i].Amount.Cmp(dsrLines[i].Amount) != 0 {
				t.Fatalf("seed %d, line %d: CSV amount %s, DSR amount %s", seed, i, c.Amount, d.Amount)
			}
			c.Amount, d.Amount = "", ""
			if c != d {
				t.Fatalf("seed %d, line %d:\n CSV %+v\n DSR %+v", seed, i, c, d)
			}
			if c.ReportingPeriod != "2024-02" || c.DSP != opts.DSP {
				t.Fatalf("seed %d, line %d: period %q, DSP %q", seed, i, c.ReportingPeriod, c.DSP)
			}
			if !known[c.ISRC] {
				unmatched++
			}
		}
		if share := unmatched * 100 / opts.Lines; share < 10 || share > 30 {
			t.Errorf("seed %d: %d%% of lines are unmatched, want about 20%%", seed, share)
		}
		rec := dsr.Reconciliation()
		if !rec.OK() {
			t.Errorf("seed %d: generated DSR does not reconcile: %v", seed, rec.Problems())
		}
		if len(rec.Summaries) != len(genTerritories)*len(genTiers) || len(rec.Counts) != 5 {
			t.Errorf("seed %d: %d summaries, %d counts", seed, len(rec.Summaries), len(rec.Counts))
		}
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	for _, f := range []Format{FormatCSV, FormatDSR} {
		opts := GenerateOptions{Format: f, Lines: 500, Seed: 42, UnmatchedPercent: 10}
		a, b := generate(t, opts), generate(t, opts)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two runs with the same options differ", f)
		}
		opts.Seed = 43
		if bytes.Equal(a, generate(t, opts)) {
			t.Errorf("%s: seeds 42 and 43 give the same report", f)
		}
	}
}

func TestGenerateEdgeCases(t *testing.T) {
	// No lines: a DSR file with summaries and no blocks still reconciles.
	r := NewDSRReader(bytes.NewReader(generate(t, GenerateOptions{Format: FormatDSR, Seed: 1})))
	if got := readAll(t, r); len(got) != 0 {
		t.Errorf("an empty report has %d lines", len(got))
	}
	if !r.Reconciliation().OK() {
		t.Errorf("empty report: %v", r.Reconciliation().Problems())
	}
	// Every line unmatched.
	lines := readAll(t, NewCSVReader(bytes.NewReader(generate(t,
		GenerateOptions{Format: FormatCSV, Lines: 200, Seed: 1, UnmatchedPercent: 100}))))
	for _, l := range lines {
		if !strings.HasPrefix(l.ISRC, "ZZUNM") {
			t.Fatalf("line %d has ISRC %s with 100%% unmatched", l.LineNo, l.ISRC)
		}
	}
	for _, bad := range []GenerateOptions{
		{Format: "xml", Lines: 1},
		{Format: FormatCSV, Lines: -1},
		{Format: FormatCSV, UnmatchedPercent: 101},
		{Format: FormatCSV, Period: "January"},
	} {
		if err := Generate(&bytes.Buffer{}, bad); err == nil {
			t.Errorf("Generate(%+v) succeeded, want an error", bad)
		}
	}
}

// TestLinesDoNotAllocate checks that, once the repeated strings have been
// seen, reading a line costs no allocation.
func TestLinesDoNotAllocate(t *testing.T) {
	catalog := SyntheticCatalog(5, 4)
	for _, f := range []Format{FormatCSV, FormatDSR} {
		data := generate(t, GenerateOptions{Format: f, Lines: 20_000, Seed: 7, Recordings: catalog})
		r, err := NewReader(bytes.NewReader(data), f)
		if err != nil {
			t.Fatal(err)
		}
		for range 2000 { // warm up: interned strings, buffers, maps
			if _, err := r.Next(); err != nil {
				t.Fatal(err)
			}
		}
		const n = 15_000
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range n {
			if _, err := r.Next(); err != nil {
				t.Fatal(err)
			}
		}
		runtime.ReadMemStats(&after)
		allocs := after.Mallocs - before.Mallocs
		t.Logf("%s: %d allocations for %d lines", f, allocs, n)
		// A DSR reader allocates the store id of each release and resource
		// record it reads, nothing per sales line.
		var budget uint64 = n / 100
		if f == FormatDSR {
			budget += uint64(bytes.Count(data, []byte("\nRE01\t")) + bytes.Count(data, []byte("\nAS02.02\t")))
		}
		if allocs > budget {
			t.Errorf("%s: %d allocations for %d lines, want at most %d", f, allocs, n, budget)
		}
	}
}

func TestSyntheticCatalog(t *testing.T) {
	c := SyntheticCatalog(3, 2)
	if len(c) != 6 || c[0].ISRC != "QZGEN2400001" || c[0].UPC != c[1].UPC || c[1].UPC == c[2].UPC || len(c[0].UPC) != 12 {
		t.Errorf("SyntheticCatalog(3, 2) = %+v", c)
	}
}
