package blob

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// On disk, the local store keeps each object in one file at its key's path
// below the root directory: a fixed headerSize-byte header (magic, ETag and
// content type, zero-padded) followed by the object's bytes. Keeping the
// description inside the file makes a write one atomic rename and lets
// Open describe exactly the bytes it returns, even while the key is being
// replaced.
//
// Names starting with a dot are the store's own: ".tmp-…" files are writes
// in progress, ".staging/<upload id>/" holds multipart parts. Keys cannot
// have such segments (see ValidKey), so they never collide with objects.
const (
	headerSize  = 256
	headerMagic = "TGBLOB1\n"
	stagingDir  = ".staging"
	tempPrefix  = ".tmp-"
	uploadMeta  = "upload"
	dirPerm     = 0o750
	filePerm    = 0o640
	// createTries bounds retries when a concurrent Delete removes the
	// empty directory a write was about to create its temp file in.
	createTries = 4
	copyBufSize = 256 << 10
)

var copyBufs = sync.Pool{New: func() any { b := make([]byte, copyBufSize); return &b }}

// localStore keeps objects as files under a directory.
type localStore struct {
	root *os.Root
	dir  string
}

func openLocalURL(u *url.URL) (Store, error) {
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || (u.Host != "" && u.Host != "localhost") {
		return nil, errors.New("open blob store: want file:///absolute/path with nothing else")
	}
	if u.Path == "" || !filepath.IsAbs(filepath.FromSlash(u.Path)) {
		return nil, errors.New("open blob store: file URL path must be absolute")
	}
	return openLocal(filepath.Clean(filepath.FromSlash(u.Path)))
}

