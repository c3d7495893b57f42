package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"tonegrid"
	"tonegrid/app"
	"tonegrid/finance"
	"tonegrid/salesreport"
)

func init() {
	commands = append(commands,
		command{"import", "import a sales report: import --file F --dsp D --period CODE|UUID [--tenant UUID] [--format csv|ddex-dsr]", runImport},
		command{"gen-sales", "write a synthetic sales report: gen-sales --lines N [--format csv|ddex-dsr] [--out F]", runGenSales},
		command{"bench-import", "benchmark sales-report parsing, matching and importing on a scratch SQLite database", runBenchImport},
	)
}

// progressBar draws a bar of bytes read out of total on w, at most five
// times a second, and a final line when done is called.
type progressBar struct {
	mu    sync.Mutex
	w     io.Writer
	label string
	total int64
	start time.Time
	last  time.Time
}

func newProgressBar(w io.Writer, label string, total int64) *progressBar {
	return &progressBar{w: w, label: label, total: total, start: time.Now()}
}

func (p *progressBar) update(read int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if now.Sub(p.last) < 200*time.Millisecond && read < p.total {
		return
	}
	p.last = now
	p.draw(read)
}

func (p *progressBar) draw(read int64) {
	const width = 30
	frac := 1.0
	if p.total > 0 {
		frac = min(float64(read)/float64(p.total), 1)
	}
	filled := int(frac * width)
	mbps := float64(read) / (1 << 20) / max(time.Since(p.start).Seconds(), 1e-9)
	fmt.Fprintf(p.w, "\r%-9s [%s%s] %3.0f%% %8.1f MB / %.1f MB  %6.1f MB/s", p.label, strings.Repeat("#", filled),
		strings.Repeat("-", width-filled), frac*100, float64(read)/(1<<20), float64(p.total)/(1<<20), mbps)
}

func (p *progressBar) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.draw(p.total)
	fmt.Fprintln(p.w)
}

// countingReader reports the bytes read through it.
type countingReader struct {
	r  io.Reader
	n  int64
	on func(int64)
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	if c.on != nil {
		c.on(c.n)
	}
	return n, err
}

// formatOf guesses a report's format from its file name.
func formatOf(name string) string {
	n := strings.ToLower(strings.TrimSuffix(name, ".gz"))
	if strings.HasSuffix(n, ".tsv") || strings.HasPrefix(filepath.Base(n), "dsr_") {
		return string(salesreport.FormatDSR)
	}
	return string(salesreport.FormatCSV)
}

