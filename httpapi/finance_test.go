package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"tonegrid"
	"tonegrid/app/apptest"
	"tonegrid/finance"
	"tonegrid/money"
)

type periodData struct {
	UUID string `json:"uuid"`
	Code string `json:"code"`
}

type importData struct {
	UUID            string            `json:"uuid"`
	Status          string            `json:"status"`
	LinesTotal      int64             `json:"lines_total"`
	LinesMatched    int64             `json:"lines_matched"`
	LinesUnmatched  int64             `json:"lines_unmatched"`
	LinesInvalid    int64             `json:"lines_invalid"`
	Currency        string            `json:"currency"`
	Gross           string            `json:"gross"`
	GrossByCurrency map[string]string `json:"gross_by_currency"`
	Error           string            `json:"error"`
	Reconciliation  *struct {
		OK       bool     `json:"ok"`
		Problems []string `json:"problems"`
	} `json:"reconciliation"`
}

type statementData struct {
	UUID   string `json:"uuid"`
	Status string `json:"status"`
	Gross  string `json:"gross"`
	Fee    string `json:"fee"`
	Net    string `json:"net"`
	Lines  []struct {
		TrackUUID string `json:"track_uuid"`
		Amount    string `json:"amount"`
		Units     int64  `json:"units"`
	} `json:"lines"`
}

type payeeStatementData struct {
	UUID      string `json:"uuid"`
	PayeeUUID string `json:"payee_uuid"`
	PayeeName string `json:"payee_name"`
	Amount    string `json:"amount"`
	Status    string `json:"status"`
}

const missingUUID = "0190f3a0-0000-7000-8000-000000000001"

func createPeriod(t *testing.T, srv *apptest.Server, token, code string) periodData {
	t.Helper()
	var f periodData
	srv.Post("/api/finance/periods", token, map[string]any{"code": code, "starts_on": "2024-01-01", "ends_on": "2024-01-31"}).
		Data(t, http.StatusCreated, &f)
	return f
}

func uploadReport(srv *apptest.Server, token, periodUUID, dsp, format string, content []byte) *apptest.Response {
	return srv.Upload("/api/finance/imports", token, [][2]string{{"dsp", dsp}, {"period_uuid", periodUUID}, {"format", format}},
		"file", "report."+format, content)
}

