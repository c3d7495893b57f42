package salesreport

import (
	"errors"
	"io"
	"testing"
)

// readAll reads every line of r, failing the test on any error.
func readAll(t testing.TB, r Reader) []Line {
	t.Helper()
	var out []Line
	for {
		l, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("Next after %d lines: %v", len(out), err)
		}
		out = append(out, *l)
	}
}

// readWithErrors reads r to the end, collecting lines and the record errors
// it skipped; it fails the test on a final error other than io.EOF.
func readWithErrors(t testing.TB, r Reader) ([]Line, []*ParseError) {
	t.Helper()
	var lines []Line
	var errs []*ParseError
	for range 100_000 {
		l, err := r.Next()
		if err == io.EOF {
			return lines, errs
		}
		var pe *ParseError
		if errors.As(err, &pe) {
			errs = append(errs, pe)
			continue
		}
		if err != nil {
			t.Fatalf("Next: final error %v", err)
		}
		lines = append(lines, *l)
	}
	t.Fatal("reader did not reach the end")
	return nil, nil
}

// lineKey is what both formats say about a line.
type lineKey struct {
	ReportingPeriod, DSP, Territory, ISRC, UPC, UsageType string
	Units                                                 int64
	Amount                                                string
	Currency                                              string
}

func keyOf(l Line) lineKey {
	return lineKey{l.ReportingPeriod, l.DSP, l.Territory, l.ISRC, l.UPC, l.UsageType, l.Units, l.Amount.String(), l.Currency}
}
