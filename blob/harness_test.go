package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// backend builds a fresh, empty store of one kind for one test.
type backend struct {
	name string
	new  func(t testing.TB) *harness
}

// harness is a store under test plus what the suite needs to look behind it.
type harness struct {
	store Store
	// signs tells whether the store hands out signed URLs.
	signs bool
	// leftovers lists what uploads left behind besides objects: temp files
	// and staging directories on disk, unfinished multipart uploads on S3.
	leftovers func(t testing.TB) []string
}

var backends = []backend{
	{name: "local", new: newLocalHarness},
	{name: "s3", new: newS3Harness},
}

func newLocalHarness(t testing.TB) *harness {
	t.Helper()
	dir := t.TempDir()
	store, err := Open("file://" + filepath.ToSlash(dir))
	if err != nil {
		t.Fatalf("Open(file://%s): %v", dir, err)
	}
	t.Cleanup(func() { store.Close() })
	return &harness{store: store, leftovers: func(t testing.TB) []string { return localLeftovers(t, dir) }}
}

// localLeftovers lists temp files anywhere and anything in the staging directory.
func localLeftovers(t testing.TB, dir string) []string {
	t.Helper()
	var found []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if strings.HasPrefix(d.Name(), tempPrefix) || strings.HasPrefix(rel, stagingDir+"/") {
			found = append(found, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", dir, err)
	}
	return found
}

const (
	testBucket = "tonegrid"
	testAccess = "AKIATESTTONEGRID"
	testSecret = "secret/with+odd=chars"
	testPrefix = "tg"
)

// fakeS3 is a gofakes3 server over HTTP with the test bucket created.
type fakeS3 struct {
	server *httptest.Server
	host   string
}

func newFakeS3(t testing.TB) *fakeS3 {
	t.Helper()
	mem := s3mem.New()
	if err := mem.CreateBucket(testBucket); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	faker := gofakes3.New(mem, gofakes3.WithLogger(gofakes3.DiscardLog()))
	server := httptest.NewServer(faker.Server())
	t.Cleanup(server.Close)
	return &fakeS3{server: server, host: strings.TrimPrefix(server.URL, "http://")}
}

// storeURL is the storage URL of the fake server's bucket under prefix.
func (f *fakeS3) storeURL(prefix string) string {
	q := url.Values{"endpoint": {f.host}, "region": {"us-east-1"}, "secure": {"false"}, "path_style": {"true"}}
	if prefix != "" {
		q.Set("prefix", prefix)
	}
	u := url.URL{Scheme: "s3", User: url.UserPassword(testAccess, testSecret), Host: testBucket, RawQuery: q.Encode()}
	return u.String()
}

// core is a plain minio client on the fake server, to look at the bucket directly.
func (f *fakeS3) core(t testing.TB) minio.Core {
	t.Helper()
	client, err := minio.New(f.host, &minio.Options{Creds: credentials.NewStaticV4(testAccess, testSecret, ""), Region: "us-east-1", BucketLookup: minio.BucketLookupPath})
	if err != nil {
		t.Fatalf("minio.New: %v", err)
	}
	return minio.Core{Client: client}
}

func newS3Harness(t testing.TB) *harness {
	t.Helper()
	fake := newFakeS3(t)
	store, err := Open(fake.storeURL(testPrefix))
	if err != nil {
		t.Fatalf("Open(s3 URL): %v", err)
	}
	core := fake.core(t)
	return &harness{store: store, signs: true, leftovers: func(t testing.TB) []string {
		t.Helper()
		res, err := core.ListMultipartUploads(context.Background(), testBucket, "", "", "", "", 1000)
		if minio.ToErrorResponse(err).Code == "NoSuchUpload" {
			// gofakes3 answers so, instead of with an empty list, in a
			// bucket that never had a multipart upload.
			return nil
		}
		if err != nil {
			t.Fatalf("list multipart uploads: %v", err)
		}
		var found []string
		for _, u := range res.Uploads {
			found = append(found, "multipart upload of "+u.Key)
		}
		return found
	}}
}

// noLeftovers fails the test if uploads left anything behind.
func (h *harness) noLeftovers(t testing.TB) {
	t.Helper()
	if got := h.leftovers(t); len(got) > 0 {
		t.Errorf("left behind: %v", got)
	}
}

// generated returns a reader of n deterministic pseudo-random bytes; the
// bytes are never held in memory as a whole.
func generated(seed uint64, n int64) io.Reader {
	var s [32]byte
	s[0] = byte(seed)
	s[1] = byte(seed >> 8)
	return io.LimitReader(rand.NewChaCha8(s), n)
}

// generatedBytes returns the same bytes as generated, for small sizes.
func generatedBytes(t testing.TB, seed uint64, n int64) []byte {
	t.Helper()
	b, err := io.ReadAll(generated(seed, n))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sha256Of(t testing.TB, r io.Reader) (string, int64) {
	t.Helper()
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return hex.EncodeToString(h.Sum(nil)), n
}

// onlyReader hides every method but Read, so that nothing can seek, size
// or WriteTo its way around streaming.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

var errBoom = errors.New("source broke")

// failingReader gives n bytes of r, then fails with errBoom.
type failingReader struct {
	r    io.Reader
	left int64
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.left <= 0 {
		return 0, errBoom
	}
	if int64(len(p)) > f.left {
		p = p[:f.left]
	}
	n, err := f.r.Read(p)
	f.left -= int64(n)
	return n, err
}

// cancellingReader gives bytes of r and cancels the upload's context once
// n bytes have passed, then goes on giving bytes as a live source would.
type cancellingReader struct {
	r      io.Reader
	left   int64
	cancel context.CancelFunc
}

func (c *cancellingReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		c.cancel()
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

func mustPut(t testing.TB, s Store, key string, data []byte) Info {
	t.Helper()
	info, err := s.Put(context.Background(), key, onlyReader{strings.NewReader(string(data))}, int64(len(data)), "application/test")
	if err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
	return info
}

func readAll(t testing.TB, r io.ReadCloser) []byte {
	t.Helper()
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return b
}

func listKeys(t testing.TB, s Store, prefix string) []string {
	t.Helper()
	var keys []string
	for e, err := range s.List(context.Background(), prefix) {
		if err != nil {
			t.Fatalf("List(%q): %v", prefix, err)
		}
		if e.Size < 0 || e.ModTime.IsZero() {
			t.Errorf("List(%q) entry %+v: want size ≥ 0 and a mod time", prefix, e)
		}
		keys = append(keys, e.Key)
	}
	slices.Sort(keys)
	return keys
}
