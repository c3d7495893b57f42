// Package blob stores ToneGrid's large objects — audio, artwork, videos,
// sales reports and sent DDEX messages — behind one Store interface, with a
// local-directory backend and an S3-compatible backend (AWS, MinIO, R2, Ceph).
//
// Uploads are streamed: Put takes an io.Reader of possibly unknown length
// and holds at most a few part buffers in memory, never a whole object.
// Writes are atomic: after Put or CompleteMultipart either the whole object
// exists or nothing does.
//
// The package owns object keys' validation and the bytes at rest; it knows
// nothing of tenants, releases or database rows. It imports neither the
// domain package nor any other ToneGrid package, and it never reads the
// environment: the caller passes the storage URL to Open.
package blob

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Errors a Store returns; test them with errors.Is.
var (
	// ErrNotFound reports a missing object or multipart upload.
	ErrNotFound = errors.New("blob: not found")
	// ErrInvalidKey reports a key or prefix that breaks the key rules (see ValidKey).
	ErrInvalidKey = errors.New("blob: invalid key")
	// ErrInvalidRange reports a range that starts at or past the end of the object.
	ErrInvalidRange = errors.New("blob: range not satisfiable")
	// ErrInvalidPart reports a multipart completion whose part list is wrong:
	// empty, duplicated, unknown or mismatched parts, or a part other than the
	// last one smaller than MinPartSize.
	ErrInvalidPart = errors.New("blob: invalid multipart part")
	// ErrSizeMismatch reports a reader that gave more or fewer bytes than the size announced.
	ErrSizeMismatch = errors.New("blob: reader length differs from the announced size")
	// ErrTooLarge reports an object or part larger than the store accepts.
	ErrTooLarge = errors.New("blob: object too large")
	// ErrNoSignedURLs reports a store that cannot hand out signed URLs; the
	// caller streams the bytes itself instead.
	ErrNoSignedURLs = errors.New("blob: store does not support signed URLs")
)

// Limits shared by both backends, so that what works on a developer's local
// store also works on S3.
const (
	// MaxKeyLength is the longest key accepted, in bytes (S3's limit).
	MaxKeyLength = 1024
	// MaxSegmentLength is the longest key segment (between slashes), in bytes
	// (the usual file-name limit).
	MaxSegmentLength = 255
	// MinPartSize is the smallest size of a multipart part other than the last.
	MinPartSize = 5 << 20
	// MaxPartSize is the largest size of one multipart part.
	MaxPartSize = 5 << 30
	// MaxParts is the highest multipart part number.
	MaxParts = 10000
	// DefaultContentType is stored when Put is given an empty content type.
	DefaultContentType = "application/octet-stream"
	// maxContentTypeLength bounds stored content types; real ones are far shorter.
	maxContentTypeLength = 200
)

// Info describes a stored object.
type Info struct {
	Key  string
	Size int64
	// ModTime is when the object was last written.
	ModTime time.Time
	// ETag identifies one version of the object's bytes; treat it as opaque.
	ETag        string
	ContentType string
}

// Entry is one object found by List.
type Entry struct {
	Key     string
	Size    int64
	ModTime time.Time
}

// Part is one uploaded part of a multipart upload, as PutPart returns it
// and CompleteMultipart expects it back.
type Part struct {
	Number int
	ETag   string
	Size   int64
}

// Store keeps objects under caller-chosen keys (see ValidKey). Every method
// returns ErrInvalidKey for a key that breaks the rules, and wraps other
// failures with what it was doing.
type Store interface {
	// Put streams r to key, replacing any object there, and returns what was
	// stored. size is the exact length of r, or -1 when unknown; a reader
	// that gives a different length fails with ErrSizeMismatch. Either the
	// whole object is stored or, on any error or cancellation of ctx,
	// nothing is (a previous object under key is kept).
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (Info, error)
	// Open returns the object's bytes and description; ErrNotFound if missing.
	Open(ctx context.Context, key string) (io.ReadCloser, Info, error)
	// OpenRange returns length bytes from offset (fewer at the end of the
	// object; length -1 reads to the end). ErrNotFound if missing,
	// ErrInvalidRange if offset is at or past the end and length is not 0.
	OpenRange(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error)
	// Stat describes the object; ErrNotFound if missing.
	Stat(ctx context.Context, key string) (Info, error)
	// Delete removes the object; a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// List yields every object whose key starts with prefix, in no
	// particular order. An error ends the sequence.
	List(ctx context.Context, prefix string) iter.Seq2[Entry, error]
	// SignedURL returns a URL anyone can GET for ttl that downloads the
	// object as downloadName. ErrNoSignedURLs if the store cannot sign.
	SignedURL(ctx context.Context, key string, ttl time.Duration, downloadName string) (string, error)

	// CreateMultipart starts a resumable upload to key and returns its id.
	CreateMultipart(ctx context.Context, key, contentType string) (uploadID string, err error)
	// PutPart stores part n (1..MaxParts) of size bytes (required, at most
	// MaxPartSize). Parts may arrive in any order; putting a part number
	// again replaces it. ErrNotFound if the upload does not exist,
	// ErrSizeMismatch if r is not size bytes long.
	PutPart(ctx context.Context, key, uploadID string, n int, r io.Reader, size int64) (Part, error)
	// CompleteMultipart assembles the listed parts, in part-number order,
	// into the object at key and ends the upload. ErrNotFound if the upload
	// does not exist, ErrInvalidPart if the list is wrong.
	CompleteMultipart(ctx context.Context, key, uploadID string, parts []Part) (Info, error)
	// AbortMultipart ends the upload and discards its parts; an upload that
	// no longer exists is not an error.
	AbortMultipart(ctx context.Context, key, uploadID string) error

	// CleanUnfinished removes what unfinished uploads started before
	// startedBefore left behind — multipart uploads never completed nor
	// aborted and, on the local store, writes cut short by a crash — and
	// returns how many it removed. Run it periodically with a cutoff longer
	// than any upload may take (S3's lifecycle rules do the same by
	// initiation time).
	CleanUnfinished(ctx context.Context, startedBefore time.Time) (int, error)

	// Close releases what the store holds open.
	Close() error
}

