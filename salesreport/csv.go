package salesreport

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"tonegrid/money"
)

// The columns of the ToneGrid CSV format, in the order the contract lists
// them; a file may put them in any order and add others.
const (
	colReportingPeriod = iota
	colDSP
	colTerritory
	colISRC
	colUPC
	colUsageType
	colUnits
	colAmount
	colCurrency
	numColumns
)

// CSVColumns are the header names of the ToneGrid CSV format.
var CSVColumns = [numColumns]string{
	"reporting_period", "dsp", "territory", "isrc", "upc", "usage_type", "units", "amount", "currency",
}

// CSVReader reads the ToneGrid CSV format: a header row naming the columns
// reporting_period, dsp, territory, isrc, upc, usage_type, units, amount and
// currency in any order (names are matched case-insensitively, other columns
// are ignored), then one row per line. Quoting follows RFC 4180 (a quoted
// field may hold commas, doubled quotes and line breaks); lines end in LF or
// CRLF; blank lines are skipped; spaces around values are trimmed.
//
// units is a whole number (negative for returns); amount a decimal with at
// most 10 fractional digits; currency an ISO 4217 code. isrc and upc may be
// empty; they are upper-cased and stripped of spaces and dashes.
type CSVReader struct {
	lr      *lineReader
	in      interner
	columns [numColumns]int // field index of each column
	header  bool
	err     error // final error, returned forever

	fields  [][]byte
	record  []byte // a quoted record spanning lines, assembled
	scratch []byte // unquoted field contents
	code    [64]byte
	line    Line

	period, dsp, territory, isrc, upc, usage, currency lastValue
}

// NewCSVReader returns a reader of the ToneGrid CSV format over r.
func NewCSVReader(r io.Reader) *CSVReader { return &CSVReader{lr: newLineReader(r)} }

// Reconciliation is nil: a CSV file declares no totals of its own.
func (r *CSVReader) Reconciliation() *Reconciliation { return nil }

// Next returns the next line; see Reader.
func (r *CSVReader) Next() (*Line, error) {
	if r.err != nil {
		return nil, r.err
	}
	if !r.header {
		if err := r.readHeader(); err != nil {
			r.err = err
			return nil, err
		}
		r.header = true
	}
	for {
		rec, lineNo, err := r.readRecord()
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				r.err = err
			}
			return nil, err
		}
		if len(rec) == 0 {
			continue
		}
		if err := r.split(rec); err != nil {
			return nil, &ParseError{Line: lineNo, Err: err}
		}
		if err := r.fill(lineNo); err != nil {
			return nil, err
		}
		return &r.line, nil
	}
}

func (r *CSVReader) readHeader() error {
	for {
		rec, lineNo, err := r.readRecord()
		if err == io.EOF {
			return errors.New("read csv header: the file is empty")
		}
		var pe *ParseError
		if errors.As(err, &pe) {
			// Final, so not a *ParseError: the caller must not go on.
			return fmt.Errorf("read csv header: line %d: %w", pe.Line, pe.Err)
		}
		if err != nil {
			return fmt.Errorf("read csv header: %w", err)
		}
		if len(rec) == 0 {
			continue
		}
		if err := r.split(rec); err != nil {
			return fmt.Errorf("read csv header: line %d: %w", lineNo, err)
		}
		break
	}
	for c := range r.columns {
		r.columns[c] = -1
	}
	for i, f := range r.fields {
		name := strings.ToLower(string(trimSpace(f)))
		for c, want := range CSVColumns {
			if name != want {
				continue
			}
			if r.columns[c] >= 0 {
				return fmt.Errorf("read csv header: column %q appears twice", want)
			}
			r.columns[c] = i
		}
	}
	var missing []string
	for c, i := range r.columns {
		if i < 0 {
			missing = append(missing, CSVColumns[c])
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("read csv header: missing required column(s): %s", strings.Join(missing, ", "))
	}
	return nil
}

// readRecord returns the next record and the line it starts on: one line,
// or several joined by "\n" when a quoted field spans line breaks.
func (r *CSVReader) readRecord() ([]byte, int64, error) {
	line, err := r.lr.next()
	lineNo := r.lr.lineNo
	if err == ErrLineTooLong {
		return nil, lineNo, &ParseError{Line: lineNo, Err: err}
	}
	if err != nil {
		return nil, lineNo, err
	}
	if bytes.IndexByte(line, '"') < 0 || !endsInQuotes(line, false) {
		return line, lineNo, nil
	}
	// A quoted field goes on on the next line.
	r.record = append(r.record[:0], line...)
	for open := true; open; {
		next, err := r.lr.next()
		switch {
		case err == io.EOF:
			return nil, lineNo, &ParseError{Line: lineNo, Err: errors.New("quoted field not closed before the end of the file")}
		case err == ErrLineTooLong:
			return nil, lineNo, &ParseError{Line: lineNo, Err: err}
		case err != nil:
			return nil, lineNo, err
		}
		open = endsInQuotes(next, true)
		if len(r.record)+1+len(next) > MaxLineBytes {
			if open {
				r.skipOpenRecord()
			}
			return nil, lineNo, &ParseError{Line: lineNo, Err: ErrLineTooLong}
		}
		r.record = append(r.record, '\n')
		r.record = append(r.record, next...)
	}
	return r.record, lineNo, nil
}

// endsInQuotes reports whether a line ends inside a quoted field, given
// whether it starts inside one. Only a quote that starts a field opens one;
// a doubled quote inside one is a literal quote.
func endsInQuotes(line []byte, inQuotes bool) bool {
	fieldStart := !inQuotes
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case inQuotes:
			if c == '"' {
				if i+1 < len(line) && line[i+1] == '"' {
					i++
				} else {
					inQuotes = false
				}
			}
		case c == ',':
			fieldStart = true
			continue
		case c == '"' && fieldStart:
			inQuotes = true
		}
		fieldStart = false
	}
	return inQuotes
}

