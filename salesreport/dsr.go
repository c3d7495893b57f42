package salesreport

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"tonegrid/money"
)

// DSRHeader is what a DSR file's HEAD record says about the report.
type DSRHeader struct {
	MessageVersion     string
	Profile            string
	ProfileVersion     string
	MessageID          string
	MessageCreated     string
	FileNumber         int64
	NumberOfFiles      int64
	UsageStartDate     string
	UsageEndDate       string
	SenderPartyID      string
	SenderName         string
	ServiceDescription string
	RecipientPartyID   string
	RecipientName      string
}

// DSRReader reads a DDEX DSR flat file (BasicAudioProfile 1.2, multi-record
// blocks): HEAD, summary records (SY01.01, SY02.02, SY04.01, SY05.02; the
// unversioned SY01/SY02… too), blocks of RE01/RE02 releases, AS01.01/AS02.02
// resources and SU01/SU02 sales or usage records, and FOOT. Other record
// types are counted and ignored; "#" comment lines and blank lines are
// skipped (and counted, as FOOT counts them). Cells are unescaped per
// DSR Part 1 6.6.4; missing trailing cells read as empty.
//
// Each SU01/SU02 record becomes a Line: ISRC and DSP resource id from the
// resource it names (TransactedResource), UPC (ICPN) and DSP release id from
// the release it names (TransactedRelease) or else the block's RE01;
// territory, use type, commercial model, service and currency from its
// summary record. Units are NumberOfStreams (SU02) or Usages − Returns
// (SU01).
//
// SU records carry no money: each summary's payable revenue
// (AllocatedRevenue, else AllocatedNetRevenue, else NetRevenue; multiple
// values are summed) is pro-rated over its lines by units against the
// summary's usages (AllocatedUsages, else Usages; TotalUsages for SY05,
// UsagesInReportingPeriod for SY04), at 10 fractional digits, cumulatively:
// a line gets round(R×C'/U) − round(R×C/U) where C and C' are the summary's
// units before and after it. The amounts of a summary's lines therefore add
// up to exactly R whenever its units add up to U, with no unit created or
// lost; Reconciliation reports any difference.
type DSRReader struct {
	lr  *lineReader
	in  interner
	err error // final error, returned forever

	cells   [][]byte
	scratch []byte
	code    [64]byte
	line    Line

	head     DSRHeader
	headSeen bool
	footSeen bool
	period   string
	foot     [5]int64 // FOOT cells 2–6 (-1 when empty)
	counted  struct{ lines, summaries, blocks int64 }

	summaries map[string]*summary
	order     []*summary // in file order
	ignored   map[string]int64

	blockID   []byte
	releases  map[string]release
	resources map[string]resource
	headRel   release // the block's RE01
}

type release struct{ icpn, dspID string }

type resource struct{ isrc, dspID string }

// summary is one SY record and the running totals of its lines.
type summary struct {
	check   SummaryCheck
	layout  string // record type family: "SY01", "SY02", "SY04", "SY05", or other
	revenue money.Decimal
	usages  money.Decimal // denominator of the pro-rating
	units   int64         // cumulative units of its lines so far
	prorata money.Decimal // revenue × units / usages, rounded
}

// Limits that keep a hostile file from growing memory without bound.
const (
	maxSummaries         = 100_000
	maxResourcesPerBlock = 100_000
	maxIgnoredTypes      = 100
)

// amountPlaces is the precision line amounts are pro-rated to.
const amountPlaces = money.AmountScale

// NewDSRReader returns a reader of DDEX DSR flat files over r.
func NewDSRReader(r io.Reader) *DSRReader {
	return &DSRReader{
		lr:        newLineReader(r),
		summaries: make(map[string]*summary),
		ignored:   make(map[string]int64),
		releases:  make(map[string]release),
		resources: make(map[string]resource),
	}
}

// Header returns the HEAD record once it has been read.
func (r *DSRReader) Header() DSRHeader { return r.head }

