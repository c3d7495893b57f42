package transport

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"testing"

	"tonegrid/delivery/transport/sftptest"
)

// store is one real destination, reachable through fresh Transports.
type store struct {
	// dial opens a new Transport (a new connection) to the store.
	dial func(t *testing.T) Transport
	// s3 is set for S3, which has no directories and no temporary names.
	s3 bool
	// sftp is the server behind an SFTP store.
	sftp *sftptest.Server
}

// stores builds each kind of store the suite runs against.
var stores = []struct {
	name string
	new  func(t *testing.T) store
}{
	{"dir", newDirStore},
	{"sftp", func(t *testing.T) store { return newSFTPStore(t, false) }},
	{"sftp-plain", func(t *testing.T) store { return newSFTPStore(t, true) }},
	{"s3", newS3Store},
}

// forEachStore runs test against a fresh store of every kind.
func forEachStore(t *testing.T, test func(t *testing.T, st store)) {
	t.Helper()
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			test(t, s.new(t))
		})
	}
}

func newDirStore(t *testing.T) store {
	dir := t.TempDir() + "/deliveries/spotify"
	return store{dial: func(t *testing.T) Transport {
		t.Helper()
		return mustDial(t, Config{Protocol: ProtocolDir, Dir: dir})
	}}
}

func newSFTPStore(t *testing.T, plain bool) store {
	srv := startSFTPServer(t, plain)
	return store{sftp: srv, dial: func(t *testing.T) Transport {
		t.Helper()
		return mustDial(t, sftpConfig(srv))
	}}
}

func newS3Store(t *testing.T) store {
	url := startFakeS3(t)
	return store{s3: true, dial: func(t *testing.T) Transport {
		t.Helper()
		return mustDial(t, s3Config(url, "dsp/inbox"))
	}}
}

// s3Config returns a Config for the fake S3 server at url.
func s3Config(url, prefix string) Config {
	return Config{Protocol: ProtocolS3, S3: S3Config{
		Bucket:    "deliveries",
		Prefix:    prefix,
		Endpoint:  url,
		Region:    "us-east-1",
		AccessKey: "AKIATEST",
		SecretKey: "secret-key",
		PathStyle: true,
	}}
}

// mustDial dials cfg and closes the Transport when the test ends.
func mustDial(t *testing.T, cfg Config) Transport {
	t.Helper()
	tr, err := Dial(t.Context(), cfg)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { tr.Close() })
	return tr
}

// fixture is a batch with the content of each of its files.
type fixture struct {
	batch   Batch
	content map[string][]byte
	// order is every file's path in the order SendBatch must upload them.
	order []string
}

// newFixture builds a batch of releases × resources random files of size
// bytes, plus messages and a manifest.
func newFixture(t testing.TB, id string, releases, resources, size int) *fixture {
	t.Helper()
	fx := &fixture{batch: Batch{ID: id}, content: map[string][]byte{}}
	folder := "N_" + id
	var messages []string
	for r := range releases {
		relID := fmt.Sprintf("01234567890%02d", r)
		rel := Release{ID: relID}
		for i := range resources {
			name := fmt.Sprintf("%s_01_%03d.flac", relID, i+1)
			p := folder + "/" + relID + "/resources/" + name
			rel.Resources = append(rel.Resources, Resource{Name: name, File: fx.file(p, randomBytes(t, size))})
			fx.order = append(fx.order, p)
		}
		p := folder + "/" + relID + "/" + relID + ".xml"
		rel.Message = fx.file(p, []byte("<NewReleaseMessage release=\""+relID+"\"/>"))
		messages = append(messages, p)
		fx.batch.Releases = append(fx.batch.Releases, rel)
	}
	p := folder + "/BatchComplete_" + id + ".xml"
	fx.batch.Manifest = fx.file(p, []byte("<ManifestMessage batch=\""+id+"\"/>"))
	fx.order = append(fx.order, messages...)
	fx.order = append(fx.order, p)
	return fx
}

