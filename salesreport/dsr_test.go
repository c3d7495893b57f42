package salesreport

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"tonegrid/money"
)

const sampleDSR = "testdata/DSR_PADPIDA0000000001X_PADPIDA0000000002Y_Premium-Free_2024-01_US_1of1_20240205T100000.tsv"

func TestDSRSample(t *testing.T) {
	f, err := os.Open(sampleDSR)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := NewDSRReader(f)
	got := readAll(t, r)

	base := Line{ReportingPeriod: "2024-01", DSP: "Example DSP", Territory: "US", UPC: "0123456789012",
		UsageType: "OnDemandStream", Currency: "USD", DSPReleaseID: "dsp:album:0123456789012"}
	line := func(no int64, isrc string, units int64, amount, model, service, summary string) Line {
		l := base
		l.LineNo, l.ISRC, l.Units, l.Amount = no, isrc, units, money.MustParse(amount)
		l.CommercialModel, l.ServiceDescription, l.SummaryRecordID = model, service, summary
		l.DSPResourceID = "dsp:track:" + isrc
		return l
	}
	want := []Line{
		// 5.21 USD over 1523 streams: 1000 → 3.4208798424, 523 → the rest.
		line(9, "XXA012400001", 1000, "3.4208798424", "SubscriptionModel", "Premium", "1"),
		line(10, "XXA012400001", 500, "0.6000000000", "AdvertisementSupportedModel", "Free", "2"),
		line(11, "XXA012400002", 523, "1.7891201576", "SubscriptionModel", "Premium", "1"),
		line(12, "XXA012400002", 300, "0.3600000000", "AdvertisementSupportedModel", "Free", "2"),
	}
	if len(got) != len(want) {
		t.Fatalf("got %d lines, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}

	h := r.Header()
	if h.MessageID != "EXDSP-2024-01-US-0001" || h.SenderPartyID != "PADPIDA0000000002Y" ||
		h.RecipientName != "Example Label Distribution" || h.ServiceDescription != "Premium-Free" ||
		h.FileNumber != 1 || h.NumberOfFiles != 1 || h.Profile != "BasicAudioProfile" {
		t.Errorf("Header = %+v", h)
	}

	rec := r.Reconciliation()
	if !rec.OK() {
		t.Errorf("the sample does not reconcile: %v", rec.Problems())
	}
	if len(rec.Currencies) != 1 || rec.Currencies[0].Currency != "USD" ||
		rec.Currencies[0].Declared.String() != "6.17" || rec.Currencies[0].Parsed.Cmp(money.MustParse("6.17")) != 0 {
		t.Errorf("Currencies = %+v, want USD 6.17 declared and parsed", rec.Currencies)
	}
	if len(rec.Summaries) != 2 || rec.Summaries[0].CommercialModel != "SubscriptionModel" ||
		rec.Summaries[0].DeclaredUsages.String() != "1523" || rec.Summaries[1].DeclaredAmount.String() != "0.96" {
		t.Errorf("Summaries = %+v", rec.Summaries)
	}
	wantCounts := map[string]int64{"NumberOfLinesInFile": 13, "NumberOfLinesInReport": 13,
		"NumberOfSummaryRecords": 2, "NumberOfBlocksInFile": 1, "NumberOfBlocksInReport": 1}
	for _, c := range rec.Counts {
		if c.Declared != wantCounts[c.Name] || c.Counted != c.Declared {
			t.Errorf("count %s: declared %d, counted %d; want %d", c.Name, c.Declared, c.Counted, wantCounts[c.Name])
		}
		delete(wantCounts, c.Name)
	}
	if len(wantCounts) > 0 {
		t.Errorf("counts not checked: %v", wantCounts)
	}
}

// dsrFile builds a DSR file, one record per argument; "~" stands for TAB.
func dsrFile(records ...string) string {
	var b strings.Builder
	for _, r := range records {
		b.WriteString(strings.ReplaceAll(r, "~", "\t"))
		b.WriteString("\n")
	}
	return b.String()
}

const (
	testHead = "HEAD~dsrf/1.1.2/1.6/1.0~BasicAudioProfile~1.2~M1~2024-02-05T10:00:00Z~1~1~2024-01-01~2024-03-31~DPID1~Store~Premium~DPID2~Label~"
	testSY   = "SY02.02~S1~~~SubscriptionModel~OnDemandStream~gb~Premium~100~~EUR~10.00~~~~~~~Music~~~"
)

func TestDSRLinking(t *testing.T) {
	in := dsrFile(
		testHead,
		testSY,
		// SY01.01 has no allocated cells: NetRevenue over Usages.
		"SY01.01~S2~~~PayAsYouGoModel~PermanentDownload~DE~Store~10~~EUR~9.90~~~",
		// A multi-value AllocatedRevenue is summed; AllocatedUsages is the
		// denominator.
		"SY02.02~S3~~~SubscriptionModel~OnDemandStream~FR~Premium~999~~EUR~500~~~4~1.5|2.5~~~Music~~~",
		"RE01~B1~RL1~dsp-rel-1~~~0 12345-67890 5~Artist~~Title~~Album~~~",
		"AS01.01~B1~RS1~dsp-res-1~us-abc-24-00001|USABC2400009~Song~~Artist~~PT3M~SoundRecording~",
		"MW01.01~B1~W1~~Work~~~~~~~~~~~~",
		"RE02~B1~RL2~dsp-sub-1~~RS1",
		"SU02~B1~S1~T1~~RS1~true~60~~",
		"SU02~B1~S1~T2~RL1~~true~40~~",
		"SU01~B1~S2~T3~RL2~~true~false~12~2~0.99~",
		"SU02~B1~S3~T4~~RS1~true~4~~",
		// A second block without RE01: the UPC stays empty.
		"AS02.02~B2~RS1~dsp-res-2~GBXYZ2400002~Other~~Artist~~PT2M~SoundRecording",
		"SU02~B2~S3~T5~~RS1~~0~~",
		"FOOT~15~15~3~2~2",
	)
	r := NewDSRReader(strings.NewReader(in))
	got := readAll(t, r)
	type short struct {
		ISRC, UPC, Territory, Usage, Model, Currency, RelID, ResID string
		Units                                                      int64
		Amount                                                     string
	}
	var gs []short
	for _, l := range got {
		if l.ReportingPeriod != "2024-01-01--2024-03-31" || l.DSP != "Store" {
			t.Errorf("line %d: period %q, DSP %q", l.LineNo, l.ReportingPeriod, l.DSP)
		}
		gs = append(gs, short{l.ISRC, l.UPC, l.Territory, l.UsageType, l.CommercialModel, l.Currency,
			l.DSPReleaseID, l.DSPResourceID, l.Units, l.Amount.String()})
	}
	want := []short{
		{"USABC2400001", "012345678905", "GB", "OnDemandStream", "SubscriptionModel", "EUR", "dsp-rel-1", "dsp-res-1", 60, "6.0000000000"},
		{"", "012345678905", "GB", "OnDemandStream", "SubscriptionModel", "EUR", "dsp-rel-1", "", 40, "4.0000000000"},
		{"", "012345678905", "DE", "PermanentDownload", "PayAsYouGoModel", "EUR", "dsp-sub-1", "", 10, "9.9000000000"},
		{"USABC2400001", "012345678905", "FR", "OnDemandStream", "SubscriptionModel", "EUR", "dsp-rel-1", "dsp-res-1", 4, "4.0000000000"},
		{"GBXYZ2400002", "", "FR", "OnDemandStream", "SubscriptionModel", "EUR", "", "dsp-res-2", 0, "0.0000000000"},
	}
	if len(gs) != len(want) {
		t.Fatalf("got %d lines, want %d: %+v", len(gs), len(want), gs)
	}
	for i := range want {
		if gs[i] != want[i] {
			t.Errorf("line %d:\n got %+v\nwant %+v", i, gs[i], want[i])
		}
	}
	rec := r.Reconciliation()
	if !rec.OK() {
		t.Errorf("Problems() = %v, want none", rec.Problems())
	}
	if rec.IgnoredRecords["MW01.01"] != 1 {
		t.Errorf("IgnoredRecords = %v, want MW01.01: 1", rec.IgnoredRecords)
	}
}

func TestDSREscapesAndLeniency(t *testing.T) {
	in := "\xef\xbb\xbf" + strings.ReplaceAll(dsrFile(
		testHead,
		// The SummaryRecordId holds an escaped TAB and pipe.
		`SY02.02~S\~1\\|x~~~SubscriptionModel~OnDemandStream~US~Premium~10~~USD~1~~~~~~~Music~~~`,
		"",
		"# a comment line",
		// Trailing empty cells are missing altogether.
		`AS02.02~B1~R\\\1~dsp\~id~GBAAA2400001~A \\| B`,
		`SU02~B1~S\~1\\|x~T1~~R\\\1~true~10`,
		"FOOT~7~7~1~1~1",
	), "\n", "\r\n")
	r := NewDSRReader(strings.NewReader(in))
	got := readAll(t, r)
	if len(got) != 1 {
		t.Fatalf("got %d lines, want 1", len(got))
	}
	l := got[0]
	if l.SummaryRecordID != "S\t1|x" || l.DSPResourceID != "dsp\tid" || l.ISRC != "GBAAA2400001" || l.Amount.String() != "1.0000000000" {
		t.Errorf("line = %+v", l)
	}
	if rec := r.Reconciliation(); !rec.OK() {
		t.Errorf("Problems() = %v", rec.Problems())
	}
}

func TestDSRGzip(t *testing.T) {
	raw, err := os.ReadFile(sampleDSR)
	if err != nil {
		t.Fatal(err)
	}
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	_, _ = zw.Write(raw)
	_ = zw.Close()
	r, err := NewReader(&zipped, FormatDSR)
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, r); len(got) != 4 {
		t.Errorf("read %d lines from the gzipped sample, want 4", len(got))
	}
	if !r.Reconciliation().OK() {
		t.Errorf("Problems() = %v", r.Reconciliation().Problems())
	}
}

func TestDSRRecordErrors(t *testing.T) {
	in := dsrFile(
		testHead,
		testSY,
		"SY02.02~S1~~~SubscriptionModel~OnDemandStream~US~Premium~1~~USD~1~~~~~~~Music~~~", // line 3: duplicate id
		"SY02.02~S9~~~SubscriptionModel~OnDemandStream~US~Premium~1~~XXX~1~~~~~~~Music~~~", // line 4: bad currency
		"AS02.02~B1~RS1~d1~GBAAA2400001~T~~A~~PT1M~SoundRecording",
		"SU02~B1~NOPE~T1~~RS1~true~5~~",  // line 6: unknown summary
		"SU02~B1~S1~T2~~RS7~true~5~~",    // line 7: unknown resource
		"SU02~B1~S1~T3~~RS1~true~many~~", // line 8: bad streams
		"SU02~B1~S1~T4~RL1~RS1~true~5~~", // line 9: both references
		"SU02~B1~S1~T5~~~true~5~~",       // line 10: no reference
		"SU02~B1~S1~T6~~RS1~true~100~~",  // line 11: fine
		"FOOT~99~12~1~1~1",               // line 12: wrong line count
		"SU02~B1~S1~T7~~RS1~true~5~~",    // line 13: after FOOT
	)
	r := NewDSRReader(strings.NewReader(in))
	lines, errs := readWithErrors(t, r)
	if len(lines) != 1 || lines[0].LineNo != 11 || lines[0].Amount.String() != "10.0000000000" {
		t.Errorf("lines = %+v, want the one on line 11 with the whole 10.00", lines)
	}
	wantLines := []int64{3, 4, 6, 7, 8, 9, 10, 13}
	var gotLines []int64
	for _, e := range errs {
		gotLines = append(gotLines, e.Line)
	}
	if len(gotLines) != len(wantLines) {
		t.Fatalf("errors on lines %v, want %v (%v)", gotLines, wantLines, errs)
	}
	for i := range wantLines {
		if gotLines[i] != wantLines[i] {
			t.Errorf("errors on lines %v, want %v (%v)", gotLines, wantLines, errs)
			break
		}
	}
	if !errors.Is(errs[1], ErrUnknownCurrency) {
		t.Errorf("error on line 4 = %v, want ErrUnknownCurrency", errs[1])
	}
	rec := r.Reconciliation()
	problems := strings.Join(rec.Problems(), "\n")
	if !strings.Contains(problems, "NumberOfLinesInFile is 99, but 12 were read") {
		t.Errorf("Problems() = %q, want the line count mismatch", problems)
	}
}

func TestDSRFinalErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", "empty"},
		{"comments only", "# nothing\n\n", "empty"},
		{"csv file", "reporting_period,dsp\n", "want HEAD"},
	}
	for _, tt := range tests {
		r := NewDSRReader(strings.NewReader(tt.in))
		_, err := r.Next()
		var pe *ParseError
		if err == nil || errors.As(err, &pe) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Next error = %v, want a final error mentioning %q", tt.name, err, tt.want)
		}
		if _, again := r.Next(); again != err {
			t.Errorf("%s: second Next error = %v, want the same final error", tt.name, again)
		}
	}
}