func waitImport(t *testing.T, srv *apptest.Server, token, uuid string) importData {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var m importData
		srv.Get("/api/finance/imports/"+uuid, token).Data(t, http.StatusOK, &m)
		if m.Status == tonegrid.ImportCompleted || m.Status == tonegrid.ImportFailed {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("import %s still %s", uuid, m.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// catalogFixture is a label's release with a UPC and two tracks.
type catalogFixture struct {
	label          *apptest.Account
	release        string
	upc            string
	track1, track2 string
	isrc1, isrc2   string
}

func newCatalog(t *testing.T, srv *apptest.Server, name string) catalogFixture {
	t.Helper()
	label := srv.Label(t, name)
	artist := srv.Artist(t, label.Token, "Finance Artist")
	upc := apptest.UniqueUPC()
	rel := srv.Release(t, label.Token, artist, map[string]any{"upc": upc, "title": "Money Album"})
	t1 := srv.Track(t, label.Token, rel.UUID, "First")
	t2 := srv.Track(t, label.Token, rel.UUID, "Second")
	isrc := func(uuid string) string {
		var tr struct {
			ISRC string `json:"isrc"`
		}
		srv.Get("/api/tracks/"+uuid, label.Token).Data(t, http.StatusOK, &tr)
		return strings.ToUpper(strings.ReplaceAll(tr.ISRC, "-", ""))
	}
	return catalogFixture{label: label, release: rel.UUID, upc: upc, track1: t1.UUID, track2: t2.UUID, isrc1: isrc(t1.UUID), isrc2: isrc(t2.UUID)}
}

func TestFinancePeriods(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		label := srv.Label(t, "Periods Label")
		f := createPeriod(t, srv, label.Token, "2024-01")
		srv.Post("/api/finance/periods", label.Token, map[string]any{"code": "2024-01", "starts_on": "2024-01-01", "ends_on": "2024-01-31"}).
			ExpectError(t, http.StatusConflict, "period_code_taken", "Period code already exists.")
		body := srv.Post("/api/finance/periods", label.Token, map[string]any{"code": "bad code!", "starts_on": "2024-02-30", "ends_on": "2024-01-31"}).
			ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		for _, k := range []string{"code", "starts_on"} {
			if len(body.Errors[k]) == 0 {
				t.Errorf("no error for %s: %+v", k, body.Errors)
			}
		}
		var got periodData
		srv.Get("/api/finance/periods/"+f.UUID, label.Token).Data(t, http.StatusOK, &got)
		if got.Code != "2024-01" {
			t.Errorf("period = %+v", got)
		}
		var list []periodData
		srv.Get("/api/finance/periods", label.Token).Data(t, http.StatusOK, &list)
		if len(list) != 1 {
			t.Errorf("periods = %+v", list)
		}
		srv.Get("/api/finance/periods/"+missingUUID, label.Token).ExpectError(t, http.StatusNotFound, "period_not_found", "Period not found.")
		other := srv.Label(t, "Other Periods Label")
		srv.Get("/api/finance/periods/"+f.UUID, other.Token).ExpectError(t, http.StatusNotFound, "period_not_found", "Period not found.")
		// Another workspace may use the same code.
		createPeriod(t, srv, other.Token, "2024-01")
	})
}

func TestFinanceImportCSV(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		c := newCatalog(t, srv, "CSV Label")
		f := createPeriod(t, srv, c.label.Token, "2024-01")
		csv := "currency,amount,units,usage_type,upc,isrc,territory,dsp,reporting_period\n" +
			"USD,1.0000000001,100,stream,," + c.isrc1 + ",US,Spotify,2024-01\n" +
			"USD,2.5,50,stream,," + c.isrc1 + ",FR,Spotify,2024-01\n" +
			"USD,0.75,30,download,," + c.isrc2 + ",US,Apple,2024-01\n" +
			"USD,4,2,download," + c.upc + ",,US,Apple,2024-01\n" +
			"USD,9.99,7,stream,,ZZZZZ9900001,DE,Spotify,2024-01\n" +
			"USD,0.01,1,stream,,ZZZZZ9900002,DE,Spotify,2024-01\n" +
			"USD,not-a-number,1,stream,," + c.isrc1 + ",US,Spotify,2024-01\n"
		var m importData
		uploadReport(srv, c.label.Token, f.UUID, "Spotify", "csv", []byte(csv)).Data(t, http.StatusAccepted, &m)
		if m.Status != tonegrid.ImportQueued {
			t.Errorf("new import status = %q", m.Status)
		}
		m = waitImport(t, srv, c.label.Token, m.UUID)
		if m.Status != tonegrid.ImportCompleted || m.LinesTotal != 6 || m.LinesMatched != 4 || m.LinesUnmatched != 2 || m.LinesInvalid != 1 ||
			m.Gross != "18.2500000001" || m.Currency != "USD" || m.Reconciliation != nil {
			t.Errorf("import = %+v", m)
		}
		var un []tonegrid.UnmatchedLine
		resp := srv.Get("/api/finance/imports/"+m.UUID+"/unmatched?per_page=1&page=2", c.label.Token)
		resp.Data(t, http.StatusOK, &un)
		var meta struct {
			Meta struct{ Total int } `json:"meta"`
		}
		resp.JSON(t, &meta)
		if len(un) != 1 || un[0].ISRC != "ZZZZZ9900002" || un[0].Amount != "0.01" || un[0].LineNo != 7 || meta.Meta.Total != 2 {
			t.Errorf("unmatched page 2 = %+v, meta %+v", un, meta)
		}
		// The same file for the same period and DSP is refused; for another
		// DSP it is a new import.
		uploadReport(srv, c.label.Token, f.UUID, "Spotify", "csv", []byte(csv)).
			ExpectError(t, http.StatusConflict, "import_duplicate", "This file was already imported for this period and DSP.")
		uploadReport(srv, c.label.Token, f.UUID, "Deezer", "csv", []byte(csv)).ExpectStatus(t, http.StatusAccepted)

		uploadReport(srv, c.label.Token, missingUUID, "Spotify", "csv", []byte(csv)).
			ExpectError(t, http.StatusNotFound, "period_not_found", "Period not found.")
		body := srv.Upload("/api/finance/imports", c.label.Token, [][2]string{{"dsp", "Spotify"}, {"format", "xls"}}, "", "", nil).
			ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		for _, k := range []string{"file", "format", "period_uuid"} {
			if len(body.Errors[k]) == 0 {
				t.Errorf("no error for %s: %+v", k, body.Errors)
			}
		}
		srv.Get("/api/finance/imports/"+missingUUID, c.label.Token).ExpectError(t, http.StatusNotFound, "import_not_found", "Import not found.")
		other := srv.Label(t, "Other CSV Label")
		srv.Get("/api/finance/imports/"+m.UUID, other.Token).ExpectError(t, http.StatusNotFound, "import_not_found", "Import not found.")
		srv.Get("/api/finance/imports/"+m.UUID+"/unmatched", other.Token).ExpectError(t, http.StatusNotFound, "import_not_found", "Import not found.")

		// A file that is not CSV fails with a message.
		var bad importData
		uploadReport(srv, c.label.Token, f.UUID, "Tidal", "csv", []byte("hello,world\n1,2\n")).Data(t, http.StatusAccepted, &bad)
		if bad = waitImport(t, srv, c.label.Token, bad.UUID); bad.Status != tonegrid.ImportFailed || bad.Error == "" {
			t.Errorf("bad import = %+v", bad)
		}

		// Analytics from the matched lines of the completed imports (the
		// same file twice, for two DSPs).
		var rows []tonegrid.AnalyticsRow
		srv.Get("/api/analytics/releases?from=2024-01-01&to=2024-12-31", c.label.Token).Data(t, http.StatusOK, &rows)
		if len(rows) != 1 || rows[0].ReleaseUUID != c.release || rows[0].Revenue != "16.5000000002" || rows[0].Units != 364 {
			t.Errorf("analytics by release = %+v", rows)
		}
		srv.Get("/api/analytics/territories?release_uuid="+c.release, c.label.Token).Data(t, http.StatusOK, &rows)
		if len(rows) != 2 || rows[0].Territory != "US" || rows[0].Revenue != "11.5000000002" || rows[1].Territory != "FR" {
			t.Errorf("analytics by territory = %+v", rows)
		}
		srv.Get("/api/analytics/dsps?to=2023-12-31", c.label.Token).Data(t, http.StatusOK, &rows)
		if len(rows) != 0 {
			t.Errorf("analytics before the period = %+v", rows)
		}
		srv.Get("/api/analytics/dsps?from=yesterday", c.label.Token).ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
	})
}

