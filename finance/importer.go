package finance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"time"

	"tonegrid"
	"tonegrid/blob"
	"tonegrid/jobs"
	"tonegrid/money"
	"tonegrid/salesreport"
	"tonegrid/sqlstore"
)

// DefaultBatch is how many unmatched lines are written per transaction.
const DefaultBatch = 20000

// Importer parses stored sales reports into matched sums and unmatched
// lines. A run first deletes whatever an interrupted earlier run of the same
// import wrote, then writes unmatched lines in large batches as it reads and
// the matched sums with the counters in one final transaction: a crash at
// any point leaves an import that the next attempt imports from scratch,
// never counting a line twice.
type Importer struct {
	DB    *sqlstore.DB
	Blobs blob.Store
	// Batch is how many unmatched lines go in one transaction; 0 means
	// DefaultBatch.
	Batch int
	// Progress, when set, is called with the bytes read so far, every few
	// thousand lines and at the end.
	Progress func(read int64)
	// Open opens the stored report; nil means Blobs.Open.
	Open func(ctx context.Context, key string) (io.ReadCloser, error)
}

// saleContext is what matched lines are summed by besides their track.
type saleContext struct {
	dsp, territory, usageType, currency string
}

type sumVal struct {
	units, lines int64
	amount       money.Decimal
}

// contextSum is the running sum of one track in one sale context.
type contextSum struct {
	saleContext
	sumVal
}

// codeSums are the sums of the lines of one ISRC (or UPC): a short list of
// sale contexts, searched from the last one used. Reports repeat a handful
// of stores, territories, usage types and currencies, and the reader hands
// out the same string for the same value, so comparing them is cheaper than
// hashing them; past linearLimit contexts a map takes over.
type codeSums struct {
	match sqlstore.CatalogMatch
	list  []*contextSum
	big   map[saleContext]*contextSum
}

const linearLimit = 16

func (c *codeSums) find(k saleContext) *contextSum {
	if c.big != nil {
		v := c.big[k]
		if v == nil {
			v = &contextSum{saleContext: k}
			c.big[k] = v
			c.list = append(c.list, v)
		}
		return v
	}
	for i, v := range c.list {
		if v.saleContext == k {
			if i > 0 {
				// Move to front: the next line is likely the same context.
				copy(c.list[1:i+1], c.list[:i])
				c.list[0] = v
			}
			return v
		}
	}
	v := &contextSum{saleContext: k}
	c.list = append([]*contextSum{v}, c.list...)
	if len(c.list) > linearLimit {
		c.big = make(map[saleContext]*contextSum, 2*linearLimit)
		for _, x := range c.list {
			c.big[x.saleContext] = x
		}
	}
	return v
}

// readError marks a failure of the underlying file (worth a retry), as
// opposed to a file that is not of its format.
type readError struct{ err error }

