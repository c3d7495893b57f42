package media_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tonegrid/blob"
	"tonegrid/media"
	"tonegrid/sqlstore/sqltest"
)

// BenchmarkSweepOrphanBlobs measures one sweep over a local store holding
// 1000 old unreferenced blobs, checked against each database dialect and
// deleted: the cost per blob is ns/op / 1000.
func BenchmarkSweepOrphanBlobs(b *testing.B) {
	const n = 1000
	for _, d := range sqltest.Dialects(b) {
		b.Run(string(d), func(b *testing.B) {
			db := sqltest.Open(b, d)
			dir := b.TempDir()
			store, err := blob.Open((&url.URL{Scheme: "file", Path: filepath.ToSlash(dir)}).String())
			if err != nil {
				b.Fatal(err)
			}
			defer store.Close()
			svc := media.New(db, store, media.Config{})
			ctx := context.Background()
			old := time.Now().Add(-2 * time.Hour)
			for b.Loop() {
				b.StopTimer()
				for i := range n {
					key := fmt.Sprintf("media/1/orphan-%04d", i)
					if _, err := store.Put(ctx, key, strings.NewReader("x"), 1, ""); err != nil {
						b.Fatal(err)
					}
					if err := os.Chtimes(filepath.Join(dir, filepath.FromSlash(key)), old, old); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				got, err := svc.SweepOrphanBlobs(ctx, time.Now().Add(-media.OrphanBlobAge))
				if err != nil || got != n {
					b.Fatalf("swept %d, %v; want %d", got, err, n)
				}
			}
		})
	}
}