func TestFinanceImportDSR(t *testing.T) {
	// The sample of ../shared/dsr, kept with the salesreport package.
	sample, err := os.ReadFile("../salesreport/testdata/DSR_PADPIDA0000000001X_PADPIDA0000000002Y_Premium-Free_2024-01_US_1of1_20240205T100000.tsv")
	if err != nil {
		t.Fatalf("DSR sample: %v", err)
	}
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		c := newCatalog(t, srv, "DSR Label")
		// Give the first track the sample's first ISRC; the second stays
		// unmatched.
		if _, err := srv.DB.WriteDB().ExecContext(context.Background(), `UPDATE tracks SET isrc = 'XXA012400001' WHERE uuid = $1`, c.track1); err != nil {
			t.Fatal(err)
		}
		f := createPeriod(t, srv, c.label.Token, "2024-01")
		var m importData
		uploadReport(srv, c.label.Token, f.UUID, "Example DSP", "ddex-dsr", sample).Data(t, http.StatusAccepted, &m)
		m = waitImport(t, srv, c.label.Token, m.UUID)
		if m.Status != tonegrid.ImportCompleted || m.LinesTotal != 4 || m.LinesMatched != 2 || m.LinesUnmatched != 2 ||
			money.MustParse(m.Gross).Cmp(money.MustParse("6.17")) != 0 ||
			m.Reconciliation == nil || !m.Reconciliation.OK {
			t.Errorf("DSR import = %+v (reconciliation %+v)", m, m.Reconciliation)
		}
		// A DSR whose FOOT declares more lines than it holds is imported and
		// the difference reported.
		tampered := bytes.Replace(sample, []byte("FOOT\t13\t13\t"), []byte("FOOT\t14\t14\t"), 1)
		if bytes.Equal(tampered, sample) {
			t.Fatal("the sample's FOOT record changed; adjust the test")
		}
		var m2 importData
		uploadReport(srv, c.label.Token, f.UUID, "Example DSP", "ddex-dsr", tampered).Data(t, http.StatusAccepted, &m2)
		m2 = waitImport(t, srv, c.label.Token, m2.UUID)
		if m2.Status != tonegrid.ImportCompleted || m2.Reconciliation == nil || m2.Reconciliation.OK || len(m2.Reconciliation.Problems) == 0 {
			t.Errorf("tampered DSR import = %+v (reconciliation %+v)", m2, m2.Reconciliation)
		}
	})
}

