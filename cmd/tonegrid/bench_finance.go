package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"

	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/google/uuid"

	"tonegrid"
	"tonegrid/app"
	"tonegrid/blob"
	"tonegrid/finance"
	"tonegrid/salesreport"
	"tonegrid/sqlstore"
)

// peakRSS returns the process's peak resident set size in MiB (VmHWM), or
// -1 where /proc is missing.
func peakRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			kb, err := strconv.ParseFloat(strings.Fields(l)[1], 64)
			if err != nil {
				return -1
			}
			return kb / 1024
		}
	}
	return -1
}

// seedCatalog inserts the synthetic catalog's releases and tracks for the
// tenant, in one transaction.
func seedCatalog(ctx context.Context, db *sqlstore.DB, tenantID int64, recs []salesreport.Recording) error {
	tx, err := db.WriteDB().BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := time.Now().UTC()
	releases := map[string]int64{}
	pos := map[string]int{}
	for _, r := range recs {
		id, ok := releases[r.UPC]
		if !ok {
			if err := tx.QueryRowContext(ctx, `INSERT INTO releases (uuid, tenant_id, title, type, upc, genre, language, created_at, updated_at)
				VALUES ($1, $2, $3, 'album', $4, 'Pop', 'en', $5, $5) RETURNING id`, newBenchUUID(), tenantID, "Release "+r.UPC, r.UPC, now).Scan(&id); err != nil {
				return fmt.Errorf("insert release: %w", err)
			}
			releases[r.UPC] = id
		}
		pos[r.UPC]++
		if _, err := tx.ExecContext(ctx, `INSERT INTO tracks (uuid, tenant_id, release_id, title, isrc, position, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`, newBenchUUID(), tenantID, id, "Track "+r.ISRC, r.ISRC, pos[r.UPC], now); err != nil {
			return fmt.Errorf("insert track: %w", err)
		}
	}
	return tx.Commit()
}

func newBenchUUID() string { return uuid.Must(uuid.NewV7()).String() }

// cpuTime is the CPU time (user and system) the process used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// timed runs f and returns how long it took.
func timed(f func() error) (time.Duration, error) {
	start := time.Now()
	err := f()
	return time.Since(start), err
}

