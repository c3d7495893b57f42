package salesreport

import (
	"bytes"
	"io"
	"runtime"
	"sync"
	"testing"
)

// benchLines is the size of the benchmark reports.
const benchLines = 1_000_000

var benchData = map[Format]func() []byte{}

func init() {
	for _, f := range []Format{FormatCSV, FormatDSR} {
		benchData[f] = sync.OnceValue(func() []byte {
			var buf bytes.Buffer
			opts := GenerateOptions{Format: f, Lines: benchLines, Seed: 1,
				Recordings: SyntheticCatalog(2000, 10), UnmatchedPercent: 10}
			if err := Generate(&buf, opts); err != nil {
				panic(err)
			}
			return buf.Bytes()
		})
	}
}

func benchmarkRead(b *testing.B, f Format) {
	data := benchData[f]()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		r, err := NewReader(bytes.NewReader(data), f)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != benchLines {
			b.Fatalf("read %d lines, want %d", n, benchLines)
		}
	}
	runtime.ReadMemStats(&after)
	lines := float64(b.N) * benchLines
	b.ReportMetric(lines/b.Elapsed().Seconds(), "lines/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/lines, "ns/line")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/lines, "B/line")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/lines, "allocs/line")
}

// BenchmarkCSVReader reads a 1M-line CSV report from memory.
func BenchmarkCSVReader(b *testing.B) { benchmarkRead(b, FormatCSV) }

// BenchmarkDSRReader reads a 1M-sales-line DSR report from memory.
func BenchmarkDSRReader(b *testing.B) { benchmarkRead(b, FormatDSR) }

// BenchmarkGenerateCSV writes 100k CSV lines.
func BenchmarkGenerateCSV(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if err := Generate(io.Discard, GenerateOptions{Format: FormatCSV, Lines: 100_000, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
