package blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The conformance suite: every test here runs against every backend, each
// case on a fresh, empty store.
func TestConformance(t *testing.T) {
	cases := []struct {
		name string
		run  func(t *testing.T, h *harness)
	}{
		{"RoundTrip", testRoundTrip},
		{"BigStream", testBigStream},
		{"Overwrite", testOverwrite},
		{"ContentType", testContentType},
		{"Range", testRange},
		{"NotFound", testNotFound},
		{"Delete", testDelete},
		{"List", testList},
		{"Multipart", testMultipart},
		{"MultipartErrors", testMultipartErrors},
		{"Abort", testAbort},
		{"FailingReader", testFailingReader},
		{"Cancelled", testCancelled},
		{"SizeMismatch", testSizeMismatch},
		{"InvalidKeys", testInvalidKeys},
		{"SignedURL", testSignedURL},
		{"ConcurrentPuts", testConcurrentPuts},
		{"CleanUnfinished", testCleanUnfinished},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					c.run(t, b.new(t))
				})
			}
		})
	}
}

func testRoundTrip(t *testing.T, h *harness) {
	ctx := context.Background()
	sizes := []int64{0, 1, 64 << 10, s3PartSize, s3PartSize + 1, 2*s3PartSize + 12345}
	for i, size := range sizes {
		for _, known := range []bool{true, false} {
			key := fmt.Sprintf("audio/0193/%d-%t", size, known)
			announced := size
			if !known {
				announced = -1
			}
			seed := uint64(i)
			want, _ := sha256Of(t, generated(seed, size))
			info, err := h.store.Put(ctx, key, onlyReader{generated(seed, size)}, announced, "audio/flac")
			if err != nil {
				t.Fatalf("Put(%q, size %d): %v", key, announced, err)
			}
			if info.Key != key || info.Size != size || info.ContentType != "audio/flac" || info.ETag == "" || info.ModTime.IsZero() {
				t.Errorf("Put(%q) info = %+v, want key, size %d, audio/flac, an ETag and a time", key, info, size)
			}
			r, got, err := h.store.Open(ctx, key)
			if err != nil {
				t.Fatalf("Open(%q): %v", key, err)
			}
			sum, n := sha256Of(t, r)
			r.Close()
			if sum != want || n != size {
				t.Errorf("Open(%q) read %d bytes with sha256 %s, want %d bytes with %s", key, n, sum, size, want)
			}
			if got.Size != size || got.ContentType != "audio/flac" || got.ETag != info.ETag {
				t.Errorf("Open(%q) info = %+v, want size %d, audio/flac, ETag %s", key, got, size, info.ETag)
			}
			st, err := h.store.Stat(ctx, key)
			if err != nil {
				t.Fatalf("Stat(%q): %v", key, err)
			}
			if st.Key != key || st.Size != size || st.ETag != info.ETag || st.ContentType != "audio/flac" || st.ModTime.IsZero() {
				t.Errorf("Stat(%q) = %+v, want key, size %d, ETag %s, audio/flac and a time", key, st, size, info.ETag)
			}
		}
	}
	h.noLeftovers(t)
}

// testBigStream streams 72 MiB from a generator, never held in memory, and
// checks it by hash.
func testBigStream(t *testing.T, h *harness) {
	ctx := context.Background()
	const size = 72 << 20
	want, _ := sha256Of(t, generated(7, size))
	if _, err := h.store.Put(ctx, "video/big", onlyReader{generated(7, size)}, -1, "video/mp4"); err != nil {
		t.Fatalf("Put: %v", err)
	}
	r, info, err := h.store.Open(ctx, "video/big")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer r.Close()
	got, n := sha256Of(t, r)
	if got != want || n != size || info.Size != size {
		t.Errorf("read %d bytes (info says %d) with sha256 %s, want %d with %s", n, info.Size, got, size, want)
	}
	h.noLeftovers(t)
}

