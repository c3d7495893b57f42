package salesreport

import (
	"fmt"
	"slices"

	"tonegrid/money"
)

// Reconciliation compares what a DSR file declares about itself (summary
// records, FOOT counters) with what was read. Amounts are exact.
//
// For a report split over several files, each file repeats the report's
// summary records but holds only some of the lines: add up the files'
// parsed figures before comparing them with the declared ones.
type Reconciliation struct {
	// FileNumber and NumberOfFiles come from HEAD.
	FileNumber, NumberOfFiles int64
	// Summaries has one entry per summary record, in file order.
	Summaries []SummaryCheck
	// Currencies totals the summaries per currency, sorted by code.
	Currencies []CurrencyCheck
	// Counts compares the FOOT counters with what was counted.
	Counts []CountCheck
	// FootFound is false when the file ended without a FOOT record.
	FootFound bool
	// IgnoredRecords counts records of types this reader skips (MW01.01,
	// LI01…), by type.
	IgnoredRecords map[string]int64

	overflows []string // currencies whose totals went out of range
}

// SummaryCheck is one summary record: the sales context it declares and
// its declared and parsed figures.
type SummaryCheck struct {
	ID                 string
	RecordType         string
	CommercialModel    string
	UseType            string
	Territory          string
	ServiceDescription string
	Currency           string
	// DeclaredUsages is the denominator lines were pro-rated against
	// (AllocatedUsages, else Usages); ParsedUsages the units of its lines.
	DeclaredUsages, ParsedUsages money.Decimal
	// DeclaredAmount is the payable revenue (AllocatedRevenue, else
	// AllocatedNetRevenue, else NetRevenue); ParsedAmount the sum of its
	// lines' amounts.
	DeclaredAmount, ParsedAmount money.Decimal
	// Lines counts the sales records that referred to it.
	Lines int64
}

// CurrencyCheck is the declared and parsed revenue of one currency.
type CurrencyCheck struct {
	Currency         string
	Declared, Parsed money.Decimal
}

// CountCheck is one FOOT counter against the count made while reading.
type CountCheck struct {
	Name              string
	Declared, Counted int64
}

// OK reports whether everything declared matches what was read.
func (r *Reconciliation) OK() bool { return len(r.Problems()) == 0 }

// Problems describes each mismatch in a sentence, for import reports.
func (r *Reconciliation) Problems() []string {
	var out []string
	if !r.FootFound {
		out = append(out, "the file has no FOOT record")
	}
	for _, c := range r.Counts {
		if c.Declared != c.Counted {
			out = append(out, fmt.Sprintf("FOOT %s is %d, but %d were read", c.Name, c.Declared, c.Counted))
		}
	}
	for _, s := range r.Summaries {
		if s.DeclaredUsages.Cmp(s.ParsedUsages) != 0 {
			out = append(out, fmt.Sprintf("summary %s declares %s usages, its lines add up to %s", s.ID, s.DeclaredUsages, s.ParsedUsages))
		}
		if s.DeclaredAmount.Cmp(s.ParsedAmount) != 0 {
			out = append(out, fmt.Sprintf("summary %s declares %s %s, its lines add up to %s", s.ID, s.DeclaredAmount, s.Currency, s.ParsedAmount))
		}
	}
	for _, cur := range r.overflows {
		out = append(out, fmt.Sprintf("%s: the total is out of range", cur))
	}
	for _, c := range r.Currencies {
		if c.Declared.Cmp(c.Parsed) != 0 {
			out = append(out, fmt.Sprintf("%s: declared %s, lines add up to %s", c.Currency, c.Declared, c.Parsed))
		}
	}
	return out
}

// Reconciliation compares the file's declarations with what was read so
// far; call it after Next returned io.EOF.
func (r *DSRReader) Reconciliation() *Reconciliation {
	rec := &Reconciliation{
		FileNumber:     r.head.FileNumber,
		NumberOfFiles:  r.head.NumberOfFiles,
		FootFound:      r.footSeen,
		IgnoredRecords: make(map[string]int64, len(r.ignored)),
	}
	for k, v := range r.ignored {
		rec.IgnoredRecords[k] = v
	}
	byCurrency := map[string]*CurrencyCheck{}
	for _, s := range r.order {
		c := s.check
		c.ParsedUsages = money.New(s.units, 0)
		rec.Summaries = append(rec.Summaries, c)
		if c.Currency == "" {
			continue
		}
		cc := byCurrency[c.Currency]
		if cc == nil {
			cc = &CurrencyCheck{Currency: c.Currency}
			byCurrency[c.Currency] = cc
		}
		d, err1 := cc.Declared.Add(c.DeclaredAmount)
		p, err2 := cc.Parsed.Add(c.ParsedAmount)
		if err1 != nil || err2 != nil {
			rec.overflows = append(rec.overflows, c.Currency)
			continue
		}
		cc.Declared, cc.Parsed = d, p
	}
	for _, cc := range byCurrency {
		rec.Currencies = append(rec.Currencies, *cc)
	}
	slices.SortFunc(rec.Currencies, func(a, b CurrencyCheck) int {
		switch {
		case a.Currency < b.Currency:
			return -1
		case a.Currency > b.Currency:
			return 1
		}
		return 0
	})
	if r.footSeen {
		add := func(i int, counted int64) {
			if r.foot[i] >= 0 {
				rec.Counts = append(rec.Counts, CountCheck{Name: footCells[i], Declared: r.foot[i], Counted: counted})
			}
		}
		add(0, r.counted.lines)
		add(2, r.counted.summaries)
		add(3, r.counted.blocks)
		if r.head.NumberOfFiles <= 1 {
			add(1, r.counted.lines)
			add(4, r.counted.blocks)
		}
	}
	return rec
}
