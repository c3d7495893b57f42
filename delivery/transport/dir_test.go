package transport

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDirCreatesItsRoot(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "deliveries", "spotify")
	tr := mustDial(t, Config{Protocol: ProtocolDir, Dir: dir})
	if err := tr.Put(t.Context(), "x.xml", strings.NewReader("<x/>"), 4); err != nil {
		t.Fatalf("Put: %v", err)
	}
	if got, err := os.ReadFile(filepath.Join(dir, "x.xml")); err != nil || string(got) != "<x/>" {
		t.Fatalf("file on disk = %q, %v; want <x/>", got, err)
	}
}

func TestDirStaysInsideItsRoot(t *testing.T) {
	base := t.TempDir()
	outside := filepath.Join(base, "outside")
	root := filepath.Join(base, "root")
	for _, d := range []string{outside, root} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(outside, filepath.Join(root, "escape")); err != nil {
		t.Fatal(err)
	}
	tr := mustDial(t, Config{Protocol: ProtocolDir, Dir: root})
	if err := tr.Put(t.Context(), "escape/x.xml", strings.NewReader("x"), 1); err == nil {
		t.Fatal("Put through a symbolic link out of the root succeeded")
	}
	if err := tr.MkdirAll(t.Context(), "escape/sub"); err == nil {
		t.Fatal("MkdirAll through a symbolic link out of the root succeeded")
	}
	entries, err := os.ReadDir(outside)
	if err != nil || len(entries) != 0 {
		t.Fatalf("outside directory holds %v (%v), want nothing", entries, err)
	}
}

func TestDirPutCancelled(t *testing.T) {
	tr := mustDial(t, Config{Protocol: ProtocolDir, Dir: t.TempDir()})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := tr.Put(ctx, "x.xml", strings.NewReader("x"), 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("Put with a cancelled context = %v, want context.Canceled", err)
	}
}

func TestDirPollAcksSkipsOddNamesAndPages(t *testing.T) {
	dir := t.TempDir()
	acks := filepath.Join(dir, "acks")
	if err := os.Mkdir(acks, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(acks, name), []byte("<ack/>"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(`ACK_back\slash.xml`)
	for i := range MaxAcksPerPoll + 1 {
		write(fmt.Sprintf("ACK_%04d.xml", i))
	}
	tr := mustDial(t, Config{Protocol: ProtocolDir, Dir: dir})
	seen := map[string]bool{}
	for _, want := range []int{MaxAcksPerPoll, 1, 0} {
		got, err := PollAcks(t.Context(), tr, "acks", func(name string) bool { return seen[name] })
		if err != nil || len(got) != want {
			t.Fatalf("PollAcks = %d acks, %v; want %d", len(got), err, want)
		}
		for _, a := range got {
			seen[a.Name] = true
		}
	}
}