// file records content under p and returns a File serving it.
func (fx *fixture) file(p string, content []byte) File {
	fx.content[p] = content
	return File{Size: int64(len(content)), Open: func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(content)), nil
	}}
}

// manifest returns the manifest's path.
func (fx *fixture) manifest() string { return fx.order[len(fx.order)-1] }

func randomBytes(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// readFile reads a whole file through tr.
func readFile(t *testing.T, tr Transport, p string) ([]byte, error) {
	t.Helper()
	rc, err := tr.Open(t.Context(), p)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// listNames returns the names in dir, directories with a trailing "/".
func listNames(t *testing.T, tr Transport, dir string) []string {
	t.Helper()
	entries, err := tr.List(t.Context(), dir)
	if err != nil {
		t.Fatalf("List(%q): %v", dir, err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir {
			names = append(names, e.Name+"/")
		} else {
			names = append(names, e.Name)
		}
	}
	return names
}

// walk lists every file under dir through tr, recursively, with sizes.
func walk(t *testing.T, tr Transport, dir string) map[string]int64 {
	t.Helper()
	files := map[string]int64{}
	entries, err := tr.List(t.Context(), dir)
	if errors.Is(err, fs.ErrNotExist) {
		return files
	}
	if err != nil {
		t.Fatalf("List(%q): %v", dir, err)
	}
	for _, e := range entries {
		p := joinPath(dir, e.Name)
		if e.IsDir {
			for sub, size := range walk(t, tr, p) {
				files[sub] = size
			}
			continue
		}
		files[p] = e.Size
	}
	return files
}

// checkComplete fails unless the batch folder holds exactly the fixture's
// files with their content.
func checkComplete(t *testing.T, tr Transport, fx *fixture) {
	t.Helper()
	got := walk(t, tr, fx.batch.Folder())
	var want []string
	for p := range fx.content {
		want = append(want, p)
	}
	sort.Strings(want)
	if names := sortedKeys(got); !slices.Equal(names, want) {
		t.Fatalf("batch files:\n got %v\nwant %v", names, want)
	}
	for p, content := range fx.content {
		body, err := readFile(t, tr, p)
		if err != nil {
			t.Fatalf("read %s: %v", p, err)
		}
		if !bytes.Equal(body, content) {
			t.Fatalf("%s: content differs (got %d bytes, want %d)", p, len(body), len(content))
		}
	}
}

// checkNoPartial fails if the batch has a manifest or a file under a final
// name whose content is not complete. It returns the complete files.
func checkNoPartial(t *testing.T, tr Transport, fx *fixture) []string {
	t.Helper()
	var complete []string
	for p := range walk(t, tr, fx.batch.Folder()) {
		_, name := splitPath(p)
		if isTempName(name) {
			continue
		}
		if p == fx.manifest() {
			t.Fatalf("manifest %s exists after a failed delivery", p)
		}
		want, ok := fx.content[p]
		if !ok {
			t.Fatalf("unexpected file %s", p)
		}
		body, err := readFile(t, tr, p)
		if err != nil {
			t.Fatalf("read %s: %v", p, err)
		}
		if !bytes.Equal(body, want) {
			t.Fatalf("%s is under its final name with %d of %d bytes", p, len(body), len(want))
		}
		complete = append(complete, p)
	}
	sort.Strings(complete)
	return complete
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func TestTransportFiles(t *testing.T) {
	forEachStore(t, func(t *testing.T, st store) {
		tr := st.dial(t)
		ctx := t.Context()
		if err := tr.MkdirAll(ctx, "a/b"); err != nil {
			t.Fatalf("MkdirAll: %v", err)
		}
		if err := tr.MkdirAll(ctx, "a/b"); err != nil {
			t.Fatalf("MkdirAll again: %v", err)
		}
		for _, content := range []string{"first version", "second"} {
			if err := tr.Put(ctx, "a/b/file.xml", strings.NewReader(content), int64(len(content))); err != nil {
				t.Fatalf("Put: %v", err)
			}
			got, err := readFile(t, tr, "a/b/file.xml")
			if err != nil || string(got) != content {
				t.Fatalf("read back = %q, %v; want %q", got, err, content)
			}
		}
		if err := tr.Put(ctx, "a/empty", strings.NewReader(""), 0); err != nil {
			t.Fatalf("Put empty: %v", err)
		}
		entries, err := tr.List(ctx, "a/b")
		if err != nil || len(entries) != 1 || entries[0].Name != "file.xml" || entries[0].Size != 6 || entries[0].IsDir {
			t.Fatalf("List(a/b) = %+v, %v; want file.xml of 6 bytes", entries, err)
		}
		if got, want := listNames(t, tr, "a"), []string{"b/", "empty"}; !slices.Equal(got, want) {
			t.Fatalf("List(a) = %v, want %v", got, want)
		}
		if got := listNames(t, tr, ""); !slices.Equal(got, []string{"a/"}) {
			t.Fatalf("List(root) = %v, want [a/]", got)
		}
		if err := tr.Remove(ctx, "a/b/file.xml"); err != nil {
			t.Fatalf("Remove: %v", err)
		}
		if err := tr.Remove(ctx, "a/b/file.xml"); err != nil {
			t.Fatalf("Remove of a missing file: %v, want nil", err)
		}
		if _, err := tr.Open(ctx, "a/b/file.xml"); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("Open of a removed file: %v, want fs.ErrNotExist", err)
		}
		entries, err = tr.List(ctx, "nowhere")
		if st.s3 {
			if err != nil || len(entries) != 0 {
				t.Fatalf("List(nowhere) on S3 = %v, %v; want nothing", entries, err)
			}
		} else if !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("List(nowhere) = %v, want fs.ErrNotExist", err)
		}
	})
}

func TestTransportRefusesBadPaths(t *testing.T) {
	bad := []string{"", "/abs", "a//b", "a/", "./a", "a/./b", "..", "a/../b", "a/..", `a\b`, "a\x00b", "a\nb", "\xff"}
	forEachStore(t, func(t *testing.T, st store) {
		tr := st.dial(t)
		ctx := t.Context()
		for _, p := range bad {
			checks := map[string]error{
				"Put":    tr.Put(ctx, p, strings.NewReader("x"), 1),
				"Remove": tr.Remove(ctx, p),
			}
			_, checks["Open"] = tr.Open(ctx, p)
			if p != "" {
				_, checks["List"] = tr.List(ctx, p)
				checks["MkdirAll"] = tr.MkdirAll(ctx, p)
			}
			for op, err := range checks {
				if !errors.Is(err, ErrInvalidPath) {
					t.Errorf("%s(%q) = %v, want ErrInvalidPath", op, p, err)
				}
			}
		}
	})
}

// failingReader yields n bytes, then fails.
type failingReader struct {
	n int
}

var errSourceBroken = errors.New("source broken")

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, errSourceBroken
	}
	n := min(len(p), r.n)
	r.n -= n
	return n, nil
}