// TestFinanceImportRestart interrupts an import mid-file (the report's
// reader fails after some bytes, with unmatched lines already committed in
// small batches) and runs it again: the second run counts every line once,
// exactly as an uninterrupted import of the same file does.
func TestFinanceImportRestart(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		c := newCatalog(t, srv, "Restart Label")
		var sb strings.Builder
		sb.WriteString("reporting_period,dsp,territory,isrc,upc,usage_type,units,amount,currency\n")
		for i := 0; i < 400; i++ {
			isrc := c.isrc1
			if i%3 == 0 {
				isrc = fmt.Sprintf("QZZZZ24%05d", i)
			}
			fmt.Fprintf(&sb, "2024-01,Spotify,US,%s,,stream,%d,0.%04d,USD\n", isrc, i+1, i+1)
		}
		file := []byte(sb.String())
		ref := createPeriod(t, srv, c.label.Token, "ref")
		var want importData
		uploadReport(srv, c.label.Token, ref.UUID, "Spotify", "csv", file).Data(t, http.StatusAccepted, &want)
		want = waitImport(t, srv, c.label.Token, want.UUID)

		ctx := context.Background()
		p := srv.Principal(t, c.label)
		f := createPeriod(t, srv, c.label.Token, "crash")
		staged, err := finance.Stage(ctx, srv.App.Blobs, p.Tenant.UUID, bytes.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		m, err := srv.DB.CreateImport(ctx, p, p.Tenant.ID, tonegrid.ImportInput{PeriodUUID: f.UUID, DSP: "Spotify", Format: "csv"}, staged, false)
		if err != nil {
			t.Fatal(err)
		}
		crashing := &finance.Importer{DB: srv.DB, Blobs: srv.App.Blobs, Batch: 10,
			Open: func(ctx context.Context, key string) (io.ReadCloser, error) {
				rc, _, err := srv.App.Blobs.Open(ctx, key)
				if err != nil {
					return nil, err
				}
				return struct {
					io.Reader
					io.Closer
				}{io.MultiReader(io.LimitReader(rc, int64(len(file)*2/3)), failingReader{}), rc}, nil
			}}
		if err := crashing.Run(ctx, m.ID); err == nil {
			t.Fatal("interrupted import succeeded")
		}
		var partial int
		if err := srv.DB.WriteDB().QueryRowContext(ctx, `SELECT COUNT(*) FROM sales_unmatched WHERE import_id = $1`, m.ID).Scan(&partial); err != nil {
			t.Fatal(err)
		}
		var mid importData
		srv.Get("/api/finance/imports/"+m.UUID, c.label.Token).Data(t, http.StatusOK, &mid)
		if partial == 0 || mid.Status != tonegrid.ImportProcessing {
			t.Fatalf("after the crash: %d unmatched rows, status %s", partial, mid.Status)
		}
		if err := (&finance.Importer{DB: srv.DB, Blobs: srv.App.Blobs, Batch: 10}).Run(ctx, m.ID); err != nil {
			t.Fatal(err)
		}
		var got importData
		srv.Get("/api/finance/imports/"+m.UUID, c.label.Token).Data(t, http.StatusOK, &got)
		if got.Status != tonegrid.ImportCompleted || got.LinesTotal != want.LinesTotal || got.LinesMatched != want.LinesMatched ||
			got.LinesUnmatched != want.LinesUnmatched || got.Gross != want.Gross || want.LinesTotal != 400 {
			t.Errorf("restarted import = %+v, uninterrupted = %+v", got, want)
		}
		var rows, sums int
		if err := srv.DB.WriteDB().QueryRowContext(ctx, `SELECT COUNT(*) FROM sales_unmatched WHERE import_id = $1`, m.ID).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if err := srv.DB.WriteDB().QueryRowContext(ctx, `SELECT COALESCE(SUM(line_count), 0) FROM sales_matched WHERE import_id = $1`, m.ID).Scan(&sums); err != nil {
			t.Fatal(err)
		}
		if int64(rows) != want.LinesUnmatched || int64(sums) != want.LinesMatched {
			t.Errorf("stored %d unmatched rows and %d matched lines, want %d and %d", rows, sums, want.LinesUnmatched, want.LinesMatched)
		}
		// Running the completed import again changes nothing.
		if err := (&finance.Importer{DB: srv.DB, Blobs: srv.App.Blobs}).Run(ctx, m.ID); err != nil {
			t.Fatal(err)
		}
		var again importData
		srv.Get("/api/finance/imports/"+m.UUID, c.label.Token).Data(t, http.StatusOK, &again)
		if again.LinesTotal != got.LinesTotal || again.Gross != got.Gross {
			t.Errorf("after a second run: %+v", again)
		}
	})
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, fmt.Errorf("disk on fire") }

var xrefEntry = regexp.MustCompile(`^(\d{10}) (\d{5}) ([nf]) ?$`)

// checkPDF parses the PDF's xref table and checks that every in-use entry
// points at its object, and returns the number of page objects.
func checkPDF(t *testing.T, b []byte) int {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("%PDF-1.")) || !bytes.HasSuffix(bytes.TrimSpace(b), []byte("%%EOF")) {
		t.Fatalf("not a PDF: %.40q … %q", b, b[max(0, len(b)-20):])
	}
	i := bytes.LastIndex(b, []byte("startxref\n"))
	if i < 0 {
		t.Fatal("no startxref")
	}
	off, err := strconv.Atoi(strings.TrimSpace(strings.Split(string(b[i+10:]), "\n")[0]))
	if err != nil || off <= 0 || off >= len(b) || !bytes.HasPrefix(b[off:], []byte("xref\n")) {
		t.Fatalf("startxref %d does not point at xref", off)
	}
	lines := strings.Split(string(b[off:]), "\n")
	var first, count int
	if _, err := fmt.Sscanf(lines[1], "%d %d", &first, &count); err != nil {
		t.Fatalf("xref subsection %q: %v", lines[1], err)
	}
	for n := 1; n < count; n++ {
		m := xrefEntry.FindStringSubmatch(lines[2+n])
		if m == nil {
			t.Fatalf("xref entry %q", lines[2+n])
		}
		o, _ := strconv.Atoi(m[1])
		if !bytes.HasPrefix(b[o:], []byte(fmt.Sprintf("%d 0 obj", n))) {
			t.Errorf("xref of object %d points at %.20q", n, b[o:])
		}
	}
	return bytes.Count(b, []byte("/Type /Page ")) + bytes.Count(b, []byte("/Type /Page\n"))
}

