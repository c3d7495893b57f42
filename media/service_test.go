package media

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"net/url"
	"path/filepath"
	"testing"

	"tonegrid"
	"tonegrid/blob"
	"tonegrid/media/mediatest"
)

// newTestService is a service on a local blob store in a temporary
// directory, without a database (ingest needs none).
func newTestService(t testing.TB) (*Service, string) {
	t.Helper()
	dir := t.TempDir()
	store, err := blob.Open((&url.URL{Scheme: "file", Path: filepath.ToSlash(dir)}).String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return New(nil, store, Config{}), dir
}

// files counts the regular files under dir.
func files(t testing.TB, dir string) int {
	t.Helper()
	n := 0
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

func TestLimitReader(t *testing.T) {
	for _, tt := range []struct {
		size, limit int
		tooLarge    bool
	}{{10, 10, false}, {11, 10, true}, {0, 0, false}, {1 << 20, 1<<20 - 1, true}, {1 << 20, 1 << 21, false}} {
		n, err := io.Copy(io.Discard, &limitReader{r: bytes.NewReader(make([]byte, tt.size)), n: int64(tt.limit)})
		if got := errors.Is(err, errTooLarge); got != tt.tooLarge || !got && (err != nil || n != int64(tt.size)) {
			t.Errorf("size %d limit %d: read %d, err %v", tt.size, tt.limit, n, err)
		}
	}
}

func TestHashesMatchTheStandardLibrary(t *testing.T) {
	data := make([]byte, 3<<20+17)
	for i := range data {
		data[i] = byte(i * 7)
	}
	h := newHashes()
	// Chunks of odd sizes, bigger and smaller than the pooled buffers.
	for rest := data; len(rest) > 0; {
		n := min(len(rest), 1+len(rest)%(700<<10))
		h.Write(rest[:n])
		rest = rest[n:]
	}
	gotMD5, gotSHA := h.sums()
	m, s := md5.Sum(data), sha256.Sum256(data)
	if gotMD5 != hex.EncodeToString(m[:]) || gotSHA != hex.EncodeToString(s[:]) {
		t.Errorf("got %s %s", gotMD5, gotSHA)
	}
	h.close()
}

// FuzzIngest streams arbitrary bytes through the upload path of each kind:
// it must never panic, answer only catalogue errors for bad files, leave no
// file behind on error, and store exactly the bytes it hashed on success.
func FuzzIngest(f *testing.F) {
	f.Add(mediatest.WAVBytes(44100, 16, 2, 100), 0)
	f.Add(mediatest.FLAC(48000, 24, 2, 4800), 0)
	f.Add(mediatest.MP3(5), 0)
	f.Add(mediatest.ADTS(5), 0)
	f.Add(mediatest.M4A(1000), 0)
	f.Add(mediatest.AIFF(44100, 16, 1, 10), 0)
	f.Add(mediatest.PNG(4, 4), 1)
	f.Add(mediatest.JPEG(4, 4), 1)
	f.Add(mediatest.MP4Video(16, 16, 100, 10), 2)
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVEfmt "), 0)
	s, dir := newTestService(f)
	f.Fuzz(func(t *testing.T, data []byte, which int) {
		targets := []target{audioTarget, imageTarget, videoTarget}
		tg := targets[(which%3+3)%3]
		st, err := s.ingest(context.Background(), 1, bytes.NewReader(data), tg)
		if err != nil {
			if _, ok := tonegrid.ErrorOf(err); !ok {
				t.Fatalf("non-catalogue error %v", err)
			}
			if n := files(t, dir); n != 0 {
				t.Fatalf("%d files left after %v", n, err)
			}
			return
		}
		rc, _, err := s.blobs.Open(context.Background(), st.media.BlobKey)
		if err != nil {
			t.Fatal(err)
		}
		stored, _ := io.ReadAll(rc)
		rc.Close()
		s.removeBlob(st.media.BlobKey)
		sum := sha256.Sum256(data)
		if !bytes.Equal(stored, data) || st.media.SHA256 != hex.EncodeToString(sum[:]) || st.media.Size != int64(len(data)) {
			t.Fatalf("stored %d bytes (sha %s) of %d", len(stored), st.media.SHA256, len(data))
		}
	})
}

// failAfter gives n bytes, then fails with err.
type failAfter struct {
	n   int
	err error
}

func (f *failAfter) Read(p []byte) (int, error) {
	if f.n == 0 {
		return 0, f.err
	}
	m := min(len(p), f.n)
	clear(p[:m])
	f.n -= m
	return m, nil
}

func TestReadAhead(t *testing.T) {
	data := make([]byte, 5<<20+3)
	for i := range data {
		data[i] = byte(i)
	}
	ra := newReadAhead(bytes.NewReader(data))
	got, err := io.ReadAll(ra)
	ra.Close()
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read %d bytes, err %v", len(got), err)
	}

	boom := errors.New("connection reset")
	ra = newReadAhead(&failAfter{n: 3 << 20, err: boom})
	n, err := io.Copy(io.Discard, ra)
	ra.Close()
	if n != 3<<20 || !errors.Is(err, boom) {
		t.Errorf("copied %d, err %v; want 3 MiB then the source's error", n, err)
	}

	// Closing early stops the reader, which never reads again.
	src := &failAfter{n: 1 << 30, err: io.EOF}
	ra = newReadAhead(src)
	if _, err := io.ReadFull(ra, make([]byte, 1000)); err != nil {
		t.Fatal(err)
	}
	ra.Close()
	left := src.n
	if left == 0 || (1<<30)-left > (readAheadBuffers+2)*readAheadSize {
		t.Errorf("read %d bytes ahead, want at most %d", (1<<30)-left, (readAheadBuffers+2)*readAheadSize)
	}
	ra.Close()
}
