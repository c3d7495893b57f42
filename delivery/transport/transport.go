// Package transport carries DDEX delivery batches to stores (DSPs): it owns
// the Transport interface and its three implementations (a local directory,
// SFTP, S3), the batch choreography that uploads a batch so that its
// BatchComplete manifest appears only once every other file is complete
// (SendBatch), and the polling of the acknowledgements DSPs drop back
// (PollAcks).
//
// It imports neither the domain package nor any other ToneGrid package: the
// delivery job builds a Batch from the catalog and blob storage and hands it
// here. Credentials arrive in clear in Config and are never logged or put in
// errors.
package transport

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// Transport stores files under one DSP's root. Paths are slash-separated and
// relative to that root; a path that is empty, absolute, or has an empty,
// "." or ".." segment is refused with ErrInvalidPath. A Transport is used by
// one delivery at a time.
type Transport interface {
	// Put writes size bytes read from r to path, replacing any file there.
	// The content goes to a temporary name in the same directory first and
	// is renamed into place only when complete, so no partial file ever
	// carries the final name. The parent directory must exist (MkdirAll). A
	// reader that yields more or fewer than size bytes fails with
	// ErrSizeMismatch and leaves nothing under path.
	Put(ctx context.Context, path string, r io.Reader, size int64) error
	// Remove deletes the file at path; a file that does not exist is not an
	// error.
	Remove(ctx context.Context, path string) error
	// List returns the entries of directory dir ("" is the root), sorted by
	// name. A directory that does not exist gives an error matching
	// fs.ErrNotExist, except on S3, which has no directories and lists
	// nothing.
	List(ctx context.Context, dir string) ([]Entry, error)
	// Open opens the file at path for reading; the caller bounds how much it
	// reads and closes it. A missing file gives an error matching
	// fs.ErrNotExist.
	Open(ctx context.Context, path string) (io.ReadCloser, error)
	// MkdirAll creates directory dir and its parents; it is a no-op on S3.
	MkdirAll(ctx context.Context, dir string) error
	// Close releases the connection. After a context was cancelled during
	// an SFTP operation the connection is closed and only Close remains
	// useful.
	Close() error
}

// Entry is one file or directory of a listing.
type Entry struct {
	Name    string
	Size    int64
	IsDir   bool
	ModTime time.Time
}

var (
	// ErrInvalidPath is returned for a path a Transport refuses.
	ErrInvalidPath = errors.New("invalid transport path")
	// ErrSizeMismatch is returned when a reader's content is longer or
	// shorter than the size declared for it.
	ErrSizeMismatch = errors.New("content size differs from the declared size")
)

// checkPath reports whether p is a clean relative path: not empty, not
// absolute, no empty, "." or ".." segment, no backslash or control
// character, valid UTF-8.
func checkPath(p string) error {
	if p == "" {
		return fmt.Errorf("%w: empty path", ErrInvalidPath)
	}
	if strings.HasPrefix(p, "/") {
		return fmt.Errorf("%w: %q is absolute", ErrInvalidPath, p)
	}
	for seg := range strings.SplitSeq(p, "/") {
		if err := checkSegment(seg); err != nil {
			return fmt.Errorf("%w: %q: %s", ErrInvalidPath, p, err)
		}
	}
	return nil
}

// checkDir is checkPath that also accepts "" for the root.
func checkDir(dir string) error {
	if dir == "" {
		return nil
	}
	return checkPath(dir)
}

// checkSegment reports whether seg is usable as one file or directory name.
func checkSegment(seg string) error {
	switch seg {
	case "":
		return errors.New("empty segment")
	case ".", "..":
		return fmt.Errorf("segment %q", seg)
	}
	if !utf8.ValidString(seg) {
		return errors.New("not UTF-8")
	}
	for _, r := range seg {
		if r < 0x20 || r == 0x7f || r == '\\' || r == '/' {
			return fmt.Errorf("character %q", r)
		}
	}
	return nil
}

// joinPath joins a checked directory ("" for the root) and a name.
func joinPath(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// splitPath splits a checked path into its directory ("" for the root) and
// its last segment.
func splitPath(p string) (dir, name string) {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return "", p
	}
	return p[:i], p[i+1:]
}

// Temporary upload names start with a dot (hidden, and never matching the
// names DSPs watch for, such as BatchComplete_*) and end in ".part".
const (
	tempPrefix = ".upload-"
	tempSuffix = ".part"
	// maxTempBase keeps temporary names under the usual 255-byte limit.
	maxTempBase = 200
)

// tempName returns a fresh temporary name for a file named name.
func tempName(name string) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	if len(name) > maxTempBase {
		name = name[:maxTempBase]
	}
	return tempPrefix + hex.EncodeToString(b[:]) + "-" + name + tempSuffix
}

// isTempName reports whether name is a temporary upload name.
func isTempName(name string) bool {
	return strings.HasPrefix(name, tempPrefix) && strings.HasSuffix(name, tempSuffix)
}

// exactReader yields the content of r only if it is exactly size bytes long,
// and stops when ctx is done. When the last declared byte has been read it
// checks at once that r has nothing more, so consumers that stop reading
// after size bytes still see a longer reader fail.
type exactReader struct {
	ctx  context.Context
	r    io.Reader
	size int64
	left int64
	end  error
}

func newExactReader(ctx context.Context, r io.Reader, size int64) *exactReader {
	return &exactReader{ctx: ctx, r: r, size: size, left: size}
}

// Read implements io.Reader.
func (e *exactReader) Read(p []byte) (int, error) {
	if err := e.ctx.Err(); err != nil {
		return 0, err
	}
	if e.left == 0 {
		return 0, e.finish()
	}
	if int64(len(p)) > e.left {
		p = p[:e.left]
	}
	n, err := e.r.Read(p)
	e.left -= int64(n)
	switch {
	case e.left == 0 && (err == nil || errors.Is(err, io.EOF)):
		return n, e.finish()
	case errors.Is(err, io.EOF):
		return n, fmt.Errorf("%w: reader ended after %d of %d bytes", ErrSizeMismatch, e.size-e.left, e.size)
	}
	return n, err
}

// finish checks that r is at its end, once, and returns io.EOF if it is.
func (e *exactReader) finish() error {
	if e.end != nil {
		return e.end
	}
	var one [1]byte
	for range 100 {
		n, err := e.r.Read(one[:])
		if n > 0 {
			e.end = fmt.Errorf("%w: reader is longer than %d bytes", ErrSizeMismatch, e.size)
			return e.end
		}
		if errors.Is(err, io.EOF) {
			e.end = io.EOF
			return e.end
		}
		if err != nil {
			return err
		}
	}
	return io.ErrNoProgress
}