func TestFinanceStatements(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		c := newCatalog(t, srv, "Statement Label")
		ctx := context.Background()
		// The label keeps 85%; its distributor's fee is 15%.
		if _, err := srv.DB.WriteDB().ExecContext(ctx, `UPDATE tenants SET revenue_share_percent = '85' WHERE uuid = $1`, c.label.TenantUUID); err != nil {
			t.Fatal(err)
		}
		a := srv.Payee(t, c.label.Token, "Ann")
		b := srv.Payee(t, c.label.Token, "Bob")
		srv.Put("/api/tracks/"+c.track1+"/splits", c.label.Token, map[string]any{"splits": []map[string]any{
			{"payee_uuid": a, "percentage": "33.3333"}, {"payee_uuid": b, "percentage": "66.6667"}}}).ExpectStatus(t, http.StatusOK)
		f := createPeriod(t, srv, c.label.Token, "2024-01")
		csv := "reporting_period,dsp,territory,isrc,upc,usage_type,units,amount,currency\n" +
			"2024-01,Spotify,US," + c.isrc1 + ",,stream,1000,10.0000000005,USD\n" +
			"2024-01,Spotify,FR," + c.isrc1 + ",,stream,10,0.333,USD\n" +
			"2024-01,Apple,US," + c.isrc2 + ",,download,3,2.6666666667,USD\n" +
			"2024-01,Apple,JP," + c.isrc2 + ",,download,1,150,JPY\n"
		var m importData
		uploadReport(srv, c.label.Token, f.UUID, "Mixed", "csv", []byte(csv)).Data(t, http.StatusAccepted, &m)
		if m = waitImport(t, srv, c.label.Token, m.UUID); m.LinesMatched != 4 {
			t.Fatalf("import = %+v", m)
		}
		// Every currency gets its statement; without a currency the answer
		// is the first by code (JPY). 150 × 15% = 22.5 → 22 (half-even).
		var jpy statementData
		srv.Post("/api/finance/statements", c.label.Token, map[string]any{"period_uuid": f.UUID}).Data(t, http.StatusOK, &jpy)
		if jpy.Gross != "150" || jpy.Fee != "22" || jpy.Net != "128" {
			t.Errorf("JPY statement = %+v", jpy)
		}
		var st statementData
		srv.Post("/api/finance/statements", c.label.Token, map[string]any{"period_uuid": f.UUID, "currency": "usd"}).Data(t, http.StatusOK, &st)
		// 12.9996666672 → 13.00; fee 15% = 1.95; net 11.05.
		if st.Status != "draft" || st.Gross != "13.00" || st.Fee != "1.95" || st.Net != "11.05" || len(st.Lines) != 3 || st.UUID == jpy.UUID {
			t.Errorf("USD statement = %+v", st)
		}
		// Recomputing a draft keeps its uuid.
		var again statementData
		srv.Post("/api/finance/statements", c.label.Token, map[string]any{"period_uuid": f.UUID, "currency": "USD"}).Data(t, http.StatusOK, &again)
		if again.UUID != st.UUID || again.Net != st.Net {
			t.Errorf("recomputed = %+v, first %+v", again, st)
		}
		var list []statementData
		srv.Get("/api/finance/statements", c.label.Token).Data(t, http.StatusOK, &list)
		if len(list) != 2 {
			t.Errorf("statements = %+v", list)
		}

		var ps []payeeStatementData
		srv.Get("/api/finance/payee-statements?statement_uuid="+st.UUID, c.label.Token).Data(t, http.StatusOK, &ps)
		sum := money.New(0, 0)
		names := map[string]string{}
		for _, x := range ps {
			var err error
			if sum, err = sum.Add(money.MustParse(x.Amount)); err != nil {
				t.Fatal(err)
			}
			names[x.PayeeName] = x.Amount
		}
		// Track 1: 10.3330000005 split 33.3333/66.6667; track 2 (no splits):
		// 2.6666666667 to the label's default payee (named after it).
		if len(ps) != 3 || sum.Cmp(money.MustParse(st.Net)) != 0 || names["Ann"] == "" || names["Bob"] == "" || names["Statement Label"] == "" {
			t.Errorf("payee statements = %+v (sum %s, net %s)", ps, sum, st.Net)
		}
		var one struct {
			payeeStatementData
			Lines []map[string]any `json:"lines"`
		}
		srv.Get("/api/finance/payee-statements/"+ps[0].UUID, c.label.Token).Data(t, http.StatusOK, &one)
		if len(one.Lines) == 0 {
			t.Errorf("payee statement without lines: %+v", one)
		}

		// Payouts need an approved payee statement.
		srv.Post("/api/finance/payouts", c.label.Token, map[string]any{"payee_statement_uuid": ps[0].UUID}).
			ExpectError(t, http.StatusConflict, "payee_statement_not_approved", "Only approved payee statements can be locked or paid out.")
		srv.Post("/api/finance/statements/"+st.UUID+"/lock", c.label.Token, nil).
			ExpectError(t, http.StatusConflict, "statement_not_approved", "Only approved statements can be locked.")
		var approved statementData
		srv.Post("/api/finance/statements/"+st.UUID+"/approve", c.label.Token, nil).Data(t, http.StatusOK, &approved)
		if approved.Status != "approved" {
			t.Errorf("approved = %+v", approved)
		}
		srv.Post("/api/finance/statements/"+st.UUID+"/approve", c.label.Token, nil).
			ExpectError(t, http.StatusConflict, "statement_not_draft", "Only draft statements can be approved.")
		srv.Post("/api/finance/statements", c.label.Token, map[string]any{"period_uuid": f.UUID, "currency": "USD"}).
			ExpectError(t, http.StatusConflict, "statement_not_draft", "Only draft statements can be approved.")
		srv.Post("/api/finance/statements/"+st.UUID+"/lock", c.label.Token, nil).Data(t, http.StatusOK, &approved)
		if approved.Status != "locked" {
			t.Errorf("locked = %+v", approved)
		}
		srv.Post("/api/finance/payee-statements/"+ps[0].UUID+"/approve", c.label.Token, nil).ExpectStatus(t, http.StatusOK)
		srv.Post("/api/finance/payee-statements/"+ps[0].UUID+"/approve", c.label.Token, nil).
			ExpectError(t, http.StatusConflict, "payee_statement_not_draft", "Only draft payee statements can be approved.")

		// Payee statements lock once approved; a locked one can be paid out.
		srv.Post("/api/finance/payee-statements/"+ps[1].UUID+"/lock", c.label.Token, nil).
			ExpectError(t, http.StatusConflict, "payee_statement_not_approved", "Only approved payee statements can be locked or paid out.")
		srv.Post("/api/finance/payee-statements/"+ps[1].UUID+"/approve", c.label.Token, nil).ExpectStatus(t, http.StatusOK)
		var locked payeeStatementData
		srv.Post("/api/finance/payee-statements/"+ps[1].UUID+"/lock", c.label.Token, nil).Data(t, http.StatusOK, &locked)
		if locked.Status != "locked" {
			t.Errorf("locked payee statement = %+v", locked)
		}
		srv.Post("/api/finance/payouts", c.label.Token, map[string]any{"payee_statement_uuid": ps[1].UUID}).ExpectStatus(t, http.StatusCreated)

		var po tonegrid.Payout
		srv.Post("/api/finance/payouts", c.label.Token, map[string]any{"payee_statement_uuid": ps[0].UUID}).Data(t, http.StatusCreated, &po)
		if po.Amount != ps[0].Amount || po.Status != tonegrid.PayoutRequested {
			t.Errorf("payout = %+v", po)
		}
		srv.Post("/api/finance/payouts", c.label.Token, map[string]any{"payee_statement_uuid": ps[0].UUID}).
			ExpectError(t, http.StatusConflict, "payout_exists", "A payout already exists for this payee statement.")
		srv.Post("/api/finance/payouts/"+po.UUID+"/mark-paid", c.label.Token, map[string]any{"reference": "SEPA-42"}).Data(t, http.StatusOK, &po)
		if po.Status != tonegrid.PayoutPaid || po.PaidAt == nil || po.Reference != "SEPA-42" {
			t.Errorf("paid payout = %+v", po)
		}
		var audit []struct {
			Action     string `json:"action"`
			TargetUUID string `json:"target_uuid"`
		}
		srv.Get("/api/audit-log?per_page=100", c.label.Token).Data(t, http.StatusOK, &audit)
		found := false
		for _, e := range audit {
			found = found || e.Action == "payout.paid" && e.TargetUUID == po.UUID
		}
		if !found {
			t.Errorf("no payout.paid in the audit log: %+v", audit)
		}
		var pos []tonegrid.Payout
		srv.Get("/api/finance/payouts", c.label.Token).Data(t, http.StatusOK, &pos)
		if len(pos) != 2 {
			t.Errorf("payouts = %+v", pos)
		}
		srv.Get("/api/finance/payouts/"+po.UUID, c.label.Token).ExpectStatus(t, http.StatusOK)

		// Exports.
		resp := srv.Get("/api/finance/statements/"+st.UUID+"/export?format=pdf", c.label.Token)
		resp.ExpectStatus(t, http.StatusOK)
		if pages := checkPDF(t, resp.Body); pages != 1+len(ps) {
			t.Errorf("PDF has %d pages, want %d", pages, 1+len(ps))
		}
		resp = srv.Get("/api/finance/statements/"+st.UUID+"/export?format=csv", c.label.Token)
		resp.ExpectStatus(t, http.StatusOK)
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || !strings.Contains(string(resp.Body), "net,2024-01,USD,,,,,,,,,,,11.05") {
			t.Errorf("CSV export:\n%s", resp.Body)
		}
		srv.Get("/api/finance/statements/"+st.UUID+"/export?format=xls", c.label.Token).
			ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")

		// Unknown and foreign objects are 404s.
		other := srv.Label(t, "Other Statement Label")
		for _, path := range []string{"/api/finance/statements/" + st.UUID, "/api/finance/statements/" + missingUUID} {
			srv.Get(path, other.Token).ExpectError(t, http.StatusNotFound, "statement_not_found", "Statement not found.")
		}
		srv.Post("/api/finance/statements/"+st.UUID+"/approve", other.Token, nil).ExpectError(t, http.StatusNotFound, "statement_not_found", "Statement not found.")
		srv.Get("/api/finance/statements/"+st.UUID+"/export?format=pdf", other.Token).ExpectError(t, http.StatusNotFound, "statement_not_found", "Statement not found.")
		srv.Get("/api/finance/payee-statements?statement_uuid="+st.UUID, other.Token).ExpectError(t, http.StatusNotFound, "statement_not_found", "Statement not found.")
		srv.Get("/api/finance/payee-statements/"+ps[0].UUID, other.Token).
			ExpectError(t, http.StatusNotFound, "payee_statement_not_found", "Payee statement not found.")
		srv.Post("/api/finance/payee-statements/"+missingUUID+"/approve", c.label.Token, nil).
			ExpectError(t, http.StatusNotFound, "payee_statement_not_found", "Payee statement not found.")
		srv.Post("/api/finance/payouts", other.Token, map[string]any{"payee_statement_uuid": ps[0].UUID}).
			ExpectError(t, http.StatusNotFound, "payee_statement_not_found", "Payee statement not found.")
		srv.Get("/api/finance/payouts/"+po.UUID, other.Token).ExpectError(t, http.StatusNotFound, "payout_not_found", "Payout not found.")
		srv.Post("/api/finance/payouts/"+missingUUID+"/mark-paid", c.label.Token, nil).ExpectError(t, http.StatusNotFound, "payout_not_found", "Payout not found.")
		srv.Post("/api/finance/statements", c.label.Token, map[string]any{"period_uuid": missingUUID}).
			ExpectError(t, http.StatusNotFound, "period_not_found", "Period not found.")

		// Payout requests need a verified email; staff may read finance
		// but not write it.
		unverified := srv.Signup(t, apptest.UniqueEmail("unverified"), "Unverified Label")
		srv.Post("/api/finance/payouts", unverified.Token, map[string]any{"payee_statement_uuid": ps[0].UUID}).
			ExpectError(t, http.StatusForbidden, "email_unverified", "Please verify your email address first.")
	})
}

