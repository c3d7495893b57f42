package blob

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
)

const benchSize = 256 << 20

// blockReader yields n bytes by repeating one random MiB: cheap to make,
// so that the benchmarks time the storage rather than the source.
type blockReader struct {
	block []byte
	left  int64
	off   int
}

func newBlockReader(b *testing.B, n int64) *blockReader {
	b.Helper()
	return &blockReader{block: generatedBytes(b, 42, 1<<20), left: n}
}

func (r *blockReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	n := copy(p, r.block[r.off:])
	r.off = (r.off + n) % len(r.block)
	r.left -= int64(n)
	return n, nil
}

// drain reads r to the end the way a download handler would, with one
// buffer, and checks the length.
func drain(b *testing.B, r io.Reader, buf []byte) {
	b.Helper()
	n, err := io.CopyBuffer(struct{ io.Writer }{io.Discard}, struct{ io.Reader }{r}, buf)
	if err != nil || n != benchSize {
		b.Fatalf("read %d bytes, %v; want %d", n, err, benchSize)
	}
}

// BenchmarkPut streams 256 MiB of unknown length into each store, against
// io.Copy into a plain file in the same directory, without and with fsync.
func BenchmarkPut(b *testing.B) {
	ctx := context.Background()
	plain := func(sync bool) func(b *testing.B) {
		return func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "plain")
			b.SetBytes(benchSize)
			for b.Loop() {
				f, err := os.Create(path)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := io.Copy(f, newBlockReader(b, benchSize)); err != nil {
					b.Fatal(err)
				}
				if sync {
					if err := f.Sync(); err != nil {
						b.Fatal(err)
					}
				}
				if err := f.Close(); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.Run("plain-file", plain(false))
	b.Run("plain-file-fsync", plain(true))
	for _, backend := range backends {
		b.Run(backend.name, func(b *testing.B) {
			h := backend.new(b)
			b.SetBytes(benchSize)
			for b.Loop() {
				if _, err := h.store.Put(ctx, "bench/put", newBlockReader(b, benchSize), -1, ""); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkOpen reads a 256 MiB object back from each store, against
// reading a plain file; the files are in the page cache by then.
func BenchmarkOpen(b *testing.B) {
	ctx := context.Background()
	buf := make([]byte, copyBufSize)
	b.Run("plain-file", func(b *testing.B) {
		path := filepath.Join(b.TempDir(), "plain")
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(f, newBlockReader(b, benchSize)); err != nil {
			b.Fatal(err)
		}
		f.Close()
		b.SetBytes(benchSize)
		for b.Loop() {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			drain(b, f, buf)
			f.Close()
		}
	})
	for _, backend := range backends {
		b.Run(backend.name, func(b *testing.B) {
			h := backend.new(b)
			if _, err := h.store.Put(ctx, "bench/open", newBlockReader(b, benchSize), benchSize, ""); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(benchSize)
			for b.Loop() {
				r, _, err := h.store.Open(ctx, "bench/open")
				if err != nil {
					b.Fatal(err)
				}
				drain(b, r, buf)
				r.Close()
			}
		})
	}
}