// Open returns the store a storage URL names:
//
//	file:///abs/path
//	s3://ACCESS:SECRET@bucket?endpoint=host:port&region=…&path_style=true&secure=false&prefix=…
//
// In the S3 form the secret must be percent-encoded where it holds '/', '@',
// ':' or '%'. endpoint defaults to s3.amazonaws.com, secure to true and
// path_style to automatic; prefix puts every key under a folder of the
// bucket. Open makes no network request. Its errors never repeat the URL,
// which may hold a secret.
func Open(rawURL string) (Store, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, errors.New("open blob store: storage URL does not parse")
	}
	switch u.Scheme {
	case "file":
		return openLocalURL(u)
	case "s3":
		return openS3URL(u)
	default:
		return nil, fmt.Errorf("open blob store: unknown scheme %q (want file or s3)", u.Scheme)
	}
}

// ValidKey reports why key cannot name an object, or nil if it can. A key
// is 1 to MaxKeyLength bytes of UTF-8 made of slash-separated segments; no
// segment is empty, longer than MaxSegmentLength, or starts with a dot (so
// no "." or ".."); no character is a backslash or a control character (NUL
// included); the key does not start or end with a slash.
func ValidKey(key string) error {
	if key == "" {
		return fmt.Errorf("%w: empty", ErrInvalidKey)
	}
	if len(key) > MaxKeyLength {
		return fmt.Errorf("%w: longer than %d bytes", ErrInvalidKey, MaxKeyLength)
	}
	if err := validKeyChars(key); err != nil {
		return err
	}
	for seg := range strings.SplitSeq(key, "/") {
		if err := validSegment(seg); err != nil {
			return err
		}
	}
	return nil
}

// validPrefix checks a List prefix: like a key, except that it may be
// empty, may end with a slash, and its last segment may be partial.
func validPrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	if len(prefix) > MaxKeyLength {
		return fmt.Errorf("%w: prefix longer than %d bytes", ErrInvalidKey, MaxKeyLength)
	}
	if err := validKeyChars(prefix); err != nil {
		return err
	}
	segs := strings.Split(prefix, "/")
	last := len(segs) - 1
	for i, seg := range segs {
		if i == last && seg == "" && i > 0 {
			break
		}
		if err := validSegment(seg); err != nil {
			return err
		}
	}
	return nil
}

func validKeyChars(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: not UTF-8", ErrInvalidKey)
	}
	for _, c := range s {
		switch {
		case c < 0x20 || c == 0x7f:
			return fmt.Errorf("%w: control character %U", ErrInvalidKey, c)
		case c == '\\':
			return fmt.Errorf("%w: backslash", ErrInvalidKey)
		}
	}
	return nil
}

func validSegment(seg string) error {
	switch {
	case seg == "":
		return fmt.Errorf("%w: empty segment (leading, trailing or double slash)", ErrInvalidKey)
	case len(seg) > MaxSegmentLength:
		return fmt.Errorf("%w: segment longer than %d bytes", ErrInvalidKey, MaxSegmentLength)
	case seg[0] == '.':
		return fmt.Errorf("%w: segment %q starts with a dot", ErrInvalidKey, seg)
	}
	return nil
}

// validContentType checks a content type before it is stored and returns
// the one to store.
func validContentType(contentType string) (string, error) {
	if contentType == "" {
		return DefaultContentType, nil
	}
	if len(contentType) > maxContentTypeLength {
		return "", fmt.Errorf("blob: content type longer than %d bytes", maxContentTypeLength)
	}
	for i := 0; i < len(contentType); i++ {
		if c := contentType[i]; c < 0x20 || c > 0x7e {
			return "", fmt.Errorf("blob: content type holds byte %#x", c)
		}
	}
	return contentType, nil
}

