package blob

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
)

const (
	// memoryChildEnv carries the storage URL to TestPutMemoryChild.
	memoryChildEnv = "TONEGRID_BLOB_MEMORY_CHILD_URL"
	memoryPutSize  = 200 << 20
	// memoryBudget is the most a streamed Put may add to the process, at
	// any size (the target is a 1 GB upload adding less than 64 MB).
	memoryBudget = 64 << 20
)

// memoryReport is what the child process measured around one Put.
type memoryReport struct {
	Bytes          int64
	PeakRSSGrowth  int64 // VmHWM after the Put minus VmRSS before it; -1 where /proc is missing
	SysGrowth      uint64
	HeapInuseAfter uint64
	TotalAlloc     uint64
}

// TestPutMemory streams 200 MB of unknown length into each backend from a
// child process, so that the figures are the uploader's alone: the fake S3
// server, which keeps every object in memory, runs here in the parent.
func TestPutMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 200 MB per backend")
	}
	if raceEnabled {
		t.Skip("the race detector multiplies memory use; run without -race to measure")
	}
	targets := []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"local", func(t *testing.T) string { return "file://" + filepath.ToSlash(t.TempDir()) }},
		{"s3", func(t *testing.T) string { return newFakeS3(t).storeURL(testPrefix) }},
	}
	for _, target := range targets {
		t.Run(target.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestPutMemoryChild$", "-test.count=1", "-test.v")
			cmd.Env = append(os.Environ(), memoryChildEnv+"="+target.url(t))
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("child: %v\n%s", err, out)
			}
			_, line, ok := strings.Cut(string(out), "MEMORY ")
			if !ok {
				t.Fatalf("child printed no figures:\n%s", out)
			}
			line, _, _ = strings.Cut(line, "\n")
			var m memoryReport
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatalf("child figures %q: %v", line, err)
			}
			t.Logf("Put of %d MiB: peak RSS +%.1f MiB, Go Sys +%.1f MiB, heap in use after %.1f MiB, allocated %.1f MiB (%.3f bytes per byte)",
				m.Bytes>>20, mib(m.PeakRSSGrowth), mib(int64(m.SysGrowth)), mib(int64(m.HeapInuseAfter)), mib(int64(m.TotalAlloc)), float64(m.TotalAlloc)/float64(m.Bytes))
			if m.PeakRSSGrowth > memoryBudget {
				t.Errorf("peak RSS grew by %.1f MiB, want under %d MiB", mib(m.PeakRSSGrowth), memoryBudget>>20)
			}
			if m.SysGrowth > memoryBudget || m.TotalAlloc > memoryBudget {
				t.Errorf("Go memory grew by %.1f MiB and %.1f MiB were allocated, want each under %d MiB", mib(int64(m.SysGrowth)), mib(int64(m.TotalAlloc)), memoryBudget>>20)
			}
		})
	}
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }

// TestPutMemoryChild is TestPutMemory's child process; it does nothing in
// a normal run.
func TestPutMemoryChild(t *testing.T) {
	storeURL := os.Getenv(memoryChildEnv)
	if storeURL == "" {
		t.Skip("runs only as TestPutMemory's child process")
	}
	store, err := Open(storeURL)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	runtime.GC()
	debug.FreeOSMemory()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	rssBefore := procStatus(t, "VmRSS")
	if _, err := store.Put(context.Background(), "video/memory", onlyReader{generated(9, memoryPutSize)}, -1, "video/mp4"); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	peak := procStatus(t, "VmHWM")
	m := memoryReport{
		Bytes:          memoryPutSize,
		PeakRSSGrowth:  -1,
		SysGrowth:      after.Sys - before.Sys,
		HeapInuseAfter: after.HeapInuse,
		TotalAlloc:     after.TotalAlloc - before.TotalAlloc,
	}
	if peak >= 0 && rssBefore >= 0 {
		m.PeakRSSGrowth = peak - rssBefore
	}
	b, _ := json.Marshal(m)
	fmt.Printf("MEMORY %s\n", b)
}

// procStatus reads a kB figure from /proc/self/status, in bytes; -1 if
// there is no such file.
func procStatus(t *testing.T, field string) int64 {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != field {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(value), "kB")), 10, 64)
		if err != nil {
			t.Fatalf("parse %s %q: %v", field, value, err)
		}
		return kb << 10
	}
	return -1
}