func TestFinanceStatementEmptyPeriod(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		label := srv.Label(t, "Empty Label")
		f := createPeriod(t, srv, label.Token, "2024-02")
		var st statementData
		srv.Post("/api/finance/statements", label.Token, map[string]any{"period_uuid": f.UUID, "currency": "EUR"}).Data(t, http.StatusOK, &st)
		if st.Gross != "0.00" || st.Net != "0.00" || st.Fee != "0.00" {
			t.Errorf("empty statement = %+v", st)
		}
		var ps []payeeStatementData
		srv.Get("/api/finance/payee-statements?statement_uuid="+st.UUID, label.Token).Data(t, http.StatusOK, &ps)
		if len(ps) != 1 || ps[0].Amount != "0.00" {
			t.Errorf("payee statements of an empty statement = %+v", ps)
		}
		var raw json.RawMessage
		srv.Get("/api/finance/payee-statements", label.Token).Data(t, http.StatusOK, &raw)
	})
}

// TestFinanceClientTenants imports, in a distributor's workspace, sales of
// its client's tracks: they match (the client is a descendant), the
// distributor's statement counts them, and the client sees nothing of the
// distributor's import. The client's own import does not match the
// distributor's tracks.
func TestFinanceClientTenants(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		dist := newCatalog(t, srv, "Finance Distributor")
		var client struct {
			UUID string `json:"uuid"`
		}
		srv.Post("/api/tenants/clients", dist.label.Token, map[string]string{"name": "Finance Client", "owner_email": apptest.UniqueEmail("fc"), "owner_name": "C"}).
			Data(t, http.StatusCreated, &client)
		var sess struct {
			Data apptest.SessionData `json:"data"`
		}
		resp := srv.Post("/api/tenants/clients/"+client.UUID+"/login-as", dist.label.Token, nil)
		resp.ExpectStatus(t, http.StatusOK)
		resp.JSON(t, &sess)
		ct := sess.Data.AccessToken
		artist := srv.Artist(t, ct, "Client Artist")
		rel := srv.Release(t, ct, artist, map[string]any{"title": "Client Album"})
		tr := srv.Track(t, ct, rel.UUID, "Client Song")
		var got struct {
			ISRC string `json:"isrc"`
		}
		srv.Get("/api/tracks/"+tr.UUID, ct).Data(t, http.StatusOK, &got)
		clientISRC := strings.ToUpper(strings.ReplaceAll(got.ISRC, "-", ""))

		f := createPeriod(t, srv, dist.label.Token, "2024-03")
		csv := "reporting_period,dsp,territory,isrc,upc,usage_type,units,amount,currency\n" +
			"2024-03,Spotify,US," + clientISRC + ",,stream,10,1.50,EUR\n" +
			"2024-03,Spotify,US," + dist.isrc1 + ",,stream,10,2.50,EUR\n"
		var m importData
		uploadReport(srv, dist.label.Token, f.UUID, "Spotify", "csv", []byte(csv)).Data(t, http.StatusAccepted, &m)
		if m = waitImport(t, srv, dist.label.Token, m.UUID); m.LinesMatched != 2 {
			t.Errorf("distributor import = %+v", m)
		}
		var st statementData
		srv.Post("/api/finance/statements", dist.label.Token, map[string]any{"period_uuid": f.UUID}).Data(t, http.StatusOK, &st)
		if st.Gross != "4.00" || len(st.Lines) != 2 {
			t.Errorf("distributor statement = %+v", st)
		}
		srv.Get("/api/finance/imports/"+m.UUID, ct).ExpectError(t, http.StatusNotFound, "import_not_found", "Import not found.")
		srv.Get("/api/finance/periods/"+f.UUID, ct).ExpectError(t, http.StatusNotFound, "period_not_found", "Period not found.")

		cf := createPeriod(t, srv, ct, "2024-03")
		var cm importData
		uploadReport(srv, ct, cf.UUID, "Spotify", "csv", []byte(csv)).Data(t, http.StatusAccepted, &cm)
		if cm = waitImport(t, srv, ct, cm.UUID); cm.LinesMatched != 1 || cm.LinesUnmatched != 1 {
			t.Errorf("client import = %+v", cm)
		}
	})
}