func TestPutLeavesNothingOnFailure(t *testing.T) {
	tests := []struct {
		name    string
		reader  func() io.Reader
		size    int64
		wantErr error
	}{
		{"short", func() io.Reader { return strings.NewReader("12345") }, 6, ErrSizeMismatch},
		{"long", func() io.Reader { return strings.NewReader("1234567") }, 6, ErrSizeMismatch},
		{"long for empty", func() io.Reader { return strings.NewReader("1") }, 0, ErrSizeMismatch},
		{"fails halfway", func() io.Reader { return &failingReader{n: 200 << 10} }, 400 << 10, errSourceBroken},
	}
	forEachStore(t, func(t *testing.T, st store) {
		tr := st.dial(t)
		ctx := t.Context()
		if err := tr.MkdirAll(ctx, "d"); err != nil {
			t.Fatal(err)
		}
		if err := tr.Put(ctx, "d/kept", strings.NewReader("old"), 3); err != nil {
			t.Fatal(err)
		}
		for _, tt := range tests {
			for _, name := range []string{"d/new", "d/kept"} {
				err := tr.Put(ctx, name, tt.reader(), tt.size)
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("%s: Put(%s) = %v, want %v", tt.name, name, err, tt.wantErr)
				}
			}
			if got := listNames(t, tr, "d"); !slices.Equal(got, []string{"kept"}) {
				t.Errorf("%s: after failed puts d holds %v, want [kept]", tt.name, got)
			}
			if got, _ := readFile(t, tr, "d/kept"); string(got) != "old" {
				t.Errorf("%s: d/kept = %q, want the old content", tt.name, got)
			}
		}
	})
}

