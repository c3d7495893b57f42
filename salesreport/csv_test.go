package salesreport

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

// csvRows are the logical rows the CSV tests write, keyed by column name.
var csvRows = []map[string]string{
	{"reporting_period": "2024-01", "dsp": "Spotify", "territory": "US", "isrc": "USABC2400001", "upc": "012345678905",
		"usage_type": "stream", "units": "1000", "amount": "3.4125000000", "currency": "USD"},
	{"reporting_period": "2024-01", "dsp": "Spotify", "territory": "jp", "isrc": "us-abc-24-00002", "upc": "",
		"usage_type": "stream", "units": "-3", "amount": "-12", "currency": "jpy"},
	{"reporting_period": "2024-01", "dsp": "Apple Music", "territory": "KW", "isrc": "", "upc": "0123-4567-8905",
		"usage_type": "download", "units": "2.0", "amount": "1.234", "currency": "KWD"},
}

// wantCSVLines is what csvRows read as.
func wantCSVLines(t *testing.T) []lineKey {
	t.Helper()
	return []lineKey{
		{"2024-01", "Spotify", "US", "USABC2400001", "012345678905", "stream", 1000, "3.4125000000", "USD"},
		{"2024-01", "Spotify", "JP", "USABC2400002", "", "stream", -3, "-12", "JPY"},
		{"2024-01", "Apple Music", "KW", "", "012345678905", "download", 2, "1.234", "KWD"},
	}
}

func TestCSVColumnOrders(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	want := wantCSVLines(t)
	for i := range 300 {
		columns := append([]string(nil), CSVColumns[:]...)
		r.Shuffle(len(columns), func(a, b int) { columns[a], columns[b] = columns[b], columns[a] })
		// Extra columns, anywhere, are ignored.
		for _, extra := range []string{"title", "artist"}[:i%3] {
			at := r.IntN(len(columns) + 1)
			columns = append(columns[:at], append([]string{extra}, columns[at:]...)...)
		}
		var b strings.Builder
		header := append([]string(nil), columns...)
		if i%2 == 1 {
			for j := range header {
				header[j] = strings.ToUpper(header[j])
			}
		}
		b.WriteString(strings.Join(header, ",") + "\n")
		for _, row := range csvRows {
			cells := make([]string, len(columns))
			for j, c := range columns {
				if v, ok := row[c]; ok {
					cells[j] = csvField(v)
				} else {
					cells[j] = "extra"
				}
			}
			b.WriteString(strings.Join(cells, ",") + "\n")
		}
		got := readAll(t, NewCSVReader(strings.NewReader(b.String())))
		if len(got) != len(want) {
			t.Fatalf("columns %v: got %d lines, want %d", columns, len(got), len(want))
		}
		for j := range want {
			if keyOf(got[j]) != want[j] {
				t.Fatalf("columns %v, row %d:\n got %+v\nwant %+v", columns, j, keyOf(got[j]), want[j])
			}
			if got[j].LineNo != int64(j+2) {
				t.Fatalf("row %d has LineNo %d, want %d", j, got[j].LineNo, j+2)
			}
		}
	}
}

func TestCSVQuotingAndLayout(t *testing.T) {
	in := "\xef\xbb\xbf" + // a byte order mark
		"note,\"reporting_period\",dsp,territory,isrc,upc,usage_type,units,amount,currency\r\n" +
		"\r\n" + // blank lines are skipped
		"\"a, b\",2024-01,\"Store \"\"X\"\"\",US,USABC2400001,,stream,5,0.5,USD\r\n" +
		"\"two\r\nlines, and \"\"quotes\"\"\",2024-01,\"Multi\nLine\",US, USABC2400002 ,,stream, 7 ,\" 1.25 \",usd\n" +
		"\"\",2024-01,\"\",US,,,stream,0,0,EUR\n" +
		"last,2024-01,S,US,,,stream,1,1,EUR" // no final newline
	got := readAll(t, NewCSVReader(strings.NewReader(in)))
	want := []struct {
		lineNo int64
		key    lineKey
	}{
		{3, lineKey{"2024-01", `Store "X"`, "US", "USABC2400001", "", "stream", 5, "0.5", "USD"}},
		{4, lineKey{"2024-01", "Multi\nLine", "US", "USABC2400002", "", "stream", 7, "1.25", "USD"}},
		{7, lineKey{"2024-01", "", "US", "", "", "stream", 0, "0", "EUR"}},
		{8, lineKey{"2024-01", "S", "US", "", "", "stream", 1, "1", "EUR"}},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d lines, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].LineNo != w.lineNo || keyOf(got[i]) != w.key {
			t.Errorf("line %d:\n got %d %+v\nwant %d %+v", i, got[i].LineNo, keyOf(got[i]), w.lineNo, w.key)
		}
	}
}