// TestFinancePayeeStatementsAddUpToNet is the end-to-end property: random
// line amounts (10 fractional digits, returns included), random splits and
// a random revenue share always give payee statements that add up exactly
// to the statement's net.
func TestFinancePayeeStatementsAddUpToNet(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		c := newCatalog(t, srv, "Property Label")
		payees := []string{srv.Payee(t, c.label.Token, "P1"), srv.Payee(t, c.label.Token, "P2"), srv.Payee(t, c.label.Token, "P3")}
		seed := time.Now().UnixNano()
		t.Logf("seed %d", seed)
		r := rand.New(rand.NewPCG(uint64(seed), 7))
		for round := 0; round < 4; round++ {
			share := fmt.Sprintf("%d.%04d", r.IntN(100), r.IntN(10000))
			if _, err := srv.DB.WriteDB().ExecContext(context.Background(), `UPDATE tenants SET revenue_share_percent = $1 WHERE uuid = $2`,
				share, c.label.TenantUUID); err != nil {
				t.Fatal(err)
			}
			// Random splits of track 1 adding up to exactly 100.
			left := 1000000
			var splits []map[string]any
			for i, p := range payees {
				v := left
				if i < len(payees)-1 {
					v = r.IntN(left + 1)
				}
				left -= v
				splits = append(splits, map[string]any{"payee_uuid": p, "percentage": fmt.Sprintf("%d.%04d", v/10000, v%10000)})
			}
			srv.Put("/api/tracks/"+c.track1+"/splits", c.label.Token, map[string]any{"splits": splits}).ExpectStatus(t, http.StatusOK)
			var sb strings.Builder
			sb.WriteString("reporting_period,dsp,territory,isrc,upc,usage_type,units,amount,currency\n")
			for i := 0; i < 50; i++ {
				isrc := c.isrc1
				if r.IntN(3) == 0 {
					isrc = c.isrc2
				}
				amount := fmt.Sprintf("%d.%010d", r.IntN(50), r.Int64N(10_000_000_000))
				if r.IntN(10) == 0 {
					amount = "-0." + fmt.Sprintf("%010d", r.Int64N(10_000_000_000))
				}
				fmt.Fprintf(&sb, "2024-01,Spotify,%s,%s,,stream,%d,%s,USD\n", []string{"US", "FR", "DE"}[r.IntN(3)], isrc, r.IntN(1000), amount)
			}
			f := createPeriod(t, srv, c.label.Token, fmt.Sprintf("p%d", round))
			var m importData
			uploadReport(srv, c.label.Token, f.UUID, "Spotify", "csv", []byte(sb.String())).Data(t, http.StatusAccepted, &m)
			if m = waitImport(t, srv, c.label.Token, m.UUID); m.Status != tonegrid.ImportCompleted || m.LinesMatched != 50 {
				t.Fatalf("import = %+v", m)
			}
			var st statementData
			srv.Post("/api/finance/statements", c.label.Token, map[string]any{"period_uuid": f.UUID}).Data(t, http.StatusOK, &st)
			var ps []payeeStatementData
			srv.Get("/api/finance/payee-statements?per_page=100&statement_uuid="+st.UUID, c.label.Token).Data(t, http.StatusOK, &ps)
			sum := money.New(0, 0)
			for _, x := range ps {
				var err error
				if sum, err = sum.Add(money.MustParse(x.Amount)); err != nil {
					t.Fatal(err)
				}
			}
			gross, fee, net := money.MustParse(st.Gross), money.MustParse(st.Fee), money.MustParse(st.Net)
			check, _ := gross.Sub(fee)
			if sum.Cmp(net) != 0 || check.Cmp(net) != 0 || len(ps) == 0 {
				t.Errorf("round %d (share %s): gross %s fee %s net %s, payee statements add up to %s: %+v", round, share, st.Gross, st.Fee, st.Net, sum, ps)
			}
		}
	})
}