func runBenchImport(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "bench-import", "Benchmarks sales-report imports on a scratch SQLite database in --dir (deleted afterwards):\n"+
		"generates a CSV report of --lines lines and a DSR report of --dsr-lines lines, measures parse+match\n"+
		"throughput, the end-to-end import (store to blob storage, parse, match, write), and the same CSV summed by\n"+
		"ISRC with awk and with sqlite3 .import + GROUP BY as references; reports peak RSS.")
	lines := fs.Int("lines", 1_000_000, "lines of the CSV report")
	dsrLines := fs.Int("dsr-lines", 1_000_000, "lines (SU02 records) of the DSR report; 0 skips it")
	dir := fs.String("dir", "", "scratch directory; default: a new one under the system temp dir")
	unmatched := fs.Int("unmatched", 5, "percentage of releases reported with unknown codes")
	refs := fs.Bool("refs", true, "run the awk and sqlite3 references")
	keep := fs.Bool("keep", false, "keep the scratch directory")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		pf, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *dir == "" {
		d, err := os.MkdirTemp("", "tonegrid-bench-import-")
		if err != nil {
			return err
		}
		*dir = d
	} else if err := os.MkdirAll(*dir, 0o750); err != nil {
		return err
	}
	if !*keep {
		defer os.RemoveAll(*dir)
	}
	out := env.stdout
	fmt.Fprintf(out, "bench-import: %d CSV lines, %d DSR lines, GOMAXPROCS=%d, %s/%s, %s\n", *lines, *dsrLines, runtime.GOMAXPROCS(0),
		runtime.GOOS, runtime.GOARCH, runtime.Version())
	recs := salesreport.SyntheticCatalog(200, 10)

	gen := func(format salesreport.Format, n int, name string) (string, int64, error) {
		path := filepath.Join(*dir, name)
		f, err := os.Create(path)
		if err != nil {
			return "", 0, err
		}
		bw := bufio.NewWriterSize(f, 1<<20)
		d, err := timed(func() error {
			if err := salesreport.Generate(bw, salesreport.GenerateOptions{Format: format, Lines: n, Seed: 7, Recordings: recs, UnmatchedPercent: *unmatched}); err != nil {
				return err
			}
			return bw.Flush()
		})
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return "", 0, err
		}
		st, err := os.Stat(path)
		if err != nil {
			return "", 0, err
		}
		fmt.Fprintf(out, "generate %-8s %10d lines  %8.1f MB  %7.2f s\n", format, n, float64(st.Size())/(1<<20), d.Seconds())
		return path, st.Size(), nil
	}
	csvPath, csvSize, err := gen(salesreport.FormatCSV, *lines, "sales.csv")
	if err != nil {
		return err
	}

	cfg := app.Config{DataDir: *dir, DatabaseURL: "sqlite://" + filepath.Join(*dir, "bench.db")}
	db, err := app.OpenDatabase(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	root, err := db.RootTenant(ctx)
	if err != nil {
		return err
	}
	if err := seedCatalog(ctx, db, root.ID, recs); err != nil {
		return err
	}
	byISRC, byUPC, err := db.ImportCatalog(ctx, root.ID)
	if err != nil {
		return err
	}

	parseMatch := func(path string, format salesreport.Format, n int) error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		rd, err := salesreport.NewReader(bufio.NewReaderSize(f, 1<<20), format)
		if err != nil {
			return err
		}
		sc := &finance.Scanner{ByISRC: byISRC, ByUPC: byUPC, DSP: "ExampleDSP", Batch: finance.DefaultBatch}
		cpu0 := cpuTime()
		d, err := timed(func() error { return sc.Scan(ctx, rd) })
		if err != nil {
			return err
		}
		cpu := cpuTime() - cpu0
		r := sc.Result
		if r.LinesTotal != int64(n) {
			return fmt.Errorf("parse+match %s: %d lines read, want %d", format, r.LinesTotal, n)
		}
		fmt.Fprintf(out, "parse+match %-8s %10d lines  %7.2f s  %6.2f M lines/s  CPU %.2f s (%.0f ns/line)  matched %d, unmatched %d, sums %d  peak RSS %.0f MiB\n",
			format, r.LinesTotal, d.Seconds(), float64(r.LinesTotal)/d.Seconds()/1e6, cpu.Seconds(), float64(cpu.Nanoseconds())/float64(r.LinesTotal),
			r.LinesMatched, r.LinesUnmatched, sc.Sums(), peakRSS())
		if rec := rd.Reconciliation(); rec != nil && !rec.OK() {
			return fmt.Errorf("DSR does not reconcile: %v", rec.Problems())
		}
		return nil
	}
	if err := parseMatch(csvPath, salesreport.FormatCSV, *lines); err != nil {
		return err
	}

	blobs, err := blob.Open("file://" + filepath.Join(*dir, "blobs"))
	if err != nil {
		return err
	}
	defer blobs.Close()
	period, err := db.CreatePeriodFor(ctx, root.ID, tonegrid.PeriodInput{Code: "2024-01", StartsOn: "2024-01-01", EndsOn: "2024-01-31"})
	if err != nil {
		return err
	}
	var staged *tonegrid.StagedFile
	dStage, err := timed(func() error {
		f, err := os.Open(csvPath)
		if err != nil {
			return err
		}
		defer f.Close()
		staged, err = finance.Stage(ctx, blobs, root.UUID, f)
		return err
	})
	if err != nil {
		return err
	}
	m, err := db.CreateImport(ctx, nil, root.ID, tonegrid.ImportInput{PeriodUUID: period.UUID, DSP: "ExampleDSP", Format: "csv"}, staged, false)
	if err != nil {
		return err
	}
	im := &finance.Importer{DB: db, Blobs: blobs}
	dRun, err := timed(func() error { return im.Run(ctx, m.ID) })
	if err != nil {
		return err
	}
	if m, err = db.ImportByID(ctx, m.ID); err != nil {
		return err
	}
	fmt.Fprintf(out, "import csv (SQLite)  %10d lines  store+sha256 %6.2f s  parse+match+write %6.2f s  total %6.2f s  %5.2f M lines/s  matched %d unmatched %d  peak RSS %.0f MiB\n",
		m.LinesTotal, dStage.Seconds(), dRun.Seconds(), (dStage + dRun).Seconds(), float64(m.LinesTotal)/(dStage+dRun).Seconds()/1e6,
		m.LinesMatched, m.LinesUnmatched, peakRSS())
	fmt.Fprintf(out, "  gross %s %s\n", m.Gross, m.Currency)
	if err := blobs.Delete(ctx, staged.Key); err != nil {
		return err
	}

	if *refs {
		if err := references(ctx, env, *dir, csvPath, csvSize); err != nil {
			fmt.Fprintf(out, "references: %v\n", err)
		}
	}
	if err := os.Remove(csvPath); err != nil {
		return err
	}
	if *dsrLines > 0 {
		dsrPath, _, err := gen(salesreport.FormatDSR, *dsrLines, "sales.tsv")
		if err != nil {
			return err
		}
		if err := parseMatch(dsrPath, salesreport.FormatDSR, *dsrLines); err != nil {
			return err
		}
		if err := os.Remove(dsrPath); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "peak RSS of the whole run %.0f MiB\n", peakRSS())
	return nil
}