func TestSendBatch(t *testing.T) {
	forEachStore(t, func(t *testing.T, st store) {
		tr := st.dial(t)
		fx := newFixture(t, "20240601120000000", 2, 3, 100<<10)
		report, err := SendBatch(t.Context(), tr, fx.batch)
		if err != nil {
			t.Fatalf("SendBatch: %v", err)
		}
		if !slices.Equal(report.Uploaded, fx.order) {
			t.Errorf("uploaded\n %v\nwant\n %v", report.Uploaded, fx.order)
		}
		var total int64
		for _, c := range fx.content {
			total += int64(len(c))
		}
		if report.BytesSent != total || len(report.Skipped) != 0 || report.Failed != "" || report.Folder != "N_20240601120000000" {
			t.Errorf("report = %+v, want %d bytes sent, nothing skipped or failed", report, total)
		}
		checkComplete(t, tr, fx)

		again, err := SendBatch(t.Context(), st.dial(t), fx.batch)
		if err != nil {
			t.Fatalf("SendBatch of a delivered batch: %v", err)
		}
		if len(again.Uploaded) != 0 || !slices.Equal(again.Skipped, fx.order) || again.BytesSent != 0 {
			t.Errorf("second SendBatch: uploaded %v, skipped %v; want everything skipped", again.Uploaded, again.Skipped)
		}
	})
}

func TestSendBatchRetryAfterFailingReader(t *testing.T) {
	forEachStore(t, func(t *testing.T, st store) {
		fx := newFixture(t, "20240601120000001", 2, 2, 300<<10)
		broken := fx.batch
		broken.Releases = slices.Clone(fx.batch.Releases)
		broken.Releases[1].Resources = slices.Clone(broken.Releases[1].Resources)
		res := &broken.Releases[1].Resources[0]
		res.Open = func() (io.ReadCloser, error) {
			return io.NopCloser(&failingReader{n: int(res.Size / 2)}), nil
		}
		failed := fx.order[2]

		report, err := SendBatch(t.Context(), st.dial(t), broken)
		var fileErr *FileError
		if !errors.As(err, &fileErr) || fileErr.Path != failed || !errors.Is(err, errSourceBroken) {
			t.Fatalf("SendBatch = %v, want a FileError for %s caused by the reader", err, failed)
		}
		if report.Failed != failed || !slices.Equal(report.Uploaded, fx.order[:2]) {
			t.Fatalf("report = %+v, want %v uploaded and %s failed", report, fx.order[:2], failed)
		}
		tr := st.dial(t)
		if got := checkNoPartial(t, tr, fx); !slices.Equal(got, fx.order[:2]) {
			t.Fatalf("complete files after the failure = %v, want %v", got, fx.order[:2])
		}

		report, err = SendBatch(t.Context(), tr, fx.batch)
		if err != nil {
			t.Fatalf("retry: %v", err)
		}
		if !slices.Equal(report.Skipped, fx.order[:2]) || !slices.Equal(report.Uploaded, fx.order[2:]) {
			t.Errorf("retry skipped %v, uploaded %v; want %v then %v", report.Skipped, report.Uploaded, fx.order[:2], fx.order[2:])
		}
		checkComplete(t, tr, fx)
	})
}

