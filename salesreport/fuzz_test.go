package salesreport

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
)

// drain reads r to its end or its first final error, checking what every
// reader must guarantee: lines have positive, non-decreasing line numbers,
// amounts have at most 10 fractional digits, and a final error repeats.
func drain(t *testing.T, r Reader) {
	t.Helper()
	var last int64
	for range 1_000_000 {
		l, err := r.Next()
		var pe *ParseError
		switch {
		case errors.As(err, &pe):
			if pe.Line <= 0 {
				t.Fatalf("ParseError with line %d: %v", pe.Line, pe)
			}
			continue
		case err != nil:
			if _, again := r.Next(); again != err {
				t.Fatalf("final error %v, then %v", err, again)
			}
			if rec := r.Reconciliation(); rec != nil {
				_ = rec.Problems()
			}
			return
		}
		if l.LineNo < last || l.LineNo <= 0 {
			t.Fatalf("line number %d after %d", l.LineNo, last)
		}
		last = l.LineNo
		if l.Amount.Scale() > 10 {
			t.Fatalf("line %d: amount %s has more than 10 fractional digits", l.LineNo, l.Amount)
		}
	}
	t.Fatal("reader never ended")
}

func FuzzCSVReader(f *testing.F) {
	header := strings.Join(CSVColumns[:], ",") + "\n"
	f.Add([]byte(header + "2024-01,S,US,USABC2400001,012345678905,stream,10,0.0034125000,USD\n"))
	f.Add([]byte("\xef\xbb\xbf" + header + "\"a,\"\"b\",S,US,,,stream,1,1,EUR\r\n\"x\ny\",S,US,,,stream,1,1,EUR"))
	f.Add([]byte("isrc,amount,currency,units,upc,dsp,territory,usage_type,reporting_period,extra\n1,2,USD,3,4,5,6,7,8,9\n"))
	f.Add([]byte(header + "\"open,S,US\n"))
	f.Add(generate(f, GenerateOptions{Format: FormatCSV, Lines: 20, Seed: 1}))
	f.Fuzz(func(t *testing.T, data []byte) {
		drain(t, NewCSVReader(bytes.NewReader(data)))
	})
}

func FuzzDSRReader(f *testing.F) {
	sample, err := os.ReadFile(sampleDSR)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sample)
	f.Add([]byte(dsrFile(testHead, testSY, `AS02.02~B1~R\\\1~d\~1~GBAAA2400001|X~T`, "SU02~B1~S1~T1~~R\\\\\\1~true~5", "SU01~B1~S1~T2~RL1~~true~false~3~1", "FOOT~5~5~1~1~1")))
	f.Add([]byte(dsrFile(testHead, "SY05.02~S1~~~SubscriptionModel~OnDemandStream~US~~~~MakeAvailableRight~10~10~~~2.5~~USD", "RE01~B1~RL1~r~~~123~A~~T", "SU02~B1~S1~T~RL1~~~10")))
	f.Add(generate(f, GenerateOptions{Format: FormatDSR, Lines: 20, Seed: 1}))
	f.Fuzz(func(t *testing.T, data []byte) {
		drain(t, NewDSRReader(bytes.NewReader(data)))
	})
}

// FuzzDSRCells checks that any value survives escaping, cell splitting and
// multi-value splitting.
func FuzzDSRCells(f *testing.F) {
	for _, v := range []string{"", "a\tb", "a|b", `a\b`, `\\\`, "\\\t|", `\|`} {
		f.Add(v, "other")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if strings.ContainsAny(a+b, "\r\n") {
			return // records are single lines; the writer replaces line breaks
		}
		cell := escapeValue(nil, a)
		cell = append(cell, '|')
		cell = escapeValue(cell, b)
		rec := append(append([]byte("X\t"), cell...), "\tY"...)
		cells := splitCells(nil, rec)
		if len(cells) != 3 || string(cells[0]) != "X" || string(cells[2]) != "Y" {
			t.Fatalf("%q and %q: record %q splits into %q", a, b, rec, cells)
		}
		v1, rest, more := nextValue(cells[1])
		v2, _, more2 := nextValue(rest)
		if !more || more2 || string(unescape(nil, v1)) != a || string(unescape(nil, v2)) != b {
			t.Fatalf("%q and %q: cell %q reads back as %q, %q", a, b, cells[1], unescape(nil, v1), unescape(nil, v2))
		}
	})
}
