package blob

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func newLocal(t *testing.T) (*localStore, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := openLocal(dir)
	if err != nil {
		t.Fatalf("openLocal: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dir
}

func TestLocalLayoutAndModes(t *testing.T) {
	s, dir := newLocal(t)
	data := []byte("RIFF....WAVEfmt ")
	info := mustPut(t, s, "audio/0193/9f2c", data)
	path := filepath.Join(dir, "audio", "0193", "9f2c")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read object file: %v", err)
	}
	if len(raw) != headerSize+len(data) || !bytes.HasPrefix(raw, []byte(headerMagic)) || !bytes.Equal(raw[headerSize:], data) {
		t.Errorf("object file has %d bytes, want the %d-byte header then the %d object bytes", len(raw), headerSize, len(data))
	}
	etag, contentType, err := decodeHeader(raw[:headerSize])
	if err != nil || etag != info.ETag || contentType != "application/test" {
		t.Errorf("header = %q, %q, %v; want ETag %s and application/test", etag, contentType, err, info.ETag)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := st.Mode().Perm(); perm&^0o640 != 0 {
		t.Errorf("object file mode %v, want at most 0640", perm)
	}
	for _, d := range []string{"audio", "audio/0193", stagingDir} {
		st, err := os.Stat(filepath.Join(dir, d))
		if err != nil {
			t.Fatal(err)
		}
		if perm := st.Mode().Perm(); perm&^0o750 != 0 {
			t.Errorf("directory %s mode %v, want at most 0750", d, perm)
		}
	}
}

// TestLocalOpenServesRanges hands Open's reader to http.ServeContent, which
// seeks: offsets are the object's, never the file's with its header.
func TestLocalOpenServesRanges(t *testing.T) {
	s, _ := newLocal(t)
	data := generatedBytes(t, 8, 4096)
	mustPut(t, s, "art/cover", data)
	rc, info, err := s.Open(context.Background(), "art/cover")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	rs, ok := rc.(io.ReadSeeker)
	if !ok {
		t.Fatalf("Open's reader %T is not an io.ReadSeeker", rc)
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Range", "bytes=100-199")
	rec := httptest.NewRecorder()
	http.ServeContent(rec, req, "cover.jpg", info.ModTime, rs)
	if rec.Code != http.StatusPartialContent || !bytes.Equal(rec.Body.Bytes(), data[100:200]) {
		t.Errorf("ServeContent answered %d with %d bytes, want 206 with bytes 100-199", rec.Code, rec.Body.Len())
	}
	if end, err := rs.Seek(0, io.SeekEnd); err != nil || end != int64(len(data)) {
		t.Errorf("Seek to end = %d, %v; want the object's size %d", end, err, len(data))
	}
}

func TestLocalDeletePrunesEmptyDirectories(t *testing.T) {
	s, dir := newLocal(t)
	ctx := context.Background()
	mustPut(t, s, "a/b/c/d", []byte("1"))
	mustPut(t, s, "a/x", []byte("2"))
	if err := s.Delete(ctx, "a/b/c/d"); err != nil {
		t.Fatal(err)
	}
	if got := dirTree(t, dir); !slices.Equal(got, []string{".staging", "a", "a/x"}) {
		t.Errorf("after deleting a/b/c/d the tree is %q, want a/b gone and a kept", got)
	}
	if err := s.Delete(ctx, "a/x"); err != nil {
		t.Fatal(err)
	}
	if got := dirTree(t, dir); !slices.Equal(got, []string{".staging"}) {
		t.Errorf("after deleting everything the tree is %q, want only the staging directory", got)
	}
	mustPut(t, s, "a/b/again", []byte("3"))
}

func dirTree(t *testing.T, dir string) []string {
	t.Helper()
	var got []string
	err := filepath.WalkDir(dir, func(p string, _ os.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		got = append(got, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	return got
}

// TestLocalStaysInsideRoot plants a symlink to outside the root: nothing
// reads or writes through it.
func TestLocalStaysInsideRoot(t *testing.T) {
	s, dir := newLocal(t)
	ctx := context.Background()
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("outside"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "escape")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Open(ctx, "escape/secret"); err == nil {
		t.Errorf("Open through a symlink out of the root succeeded")
	}
	if _, err := s.Put(ctx, "escape/planted", strings.NewReader("x"), 1, ""); err == nil {
		t.Errorf("Put through a symlink out of the root succeeded")
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 1 {
		t.Errorf("the directory outside the root now holds %d entries, want only its own file", len(entries))
	}
	if _, err := s.PutPart(ctx, "k", "../../escape", 1, strings.NewReader("x"), 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("PutPart with a path as upload id: %v, want ErrNotFound", err)
	}
}

func TestLocalIgnoresForeignAndUnfinishedFiles(t *testing.T) {
	s, dir := newLocal(t)
	ctx := context.Background()
	mustPut(t, s, "audio/ok", []byte("fine"))
	if err := os.WriteFile(filepath.Join(dir, "audio", tempPrefix+"crashed"), []byte("half a write"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "audio", "foreign"), bytes.Repeat([]byte("x"), headerSize+10), 0o640); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Open(ctx, "audio/foreign"); err == nil || errors.Is(err, ErrNotFound) {
		t.Errorf("Open of a file the store did not write: %v, want a bad-header error", err)
	}
	if got := listKeys(t, s, ""); !slices.Equal(got, []string{"audio/foreign", "audio/ok"}) {
		t.Errorf("List = %q, want the temp file skipped", got)
	}
	old := time.Now().Add(-48 * time.Hour)
	if err := os.Chtimes(filepath.Join(dir, "audio", tempPrefix+"crashed"), old, old); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "audio", tempPrefix+"writing"), []byte("in progress"), 0o640); err != nil {
		t.Fatal(err)
	}
	n, err := s.CleanUnfinished(ctx, time.Now().Add(-24*time.Hour))
	if err != nil || n != 1 {
		t.Errorf("CleanUnfinished = %d, %v; want the one stale temp file removed", n, err)
	}
	if got := dirTree(t, dir); !slices.Equal(got, []string{".staging", "audio", "audio/" + tempPrefix + "writing", "audio/foreign", "audio/ok"}) {
		t.Errorf("after cleaning the tree is %q, want the stale temp file gone and the rest kept", got)
	}
}

func TestLocalMultipartBelongsToItsKey(t *testing.T) {
	s, _ := newLocal(t)
	ctx := context.Background()
	id, err := s.CreateMultipart(ctx, "audio/one", "")
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.PutPart(ctx, "audio/one", id, 1, strings.NewReader("x"), 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutPart(ctx, "audio/two", id, 1, strings.NewReader("x"), 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("PutPart under another key: %v, want ErrNotFound", err)
	}
	if _, err := s.CompleteMultipart(ctx, "audio/two", id, []Part{p}); !errors.Is(err, ErrNotFound) {
		t.Errorf("CompleteMultipart under another key: %v, want ErrNotFound", err)
	}
	if _, err := s.CompleteMultipart(ctx, "audio/one", id, []Part{{Number: 1, ETag: p.ETag, Size: 2}}); !errors.Is(err, ErrInvalidPart) {
		t.Errorf("CompleteMultipart with a wrong part size: %v, want ErrInvalidPart", err)
	}
	if _, err := s.CompleteMultipart(ctx, "audio/one", id, []Part{p}); err != nil {
		t.Errorf("CompleteMultipart: %v", err)
	}
}

func TestHeaderRoundTrip(t *testing.T) {
	etag := strings.Repeat("ab", 16)
	for _, ct := range []string{"audio/flac", "text/csv; charset=utf-8", strings.Repeat("x", maxContentTypeLength)} {
		gotTag, gotType, err := decodeHeader(encodeHeader(etag, ct))
		if err != nil || gotTag != etag || gotType != ct {
			t.Errorf("decodeHeader(encodeHeader(%q)) = %q, %q, %v", ct, gotTag, gotType, err)
		}
	}
	h := encodeHeader(etag, "audio/flac")
	h[headerSize-1] = 'x'
	if _, _, err := decodeHeader(h); err == nil {
		t.Errorf("decodeHeader accepted garbage in the padding")
	}
}

func FuzzDecodeHeader(f *testing.F) {
	f.Add(encodeHeader(strings.Repeat("0", 32), "audio/flac"))
	f.Add([]byte(headerMagic + "zz\n\n"))
	f.Fuzz(func(t *testing.T, h []byte) {
		etag, contentType, err := decodeHeader(h)
		if err != nil {
			return
		}
		if again := encodeHeader(etag, contentType); !bytes.Equal(again, h) {
			t.Errorf("decodeHeader accepted a header it would not write: %q", h)
		}
	})
}