// openLocal opens (creating it if needed) the store rooted at dir.
func openLocal(dir string) (*localStore, error) {
	if err := os.MkdirAll(dir, dirPerm); err != nil {
		return nil, fmt.Errorf("open blob store: create %s: %w", dir, err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open blob store: %w", err)
	}
	if err := root.Mkdir(stagingDir, dirPerm); err != nil && !errors.Is(err, fs.ErrExist) {
		root.Close()
		return nil, fmt.Errorf("open blob store: create staging directory: %w", err)
	}
	return &localStore{root: root, dir: dir}, nil
}

func (s *localStore) Close() error { return s.root.Close() }

func (s *localStore) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (Info, error) {
	if err := ValidKey(key); err != nil {
		return Info{}, fmt.Errorf("put %q: %w", key, err)
	}
	contentType, err := validContentType(contentType)
	if err != nil {
		return Info{}, fmt.Errorf("put %q: %w", key, err)
	}
	if size < -1 {
		return Info{}, fmt.Errorf("put %q: bad size %d", key, size)
	}
	var src io.Reader = ctxReader{ctx: ctx, r: r}
	if size >= 0 {
		src = newExactReader(src, size)
	}
	info, err := s.writeObject(key, contentType, func(w io.Writer) (int64, error) {
		return copyBuffered(w, src)
	})
	if err != nil {
		return Info{}, fmt.Errorf("put %q: %w", key, err)
	}
	return info, nil
}

// writeObject writes a temp file beside key's path with the header and the
// bytes fill writes, makes it durable and renames it onto key. On error the
// temp file is removed and key is untouched.
func (s *localStore) writeObject(key, contentType string, fill func(io.Writer) (int64, error)) (info Info, err error) {
	dir := path.Dir(key)
	f, tmp, err := s.createTemp(dir)
	if err != nil {
		return Info{}, err
	}
	defer func() {
		if err != nil {
			f.Close()
			s.root.Remove(tmp)
		}
	}()
	etag := randomHex(16)
	if _, err := f.Write(encodeHeader(etag, contentType)); err != nil {
		return Info{}, fmt.Errorf("write header: %w", err)
	}
	n, err := fill(f)
	if err != nil {
		return Info{}, err
	}
	if err := f.Sync(); err != nil {
		return Info{}, fmt.Errorf("sync: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		return Info{}, fmt.Errorf("stat temp file: %w", err)
	}
	if err := f.Close(); err != nil {
		return Info{}, fmt.Errorf("close temp file: %w", err)
	}
	if err := s.root.Rename(tmp, key); err != nil {
		return Info{}, fmt.Errorf("rename into place: %w", err)
	}
	// The object is in place; syncing its directory makes the rename survive a crash.
	if err := s.syncDir(dir); err != nil {
		return Info{}, fmt.Errorf("object stored, but sync its directory: %w", err)
	}
	return Info{Key: key, Size: n, ModTime: st.ModTime(), ETag: etag, ContentType: contentType}, nil
}

// createTemp creates dir (with parents) and an exclusive temp file in it.
func (s *localStore) createTemp(dir string) (*os.File, string, error) {
	for try := 1; ; try++ {
		name := path.Join(dir, tempPrefix+randomHex(8))
		err := s.mkdirAll(dir)
		if err == nil {
			var f *os.File
			f, err = s.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, filePerm)
			if err == nil {
				return f, name, nil
			}
		}
		if !errors.Is(err, fs.ErrNotExist) || try == createTries {
			return nil, "", fmt.Errorf("create temp file: %w", err)
		}
	}
}

// mkdirAll creates dir and its missing parents, syncing the parent of each
// directory it creates so that the new entries survive a crash.
func (s *localStore) mkdirAll(dir string) error {
	if dir == "." {
		return nil
	}
	for i := 0; i <= len(dir); i++ {
		if i < len(dir) && dir[i] != '/' {
			continue
		}
		sub := dir[:i]
		err := s.root.Mkdir(sub, dirPerm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("create directory %s: %w", sub, err)
		}
		if err := s.syncDir(path.Dir(sub)); err != nil {
			return err
		}
	}
	return nil
}

func (s *localStore) syncDir(dir string) error {
	d, err := s.root.Open(dir)
	if err != nil {
		return fmt.Errorf("open directory %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}

func (s *localStore) Open(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	f, info, err := s.openObject(key)
	if err != nil {
		return nil, Info{}, fmt.Errorf("open %q: %w", key, err)
	}
	return newObjectReader(f, 0, info.Size), info, nil
}

// objectReader reads a window of an object file. It is also an
// io.ReadSeeker and io.ReaderAt over the object's bytes alone (never the
// header), so that a caller may hand it to http.ServeContent.
type objectReader struct {
	*io.SectionReader
	file *os.File
}

func newObjectReader(f *os.File, offset, length int64) objectReader {
	return objectReader{SectionReader: io.NewSectionReader(f, headerSize+offset, length), file: f}
}

func (r objectReader) Close() error { return r.file.Close() }

func (s *localStore) OpenRange(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	if err := validRange(offset, length); err != nil {
		return nil, fmt.Errorf("open %q: %w", key, err)
	}
	f, info, err := s.openObject(key)
	if err != nil {
		return nil, fmt.Errorf("open %q: %w", key, err)
	}
	if length == 0 {
		f.Close()
		return io.NopCloser(strings.NewReader("")), nil
	}
	if offset >= info.Size {
		f.Close()
		return nil, fmt.Errorf("open %q: %w: offset %d, size %d", key, ErrInvalidRange, offset, info.Size)
	}
	if length < 0 || length > info.Size-offset {
		length = info.Size - offset
	}
	return newObjectReader(f, offset, length), nil
}

func (s *localStore) Stat(ctx context.Context, key string) (Info, error) {
	f, info, err := s.openObject(key)
	if err != nil {
		return Info{}, fmt.Errorf("stat %q: %w", key, err)
	}
	f.Close()
	return info, nil
}

// openObject opens key's file and reads its header.
func (s *localStore) openObject(key string) (*os.File, Info, error) {
	if err := ValidKey(key); err != nil {
		return nil, Info{}, err
	}
	f, err := s.root.Open(key)
	if isNotExist(err) {
		return nil, Info{}, ErrNotFound
	}
	if err != nil {
		return nil, Info{}, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, Info{}, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, Info{}, ErrNotFound
	}
	var h [headerSize]byte
	if _, err := io.ReadFull(f, h[:]); err != nil {
		f.Close()
		return nil, Info{}, fmt.Errorf("read header: %w", errNotBlobFile)
	}
	etag, contentType, err := decodeHeader(h[:])
	if err != nil {
		f.Close()
		return nil, Info{}, err
	}
	return f, Info{Key: key, Size: st.Size() - headerSize, ModTime: st.ModTime(), ETag: etag, ContentType: contentType}, nil
}

func (s *localStore) Delete(ctx context.Context, key string) error {
	if err := ValidKey(key); err != nil {
		return fmt.Errorf("delete %q: %w", key, err)
	}
	st, err := s.root.Lstat(key)
	if isNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete %q: %w", key, err)
	}
	if st.IsDir() {
		return nil
	}
	if err := s.root.Remove(key); err != nil && !isNotExist(err) {
		return fmt.Errorf("delete %q: %w", key, err)
	}
	// Remove the directories the delete left empty; the first one still in
	// use (not empty, or being written to) stops the climb.
	for dir := path.Dir(key); dir != "."; dir = path.Dir(dir) {
		if s.root.Remove(dir) != nil {
			break
		}
	}
	return nil
}

func (s *localStore) List(ctx context.Context, prefix string) iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		if err := validPrefix(prefix); err != nil {
			yield(Entry{}, fmt.Errorf("list %q: %w", prefix, err))
			return
		}
		base := "."
		if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
			base = prefix[:i]
		}
		err := fs.WalkDir(s.root.FS(), base, func(name string, d fs.DirEntry, err error) error {
			if err != nil {
				if isNotExist(err) {
					return nil
				}
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if name != base && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				if name != base && !strings.HasPrefix(name+"/", prefix) && !strings.HasPrefix(prefix, name+"/") {
					return fs.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() || !strings.HasPrefix(name, prefix) {
				return nil
			}
			st, err := d.Info()
			if isNotExist(err) {
				return nil
			}
			if err != nil {
				return err
			}
			if st.Size() < headerSize {
				return nil
			}
			if !yield(Entry{Key: name, Size: st.Size() - headerSize, ModTime: st.ModTime()}, nil) {
				return fs.SkipAll
			}
			return nil
		})
		if err != nil {
			yield(Entry{}, fmt.Errorf("list %q: %w", prefix, err))
		}
	}
}

func (s *localStore) SignedURL(ctx context.Context, key string, ttl time.Duration, downloadName string) (string, error) {
	return "", ErrNoSignedURLs
}

func (s *localStore) CreateMultipart(ctx context.Context, key, contentType string) (string, error) {
	if err := ValidKey(key); err != nil {
		return "", fmt.Errorf("create multipart upload %q: %w", key, err)
	}
	contentType, err := validContentType(contentType)
	if err != nil {
		return "", fmt.Errorf("create multipart upload %q: %w", key, err)
	}
	id := randomHex(16)
	dir := path.Join(stagingDir, id)
	if err := s.root.Mkdir(dir, dirPerm); err != nil {
		return "", fmt.Errorf("create multipart upload %q: %w", key, err)
	}
	err = s.writeSmallFile(path.Join(dir, uploadMeta), key+"\n"+contentType+"\n")
	if err == nil {
		err = s.syncDir(stagingDir)
	}
	if err != nil {
		s.root.RemoveAll(dir)
		return "", fmt.Errorf("create multipart upload %q: %w", key, err)
	}
	return id, nil
}

func (s *localStore) writeSmallFile(name, content string) error {
	f, err := s.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, filePerm)
	if err != nil {
		return err
	}
	_, err = f.WriteString(content)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// upload finds the staging directory of uploadID and checks that it is an
// upload to key; ErrNotFound otherwise.
func (s *localStore) upload(key, uploadID string) (dir, contentType string, err error) {
	if err := ValidKey(key); err != nil {
		return "", "", err
	}
	if !isUploadID(uploadID) {
		return "", "", fmt.Errorf("upload %q: %w", uploadID, ErrNotFound)
	}
	dir = path.Join(stagingDir, uploadID)
	meta, err := s.root.ReadFile(path.Join(dir, uploadMeta))
	if isNotExist(err) {
		return "", "", fmt.Errorf("upload %q: %w", uploadID, ErrNotFound)
	}
	if err != nil {
		return "", "", fmt.Errorf("read upload %q: %w", uploadID, err)
	}
	gotKey, rest, _ := strings.Cut(string(meta), "\n")
	contentType, _, _ = strings.Cut(rest, "\n")
	if gotKey != key {
		return "", "", fmt.Errorf("upload %q is not for this key: %w", uploadID, ErrNotFound)
	}
	return dir, contentType, nil
}

func partName(dir string, n int) string { return path.Join(dir, fmt.Sprintf("part-%05d", n)) }

func (s *localStore) PutPart(ctx context.Context, key, uploadID string, n int, r io.Reader, size int64) (Part, error) {
	if err := validPartArgs(key, n, size); err != nil {
		return Part{}, fmt.Errorf("put part %d of %q: %w", n, key, err)
	}
	dir, _, err := s.upload(key, uploadID)
	if err != nil {
		return Part{}, fmt.Errorf("put part %d of %q: %w", n, key, err)
	}
	part, err := s.writePart(ctx, dir, n, r, size)
	if err != nil {
		return Part{}, fmt.Errorf("put part %d of %q: %w", n, key, err)
	}
	return part, nil
}

// writePart streams a part to a temp file in the upload's directory and
// renames it onto the part's name, replacing an earlier attempt.
func (s *localStore) writePart(ctx context.Context, dir string, n int, r io.Reader, size int64) (part Part, err error) {
	tmp := path.Join(dir, tempPrefix+randomHex(8))
	f, err := s.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, filePerm)
	if isNotExist(err) {
		return Part{}, ErrNotFound
	}
	if err != nil {
		return Part{}, err
	}
	defer func() {
		if err != nil {
			f.Close()
			s.root.Remove(tmp)
		}
	}()
	sum := md5.New()
	written, err := copyBuffered(io.MultiWriter(f, sum), newExactReader(ctxReader{ctx: ctx, r: r}, size))
	if err != nil {
		return Part{}, err
	}
	if err := f.Sync(); err != nil {
		return Part{}, fmt.Errorf("sync: %w", err)
	}
	if err := f.Close(); err != nil {
		return Part{}, fmt.Errorf("close: %w", err)
	}
	if err := s.root.Rename(tmp, partName(dir, n)); err != nil {
		return Part{}, fmt.Errorf("rename into place: %w", err)
	}
	return Part{Number: n, ETag: hex.EncodeToString(sum.Sum(nil)), Size: written}, nil
}

func (s *localStore) CompleteMultipart(ctx context.Context, key, uploadID string, parts []Part) (Info, error) {
	info, err := s.complete(ctx, key, uploadID, parts)
	if err != nil {
		return Info{}, fmt.Errorf("complete multipart upload %q: %w", key, err)
	}
	return info, nil
}

func (s *localStore) complete(ctx context.Context, key, uploadID string, parts []Part) (Info, error) {
	dir, contentType, err := s.upload(key, uploadID)
	if err != nil {
		return Info{}, err
	}
	sorted, err := sortedParts(parts)
	if err != nil {
		return Info{}, err
	}
	for i, p := range sorted {
		st, err := s.root.Stat(partName(dir, p.Number))
		if isNotExist(err) {
			return Info{}, fmt.Errorf("%w: part %d was not uploaded", ErrInvalidPart, p.Number)
		}
		if err != nil {
			return Info{}, err
		}
		if st.Size() != p.Size {
			return Info{}, fmt.Errorf("%w: part %d has %d bytes, listed with %d", ErrInvalidPart, p.Number, st.Size(), p.Size)
		}
		if i < len(sorted)-1 && st.Size() < MinPartSize {
			return Info{}, fmt.Errorf("%w: part %d has %d bytes, fewer than %d", ErrInvalidPart, p.Number, st.Size(), MinPartSize)
		}
	}
	info, err := s.writeObject(key, contentType, func(w io.Writer) (int64, error) {
		var total int64
		for _, p := range sorted {
			n, err := s.appendPart(ctx, w, dir, p)
			total += n
			if err != nil {
				return total, err
			}
		}
		return total, nil
	})
	if err != nil {
		return Info{}, err
	}
	// The object is complete; a staging directory that fails to go away
	// only wastes space and cannot be mistaken for an object.
	s.root.RemoveAll(dir)
	return info, nil
}

// appendPart copies one part to w, checking its bytes against the listed ETag.
func (s *localStore) appendPart(ctx context.Context, w io.Writer, dir string, p Part) (int64, error) {
	f, err := s.root.Open(partName(dir, p.Number))
	if err != nil {
		return 0, fmt.Errorf("open part %d: %w", p.Number, err)
	}
	defer f.Close()
	sum := md5.New()
	n, err := copyBuffered(io.MultiWriter(w, sum), ctxReader{ctx: ctx, r: f})
	if err != nil {
		return n, fmt.Errorf("copy part %d: %w", p.Number, err)
	}
	if n != p.Size {
		return n, fmt.Errorf("%w: part %d changed while completing", ErrInvalidPart, p.Number)
	}
	if got := hex.EncodeToString(sum.Sum(nil)); got != strings.Trim(p.ETag, `"`) {
		return n, fmt.Errorf("%w: part %d has ETag %s, listed with %s", ErrInvalidPart, p.Number, got, p.ETag)
	}
	return n, nil
}

func (s *localStore) AbortMultipart(ctx context.Context, key, uploadID string) error {
	dir, _, err := s.upload(key, uploadID)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("abort multipart upload %q: %w", key, err)
	}
	if err := s.root.RemoveAll(dir); err != nil {
		return fmt.Errorf("abort multipart upload %q: %w", key, err)
	}
	return nil
}