func TestSendBatchCleansUpAnEarlierAttempt(t *testing.T) {
	forEachStore(t, func(t *testing.T, st store) {
		ctx := t.Context()
		tr := st.dial(t)
		fx := newFixture(t, "20240601120000002", 1, 3, 50<<10)
		good, truncated := fx.order[0], fx.order[1]
		dir, _ := splitPath(good)
		if err := tr.MkdirAll(ctx, dir); err != nil {
			t.Fatal(err)
		}
		put := func(p string, content []byte) {
			t.Helper()
			if err := tr.Put(ctx, p, bytes.NewReader(content), int64(len(content))); err != nil {
				t.Fatalf("Put(%s): %v", p, err)
			}
		}
		put(good, fx.content[good])
		put(truncated, fx.content[truncated][:1000])
		put(fx.manifest(), []byte("<stale/>"))
		wantRemoved := []string{fx.manifest()}
		if !st.s3 {
			temp := dir + "/" + tempName("x.flac")
			put(temp, []byte("leftover"))
			wantRemoved = append(wantRemoved, temp)
		}

		report, err := SendBatch(ctx, tr, fx.batch)
		if err != nil {
			t.Fatalf("SendBatch: %v", err)
		}
		if !slices.Equal(report.Removed, wantRemoved) || len(report.Leftovers) != 0 {
			t.Errorf("removed %v, leftovers %v; want %v removed", report.Removed, report.Leftovers, wantRemoved)
		}
		if !slices.Equal(report.Skipped, []string{good}) || !slices.Equal(report.Uploaded, fx.order[1:]) {
			t.Errorf("skipped %v, uploaded %v; want only %s skipped", report.Skipped, report.Uploaded, good)
		}
		checkComplete(t, tr, fx)
	})
}

// manifestFailing is a real Transport whose manifest puts report failure
// after storing the manifest, as when the server's reply to the rename is
// lost; removeFails makes the cleanup fail as well.
type manifestFailing struct {
	Transport
	removeFails bool
}

var errReplyLost = errors.New("reply lost")

func (m *manifestFailing) Put(ctx context.Context, p string, r io.Reader, size int64) error {
	if err := m.Transport.Put(ctx, p, r, size); err != nil {
		return err
	}
	if strings.Contains(path.Base(p), "BatchComplete_") {
		return errReplyLost
	}
	return nil
}

func (m *manifestFailing) Remove(ctx context.Context, p string) error {
	if m.removeFails {
		return errors.New("connection gone")
	}
	return m.Transport.Remove(ctx, p)
}

func TestSendBatchTakesBackAFailedManifest(t *testing.T) {
	forEachStore(t, func(t *testing.T, st store) {
		tr := st.dial(t)
		fx := newFixture(t, "20240601120000003", 1, 1, 1000)
		report, err := SendBatch(t.Context(), &manifestFailing{Transport: tr}, fx.batch)
		if !errors.Is(err, errReplyLost) || report.Failed != fx.manifest() || report.ManifestMayExist {
			t.Fatalf("SendBatch = %v, report %+v; want the manifest failed and taken back", err, report)
		}
		checkNoPartial(t, tr, fx)

		report, err = SendBatch(t.Context(), &manifestFailing{Transport: tr, removeFails: true}, fx.batch)
		if !errors.Is(err, errReplyLost) || !report.ManifestMayExist {
			t.Fatalf("SendBatch = %v, report %+v; want ManifestMayExist when the removal fails", err, report)
		}
	})
}