func testOverwrite(t *testing.T, h *harness) {
	ctx := context.Background()
	first := mustPut(t, h.store, "reports/2026-01.csv", []byte("first version"))
	second := mustPut(t, h.store, "reports/2026-01.csv", []byte("second"))
	if first.ETag == second.ETag {
		t.Errorf("ETag unchanged by overwrite: %s", first.ETag)
	}
	r, info, err := h.store.Open(ctx, "reports/2026-01.csv")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if got := readAll(t, r); string(got) != "second" || info.Size != 6 || info.ETag != second.ETag {
		t.Errorf("after overwrite read %q (info %+v), want %q with ETag %s", got, info, "second", second.ETag)
	}
}

func testContentType(t *testing.T, h *harness) {
	ctx := context.Background()
	info, err := h.store.Put(ctx, "untyped", strings.NewReader("x"), 1, "")
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	st, err := h.store.Stat(ctx, "untyped")
	if err != nil {
		t.Fatalf("Stat: %v", err)
	}
	if info.ContentType != DefaultContentType || st.ContentType != DefaultContentType {
		t.Errorf("content type after Put with none = %q, Stat %q; want %q", info.ContentType, st.ContentType, DefaultContentType)
	}
	const withParams = "text/csv; charset=utf-8"
	mustPutType(t, h.store, "typed", withParams)
	if st, err := h.store.Stat(ctx, "typed"); err != nil || st.ContentType != withParams {
		t.Errorf("Stat(typed) = %+v, %v; want content type %q", st, err, withParams)
	}
	for _, bad := range []string{"text/plain\r\nX-Evil: 1", strings.Repeat("a", 300), "tëxt/plain"} {
		if _, err := h.store.Put(ctx, "bad-type", strings.NewReader("x"), 1, bad); err == nil {
			t.Errorf("Put with content type %q succeeded, want an error", bad)
		}
	}
	if _, err := h.store.Stat(ctx, "bad-type"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Stat after rejected Puts: %v, want ErrNotFound", err)
	}
}

func mustPutType(t *testing.T, s Store, key, contentType string) {
	t.Helper()
	if _, err := s.Put(context.Background(), key, strings.NewReader("x"), 1, contentType); err != nil {
		t.Fatalf("Put(%q, %q): %v", key, contentType, err)
	}
}

func testRange(t *testing.T, h *harness) {
	ctx := context.Background()
	data := generatedBytes(t, 3, 1000)
	mustPut(t, h.store, "art/cover", data)
	mustPut(t, h.store, "art/empty", nil)
	cases := []struct {
		key            string
		offset, length int64
		want           []byte
		err            error
	}{
		{"art/cover", 0, 10, data[:10], nil},
		{"art/cover", 0, -1, data, nil},
		{"art/cover", 10, -1, data[10:], nil},
		{"art/cover", 500, 100, data[500:600], nil},
		{"art/cover", 990, 100, data[990:], nil},
		{"art/cover", 999, 1, data[999:], nil},
		{"art/cover", 0, 1000, data, nil},
		{"art/cover", 0, 0, nil, nil},
		{"art/cover", 1000, 0, nil, nil},
		{"art/cover", 1000, 1, nil, ErrInvalidRange},
		{"art/cover", 5000, -1, nil, ErrInvalidRange},
		{"art/empty", 0, -1, nil, ErrInvalidRange},
		{"art/empty", 0, 0, nil, nil},
		{"art/missing", 0, 10, nil, ErrNotFound},
		{"art/missing", 0, 0, nil, ErrNotFound},
	}
	for _, c := range cases {
		r, err := h.store.OpenRange(ctx, c.key, c.offset, c.length)
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("OpenRange(%q, %d, %d) error = %v, want %v", c.key, c.offset, c.length, err, c.err)
			}
			if r != nil {
				r.Close()
			}
			continue
		}
		if err != nil {
			t.Errorf("OpenRange(%q, %d, %d): %v", c.key, c.offset, c.length, err)
			continue
		}
		if got := readAll(t, r); !bytes.Equal(got, c.want) {
			t.Errorf("OpenRange(%q, %d, %d) read %d bytes, want %d (content differs: %t)", c.key, c.offset, c.length, len(got), len(c.want), len(got) == len(c.want))
		}
	}
	for _, bad := range [][2]int64{{-1, 5}, {0, -2}} {
		if _, err := h.store.OpenRange(ctx, "art/cover", bad[0], bad[1]); err == nil || errors.Is(err, ErrInvalidRange) {
			t.Errorf("OpenRange(offset %d, length %d) error = %v, want an argument error", bad[0], bad[1], err)
		}
	}
}