// Next returns the next line; see Reader.
func (r *DSRReader) Next() (*Line, error) {
	if r.err != nil {
		return nil, r.err
	}
	for {
		rec, err := r.lr.next()
		lineNo := r.lr.lineNo
		switch {
		case err == ErrLineTooLong:
			if !r.footSeen {
				r.counted.lines = lineNo
			}
			return nil, &ParseError{Line: lineNo, Err: err}
		case err == io.EOF:
			r.err = io.EOF
			if !r.headSeen {
				r.err = errors.New("read dsr: the file is empty")
			}
			return nil, r.err
		case err != nil:
			r.err = fmt.Errorf("read dsr: %w", err)
			return nil, r.err
		}
		if !r.footSeen {
			r.counted.lines = lineNo
		}
		if len(rec) == 0 || rec[0] == '#' {
			continue
		}
		r.cells = splitCells(r.cells, rec)
		kind := r.cells[0]
		if !r.headSeen {
			if string(kind) != "HEAD" {
				r.err = fmt.Errorf("read dsr: line %d: the first record is %.20q, want HEAD: not a DSR file", lineNo, kind)
				return nil, r.err
			}
			r.readHead()
			continue
		}
		if r.footSeen {
			return nil, &ParseError{Line: lineNo, Err: fmt.Errorf("%.20q record after FOOT", kind)}
		}
		var line *Line
		switch {
		case string(kind) == "FOOT":
			err = r.readFoot()
		case string(kind) == "HEAD":
			err = errors.New("a second HEAD record")
		case bytes.HasPrefix(kind, []byte("SY")):
			err = r.readSummary(kind)
		case recordIs(kind, "RE01"):
			err = r.readRelease(true)
		case recordIs(kind, "RE02"):
			err = r.readRelease(false)
		case recordIs(kind, "AS01") || recordIs(kind, "AS02"):
			err = r.readResource()
		case recordIs(kind, "SU01"), recordIs(kind, "SU02"):
			line, err = r.readSale(kind[3] == '1', lineNo)
		default:
			r.ignore(kind)
		}
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				err = &ParseError{Line: lineNo, Err: err}
			}
			return nil, err
		}
		if line != nil {
			return line, nil
		}
	}
}

// ignore counts a record of a type this reader skips.
func (r *DSRReader) ignore(kind []byte) {
	if n, ok := r.ignored[string(kind)]; ok {
		r.ignored[string(kind)] = n + 1
		return
	}
	if len(r.ignored) >= maxIgnoredTypes {
		r.ignored["(other)"]++
		return
	}
	r.ignored[string(kind)] = 1
}

// recordIs reports whether a record type is base or a version of it
// ("SU02", "SU02.01").
func recordIs(kind []byte, base string) bool {
	return len(kind) >= 4 && string(kind[:4]) == base && (len(kind) == 4 || kind[4] == '.')
}

// cell returns raw cell n (1-based, as the DSR standard numbers them), or nil
// when the record is shorter.
func (r *DSRReader) cell(n int) []byte {
	if n-1 < len(r.cells) {
		return r.cells[n-1]
	}
	return nil
}

// text returns cell n unescaped, as a new string.
func (r *DSRReader) text(n int) string {
	raw := r.cell(n)
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw)
	}
	r.scratch = unescape(r.scratch[:0], raw)
	return string(r.scratch)
}

// key returns cell n unescaped, for looking up an identifier; the slice is
// valid until the next call.
func (r *DSRReader) key(n int) []byte {
	raw := r.cell(n)
	if bytes.IndexByte(raw, '\\') < 0 {
		return raw
	}
	r.scratch = unescape(r.scratch[:0], raw)
	return r.scratch
}

// first returns the first value of multi-value cell n, unescaped; the slice
// is valid until the next call.
func (r *DSRReader) first(n int) []byte {
	v, _, _ := nextValue(r.cell(n))
	if bytes.IndexByte(v, '\\') < 0 {
		return v
	}
	r.scratch = unescape(r.scratch[:0], v)
	return r.scratch
}

