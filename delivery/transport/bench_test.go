package transport

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkSendBatch uploads a batch of 20 files of 10 MB (one release with
// 20 resources, plus its message and manifest) over loopback SFTP, to both
// test servers, and to a local directory for comparison.
func BenchmarkSendBatch(b *testing.B) {
	const files, size = 20, 10 << 20
	content := randomBytes(b, size)
	batch := func(id string) Batch {
		small := File{Size: 5, Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader([]byte("<x/>\n"))), nil }}
		rel := Release{ID: "0123456789012", Message: small}
		for i := range files {
			rel.Resources = append(rel.Resources, Resource{Name: fmt.Sprintf("0123456789012_01_%03d.flac", i+1), File: File{
				Size: size,
				Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(content)), nil },
			}})
		}
		return Batch{ID: id, Releases: []Release{rel}, Manifest: small}
	}
	targets := []struct {
		name string
		dial func(b *testing.B) (Transport, string)
	}{
		{"sftp-request-server", func(b *testing.B) (Transport, string) { return benchSFTP(b, false) }},
		{"sftp-plain-server", func(b *testing.B) (Transport, string) { return benchSFTP(b, true) }},
		{"dir", func(b *testing.B) (Transport, string) {
			dir := b.TempDir()
			tr, err := Dial(b.Context(), Config{Protocol: ProtocolDir, Dir: dir})
			if err != nil {
				b.Fatal(err)
			}
			return tr, dir
		}},
	}
	for _, target := range targets {
		b.Run(target.name, func(b *testing.B) {
			tr, dir := target.dial(b)
			defer tr.Close()
			b.SetBytes(files * size)
			n := 0
			for b.Loop() {
				n++
				bt := batch(fmt.Sprintf("2024060112%07d", n))
				if _, err := SendBatch(b.Context(), tr, bt); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if err := os.RemoveAll(filepath.Join(dir, bt.Folder())); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}

// benchSFTP starts a test server and dials it.
func benchSFTP(b *testing.B, plain bool) (Transport, string) {
	srv := startSFTPServer(b, plain)
	tr, err := Dial(b.Context(), sftpConfig(srv))
	if err != nil {
		b.Fatal(err)
	}
	return tr, srv.Dir
}