// references sums the CSV by ISRC with awk, and loads it with sqlite3
// .import and sums it with GROUP BY, timing both.
func references(ctx context.Context, env *environment, dir, csvPath string, size int64) error {
	f, err := os.Open(csvPath)
	if err != nil {
		return err
	}
	header, err := bufio.NewReader(f).ReadString('\n')
	f.Close()
	if err != nil {
		return err
	}
	cols := strings.Split(strings.TrimSpace(header), ",")
	col := func(name string) int {
		for i, c := range cols {
			if c == name {
				return i + 1
			}
		}
		return 0
	}
	isrc, amount := col("isrc"), col("amount")
	if isrc == 0 || amount == 0 {
		return errors.New("no isrc or amount column")
	}
	awkProg := fmt.Sprintf(`NR>1{s[$%d]+=$%d} END{for(k in s) n++; print n}`, isrc, amount)
	for _, tool := range []string{"mawk", "gawk"} {
		path, err := exec.LookPath(tool)
		if err != nil {
			continue
		}
		var outb strings.Builder
		cmd := exec.CommandContext(ctx, path, "-F,", awkProg, csvPath)
		cmd.Stdout = &outb
		d, err := timed(cmd.Run)
		if err != nil {
			return fmt.Errorf("%s: %w", tool, err)
		}
		fmt.Fprintf(env.stdout, "reference %-5s sum by ISRC (float)          %7.2f s  %6.1f MB/s  (%s ISRCs)\n", tool, d.Seconds(),
			float64(size)/(1<<20)/d.Seconds(), strings.TrimSpace(outb.String()))
	}
	path, err := exec.LookPath("sqlite3")
	if err != nil {
		return errors.New("sqlite3 is not installed")
	}
	dbPath := filepath.Join(dir, "reference.db")
	script := fmt.Sprintf(".mode csv\n.import %s sales\n", csvPath)
	cmd := exec.CommandContext(ctx, path, dbPath)
	cmd.Stdin = strings.NewReader(script)
	dLoad, err := timed(cmd.Run)
	if err != nil {
		return fmt.Errorf("sqlite3 .import: %w", err)
	}
	var outb strings.Builder
	cmd = exec.CommandContext(ctx, path, dbPath, "SELECT COUNT(*) FROM (SELECT isrc, SUM(CAST(amount AS REAL)) FROM sales GROUP BY isrc);")
	cmd.Stdout = &outb
	dSum, err := timed(cmd.Run)
	if err != nil {
		return fmt.Errorf("sqlite3 GROUP BY: %w", err)
	}
	fmt.Fprintf(env.stdout, "reference sqlite3 .import %7.2f s + GROUP BY isrc %6.2f s = %6.2f s  (%s ISRCs)\n", dLoad.Seconds(), dSum.Seconds(),
		(dLoad + dSum).Seconds(), strings.TrimSpace(outb.String()))
	return os.Remove(dbPath)
}