func runImport(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "import", "Imports a sales report into a period of a tenant, as POST /api/finance/imports does, and runs the\n"+
		"import in this process with a progress bar on stderr. Prints the import as JSON.")
	file := fs.String("file", "", "the report (CSV or DDEX DSR, optionally gzipped) (required)")
	dsp := fs.String("dsp", "", "the store the report comes from (required)")
	period := fs.String("period", "", "the period's code or uuid (required); a YYYY-MM code that does not exist is created")
	tenant := fs.String("tenant", "", "uuid of the tenant; default: the root tenant")
	format := fs.String("format", "", "csv or ddex-dsr; default: from the file name (.tsv is DSR)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *file == "" || *dsp == "" || *period == "" {
		fs.Usage()
		return errors.New("import: --file, --dsp and --period are required")
	}
	if *format == "" {
		*format = formatOf(*file)
	}
	if *format != "csv" && *format != "ddex-dsr" {
		return fmt.Errorf("import: --format %q: want csv or ddex-dsr", *format)
	}
	f, err := os.Open(*file)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	cfg, log, err := loadConfig(env)
	if err != nil {
		return err
	}
	db, err := app.OpenDatabase(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := app.New(cfg, db, log)
	if err != nil {
		return err
	}
	var tenantID int64
	tenantUUID := *tenant
	if tenantUUID == "" {
		root, err := db.RootTenant(ctx)
		if err != nil {
			return err
		}
		tenantID, tenantUUID = root.ID, root.UUID
	} else if tenantID, err = db.TenantIDByUUID(ctx, tenantUUID); err != nil {
		return fmt.Errorf("--tenant %s: %w", tenantUUID, err)
	}
	var p *tonegrid.Period
	if _, perr := uuid.Parse(*period); perr == nil {
		p, err = db.FindPeriod(ctx, &tonegrid.Principal{Tenant: &tonegrid.Tenant{ID: tenantID}}, strings.ToLower(*period))
	} else {
		p, err = db.FindPeriodByCode(ctx, tenantID, *period)
		if errors.Is(err, tonegrid.ErrPeriodNotFound) {
			if month, merr := time.Parse("2006-01", *period); merr == nil {
				// A month code that does not exist yet is created for
				// that month.
				p, err = db.CreatePeriodFor(ctx, tenantID, tonegrid.PeriodInput{Code: *period,
					StartsOn: month.Format(time.DateOnly), EndsOn: month.AddDate(0, 1, -1).Format(time.DateOnly)})
			}
		}
	}
	if err != nil {
		return fmt.Errorf("--period %s: %w", *period, err)
	}
	bar := newProgressBar(env.stderr, "storing", st.Size())
	staged, err := finance.Stage(ctx, a.Blobs, tenantUUID, &countingReader{r: bufio.NewReaderSize(f, 1<<20), on: bar.update})
	if err != nil {
		return err
	}
	bar.done()
	m, err := db.CreateImport(ctx, nil, tenantID, tonegrid.ImportInput{PeriodUUID: p.UUID, DSP: *dsp, Format: *format, FileName: filepath.Base(*file)}, staged, false)
	if err != nil {
		if derr := a.Blobs.Delete(context.WithoutCancel(ctx), staged.Key); derr != nil {
			log.Warn("delete staged report", "err", derr)
		}
		return err
	}
	bar = newProgressBar(env.stderr, "importing", staged.Size)
	im := &finance.Importer{DB: db, Blobs: a.Blobs, Progress: bar.update}
	start := time.Now()
	runErr := im.Run(ctx, m.ID)
	bar.done()
	if m, err = db.ImportByID(ctx, m.ID); err != nil {
		return err
	}
	out, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	fmt.Fprintln(env.stdout, string(out))
	fmt.Fprintf(env.stderr, "%d lines in %s (%.0f lines/s)\n", m.LinesTotal, time.Since(start).Round(time.Millisecond),
		float64(m.LinesTotal)/time.Since(start).Seconds())
	return runErr
}

func runGenSales(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "gen-sales", "Writes a deterministic synthetic sales report (ToneGrid CSV or DDEX DSR) for tests and benchmarks.\n"+
		"Its ISRCs and UPCs are those of salesreport.SyntheticCatalog(--releases, --tracks).")
	lines := fs.Int("lines", 1000, "number of sales lines")
	format := fs.String("format", "csv", "csv or ddex-dsr")
	out := fs.String("out", "", "output file; default: stdout")
	seed := fs.Uint64("seed", 1, "seed: the same flags always give the same bytes")
	unmatched := fs.Int("unmatched", 5, "percentage (0–100) of releases reported with codes not in the catalog")
	releases := fs.Int("releases", 200, "releases of the synthetic catalog")
	tracks := fs.Int("tracks", 10, "tracks per release of the synthetic catalog")
	dsp := fs.String("dsp", "ExampleDSP", "the store's name")
	period := fs.String("period", "2024-01", "the month reported, YYYY-MM")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *format != "csv" && *format != "ddex-dsr" {
		return fmt.Errorf("gen-sales: --format %q: want csv or ddex-dsr", *format)
	}
	if *lines < 0 || *unmatched < 0 || *unmatched > 100 || *releases < 1 || *tracks < 1 {
		return errors.New("gen-sales: --lines ≥ 0, --unmatched 0–100, --releases and --tracks ≥ 1")
	}
	w := env.stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	if err := salesreport.Generate(bw, salesreport.GenerateOptions{Format: salesreport.Format(*format), Lines: *lines, Seed: *seed,
		Recordings: salesreport.SyntheticCatalog(*releases, *tracks), UnmatchedPercent: *unmatched, DSP: *dsp, Period: *period}); err != nil {
		return err
	}
	return bw.Flush()
}