// skipOpenRecord reads on until an over-long record's open quoted field
// closes, so the next record starts where it should.
func (r *CSVReader) skipOpenRecord() {
	for open := true; open; {
		next, err := r.lr.next()
		if err != nil && err != ErrLineTooLong {
			return
		}
		open = endsInQuotes(next, true)
	}
}

// split cuts a record into r.fields, unquoting quoted fields into r.scratch.
func (r *CSVReader) split(rec []byte) error {
	r.fields = r.fields[:0]
	hasQuotes := bytes.IndexByte(rec, '"') >= 0
	if !hasQuotes {
		for {
			i := bytes.IndexByte(rec, ',')
			if i < 0 {
				r.fields = append(r.fields, rec)
				return nil
			}
			r.fields = append(r.fields, rec[:i])
			rec = rec[i+1:]
		}
	}
	// Unquoted contents are never longer than the record: reserve that much
	// so appending never moves fields already cut.
	if cap(r.scratch) < len(rec) {
		r.scratch = make([]byte, 0, len(rec))
	}
	r.scratch = r.scratch[:0]
	for i := 0; ; {
		if i < len(rec) && rec[i] == '"' {
			start := len(r.scratch)
			i++
			for {
				j := bytes.IndexByte(rec[i:], '"')
				if j < 0 {
					return fmt.Errorf("field %d: quoted field not closed", len(r.fields)+1)
				}
				r.scratch = append(r.scratch, rec[i:i+j]...)
				i += j + 1
				if i < len(rec) && rec[i] == '"' {
					r.scratch = append(r.scratch, '"')
					i++
					continue
				}
				break
			}
			r.fields = append(r.fields, r.scratch[start:len(r.scratch):len(r.scratch)])
			if i == len(rec) {
				return nil
			}
			if rec[i] != ',' {
				return fmt.Errorf("field %d: unexpected %q after a closing quote", len(r.fields), rec[i])
			}
			i++
			continue
		}
		j := bytes.IndexByte(rec[i:], ',')
		f := rec[i:]
		if j >= 0 {
			f = rec[i : i+j]
		}
		if bytes.IndexByte(f, '"') >= 0 {
			return fmt.Errorf("field %d: quote inside an unquoted field", len(r.fields)+1)
		}
		r.fields = append(r.fields, f)
		if j < 0 {
			return nil
		}
		i += j + 1
	}
}

// fill sets r.line from r.fields.
func (r *CSVReader) fill(lineNo int64) error {
	l := &r.line
	*l = Line{LineNo: lineNo}
	var cells [numColumns][]byte
	for c, i := range r.columns {
		if i >= len(r.fields) {
			return &ParseError{Line: lineNo, Field: CSVColumns[c], Err: fmt.Errorf("missing: the row has %d fields", len(r.fields))}
		}
		cells[c] = trimSpace(r.fields[i])
	}
	l.ReportingPeriod = r.period.get(&r.in, cells[colReportingPeriod])
	l.DSP = r.dsp.get(&r.in, cells[colDSP])
	l.Territory = r.territory.get(&r.in, normalizeCode(&r.code, cells[colTerritory]))
	l.ISRC = r.isrc.get(&r.in, normalizeCode(&r.code, cells[colISRC]))
	l.UPC = r.upc.get(&r.in, normalizeCode(&r.code, cells[colUPC]))
	l.UsageType = r.usage.get(&r.in, cells[colUsageType])

	units, err := parseInt(cells[colUnits])
	if err != nil {
		return &ParseError{Line: lineNo, Field: "units", Err: fmt.Errorf("%q: %w", cells[colUnits], err)}
	}
	l.Units = units
	if len(cells[colAmount]) == 0 {
		return &ParseError{Line: lineNo, Field: "amount", Err: errEmpty}
	}
	if l.Amount, err = money.ParseAmountBytes(cells[colAmount]); err != nil {
		return &ParseError{Line: lineNo, Field: "amount", Err: err}
	}
	cur := cells[colCurrency]
	if len(cur) == 0 || string(cur) != r.currency.s {
		cur = normalizeCode(&r.code, cur)
		if !money.ValidCurrency(string(cur)) {
			return &ParseError{Line: lineNo, Field: "currency", Err: fmt.Errorf("%w: %q", ErrUnknownCurrency, cur)}
		}
	}
	l.Currency = r.currency.get(&r.in, cur)
	return nil
}