func (e *readError) Error() string { return e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

// trackingReader counts bytes and remembers read failures.
type trackingReader struct {
	r   io.Reader
	n   int64
	err error
}

func (t *trackingReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.n += int64(n)
	if err != nil && err != io.EOF {
		t.err = err
	}
	return n, err
}

// ErrFormat wraps failures that mean the file cannot be imported as given.
var ErrFormat = errors.New("the file cannot be read in its format")

// Run imports one report. A file that is not of its format marks the import
// failed and returns an error wrapping ErrFormat; read and database failures
// are returned as they are, for the job to retry.
func (im *Importer) Run(ctx context.Context, importID int64) error {
	ok, err := im.DB.StartImport(ctx, importID)
	if err != nil || !ok {
		return err
	}
	m, err := im.DB.ImportByID(ctx, importID)
	if err != nil {
		return err
	}
	res, sums, err := im.parse(ctx, m)
	var re *readError
	if err != nil && !errors.As(err, &re) && ctx.Err() == nil && errors.Is(err, ErrFormat) {
		if ferr := im.DB.FailImport(context.WithoutCancel(ctx), importID, err.Error()); ferr != nil {
			return ferr
		}
		return err
	}
	if err != nil {
		return err
	}
	return im.DB.FinishImport(ctx, importID, sums, res)
}

func (im *Importer) parse(ctx context.Context, m *tonegrid.SalesImport) (sqlstore.ImportResult, []sqlstore.MatchedSum, error) {
	var res sqlstore.ImportResult
	byISRC, byUPC, err := im.DB.ImportCatalog(ctx, m.TenantID)
	if err != nil {
		return res, nil, err
	}
	open := im.Open
	if open == nil {
		open = func(ctx context.Context, key string) (io.ReadCloser, error) {
			rc, _, err := im.Blobs.Open(ctx, key)
			return rc, err
		}
	}
	rc, err := open(ctx, m.BlobKey)
	if err != nil {
		return res, nil, &readError{fmt.Errorf("open sales report: %w", err)}
	}
	defer rc.Close()
	tr := &trackingReader{r: rc}
	rd, err := salesreport.NewReader(tr, salesreport.Format(m.Format))
	if err != nil {
		if tr.err != nil {
			return res, nil, &readError{err}
		}
		return res, nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	batch := im.Batch
	if batch <= 0 {
		batch = DefaultBatch
	}
	sc := &Scanner{ByISRC: byISRC, ByUPC: byUPC, DSP: m.DSP, Batch: batch,
		Unmatched: func(lines []tonegrid.UnmatchedLine) error { return im.DB.InsertUnmatched(ctx, m.ID, lines) }}
	if im.Progress != nil {
		sc.Progress = func() { im.Progress(tr.n) }
	}
	if err := sc.Scan(ctx, rd); err != nil {
		if tr.err != nil {
			return res, nil, &readError{err}
		}
		return res, nil, err
	}
	res = sc.Result
	if im.Progress != nil {
		im.Progress(tr.n)
	}
	if rec := rd.Reconciliation(); rec != nil {
		res.Reconciliation = reconciliationReport(rec)
	}
	out := make([]sqlstore.MatchedSum, 0, sc.Sums())
	for _, byCode := range []map[string]*codeSums{sc.byISRC, sc.byUPC} {
		for _, c := range byCode {
			for _, v := range c.list {
				out = append(out, sqlstore.MatchedSum{CatalogMatch: c.match, DSP: v.dsp, Territory: v.territory, UsageType: v.usageType,
					Currency: v.currency, Units: v.units, Amount: v.amount, Lines: v.lines})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.TrackID != b.TrackID {
			return a.TrackID < b.TrackID
		}
		if a.ReleaseID != b.ReleaseID {
			return a.ReleaseID < b.ReleaseID
		}
		if a.DSP != b.DSP {
			return a.DSP < b.DSP
		}
		if a.Territory != b.Territory {
			return a.Territory < b.Territory
		}
		if a.UsageType != b.UsageType {
			return a.UsageType < b.UsageType
		}
		return a.Currency < b.Currency
	})
	return res, out, nil
}

// Scanner matches the lines of one report to the catalog: by ISRC, then by
// UPC. Matched lines are summed in memory per track (or release), store,
// territory, usage type and currency, so memory is bounded by the catalog,
// not by the file; unmatched lines are handed over in batches.
type Scanner struct {
	ByISRC, ByUPC map[string]sqlstore.CatalogMatch
	// DSP is the store of lines that name none.
	DSP string
	// Batch is how many unmatched lines are handed over at once.
	Batch int
	// Unmatched receives each batch of unmatched lines (the slice is
	// reused afterwards); nil discards them.
	Unmatched func([]tonegrid.UnmatchedLine) error
	// Progress, when set, is called every 16384 lines.
	Progress func()
	// Result holds the counters once Scan returns.
	Result sqlstore.ImportResult

	// byISRC and byUPC hold the sums of the codes that matched, so that a
	// line costs one lookup once its code was seen.
	byISRC, byUPC map[string]*codeSums
	sums          int
	// totals per currency, and the running total of the last currency
	// seen (reports mostly hold one currency).
	totals   map[string]*money.Decimal
	cur      string
	curTotal *money.Decimal
}

// Sums returns the matched sums once Scan returned.
func (sc *Scanner) Sums() int { return sc.sums }

// lineBatch is a run of parsed lines handed from the parsing goroutine to
// the matching one; err (io.EOF at the end) follows the lines.
type lineBatch struct {
	lines   []salesreport.Line
	invalid int64
	err     error
}

// scanBatch is how many lines travel together between the goroutines.
const scanBatch = 2048

// Scan reads every line of rd. A malformed record is counted and skipped;
// any other reader error ends the scan, wrapped in ErrFormat. Parsing runs
// in its own goroutine, one batch of lines ahead of matching, so that a
// report is read on two cores.
func (sc *Scanner) Scan(ctx context.Context, rd salesreport.Reader) error {
	res := &sc.Result
	res.Totals = map[string]money.Decimal{}
	sc.byISRC, sc.byUPC, sc.sums = map[string]*codeSums{}, map[string]*codeSums{}, 0
	sc.totals, sc.cur, sc.curTotal = map[string]*money.Decimal{}, "", nil
	defer func() {
		for c, t := range sc.totals {
			res.Totals[c] = *t
		}
	}()
	batch := max(sc.Batch, 1)
	unmatched := make([]tonegrid.UnmatchedLine, 0, min(batch, 4096))
	flush := func() error {
		if len(unmatched) == 0 {
			return nil
		}
		if sc.Unmatched != nil {
			if err := sc.Unmatched(unmatched); err != nil {
				return err
			}
		}
		unmatched = unmatched[:0]
		return nil
	}

	full := make(chan *lineBatch, 4)
	free := make(chan *lineBatch, 6)
	for range 6 {
		free <- &lineBatch{lines: make([]salesreport.Line, 0, scanBatch)}
	}
	done := make(chan struct{})
	// On return, stop the parser and wait for it: the caller may read the
	// reader's reconciliation or close the file next.
	defer func() {
		close(done)
		for range full {
		}
	}()
	go func() {
		defer close(full)
		for {
			var b *lineBatch
			select {
			case b = <-free:
			case <-done:
				return
			}
			b.lines, b.invalid, b.err = b.lines[:0], 0, nil
			for len(b.lines) < scanBatch {
				if len(b.lines)&0xff == 0xff {
					select {
					case <-done:
						return
					default:
					}
				}
				l, err := rd.Next()
				if err != nil {
					var pe *salesreport.ParseError
					if errors.As(err, &pe) {
						b.invalid++
						continue
					}
					b.err = err
					break
				}
				b.lines = append(b.lines, *l)
			}
			select {
			case full <- b:
			case <-done:
				return
			}
			if b.err != nil {
				return
			}
		}
	}()

	var n int
	for b := range full {
		if n&0x3fff < scanBatch {
			if err := ctx.Err(); err != nil {
				return err
			}
			if sc.Progress != nil {
				sc.Progress()
			}
		}
		n += len(b.lines)
		res.LinesInvalid += b.invalid
		for i := range b.lines {
			if err := sc.add(&b.lines[i], &unmatched, batch, flush); err != nil {
				return err
			}
		}
		if b.err != nil {
			if b.err == io.EOF {
				return flush()
			}
			return fmt.Errorf("%w: %v", ErrFormat, b.err)
		}
		free <- b
	}
	return ctx.Err()
}

// add counts one line: summed when it matches the catalog, queued as
// unmatched otherwise.
func (sc *Scanner) add(l *salesreport.Line, unmatched *[]tonegrid.UnmatchedLine, batch int, flush func() error) error {
	res := &sc.Result
	res.LinesTotal++
	if l.Currency != sc.cur || sc.curTotal == nil {
		t, seen := sc.totals[l.Currency]
		if !seen {
			t = new(money.Decimal)
			sc.totals[l.Currency] = t
			res.Currencies = append(res.Currencies, l.Currency)
		}
		sc.cur, sc.curTotal = l.Currency, t
	}
	var err error
	if *sc.curTotal, err = sc.curTotal.Add(l.Amount); err != nil {
		return fmt.Errorf("%w: line %d: %v", ErrFormat, l.LineNo, err)
	}
	dsp := l.DSP
	if dsp == "" {
		dsp = sc.DSP
	}
	c := sc.lookup(l)
	if c == nil {
		res.LinesUnmatched++
		*unmatched = append(*unmatched, tonegrid.UnmatchedLine{LineNo: l.LineNo, DSP: dsp, Territory: l.Territory, ISRC: l.ISRC, UPC: l.UPC,
			UsageType: l.UsageType, Units: l.Units, Amount: l.Amount.String(), Currency: l.Currency})
		if len(*unmatched) >= batch {
			return flush()
		}
		return nil
	}
	res.LinesMatched++
	n := len(c.list)
	v := c.find(saleContext{dsp: dsp, territory: l.Territory, usageType: l.UsageType, currency: l.Currency})
	sc.sums += len(c.list) - n
	v.units += l.Units
	v.lines++
	if v.amount, err = v.amount.Add(l.Amount); err != nil {
		return fmt.Errorf("%w: line %d: %v", ErrFormat, l.LineNo, err)
	}
	return nil
}

// lookup returns the sums of the line's ISRC, else of its UPC, or nil when
// neither is in the catalog.
func (sc *Scanner) lookup(l *salesreport.Line) *codeSums {
	if l.ISRC != "" {
		if c := sc.byISRC[l.ISRC]; c != nil {
			return c
		}
		if m, ok := sc.ByISRC[l.ISRC]; ok {
			c := &codeSums{match: m}
			sc.byISRC[l.ISRC] = c
			return c
		}
	}
	if l.UPC != "" {
		if c := sc.byUPC[l.UPC]; c != nil {
			return c
		}
		if m, ok := sc.ByUPC[l.UPC]; ok {
			c := &codeSums{match: m}
			sc.byUPC[l.UPC] = c
			return c
		}
	}
	return nil
}

// Reconciliation is what an import reports about a DSR file's own
// declarations against what was read.
type Reconciliation struct {
	OK         bool                  `json:"ok"`
	Problems   []string              `json:"problems"`
	Summaries  int                   `json:"summaries"`
	FootFound  bool                  `json:"foot_found"`
	Currencies []CurrencyCheckReport `json:"currencies"`
}

// CurrencyCheckReport is one currency's declared and parsed revenue.
type CurrencyCheckReport struct {
	Currency string `json:"currency"`
	Declared string `json:"declared"`
	Parsed   string `json:"parsed"`
}

func reconciliationReport(rec *salesreport.Reconciliation) Reconciliation {
	out := Reconciliation{OK: rec.OK(), Problems: rec.Problems(), Summaries: len(rec.Summaries), FootFound: rec.FootFound,
		Currencies: []CurrencyCheckReport{}}
	if out.Problems == nil {
		out.Problems = []string{}
	}
	for _, c := range rec.Currencies {
		out.Currencies = append(out.Currencies, CurrencyCheckReport{Currency: c.Currency, Declared: c.Declared.String(), Parsed: c.Parsed.String()})
	}
	return out
}

// ImportWorker runs import jobs.
type ImportWorker struct {
	jobs.WorkerDefaults[sqlstore.ImportJobArgs]
	Importer *Importer
	Log      *slog.Logger
}

// Timeout lets an import run for up to 45 minutes (a 4 GB report takes a
// few), beyond the queue's default and below the hour after which River
// rescues a job it believes stuck, so two attempts never run at once.
func (w *ImportWorker) Timeout(*jobs.Job[sqlstore.ImportJobArgs]) time.Duration {
	return 45 * time.Minute
}

// Work imports the report; a file that cannot be read in its format is
// marked failed and not retried. When the last attempt fails, the import
// is marked failed too.
func (w *ImportWorker) Work(ctx context.Context, j *jobs.Job[sqlstore.ImportJobArgs]) error {
	err := w.Importer.Run(ctx, j.Args.ImportID)
	if err == nil || errors.Is(err, ErrFormat) {
		if err != nil && w.Log != nil {
			w.Log.Info("sales report refused", "import_id", j.Args.ImportID, "err", err)
		}
		return nil
	}
	if j.Attempt >= j.MaxAttempts {
		if ferr := w.Importer.DB.FailImport(context.WithoutCancel(ctx), j.Args.ImportID, "The import failed; upload the file again."); ferr != nil {
			return errors.Join(err, ferr)
		}
	}
	return err
}