// validRange checks OpenRange's arguments before the object is looked at.
func validRange(offset, length int64) error {
	if offset < 0 || length < -1 {
		return fmt.Errorf("blob: bad range offset %d length %d", offset, length)
	}
	return nil
}

// validPartArgs checks PutPart's arguments shared by both backends.
func validPartArgs(key string, n int, size int64) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	if n < 1 || n > MaxParts {
		return fmt.Errorf("blob: part number %d outside 1..%d", n, MaxParts)
	}
	if size < 0 {
		return fmt.Errorf("blob: part size must be known, got %d", size)
	}
	if size > MaxPartSize {
		return fmt.Errorf("%w: part of %d bytes exceeds %d", ErrTooLarge, size, MaxPartSize)
	}
	return nil
}

// sortedParts checks a completion list and returns it ordered by part
// number. Sizes are checked against MinPartSize as listed; the local store
// checks them again against the bytes it holds.
func sortedParts(parts []Part) ([]Part, error) {
	if len(parts) == 0 {
		return nil, fmt.Errorf("%w: no parts", ErrInvalidPart)
	}
	sorted := make([]Part, len(parts))
	copy(sorted, parts)
	slices.SortFunc(sorted, func(a, b Part) int { return cmp.Compare(a.Number, b.Number) })
	for i, p := range sorted {
		if p.Number < 1 || p.Number > MaxParts {
			return nil, fmt.Errorf("%w: part number %d outside 1..%d", ErrInvalidPart, p.Number, MaxParts)
		}
		if i > 0 && sorted[i-1].Number == p.Number {
			return nil, fmt.Errorf("%w: part %d listed twice", ErrInvalidPart, p.Number)
		}
		if i < len(sorted)-1 && p.Size < MinPartSize {
			return nil, fmt.Errorf("%w: part %d has %d bytes, fewer than %d", ErrInvalidPart, p.Number, p.Size, MinPartSize)
		}
	}
	return sorted, nil
}

// ctxReader fails reads once ctx is done, so that a cancelled upload stops
// at the next read even when the source would go on.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// exactReader passes through exactly size bytes of r and fails with
// ErrSizeMismatch when r ends early or has more. err keeps the first error
// it returned, for callers whose transport hides it.
type exactReader struct {
	r    io.Reader
	left int64
	size int64
	err  error
}

func newExactReader(r io.Reader, size int64) *exactReader {
	return &exactReader{r: r, left: size, size: size}
}

// finish checks, once the consumer stopped reading, that the source had
// exactly size bytes: an HTTP client stops after Content-Length bytes and
// would never notice more.
func (e *exactReader) finish() error {
	if e.err != nil {
		return e.err
	}
	if e.left > 0 {
		return fmt.Errorf("%w: %d bytes, want %d", ErrSizeMismatch, e.size-e.left, e.size)
	}
	if _, err := e.read(make([]byte, 1)); err != nil && err != io.EOF {
		e.err = err
		return err
	}
	return nil
}

func (e *exactReader) Read(p []byte) (int, error) {
	n, err := e.read(p)
	if err != nil && err != io.EOF && e.err == nil {
		e.err = err
	}
	return n, err
}

func (e *exactReader) read(p []byte) (int, error) {
	if e.left == 0 {
		var probe [1]byte
		n, err := io.ReadFull(e.r, probe[:])
		if n > 0 {
			return 0, fmt.Errorf("%w: more than %d bytes", ErrSizeMismatch, e.size)
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return 0, io.EOF
		}
		return 0, err
	}
	if int64(len(p)) > e.left {
		p = p[:e.left]
	}
	n, err := e.r.Read(p)
	e.left -= int64(n)
	if err == io.EOF {
		if e.left > 0 {
			return n, fmt.Errorf("%w: %d bytes, want %d", ErrSizeMismatch, e.size-e.left, e.size)
		}
		if n > 0 {
			err = nil
		}
	}
	return n, err
}

// ContentDisposition returns the Content-Disposition header value that
// makes a browser save a download as name: the name as a quoted ASCII
// fallback plus, when it holds anything else, its UTF-8 form (RFC 6266,
// RFC 8187). Control characters, slashes and backslashes are dropped or
// replaced so that the name cannot smuggle a path or a header.
func ContentDisposition(name string) string {
	var clean, ascii strings.Builder
	for _, c := range name {
		switch {
		case c == utf8.RuneError || c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0):
			continue
		case c == '/' || c == '\\':
			c = '_'
		}
		clean.WriteRune(c)
		if c < 0x80 && c != '"' {
			ascii.WriteRune(c)
		} else {
			ascii.WriteByte('_')
		}
	}
	if clean.Len() == 0 {
		return "attachment"
	}
	v := `attachment; filename="` + ascii.String() + `"`
	if ascii.String() != clean.String() {
		v += "; filename*=UTF-8''" + encodeExtValue(clean.String())
	}
	return v
}

// encodeExtValue percent-encodes s as an RFC 8187 ext-value, leaving only attr-char as is.
func encodeExtValue(s string) string {
	const attrChar = "!#$&+-.^_`|~"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(attrChar, c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
