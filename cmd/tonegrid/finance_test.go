package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGenSalesAndImport writes a synthetic report and imports it with the
// CLI twin of POST /api/finance/imports: a second import of the same file is
// refused, and the counters add up.
func TestGenSalesAndImport(t *testing.T) {
	dir := t.TempDir()
	report := filepath.Join(dir, "sales.csv")
	var out bytes.Buffer
	env := &environment{getenv: envFrom(map[string]string{"TONEGRID_DATA_DIR": dir}), stdout: &out, stderr: &out}
	if err := run(context.Background(), env, []string{"gen-sales", "--lines", "500", "--out", report, "--unmatched", "100"}); err != nil {
		t.Fatalf("gen-sales: %v\n%s", err, out.String())
	}
	b, err := os.ReadFile(report)
	if err != nil || !strings.HasPrefix(string(b), "reporting_period,") || strings.Count(string(b), "\n") != 501 {
		t.Fatalf("report: %v\n%.300s", err, b)
	}
	var stdout, stderr bytes.Buffer
	env = &environment{getenv: envFrom(map[string]string{"TONEGRID_DATA_DIR": dir}), stdout: &stdout, stderr: &stderr}
	if err := run(context.Background(), env, []string{"import", "--file", report, "--dsp", "ExampleDSP", "--period", "2024-01"}); err != nil {
		t.Fatalf("import: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	var m struct {
		Status         string `json:"status"`
		LinesTotal     int64  `json:"lines_total"`
		LinesUnmatched int64  `json:"lines_unmatched"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &m); err != nil {
		t.Fatalf("import output: %v\n%s", err, stdout.String())
	}
	// The root tenant has no catalog: every line is unmatched and kept.
	if m.Status != "completed" || m.LinesTotal != 500 || m.LinesUnmatched != 500 {
		t.Errorf("import = %+v", m)
	}
	if !strings.Contains(stderr.String(), "importing [") || !strings.Contains(stderr.String(), "100%") {
		t.Errorf("no progress bar on stderr:\n%s", stderr.String())
	}
	stdout.Reset()
	err = run(context.Background(), env, []string{"import", "--file", report, "--dsp", "ExampleDSP", "--period", "2024-01"})
	if err == nil || !strings.Contains(err.Error(), "already imported") {
		t.Errorf("second import: %v", err)
	}
	if err := run(context.Background(), env, []string{"import", "--file", report, "--dsp", "ExampleDSP", "--period", "Q1"}); err == nil {
		t.Error("import into an unknown period succeeded")
	}
}