func (r *DSRReader) readHead() {
	r.headSeen = true
	h := &r.head
	h.MessageVersion, h.Profile, h.ProfileVersion = r.text(2), r.text(3), r.text(4)
	h.MessageID, h.MessageCreated = r.text(5), r.text(6)
	h.FileNumber, _ = parseInt(r.cell(7))
	h.NumberOfFiles, _ = parseInt(r.cell(8))
	h.UsageStartDate, h.UsageEndDate = r.text(9), r.text(10)
	h.SenderPartyID, h.SenderName = r.text(11), r.text(12)
	h.ServiceDescription = r.text(13)
	h.RecipientPartyID, h.RecipientName = r.text(14), r.text(15)
	r.period = reportingPeriod(h.UsageStartDate, h.UsageEndDate)
}

// reportingPeriod names a usage period: "2024-01" for a calendar month,
// the date itself for one day, else "start--end" as DSR file names do.
func reportingPeriod(start, end string) string {
	if start == end || end == "" {
		return start
	}
	s, err1 := time.Parse(time.DateOnly, start)
	e, err2 := time.Parse(time.DateOnly, end)
	if err1 == nil && err2 == nil && s.Day() == 1 && s.AddDate(0, 1, -1).Equal(e) {
		return start[:7]
	}
	return start + "--" + end
}

func (r *DSRReader) readFoot() error {
	r.footSeen = true
	for i := range r.foot {
		r.foot[i] = -1
		if c := r.cell(i + 2); len(c) > 0 {
			n, err := parseInt(c)
			if err != nil {
				return &ParseError{Line: r.lr.lineNo, Field: footCells[i], Err: fmt.Errorf("%.20q: %w", c, err)}
			}
			r.foot[i] = n
		}
	}
	return nil
}

// footCells names FOOT cells 2–6.
var footCells = [5]string{"NumberOfLinesInFile", "NumberOfLinesInReport", "NumberOfSummaryRecords",
	"NumberOfBlocksInFile", "NumberOfBlocksInReport"}

// summaryLayout gives the 1-based cells a summary record family keeps its
// figures in (0: absent).
type summaryLayout struct {
	commercialModel, useType, territory, service int
	usages, allocatedUsages                      int
	currency                                     int
	netRevenue, allocatedRevenue, allocatedNet   int
}

var summaryLayouts = map[string]summaryLayout{
	"SY01": {commercialModel: 5, useType: 6, territory: 7, service: 8, usages: 9, currency: 11, netRevenue: 12},
	"SY02": {commercialModel: 5, useType: 6, territory: 7, service: 8, usages: 9, currency: 11, netRevenue: 12,
		allocatedUsages: 15, allocatedRevenue: 16, allocatedNet: 17},
	"SY04": {commercialModel: 5, useType: 6, territory: 7, service: 8, usages: 14, currency: 15, netRevenue: 19},
	"SY05": {commercialModel: 5, useType: 6, territory: 7, service: 8, usages: 12, allocatedUsages: 13,
		allocatedNet: 15, allocatedRevenue: 16, currency: 18},
}

func (r *DSRReader) readSummary(kind []byte) error {
	r.counted.summaries++
	id := r.text(2)
	if id == "" {
		return &ParseError{Line: r.lr.lineNo, Field: "SummaryRecordId", Err: errEmpty}
	}
	if _, dup := r.summaries[id]; dup {
		return &ParseError{Line: r.lr.lineNo, Field: "SummaryRecordId", Err: fmt.Errorf("%q appears twice", id)}
	}
	if len(r.summaries) >= maxSummaries {
		return fmt.Errorf("more than %d summary records", maxSummaries)
	}
	s := &summary{layout: string(kind[:min(4, len(kind))])}
	s.check.ID = id
	s.check.RecordType = string(kind)
	layout, known := summaryLayouts[s.layout]
	if known {
		if err := r.fillSummary(s, layout); err != nil {
			return err
		}
	}
	r.summaries[id] = s
	r.order = append(r.order, s)
	return nil
}

