// Package salesreport reads the sales and usage reports stores send (the
// ToneGrid CSV format and DDEX DSR flat files, BasicAudioProfile 1.2) as a
// stream of Lines, and writes synthetic reports for tests and benchmarks.
//
// Readers never hold a whole file: memory stays flat whatever its size, and
// a line costs no allocation once its repeated strings (territories,
// currencies, ISRCs…) have been seen. It imports the standard library and
// tonegrid/money only; matching lines to the catalog and storing them belong
// to the importer that uses it.
package salesreport

import (
	"errors"
	"fmt"
	"io"

	"tonegrid/money"
)

// Format names a report format, as the import API spells it.
type Format string

// The formats this package reads and writes.
const (
	FormatCSV Format = "csv"
	FormatDSR Format = "ddex-dsr"
)

// Line is one sales or usage line of a report, in ToneGrid's terms.
type Line struct {
	// LineNo is the 1-based line of the file the record starts on.
	LineNo int64
	// ReportingPeriod is the period the line covers: the CSV cell as is, or
	// for DSR "2024-01" (a calendar month), or "2024-01-01--2024-03-31".
	ReportingPeriod string
	// DSP is the store: the CSV cell, or the DSR sender's name.
	DSP string
	// Territory is an ISO 3166 code (upper case) or a store's own value.
	Territory string
	// ISRC is upper case without dashes; empty when the line is for a release.
	ISRC string
	// UPC is the release's UPC/EAN (DSR ICPN), without spaces or dashes.
	UPC string
	// UsageType is the CSV usage_type cell, or the DSR UseType
	// ("OnDemandStream", "PermanentDownload", …).
	UsageType string
	// Units is streams or downloads net of returns.
	Units int64
	// Amount is the line's net revenue in Currency, with at most 10
	// fractional digits.
	Amount money.Decimal
	// Currency is an ISO 4217 code.
	Currency string

	// The fields below are filled for DDEX DSR only.

	// CommercialModel is the summary's model ("SubscriptionModel", …).
	CommercialModel string
	// ServiceDescription is the summary's service tier ("Premium", …).
	ServiceDescription string
	// DSPReleaseID and DSPResourceID are the store's own identifiers.
	DSPReleaseID  string
	DSPResourceID string
	// SummaryRecordID links the line to its summary record.
	SummaryRecordID string
}

// Reader yields the lines of one report.
//
// Next returns the next line, or io.EOF after the last. The *Line it returns
// is overwritten by the following call; every field of it is a value that is
// safe to keep, so copy the struct (l := *line) to keep a line.
//
// A *ParseError reports one bad record (with its line number); the reader has
// skipped it and the caller may call Next again or stop. Any other error
// (reading, a missing header column, a file that is not of the format) is
// final and Next keeps returning it.
type Reader interface {
	Next() (*Line, error)
	// Reconciliation compares what the report declares about itself with
	// what was read so far; call it after io.EOF. It is nil for formats that
	// declare nothing (CSV).
	Reconciliation() *Reconciliation
}

// NewReader returns a Reader of the given format over r. Gzip-compressed
// input is detected and decompressed, and a UTF-8 byte order mark skipped.
func NewReader(r io.Reader, f Format) (Reader, error) {
	switch f {
	case FormatCSV:
		return NewCSVReader(r), nil
	case FormatDSR:
		return NewDSRReader(r), nil
	}
	return nil, fmt.Errorf("open sales report: unknown format %q (want %q or %q)", f, FormatCSV, FormatDSR)
}

// ParseError is a bad record: the reader skipped it, and may go on.
type ParseError struct {
	// Line is the 1-based line of the file the record starts on.
	Line int64
	// Field names the CSV column or DSR cell at fault, when known.
	Field string
	Err   error
}

func (e *ParseError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("line %d: %s: %v", e.Line, e.Field, e.Err)
	}
	return fmt.Sprintf("line %d: %v", e.Line, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// Record errors that callers may want to recognise with errors.Is.
var (
	// ErrLineTooLong means a line (or quoted CSV record) exceeds MaxLineBytes.
	ErrLineTooLong = errors.New("line too long")
	// ErrUnknownCurrency means a currency cell holds no ISO 4217 code.
	ErrUnknownCurrency = errors.New("unknown ISO 4217 currency")
)

// MaxLineBytes is the longest line (or quoted multi-line CSV record) a
// reader accepts; longer ones are skipped with ErrLineTooLong.
const MaxLineBytes = 1 << 20

// maxInterned bounds the strings a reader interns, so memory stays flat on
// reports with millions of distinct values; past it, values are allocated.
const maxInterned = 1 << 17

// interner hands out one shared string per distinct value, so repeated
// territories, currencies and ISRCs cost no allocation.
type interner struct {
	m map[string]string
}

func (in *interner) intern(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if s, ok := in.m[string(b)]; ok {
		return s
	}
	s := string(b)
	if in.m == nil {
		in.m = make(map[string]string)
	}
	if len(in.m) < maxInterned {
		in.m[s] = s
	}
	return s
}

// lastValue remembers the previous value of one column: most reports repeat
// it from line to line, and comparing is cheaper than a map lookup.
type lastValue struct{ s string }

func (l *lastValue) get(in *interner, b []byte) string {
	if string(b) != l.s {
		l.s = in.intern(b)
	}
	return l.s
}

// normalizeCode writes b upper-cased without spaces or dashes into buf, the
// form identifiers (ISRC, UPC, territory and currency codes) are matched in.
// It returns b itself when it is already in that form.
func normalizeCode(buf *[64]byte, b []byte) []byte {
	clean := true
	for _, c := range b {
		if c == ' ' || c == '-' || (c >= 'a' && c <= 'z') {
			clean = false
			break
		}
	}
	if clean || len(b) > len(buf) {
		return b
	}
	n := 0
	for _, c := range b {
		switch {
		case c == ' ' || c == '-':
			continue
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		}
		buf[n] = c
		n++
	}
	return buf[:n]
}

// trimSpace removes ASCII spaces and tabs around b.
func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

var (
	errEmpty      = errors.New("empty")
	errNotInteger = errors.New("not an integer")
	errIntRange   = errors.New("integer out of range")
)

// parseInt reads a whole number; as DSR allows, "5." and "5.0" are 5.
func parseInt(b []byte) (int64, error) {
	if len(b) == 0 {
		return 0, errEmpty
	}
	neg := false
	if b[0] == '-' || b[0] == '+' {
		neg = b[0] == '-'
		b = b[1:]
	}
	var n uint64
	digits := 0
	i := 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if n > (1<<63)/10 {
			return 0, errIntRange
		}
		n = n*10 + uint64(b[i]-'0')
		digits++
	}
	if i < len(b) && b[i] == '.' {
		for i++; i < len(b) && b[i] == '0'; i++ {
		}
	}
	if digits == 0 || i != len(b) {
		return 0, errNotInteger
	}
	if n > 1<<63 || (n == 1<<63 && !neg) {
		return 0, errIntRange
	}
	if neg {
		return -int64(n-1) - 1, nil
	}
	return int64(n), nil
}