func TestPollAcks(t *testing.T) {
	forEachStore(t, func(t *testing.T, st store) {
		ctx := t.Context()
		tr := st.dial(t)
		acks, err := PollAcks(ctx, tr, "acknowledgements", func(string) bool { return false })
		if err != nil || len(acks) != 0 {
			t.Fatalf("PollAcks before any ack = %v, %v; want nothing", acks, err)
		}
		if err := tr.MkdirAll(ctx, "acknowledgements/ACK_dir.xml"); err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{
			"ACK_20240601120000000_0123456789012.xml": []byte("<AcknowledgementMessage>1</AcknowledgementMessage>"),
			"ACK_20240601120000000_0123456789013.XML": []byte("<AcknowledgementMessage>2</AcknowledgementMessage>"),
			"ACK_20240601120000000_0123456789014.xml": []byte("<AcknowledgementMessage>3</AcknowledgementMessage>"),
			"ACK_huge.xml":     bytes.Repeat([]byte("x"), MaxAckSize+1),
			"notes.xml":        []byte("not an ack"),
			"ACK_20240601.txt": []byte("not xml"),
		}
		if st.s3 {
			files["ACK_dir.xml/inner.xml"] = []byte("inside a folder")
		}
		for name, body := range files {
			if err := tr.Put(ctx, "acknowledgements/"+name, bytes.NewReader(body), int64(len(body))); err != nil {
				t.Fatal(err)
			}
		}
		seen := func(name string) bool { return strings.HasSuffix(name, "014.xml") }
		acks, err = PollAcks(ctx, tr, "acknowledgements", seen)
		if err != nil {
			t.Fatalf("PollAcks: %v", err)
		}
		want := []string{"ACK_20240601120000000_0123456789012.xml", "ACK_20240601120000000_0123456789013.XML", "ACK_huge.xml"}
		var got []string
		for _, a := range acks {
			got = append(got, a.Name)
			switch {
			case a.Name == "ACK_huge.xml":
				if !errors.Is(a.Err, ErrAckTooLarge) || a.Body != nil {
					t.Errorf("huge ack: err %v, %d bytes; want ErrAckTooLarge and no body", a.Err, len(a.Body))
				}
			case a.Err != nil || !bytes.Equal(a.Body, files[a.Name]):
				t.Errorf("%s: body %q, err %v; want %q", a.Name, a.Body, a.Err, files[a.Name])
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("PollAcks names = %v, want %v", got, want)
		}
	})
}

func TestSendBatchRefusesInvalidBatches(t *testing.T) {
	file := File{Size: 1, Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("x")), nil }}
	valid := func() Batch {
		return Batch{ID: "20240601120000000", Manifest: file, Releases: []Release{{
			ID: "0123456789012", Message: file, Resources: []Resource{{Name: "a.flac", File: file}},
		}}}
	}
	tests := []struct {
		name   string
		modify func(b *Batch)
	}{
		{"empty id", func(b *Batch) { b.ID = "" }},
		{"id with slash", func(b *Batch) { b.ID = "a/b" }},
		{"id with dots", func(b *Batch) { b.ID = ".." }},
		{"priority", func(b *Batch) { b.Priority = "X" }},
		{"no releases", func(b *Batch) { b.Releases = nil }},
		{"manifest without Open", func(b *Batch) { b.Manifest.Open = nil }},
		{"negative size", func(b *Batch) { b.Releases[0].Message.Size = -1 }},
		{"release id", func(b *Batch) { b.Releases[0].ID = "resources/x" }},
		{"duplicate release", func(b *Batch) { b.Releases = append(b.Releases, b.Releases[0]) }},
		{"resource with slash", func(b *Batch) { b.Releases[0].Resources[0].Name = "a/b.flac" }},
		{"hidden resource", func(b *Batch) { b.Releases[0].Resources[0].Name = ".upload-x.part" }},
		{"duplicate resource", func(b *Batch) {
			b.Releases[0].Resources = append(b.Releases[0].Resources, b.Releases[0].Resources[0])
		}},
	}
	tr := newDirStore(t).dial(t)
	if _, err := SendBatch(t.Context(), tr, valid()); err != nil {
		t.Fatalf("valid batch: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := valid()
			b.Releases = slices.Clone(b.Releases)
			b.Releases[0].Resources = slices.Clone(b.Releases[0].Resources)
			tt.modify(&b)
			if _, err := SendBatch(t.Context(), tr, b); !errors.Is(err, ErrInvalidBatch) {
				t.Errorf("SendBatch = %v, want ErrInvalidBatch", err)
			}
		})
	}
}