func (r *DSRReader) fillSummary(s *summary, layout summaryLayout) error {
	c := &s.check
	c.CommercialModel = r.text(layout.commercialModel)
	c.UseType = r.text(layout.useType)
	c.Territory = string(normalizeCode(&r.code, []byte(r.text(layout.territory))))
	c.ServiceDescription = r.text(layout.service)
	c.Currency = string(normalizeCode(&r.code, r.cell(layout.currency)))
	if !money.ValidCurrency(c.Currency) {
		return &ParseError{Line: r.lr.lineNo, Field: "CurrencyOfReporting", Err: fmt.Errorf("%w: %q", ErrUnknownCurrency, c.Currency)}
	}
	var err error
	pick := func(name string, cells ...int) (money.Decimal, bool) {
		for _, n := range cells {
			if n == 0 || len(r.cell(n)) == 0 || err != nil {
				continue
			}
			var sum money.Decimal
			sum, err = r.sumValues(n)
			if err != nil {
				err = &ParseError{Line: r.lr.lineNo, Field: name, Err: err}
			}
			return sum, true
		}
		return money.Decimal{}, false
	}
	s.revenue, _ = pick("revenue", layout.allocatedRevenue, layout.allocatedNet, layout.netRevenue)
	s.usages, _ = pick("usages", layout.allocatedUsages, layout.usages)
	c.DeclaredAmount, c.DeclaredUsages = s.revenue, s.usages
	return err
}

// sumValues adds up the decimal values of multi-value cell n.
func (r *DSRReader) sumValues(n int) (money.Decimal, error) {
	var sum money.Decimal
	for raw, more := r.cell(n), true; more; {
		var v []byte
		v, raw, more = nextValue(raw)
		d, err := money.ParseBytes(v)
		if err != nil {
			return money.Decimal{}, err
		}
		if sum, err = sum.Add(d); err != nil {
			return money.Decimal{}, err
		}
	}
	return sum, nil
}

// enterBlock starts a new block when a record's BlockId differs from the
// current one.
func (r *DSRReader) enterBlock() {
	id := r.cell(2)
	if r.counted.blocks > 0 && bytes.Equal(id, r.blockID) {
		return
	}
	r.counted.blocks++
	r.blockID = append(r.blockID[:0], id...)
	clear(r.releases)
	clear(r.resources)
	r.headRel = release{}
}

func (r *DSRReader) readRelease(head bool) error {
	r.enterBlock()
	ref := r.in.intern(r.key(3)) // "RL1", "RL2"… repeat from block to block
	if ref == "" {
		return &ParseError{Line: r.lr.lineNo, Field: "ReleaseReference", Err: errEmpty}
	}
	rel := release{dspID: r.text(4)}
	if head {
		rel.icpn = r.in.intern(normalizeCode(&r.code, r.first(7)))
		r.headRel = rel
	}
	if len(r.releases) >= maxResourcesPerBlock {
		return fmt.Errorf("more than %d releases in block %q", maxResourcesPerBlock, r.blockID)
	}
	r.releases[ref] = rel
	return nil
}

func (r *DSRReader) readResource() error {
	r.enterBlock()
	ref := r.in.intern(r.key(3))
	if ref == "" {
		return &ParseError{Line: r.lr.lineNo, Field: "ResourceReference", Err: errEmpty}
	}
	if len(r.resources) >= maxResourcesPerBlock {
		return fmt.Errorf("more than %d resources in block %q", maxResourcesPerBlock, r.blockID)
	}
	r.resources[ref] = resource{
		dspID: r.text(4),
		isrc:  r.in.intern(normalizeCode(&r.code, r.first(5))),
	}
	return nil
}