func TestCSVRecordErrors(t *testing.T) {
	header := strings.Join(CSVColumns[:], ",") + "\n"
	good := "2024-01,S,US,USABC2400001,,stream,1,0.1,USD\n"
	tests := []struct {
		name  string
		row   string
		field string
		want  string
	}{
		{"bad units", "2024-01,S,US,,,stream,ten,0.1,USD\n", "units", "not an integer"},
		{"fractional units", "2024-01,S,US,,,stream,1.5,0.1,USD\n", "units", "not an integer"},
		{"empty units", "2024-01,S,US,,,stream,,0.1,USD\n", "units", "empty"},
		{"bad amount", "2024-01,S,US,,,stream,1,1e3,USD\n", "amount", "not a decimal"},
		{"eleven decimals", "2024-01,S,US,,,stream,1,0.00000000001,USD\n", "amount", "too many fractional digits"},
		{"empty amount", "2024-01,S,US,,,stream,1,,USD\n", "amount", "empty"},
		{"unknown currency", "2024-01,S,US,,,stream,1,0.1,XYZ\n", "currency", "unknown ISO 4217"},
		{"empty currency", "2024-01,S,US,,,stream,1,0.1,\n", "currency", "unknown ISO 4217"},
		{"short row", "2024-01,S,US\n", "isrc", "missing: the row has 3 fields"},
		{"bare quote", "2024-01,S\"x,US,,,stream,1,0.1,USD\n", "", "quote inside an unquoted field"},
		{"text after quote", "2024-01,\"S\"x,US,,,stream,1,0.1,USD\n", "", "after a closing quote"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewCSVReader(strings.NewReader(header + good + tt.row + good))
			lines, errs := readWithErrors(t, r)
			if len(lines) != 2 {
				t.Errorf("read %d good lines, want 2 around the bad one", len(lines))
			}
			if len(errs) != 1 {
				t.Fatalf("errors = %v, want one", errs)
			}
			e := errs[0]
			if e.Line != 3 || e.Field != tt.field || !strings.Contains(e.Error(), tt.want) {
				t.Errorf("error = %q (line %d, field %q), want line 3, field %q, mentioning %q", e, e.Line, e.Field, tt.field, tt.want)
			}
		})
	}
}

func TestCSVUnclosedQuote(t *testing.T) {
	in := strings.Join(CSVColumns[:], ",") + "\n" +
		"2024-01,S,US,,,stream,1,0.1,USD\n" +
		"2024-01,\"never closed,US,,,stream,1,0.1,USD\n" +
		"2024-01,S,US,,,stream,1,0.1,USD\n"
	lines, errs := readWithErrors(t, NewCSVReader(strings.NewReader(in)))
	if len(lines) != 1 || len(errs) != 1 || errs[0].Line != 3 || !strings.Contains(errs[0].Error(), "not closed") {
		t.Errorf("lines %d, errors %v; want 1 line and an unclosed quote on line 3", len(lines), errs)
	}
}

func TestCSVHeaderErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty file", "", "empty"},
		{"blank lines only", "\n\r\n", "empty"},
		{"missing columns", "reporting_period,dsp,territory,isrc,usage_type,units,amount\n", "missing required column(s): upc, currency"},
		{"duplicate column", strings.Join(CSVColumns[:], ",") + ",ISRC\n", `column "isrc" appears twice`},
		{"broken quotes", "\"reporting_period,dsp\n", "not closed"},
	}
	for _, tt := range tests {
		r := NewCSVReader(strings.NewReader(tt.in))
		_, err := r.Next()
		var pe *ParseError
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Next error = %v, want one mentioning %q", tt.name, err, tt.want)
			continue
		}
		if errors.As(err, &pe) {
			t.Errorf("%s: header error %v is a record error; it must be final", tt.name, err)
		}
		if _, again := r.Next(); again != err {
			t.Errorf("%s: second Next error = %v, want the same final error", tt.name, again)
		}
	}
}

func TestCSVReaderIsAReader(t *testing.T) {
	r, err := NewReader(strings.NewReader(strings.Join(CSVColumns[:], ",")+"\n"), FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, r); len(got) != 0 {
		t.Errorf("a header-only file gave %d lines", len(got))
	}
	if r.Reconciliation() != nil {
		t.Error("CSV Reconciliation() is not nil")
	}
}

func TestParseInt(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"42", 42, true}, {"-42", -42, true}, {"+7", 7, true}, {"5.", 5, true}, {"5.00", 5, true},
		{"9223372036854775807", 9223372036854775807, true}, {"-9223372036854775808", -9223372036854775808, true},
		{"9223372036854775808", 0, false}, {"99999999999999999999", 0, false}, {"5.1", 0, false},
		{"", 0, false}, {"-", 0, false}, {".0", 0, false}, {"1e3", 0, false}, {" 1", 0, false},
	}
	for _, tt := range tests {
		got, err := parseInt([]byte(tt.in))
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("parseInt(%q) = %d, %v; want %d, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}