func TestDSRMismatchesAreReported(t *testing.T) {
	in := dsrFile(
		testHead,
		testSY, // declares 100 usages and 10.00 EUR
		"AS02.02~B1~RS1~d1~GBAAA2400001~T~~A~~PT1M~SoundRecording",
		"SU02~B1~S1~T1~~RS1~true~30~~",
		"SU02~B1~S1~T2~~RS1~true~30~~",
	)
	r := NewDSRReader(strings.NewReader(in))
	lines := readAll(t, r)
	// 60 of the 100 declared streams: 6.00 EUR of the 10.00.
	if len(lines) != 2 || lines[0].Amount.String() != "3.0000000000" || lines[1].Amount.String() != "3.0000000000" {
		t.Errorf("lines = %+v", lines)
	}
	rec := r.Reconciliation()
	problems := strings.Join(rec.Problems(), "\n")
	for _, want := range []string{"no FOOT", "declares 100 usages, its lines add up to 60", "declares 10.00 EUR, its lines add up to 6.0000000000", "EUR: declared 10.00"} {
		if !strings.Contains(problems, want) {
			t.Errorf("Problems() = %q, want it to mention %q", problems, want)
		}
	}
}

func TestDSRCellEscaping(t *testing.T) {
	values := []string{"", "plain", "a\tb", "a|b", `a\b`, `\`, `\|`, "\\\t", `\\`, "|", "\t", `a\\|b`}
	for _, v := range values {
		escaped := escapeValue(nil, v)
		cells := splitCells(nil, append(append([]byte("X\t"), escaped...), "\tY"...))
		if len(cells) != 3 {
			t.Errorf("%q escaped as %q splits into %d cells, want 3", v, escaped, len(cells))
			continue
		}
		if got := string(unescape(nil, cells[1])); got != v {
			t.Errorf("%q escaped as %q reads back as %q", v, escaped, got)
		}
		// As one value of a multi-value cell.
		multi := append(append([]byte("first|"), escaped...), "|last"...)
		var got []string
		for raw, more := multi, true; more; {
			var val []byte
			val, raw, more = nextValue(raw)
			got = append(got, string(unescape(nil, val)))
		}
		if len(got) != 3 || got[1] != v {
			t.Errorf("%q in a multi-value cell reads back as %q", v, got)
		}
	}
}

func TestReportingPeriod(t *testing.T) {
	tests := []struct{ start, end, want string }{
		{"2024-01-01", "2024-01-31", "2024-01"},
		{"2024-02-01", "2024-02-29", "2024-02"},
		{"2024-02-01", "2024-02-28", "2024-02-01--2024-02-28"},
		{"2024-01-01", "2024-03-31", "2024-01-01--2024-03-31"},
		{"2024-01-05", "2024-01-05", "2024-01-05"},
		{"2024-01", "2024-01", "2024-01"},
		{"2024", "", "2024"},
	}
	for _, tt := range tests {
		if got := reportingPeriod(tt.start, tt.end); got != tt.want {
			t.Errorf("reportingPeriod(%q, %q) = %q, want %q", tt.start, tt.end, got, tt.want)
		}
	}
}

func TestNewReaderUnknownFormat(t *testing.T) {
	if _, err := NewReader(strings.NewReader(""), "xlsx"); err == nil {
		t.Error("NewReader(xlsx) succeeded, want an error")
	}
}

func TestLineTooLong(t *testing.T) {
	long := strings.Repeat("x", MaxLineBytes+10)
	in := dsrFile(testHead, testSY, "AS02.02~B1~RS1~d1~GBAAA2400001~"+long, "FOOT~4~4~1~1~1")
	r := NewDSRReader(strings.NewReader(in))
	_, errs := readWithErrors(t, r)
	if len(errs) != 1 || errs[0].Line != 3 || !errors.Is(errs[0], ErrLineTooLong) {
		t.Fatalf("errors = %v, want ErrLineTooLong on line 3", errs)
	}
	if rec := r.Reconciliation(); !rec.FootFound {
		t.Errorf("FOOT after the long line was not read: %v", rec.Problems())
	}
}

func TestDSRIgnoredRecordTypesAreBounded(t *testing.T) {
	records := []string{testHead, testSY}
	for i := range 150 {
		records = append(records, fmt.Sprintf("ZZ%03d~B1", i))
	}
	r := NewDSRReader(strings.NewReader(dsrFile(records...)))
	readAll(t, r)
	ignored := r.Reconciliation().IgnoredRecords
	if len(ignored) != maxIgnoredTypes+1 || ignored["(other)"] != 150-maxIgnoredTypes || ignored["ZZ000"] != 1 {
		t.Errorf("IgnoredRecords has %d types, (other) = %d", len(ignored), ignored["(other)"])
	}
}