// readSale turns an SU01 (download) or SU02 (stream) record into r.line.
func (r *DSRReader) readSale(download bool, lineNo int64) (*Line, error) {
	r.enterBlock()
	fail := func(field string, err error) (*Line, error) {
		return nil, &ParseError{Line: lineNo, Field: field, Err: err}
	}
	s, ok := r.summaries[string(r.key(3))]
	if !ok {
		return fail("SummaryRecordId", fmt.Errorf("no summary record %.40q", r.cell(3)))
	}
	if _, known := summaryLayouts[s.layout]; !known {
		return fail("SummaryRecordId", fmt.Errorf("summary record %q is a %s, which this reader cannot link sales to", s.check.ID, s.check.RecordType))
	}
	l := &r.line
	*l = Line{
		LineNo:             lineNo,
		ReportingPeriod:    r.period,
		DSP:                r.head.SenderName,
		Territory:          s.check.Territory,
		UsageType:          s.check.UseType,
		Currency:           s.check.Currency,
		CommercialModel:    s.check.CommercialModel,
		ServiceDescription: s.check.ServiceDescription,
		SummaryRecordID:    s.check.ID,
	}
	relRef, resRef := r.cell(5), r.cell(6)
	switch {
	case len(resRef) > 0 && len(relRef) > 0:
		return fail("TransactedResource", errors.New("both TransactedRelease and TransactedResource are given"))
	case len(resRef) > 0:
		res, ok := r.resources[string(r.key(6))]
		if !ok {
			return fail("TransactedResource", fmt.Errorf("no resource %.40q in block %.40q", resRef, r.blockID))
		}
		l.ISRC, l.DSPResourceID = res.isrc, res.dspID
		l.UPC, l.DSPReleaseID = r.headRel.icpn, r.headRel.dspID
	case len(relRef) > 0:
		rel, ok := r.releases[string(r.key(5))]
		if !ok {
			return fail("TransactedRelease", fmt.Errorf("no release %.40q in block %.40q", relRef, r.blockID))
		}
		l.UPC, l.DSPReleaseID = rel.icpn, rel.dspID
		if l.UPC == "" {
			l.UPC = r.headRel.icpn // a sub-release (RE02) of the block's release
		}
	default:
		return fail("TransactedResource", errors.New("neither TransactedRelease nor TransactedResource is given"))
	}
	var units int64
	if download {
		usages, err := parseInt(r.cell(9))
		if err != nil {
			return fail("Usages", fmt.Errorf("%.20q: %w", r.cell(9), err))
		}
		var returns int64
		if c := r.cell(10); len(c) > 0 {
			if returns, err = parseInt(c); err != nil {
				return fail("Returns", fmt.Errorf("%.20q: %w", c, err))
			}
		}
		units = usages - returns
	} else {
		streams, err := parseInt(r.cell(8))
		if err != nil {
			return fail("NumberOfStreams", fmt.Errorf("%.20q: %w", r.cell(8), err))
		}
		units = streams
	}
	l.Units = units
	amount, err := s.add(units)
	if err != nil {
		return fail("NumberOfStreams", err)
	}
	l.Amount = amount
	return l, nil
}

// add counts a line's units in its summary and returns the line's share of
// the summary's revenue.
func (s *summary) add(units int64) (money.Decimal, error) {
	cum := s.units + units
	if (units > 0 && cum < s.units) || (units < 0 && cum > s.units) {
		return money.Decimal{}, errors.New("units overflow the summary's total")
	}
	var amount money.Decimal
	if !s.usages.IsZero() {
		next, err := money.Prorate(s.revenue, money.New(cum, 0), s.usages, amountPlaces)
		if err != nil {
			return money.Decimal{}, err
		}
		if amount, err = next.Sub(s.prorata); err != nil {
			return money.Decimal{}, err
		}
		s.prorata = next
	}
	parsed, err := s.check.ParsedAmount.Add(amount)
	if err != nil {
		return money.Decimal{}, err
	}
	s.units = cum
	s.check.ParsedAmount = parsed
	s.check.Lines++
	return amount, nil
}