func testNotFound(t *testing.T, h *harness) {
	ctx := context.Background()
	mustPut(t, h.store, "audio/rel/track", []byte("x"))
	for _, key := range []string{"nothing", "audio/rel", "audio", "audio/rel/track/deeper"} {
		if _, err := h.store.Stat(ctx, key); !errors.Is(err, ErrNotFound) {
			t.Errorf("Stat(%q) error = %v, want ErrNotFound", key, err)
		}
		if r, _, err := h.store.Open(ctx, key); !errors.Is(err, ErrNotFound) {
			t.Errorf("Open(%q) error = %v, want ErrNotFound", key, err)
			if r != nil {
				r.Close()
			}
		}
	}
}

func testDelete(t *testing.T, h *harness) {
	ctx := context.Background()
	mustPut(t, h.store, "ddex/2026/msg-1.xml", []byte("<x/>"))
	mustPut(t, h.store, "ddex/2026/msg-2.xml", []byte("<y/>"))
	for i := range 2 {
		if err := h.store.Delete(ctx, "ddex/2026/msg-1.xml"); err != nil {
			t.Fatalf("Delete #%d: %v", i+1, err)
		}
	}
	if err := h.store.Delete(ctx, "never/was/here"); err != nil {
		t.Errorf("Delete of a key never stored: %v", err)
	}
	if _, err := h.store.Stat(ctx, "ddex/2026/msg-1.xml"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Stat after Delete: %v, want ErrNotFound", err)
	}
	if got := listKeys(t, h.store, ""); !slices.Equal(got, []string{"ddex/2026/msg-2.xml"}) {
		t.Errorf("keys after Delete = %q, want only the other message", got)
	}
	if err := h.store.Delete(ctx, "ddex/2026/msg-2.xml"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	mustPut(t, h.store, "ddex/2026/msg-3.xml", []byte("<z/>"))
	if got := listKeys(t, h.store, ""); !slices.Equal(got, []string{"ddex/2026/msg-3.xml"}) {
		t.Errorf("keys after Delete and Put = %q", got)
	}
}

func testList(t *testing.T, h *harness) {
	keys := []string{"art/x", "audio/r1/a", "audio/r1/b", "audio/r2/c", "audiobook/y", "reports/2026/01.csv"}
	for _, k := range keys {
		mustPut(t, h.store, k, []byte(k))
	}
	cases := []struct {
		prefix string
		want   []string
	}{
		{"", keys},
		{"audio/", []string{"audio/r1/a", "audio/r1/b", "audio/r2/c"}},
		{"audio", []string{"audio/r1/a", "audio/r1/b", "audio/r2/c", "audiobook/y"}},
		{"audio/r1/", []string{"audio/r1/a", "audio/r1/b"}},
		{"audio/r", []string{"audio/r1/a", "audio/r1/b", "audio/r2/c"}},
		{"audio/r1/a", []string{"audio/r1/a"}},
		{"reports/2026/0", []string{"reports/2026/01.csv"}},
		{"nothing/", nil},
		{"audio/r1/a/", nil},
	}
	for _, c := range cases {
		if got := listKeys(t, h.store, c.prefix); !slices.Equal(got, c.want) {
			t.Errorf("List(%q) = %q, want %q", c.prefix, got, c.want)
		}
	}
	for e, err := range h.store.List(context.Background(), "audio/r1/b") {
		if err != nil || e.Size != int64(len("audio/r1/b")) {
			t.Errorf("List entry %+v, %v; want size %d", e, err, len("audio/r1/b"))
		}
	}
	seen := 0
	for _, err := range h.store.List(context.Background(), "") {
		if err != nil {
			t.Fatalf("List: %v", err)
		}
		seen++
		break
	}
	if seen != 1 {
		t.Errorf("stopping a listing early saw %d entries, want 1", seen)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var listErr error
	for _, err := range h.store.List(ctx, "") {
		listErr = err
	}
	if !errors.Is(listErr, context.Canceled) {
		t.Errorf("List with a cancelled context ended with %v, want context.Canceled", listErr)
	}
	for _, err := range h.store.List(context.Background(), "../") {
		if !errors.Is(err, ErrInvalidKey) {
			t.Errorf("List(../) error = %v, want ErrInvalidKey", err)
		}
	}
}

// testMultipart uploads parts out of order, retries one with other bytes,
// completes and checks the object byte for byte.
func testMultipart(t *testing.T, h *harness) {
	ctx := context.Background()
	const key = "video/0193/resumable"
	sizes := []int64{MinPartSize, MinPartSize + 3, 1<<20 + 7}
	id, err := h.store.CreateMultipart(ctx, key, "video/mp4")
	if err != nil {
		t.Fatalf("CreateMultipart: %v", err)
	}
	put := func(n int, seed uint64) Part {
		t.Helper()
		p, err := h.store.PutPart(ctx, key, id, n, onlyReader{generated(seed, sizes[n-1])}, sizes[n-1])
		if err != nil {
			t.Fatalf("PutPart(%d): %v", n, err)
		}
		if p.Number != n || p.Size != sizes[n-1] || p.ETag == "" {
			t.Errorf("PutPart(%d) = %+v, want number %d, size %d and an ETag", n, p, n, sizes[n-1])
		}
		return p
	}
	p3 := put(3, 30)
	stale := put(2, 99)
	p1 := put(1, 10)
	p2 := put(2, 20)
	if stale.ETag == p2.ETag {
		t.Fatalf("retried part kept ETag %s although its bytes changed", p2.ETag)
	}
	if _, err := h.store.CompleteMultipart(ctx, key, id, []Part{p1, stale, p3}); !errors.Is(err, ErrInvalidPart) {
		t.Errorf("CompleteMultipart with the replaced part's ETag: %v, want ErrInvalidPart", err)
	}
	info, err := h.store.CompleteMultipart(ctx, key, id, []Part{p2, p3, p1})
	if err != nil {
		t.Fatalf("CompleteMultipart: %v", err)
	}
	var want bytes.Buffer
	for i, seed := range []uint64{10, 20, 30} {
		want.Write(generatedBytes(t, seed, sizes[i]))
	}
	if info.Key != key || info.Size != int64(want.Len()) || info.ETag == "" || info.ContentType != "video/mp4" {
		t.Errorf("CompleteMultipart info = %+v, want key, size %d, an ETag and video/mp4", info, want.Len())
	}
	r, st, err := h.store.Open(ctx, key)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if got := readAll(t, r); !bytes.Equal(got, want.Bytes()) {
		t.Errorf("assembled object has %d bytes, want %d; content equal: %t", len(got), want.Len(), bytes.Equal(got, want.Bytes()))
	}
	if st.ContentType != "video/mp4" || st.ETag != info.ETag {
		t.Errorf("Open info = %+v, want video/mp4 and ETag %s", st, info.ETag)
	}
	if _, err := h.store.CompleteMultipart(ctx, key, id, []Part{p1, p2, p3}); !errors.Is(err, ErrNotFound) {
		t.Errorf("second CompleteMultipart: %v, want ErrNotFound", err)
	}
	h.noLeftovers(t)
}

func testMultipartErrors(t *testing.T, h *harness) {
	ctx := context.Background()
	const key = "audio/parts"
	id, err := h.store.CreateMultipart(ctx, key, "audio/wav")
	if err != nil {
		t.Fatalf("CreateMultipart: %v", err)
	}
	small, err := h.store.PutPart(ctx, key, id, 1, strings.NewReader("tiny"), 4)
	if err != nil {
		t.Fatalf("PutPart: %v", err)
	}
	last, err := h.store.PutPart(ctx, key, id, 2, strings.NewReader("end"), 3)
	if err != nil {
		t.Fatalf("PutPart: %v", err)
	}
	cases := []struct {
		name  string
		parts []Part
	}{
		{"no parts", nil},
		{"twice the same part", []Part{last, last}},
		{"small part before the last", []Part{small, last}},
		{"part never uploaded", []Part{{Number: 3, ETag: last.ETag, Size: 3}}},
	}
	for _, c := range cases {
		if _, err := h.store.CompleteMultipart(ctx, key, id, c.parts); !errors.Is(err, ErrInvalidPart) {
			t.Errorf("CompleteMultipart with %s: %v, want ErrInvalidPart", c.name, err)
		}
	}
	if _, err := h.store.Stat(ctx, key); !errors.Is(err, ErrNotFound) {
		t.Errorf("Stat after failed completions: %v, want ErrNotFound", err)
	}
	info, err := h.store.CompleteMultipart(ctx, key, id, []Part{small})
	if err != nil {
		t.Fatalf("CompleteMultipart of one small last part: %v", err)
	}
	if info.Size != 4 {
		t.Errorf("one-part object size %d, want 4", info.Size)
	}
	for _, n := range []int{0, MaxParts + 1} {
		if _, err := h.store.PutPart(ctx, key, id, n, strings.NewReader("x"), 1); err == nil {
			t.Errorf("PutPart(%d) succeeded, want an error", n)
		}
	}
	if _, err := h.store.PutPart(ctx, key, id, 1, strings.NewReader("x"), -1); err == nil {
		t.Errorf("PutPart with unknown size succeeded, want an error")
	}
	other, err := h.store.CreateMultipart(ctx, "audio/other", "")
	if err != nil {
		t.Fatalf("CreateMultipart: %v", err)
	}
	if _, err := h.store.PutPart(ctx, "audio/other", other, 1, strings.NewReader("short"), 10); !errors.Is(err, ErrSizeMismatch) {
		t.Errorf("PutPart with a short reader: %v, want ErrSizeMismatch", err)
	}
	if _, err := h.store.PutPart(ctx, "audio/other", other, 1, strings.NewReader("longer than said"), 4); !errors.Is(err, ErrSizeMismatch) {
		t.Errorf("PutPart with a long reader: %v, want ErrSizeMismatch", err)
	}
	if _, err := h.store.PutPart(ctx, key, "no-such-upload", 1, strings.NewReader("x"), 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("PutPart to an unknown upload: %v, want ErrNotFound", err)
	}
	if err := h.store.AbortMultipart(ctx, "audio/other", other); err != nil {
		t.Errorf("AbortMultipart: %v", err)
	}
	h.noLeftovers(t)
}

func testAbort(t *testing.T, h *harness) {
	ctx := context.Background()
	const key = "audio/aborted"
	id, err := h.store.CreateMultipart(ctx, key, "")
	if err != nil {
		t.Fatalf("CreateMultipart: %v", err)
	}
	p1, err := h.store.PutPart(ctx, key, id, 1, generated(1, MinPartSize), MinPartSize)
	if err != nil {
		t.Fatalf("PutPart: %v", err)
	}
	if _, err := h.store.PutPart(ctx, key, id, 2, strings.NewReader("tail"), 4); err != nil {
		t.Fatalf("PutPart: %v", err)
	}
	if len(h.leftovers(t)) == 0 {
		t.Errorf("an unfinished upload shows nothing: the leftover check would miss one")
	}
	for i := range 2 {
		if err := h.store.AbortMultipart(ctx, key, id); err != nil {
			t.Fatalf("AbortMultipart #%d: %v", i+1, err)
		}
	}
	h.noLeftovers(t)
	if _, err := h.store.Stat(ctx, key); !errors.Is(err, ErrNotFound) {
		t.Errorf("Stat after abort: %v, want ErrNotFound", err)
	}
	if _, err := h.store.PutPart(ctx, key, id, 3, strings.NewReader("x"), 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("PutPart after abort: %v, want ErrNotFound", err)
	}
	if _, err := h.store.CompleteMultipart(ctx, key, id, []Part{p1}); !errors.Is(err, ErrNotFound) {
		t.Errorf("CompleteMultipart after abort: %v, want ErrNotFound", err)
	}
	h.noLeftovers(t)
}

// failAfter are the points where uploads break in the failure tests: in
// the first part (a single PUT on S3) and well into a multipart upload.
var failAfter = []int64{100, 2*s3PartSize + 100}

func testFailingReader(t *testing.T, h *harness) {
	ctx := context.Background()
	mustPut(t, h.store, "audio/kept", []byte("previous version"))
	for _, n := range failAfter {
		for _, size := range []int64{-1, n + 1000} {
			key := fmt.Sprintf("audio/broken-%d-%d", n, size)
			for _, k := range []string{key, "audio/kept"} {
				_, err := h.store.Put(ctx, k, &failingReader{r: generated(1, n+1000), left: n}, size, "")
				if !errors.Is(err, errBoom) {
					t.Errorf("Put(%q) failing after %d bytes (size %d): %v, want the reader's error", k, n, size, err)
				}
			}
			if _, err := h.store.Stat(ctx, key); !errors.Is(err, ErrNotFound) {
				t.Errorf("Stat(%q) after a failed Put: %v, want ErrNotFound", key, err)
			}
		}
	}
	r, _, err := h.store.Open(ctx, "audio/kept")
	if err != nil {
		t.Fatalf("Open(audio/kept): %v", err)
	}
	if got := readAll(t, r); string(got) != "previous version" {
		t.Errorf("failed overwrites changed the object to %d bytes, want the previous version", len(got))
	}
	if got := listKeys(t, h.store, ""); !slices.Equal(got, []string{"audio/kept"}) {
		t.Errorf("keys after failed Puts = %q, want only audio/kept", got)
	}
	h.noLeftovers(t)
}

func testCancelled(t *testing.T, h *harness) {
	for _, n := range failAfter {
		for _, size := range []int64{-1, n + s3PartSize} {
			ctx, cancel := context.WithCancel(context.Background())
			key := fmt.Sprintf("video/cancelled-%d-%d", n, size)
			src := &cancellingReader{r: generated(2, n+s3PartSize), left: n, cancel: cancel}
			_, err := h.store.Put(ctx, key, src, size, "video/mp4")
			cancel()
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Put(%q) cancelled after %d bytes: %v, want context.Canceled", key, n, err)
			}
			if _, err := h.store.Stat(context.Background(), key); !errors.Is(err, ErrNotFound) {
				t.Errorf("Stat(%q) after a cancelled Put: %v, want ErrNotFound", key, err)
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	id, err := h.store.CreateMultipart(ctx, "video/part-cancelled", "")
	if err != nil {
		t.Fatalf("CreateMultipart: %v", err)
	}
	src := &cancellingReader{r: generated(3, MinPartSize), left: 1 << 20, cancel: cancel}
	if _, err := h.store.PutPart(ctx, "video/part-cancelled", id, 1, src, MinPartSize); !errors.Is(err, context.Canceled) {
		t.Errorf("PutPart cancelled mid-stream: %v, want context.Canceled", err)
	}
	if err := h.store.AbortMultipart(context.Background(), "video/part-cancelled", id); err != nil {
		t.Errorf("AbortMultipart: %v", err)
	}
	if got := listKeys(t, h.store, ""); len(got) != 0 {
		t.Errorf("keys after cancelled Puts = %q, want none", got)
	}
	h.noLeftovers(t)
}

func testSizeMismatch(t *testing.T, h *harness) {
	ctx := context.Background()
	cases := []struct{ announced, actual int64 }{
		{100, 50},
		{100, 150},
		{0, 1},
		{s3PartSize, s3PartSize + 1},
		{2*s3PartSize + 10, 2*s3PartSize + 11},
		{2*s3PartSize + 10, 2 * s3PartSize},
	}
	for _, c := range cases {
		key := fmt.Sprintf("mismatch/%d-%d", c.announced, c.actual)
		_, err := h.store.Put(ctx, key, onlyReader{generated(4, c.actual)}, c.announced, "")
		if !errors.Is(err, ErrSizeMismatch) {
			t.Errorf("Put announcing %d bytes of a %d-byte reader: %v, want ErrSizeMismatch", c.announced, c.actual, err)
		}
	}
	if got := listKeys(t, h.store, ""); len(got) != 0 {
		t.Errorf("keys after mismatched Puts = %q, want none", got)
	}
	h.noLeftovers(t)
}

// badKeys break the key rules; each must be refused by every method.
var badKeys = []string{
	"", "/abs/path", "../escape", "a/../../escape", "a/./b", "a//b", "a/", "a\\b", "a\x00b", "a\nb",
	".hidden", "a/.tmp-123", ".staging/x", "..", "\xff\xfe",
	strings.Repeat("k", MaxKeyLength+1), strings.Repeat("s", MaxSegmentLength+1) + "/x",
}

func testInvalidKeys(t *testing.T, h *harness) {
	ctx := context.Background()
	for _, key := range badKeys {
		calls := map[string]error{}
		_, calls["Put"] = h.store.Put(ctx, key, strings.NewReader("x"), 1, "")
		_, _, calls["Open"] = h.store.Open(ctx, key)
		_, calls["OpenRange"] = h.store.OpenRange(ctx, key, 0, 1)
		_, calls["Stat"] = h.store.Stat(ctx, key)
		calls["Delete"] = h.store.Delete(ctx, key)
		_, calls["CreateMultipart"] = h.store.CreateMultipart(ctx, key, "")
		_, calls["PutPart"] = h.store.PutPart(ctx, key, "id", 1, strings.NewReader("x"), 1)
		_, calls["CompleteMultipart"] = h.store.CompleteMultipart(ctx, key, "id", []Part{{Number: 1}})
		calls["AbortMultipart"] = h.store.AbortMultipart(ctx, key, "id")
		if h.signs {
			_, calls["SignedURL"] = h.store.SignedURL(ctx, key, time.Minute, "")
		}
		for method, err := range calls {
			if !errors.Is(err, ErrInvalidKey) {
				t.Errorf("%s(%q) error = %v, want ErrInvalidKey", method, key, err)
			}
		}
	}
	if got := listKeys(t, h.store, ""); len(got) != 0 {
		t.Errorf("keys after refused Puts = %q, want none", got)
	}
	goodKeys := []string{"audio/0193d7a2-5c1e-7c3b-9f2c-1b2a3c4d5e6f/9f2c8e", "a b/c+d=e", "ünïcode/ß", "x...y/z.wav", strings.Repeat("k", 254) + "/" + strings.Repeat("s", 255)}
	for _, key := range goodKeys {
		mustPut(t, h.store, key, []byte(key))
		if r, _, err := h.store.Open(ctx, key); err != nil {
			t.Errorf("Open(%q): %v", key, err)
		} else if got := readAll(t, r); string(got) != key {
			t.Errorf("Open(%q) read %q", key, got)
		}
	}
	h.noLeftovers(t)
}

func testSignedURL(t *testing.T, h *harness) {
	ctx := context.Background()
	data := generatedBytes(t, 5, 5000)
	mustPut(t, h.store, "reports/statement", data)
	const name = "Jahresabrechnung 2026 – Müller/\"Q4\".pdf"
	signed, err := h.store.SignedURL(ctx, "reports/statement", 10*time.Minute, name)
	if !h.signs {
		if !errors.Is(err, ErrNoSignedURLs) {
			t.Errorf("SignedURL on a store that cannot sign: %q, %v; want ErrNoSignedURLs", signed, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("SignedURL: %v", err)
	}
	resp, err := http.Get(signed)
	if err != nil {
		t.Fatalf("GET signed URL: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("read signed URL body: %v", err)
	}
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, data) {
		t.Fatalf("GET signed URL: status %d, %d bytes; want 200 and the %d stored bytes", resp.StatusCode, len(body), len(data))
	}
	_, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
	if wantName := "Jahresabrechnung 2026 – Müller_\"Q4\".pdf"; err != nil || params["filename"] != wantName {
		t.Errorf("Content-Disposition %q gives file name %q (err %v), want %q", resp.Header.Get("Content-Disposition"), params["filename"], err, wantName)
	}
	for _, ttl := range []time.Duration{0, 8 * 24 * time.Hour} {
		if _, err := h.store.SignedURL(ctx, "reports/statement", ttl, ""); err == nil {
			t.Errorf("SignedURL with ttl %s succeeded, want an error", ttl)
		}
	}
}

// testConcurrentPuts races writers of one key against readers: every read
// sees one writer's whole object, and the last write left one whole object.
func testConcurrentPuts(t *testing.T, h *harness) {
	ctx := context.Background()
	const key, size, writers = "art/raced", 256 << 10, 6
	mustPut(t, h.store, key, bytes.Repeat([]byte{'0'}, size))
	uniform := func(b []byte) bool {
		return len(b) == size && bytes.Count(b, b[:1]) == size
	}
	var wg sync.WaitGroup
	done := make(chan struct{})
	errs := make(chan error, writers+1)
	for w := range writers {
		wg.Go(func() {
			data := bytes.Repeat([]byte{byte('a' + w)}, size)
			for range 4 {
				if _, err := h.store.Put(ctx, key, bytes.NewReader(data), -1, ""); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	var readers sync.WaitGroup
	readers.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			r, _, err := h.store.Open(ctx, key)
			if err != nil {
				errs <- err
				return
			}
			b, err := io.ReadAll(r)
			r.Close()
			if err != nil || !uniform(b) {
				errs <- fmt.Errorf("read a torn object (%d bytes, err %v)", len(b), err)
				return
			}
		}
	})
	wg.Wait()
	close(done)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	r, _, err := h.store.Open(ctx, key)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if b := readAll(t, r); !uniform(b) || b[0] == '0' {
		t.Errorf("after the race the object is not one writer's whole write (%d bytes, first %q)", len(b), b[:1])
	}
	h.noLeftovers(t)
}

func testCleanUnfinished(t *testing.T, h *harness) {
	ctx := context.Background()
	mustPut(t, h.store, "audio/done", []byte("kept"))
	var ids []string
	for _, key := range []string{"audio/a", "video/b"} {
		id, err := h.store.CreateMultipart(ctx, key, "")
		if err != nil {
			t.Fatalf("CreateMultipart(%q): %v", key, err)
		}
		if _, err := h.store.PutPart(ctx, key, id, 1, strings.NewReader("part"), 4); err != nil {
			t.Fatalf("PutPart: %v", err)
		}
		ids = append(ids, id)
	}
	n, err := h.store.CleanUnfinished(ctx, time.Now().Add(-time.Hour))
	if err != nil || n != 0 {
		t.Errorf("CleanUnfinished with a cutoff before the uploads = %d, %v; want 0", n, err)
	}
	if len(h.leftovers(t)) == 0 {
		t.Fatalf("CleanUnfinished removed uploads younger than its cutoff")
	}
	n, err = h.store.CleanUnfinished(ctx, time.Now().Add(time.Hour))
	if err != nil || n != 2 {
		t.Errorf("CleanUnfinished with a cutoff after the uploads = %d, %v; want 2", n, err)
	}
	h.noLeftovers(t)
	if _, err := h.store.PutPart(ctx, "audio/a", ids[0], 2, strings.NewReader("late"), 4); !errors.Is(err, ErrNotFound) {
		t.Errorf("PutPart to a cleaned upload: %v, want ErrNotFound", err)
	}
	if got := listKeys(t, h.store, ""); !slices.Equal(got, []string{"audio/done"}) {
		t.Errorf("keys after cleaning = %q, want the finished object kept", got)
	}
	if n, err := h.store.CleanUnfinished(ctx, time.Now().Add(time.Hour)); err != nil || n != 0 {
		t.Errorf("CleanUnfinished with nothing left = %d, %v; want 0", n, err)
	}
}