func (s *localStore) CleanUnfinished(ctx context.Context, startedBefore time.Time) (int, error) {
	removed := 0
	uploads, err := fs.ReadDir(s.root.FS(), stagingDir)
	if err != nil {
		return 0, fmt.Errorf("clean unfinished uploads: %w", err)
	}
	for _, u := range uploads {
		if err := ctx.Err(); err != nil {
			return removed, fmt.Errorf("clean unfinished uploads: %w", err)
		}
		dir := path.Join(stagingDir, u.Name())
		// An upload starts with its meta file; a directory without one is a
		// creation that failed half-way, dated by the directory itself.
		st, err := s.root.Stat(path.Join(dir, uploadMeta))
		if isNotExist(err) {
			st, err = s.root.Stat(dir)
		}
		if isNotExist(err) {
			continue
		}
		if err != nil {
			return removed, fmt.Errorf("clean unfinished uploads: %w", err)
		}
		if !st.ModTime().Before(startedBefore) {
			continue
		}
		if err := s.root.RemoveAll(dir); err != nil {
			return removed, fmt.Errorf("clean unfinished uploads: %w", err)
		}
		removed++
	}
	// A temp file's time is its last write, so one older than the cutoff
	// belongs to a write that stopped before it.
	err = fs.WalkDir(s.root.FS(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			if isNotExist(err) {
				return nil
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			if name == stagingDir {
				return fs.SkipDir
			}
			return nil
		}
		if !strings.HasPrefix(d.Name(), tempPrefix) {
			return nil
		}
		st, err := d.Info()
		if isNotExist(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if st.ModTime().Before(startedBefore) {
			if err := s.root.Remove(name); err != nil && !isNotExist(err) {
				return err
			}
			removed++
		}
		return nil
	})
	if err != nil {
		return removed, fmt.Errorf("clean unfinished uploads: %w", err)
	}
	return removed, nil
}

var errNotBlobFile = errors.New("not a blob file (bad header)")

func encodeHeader(etag, contentType string) []byte {
	h := make([]byte, headerSize)
	n := copy(h, headerMagic)
	n += copy(h[n:], etag)
	h[n] = '\n'
	n++
	n += copy(h[n:], contentType)
	h[n] = '\n'
	return h
}

func decodeHeader(h []byte) (etag, contentType string, err error) {
	if len(h) != headerSize {
		return "", "", errNotBlobFile
	}
	rest, ok := bytes.CutPrefix(h, []byte(headerMagic))
	if !ok {
		return "", "", errNotBlobFile
	}
	tag, rest, ok1 := bytes.Cut(rest, []byte{'\n'})
	ct, rest, ok2 := bytes.Cut(rest, []byte{'\n'})
	if !ok1 || !ok2 || !isHex(string(tag), 32) || len(ct) == 0 || bytes.ContainsFunc(rest, func(r rune) bool { return r != 0 }) {
		return "", "", errNotBlobFile
	}
	if _, err := validContentType(string(ct)); err != nil {
		return "", "", errNotBlobFile
	}
	return string(tag), string(ct), nil
}

func isUploadID(id string) bool { return isHex(id, 32) }

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func isNotExist(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// copyBuffered copies with a pooled buffer larger than io.Copy's, hiding
// w's ReadFrom so that the buffer is used.
func copyBuffered(w io.Writer, r io.Reader) (int64, error) {
	buf := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(buf)
	return io.CopyBuffer(struct{ io.Writer }{w}, r, *buf)
}
