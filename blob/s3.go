package blob

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/s3utils"
	"golang.org/x/sync/errgroup"
)

// How Put streams to S3. A reader is cut into s3PartSize parts; an object
// that fits in one part is sent with a single PUT, a larger one as a
// multipart upload with at most s3Uploads parts in flight while the next
// one is read. A Put therefore holds at most (s3Uploads+1)·s3PartSize bytes
// of buffers, whatever the object's size, and objects up to
// MaxParts·s3PartSize (78 GiB) fit.
//
// Every request body is sent with Content-MD5 and an UNSIGNED-PAYLOAD
// signature rather than minio-go's default over plain HTTP, the chunked
// "aws-chunked" streaming signature: the server checks each body against
// its MD5, and no S3-compatible server has to understand aws-chunked (some
// do not; gofakes3, for one, stores the chunk framing of an aws-chunked
// multipart part as if it were data). minio-go sends no additional
// checksums (CRC32C trailers) unless its TrailingHeaders option is set,
// which this package leaves off, so the AWS SDK's "checksums when
// required" problem does not arise.
const (
	s3PartSize = 8 << 20
	s3Uploads  = 2
	// s3CleanupTimeout bounds the abort of a failed upload, which runs even
	// when the caller's context is already cancelled.
	s3CleanupTimeout = time.Minute
	maxSignedURLTTL  = 7 * 24 * time.Hour
)

var s3PartBufs = sync.Pool{New: func() any { b := make([]byte, s3PartSize); return &b }}

// s3Store keeps objects in an S3 bucket, each key below an optional prefix.
type s3Store struct {
	client *minio.Client
	core   minio.Core
	bucket string
	prefix string
}

func openS3URL(u *url.URL) (Store, error) {
	bucket := u.Host
	if err := s3utils.CheckValidBucketNameStrict(bucket); err != nil {
		return nil, fmt.Errorf("open blob store: bucket name %q: %w", bucket, err)
	}
	if u.Path != "" && u.Path != "/" || u.Fragment != "" {
		return nil, errors.New("open blob store: s3 URL takes no path; put a key prefix in prefix=")
	}
	if u.User == nil {
		return nil, errors.New("open blob store: s3 URL needs credentials (s3://ACCESS:SECRET@bucket)")
	}
	accessKey := u.User.Username()
	secretKey, _ := u.User.Password()
	if accessKey == "" || secretKey == "" {
		return nil, errors.New("open blob store: s3 URL needs both an access key and a secret")
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, errors.New("open blob store: s3 URL query does not parse")
	}
	opts := &minio.Options{
		Creds:  credentials.NewStaticV4(accessKey, secretKey, ""),
		Secure: true,
	}
	endpoint := "s3.amazonaws.com"
	var prefix string
	for name, values := range q {
		if len(values) != 1 {
			return nil, fmt.Errorf("open blob store: s3 URL parameter %s given %d times", name, len(values))
		}
		v := values[0]
		switch name {
		case "endpoint":
			if v == "" || strings.ContainsAny(v, "/?#@") {
				return nil, fmt.Errorf("open blob store: endpoint %q is not host[:port]", v)
			}
			endpoint = v
		case "region":
			opts.Region = v
		case "path_style":
			b, err := parseBool(name, v)
			if err != nil {
				return nil, err
			}
			opts.BucketLookup = minio.BucketLookupDNS
			if b {
				opts.BucketLookup = minio.BucketLookupPath
			}
		case "secure":
			b, err := parseBool(name, v)
			if err != nil {
				return nil, err
			}
			opts.Secure = b
		case "prefix":
			prefix = strings.Trim(v, "/")
			if prefix != "" {
				if err := ValidKey(prefix); err != nil {
					return nil, fmt.Errorf("open blob store: prefix: %w", err)
				}
				prefix += "/"
			}
		default:
			return nil, fmt.Errorf("open blob store: unknown s3 URL parameter %q", name)
		}
	}
	client, err := minio.New(endpoint, opts)
	if err != nil {
		return nil, fmt.Errorf("open blob store: %w", err)
	}
	return &s3Store{client: client, core: minio.Core{Client: client}, bucket: bucket, prefix: prefix}, nil
}

func parseBool(name, v string) (bool, error) {
	switch v {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("open blob store: %s=%q, want true or false", name, v)
}

func (s *s3Store) Close() error { return nil }

func (s *s3Store) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (Info, error) {
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
	if size > MaxParts*s3PartSize {
		return Info{}, fmt.Errorf("put %q: %w: %d bytes exceed %d", key, ErrTooLarge, size, int64(MaxParts*s3PartSize))
	}
	info, err := s.put(ctx, key, r, size, contentType)
	if err != nil {
		return Info{}, fmt.Errorf("put %q: %w", key, err)
	}
	return info, nil
}

func (s *s3Store) put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (Info, error) {
	src := &partReader{size: size, r: ctxReader{ctx: ctx, r: r}}
	if size >= 0 {
		src.r = newExactReader(src.r, size)
	}
	buf := s3PartBufs.Get().(*[]byte)
	n, last, err := src.fill(*buf)
	if err != nil {
		s3PartBufs.Put(buf)
		return Info{}, err
	}
	name := s.prefix + key
	if last {
		data := (*buf)[:n]
		up, err := s.core.PutObject(ctx, s.bucket, name, bytes.NewReader(data), int64(n), md5Base64(data), "",
			minio.PutObjectOptions{ContentType: contentType, DisableContentSha256: true})
		if err != nil {
			// The buffer is not reused: after a failed request the HTTP
			// transport may still be reading it.
			return Info{}, mapS3Error(err)
		}
		s3PartBufs.Put(buf)
		return Info{Key: key, Size: int64(n), ModTime: modTime(up.LastModified), ETag: up.ETag, ContentType: contentType}, nil
	}
	return s.putMultipart(ctx, key, src, buf, n, contentType)
}

// putMultipart uploads first (n bytes, already read) and the rest of src as
// the parts of one multipart upload, aborting it on any failure.
func (s *s3Store) putMultipart(ctx context.Context, key string, src *partReader, first *[]byte, n int, contentType string) (info Info, err error) {
	name := s.prefix + key
	uploadID, err := s.core.NewMultipartUpload(ctx, s.bucket, name, minio.PutObjectOptions{ContentType: contentType})
	if err != nil {
		s3PartBufs.Put(first)
		return Info{}, fmt.Errorf("create multipart upload: %w", mapS3Error(err))
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, s.abort(ctx, name, uploadID))
		}
	}()

	group, groupCtx := errgroup.WithContext(ctx)
	group.SetLimit(s3Uploads)
	var mu sync.Mutex
	var parts []minio.CompletePart
	buf, last := first, false
	for number := 1; ; number++ {
		if number > MaxParts {
			s3PartBufs.Put(buf)
			err = fmt.Errorf("%w: more than %d parts of %d bytes", ErrTooLarge, MaxParts, s3PartSize)
			break
		}
		data := (*buf)[:n]
		partBuf := buf
		group.Go(func() error {
			part, err := s.core.PutObjectPart(groupCtx, s.bucket, name, uploadID, number, bytes.NewReader(data), int64(len(data)),
				minio.PutObjectPartOptions{Md5Base64: md5Base64(data), DisableContentSha256: true})
			if err != nil {
				// Not reused, as above.
				return fmt.Errorf("put part %d: %w", number, mapS3Error(err))
			}
			s3PartBufs.Put(partBuf)
			mu.Lock()
			parts = append(parts, minio.CompletePart{PartNumber: number, ETag: part.ETag})
			mu.Unlock()
			return nil
		})
		if last || groupCtx.Err() != nil {
			break
		}
		buf = s3PartBufs.Get().(*[]byte)
		n, last, err = src.fill(*buf)
		if err != nil || (n == 0 && last) {
			s3PartBufs.Put(buf)
			break
		}
	}
	if werr := group.Wait(); err == nil {
		err = werr
	}
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return Info{}, err
	}
	slices.SortFunc(parts, func(a, b minio.CompletePart) int { return a.PartNumber - b.PartNumber })
	up, err := s.core.CompleteMultipartUpload(ctx, s.bucket, name, uploadID, parts, minio.PutObjectOptions{})
	if err != nil {
		return Info{}, fmt.Errorf("complete multipart upload: %w", mapS3Error(err))
	}
	return s.describe(ctx, Info{Key: key, Size: src.read, ModTime: modTime(up.LastModified), ETag: up.ETag, ContentType: contentType}), nil
}

// describe returns the stored object's Info as Stat reports it, so that a
// multipart object's ETag is the one the server gives later (servers differ
// on it), or known if that fails: the object is stored either way, and a
// failed look at it must not report the upload as failed.
func (s *s3Store) describe(ctx context.Context, known Info) Info {
	info, err := s.Stat(ctx, known.Key)
	if err != nil {
		return known
	}
	return info
}

// abort ends a failed upload even when ctx is already cancelled.
func (s *s3Store) abort(ctx context.Context, name, uploadID string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s3CleanupTimeout)
	defer cancel()
	if err := s.core.AbortMultipartUpload(ctx, s.bucket, name, uploadID); err != nil && !errors.Is(mapS3Error(err), ErrNotFound) {
		return fmt.Errorf("abort multipart upload: %w", err)
	}
	return nil
}

// partReader cuts a reader into parts and tells when it is exhausted.
type partReader struct {
	r    io.Reader
	size int64
	read int64
}

// fill reads the next part into buf and reports whether it is the last one.
func (p *partReader) fill(buf []byte) (n int, last bool, err error) {
	if p.size >= 0 && int64(len(buf)) > p.size-p.read {
		buf = buf[:p.size-p.read]
	}
	n, err = io.ReadFull(p.r, buf)
	p.read += int64(n)
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return n, true, nil
	case err != nil:
		return n, false, err
	case p.size >= 0 && p.read == p.size:
		// The announced size is reached: make sure the reader ends here.
		var probe [1]byte
		if _, err := p.r.Read(probe[:]); err != io.EOF {
			return n, false, err
		}
		return n, true, nil
	}
	return n, false, nil
}

func md5Base64(data []byte) string {
	sum := md5.Sum(data)
	return base64.StdEncoding.EncodeToString(sum[:])
}

func modTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now().UTC()
	}
	return t
}

// mapS3Error wraps the package's errors around the S3 errors that mean them.
func mapS3Error(err error) error {
	var resp minio.ErrorResponse
	if !errors.As(err, &resp) {
		return err
	}
	switch resp.Code {
	case "NoSuchKey", "NoSuchUpload", "NotFound":
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	case "InvalidRange":
		return fmt.Errorf("%w: %w", ErrInvalidRange, err)
	case "InvalidPart", "InvalidPartOrder", "EntityTooSmall":
		return fmt.Errorf("%w: %w", ErrInvalidPart, err)
	case "EntityTooLarge":
		return fmt.Errorf("%w: %w", ErrTooLarge, err)
	}
	return err
}

func (s *s3Store) Open(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	if err := ValidKey(key); err != nil {
		return nil, Info{}, fmt.Errorf("open %q: %w", key, err)
	}
	body, obj, _, err := s.core.GetObject(ctx, s.bucket, s.prefix+key, minio.GetObjectOptions{})
	if err != nil {
		return nil, Info{}, fmt.Errorf("open %q: %w", key, mapS3Error(err))
	}
	return body, s.info(key, obj), nil
}

func (s *s3Store) OpenRange(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	if err := ValidKey(key); err != nil {
		return nil, fmt.Errorf("open %q: %w", key, err)
	}
	if err := validRange(offset, length); err != nil {
		return nil, fmt.Errorf("open %q: %w", key, err)
	}
	if length == 0 {
		// S3 cannot express an empty range; answer it after checking the object exists.
		if _, err := s.Stat(ctx, key); err != nil {
			return nil, err
		}
		return io.NopCloser(strings.NewReader("")), nil
	}
	var opts minio.GetObjectOptions
	end := int64(0)
	if length > 0 {
		end = offset + length - 1
	}
	if offset > 0 || length > 0 {
		if err := opts.SetRange(offset, end); err != nil {
			return nil, fmt.Errorf("open %q: %w", key, err)
		}
	}
	body, obj, _, err := s.core.GetObject(ctx, s.bucket, s.prefix+key, opts)
	if err != nil {
		return nil, fmt.Errorf("open %q: %w", key, mapS3Error(err))
	}
	if offset == 0 && length < 0 && obj.Size == 0 {
		// No Range header was sent, so the server could not refuse an
		// empty object the way it refuses any range of it.
		body.Close()
		return nil, fmt.Errorf("open %q: %w: empty object", key, ErrInvalidRange)
	}
	return body, nil
}

func (s *s3Store) Stat(ctx context.Context, key string) (Info, error) {
	if err := ValidKey(key); err != nil {
		return Info{}, fmt.Errorf("stat %q: %w", key, err)
	}
	obj, err := s.client.StatObject(ctx, s.bucket, s.prefix+key, minio.StatObjectOptions{})
	if err != nil {
		return Info{}, fmt.Errorf("stat %q: %w", key, mapS3Error(err))
	}
	return s.info(key, obj), nil
}

func (s *s3Store) info(key string, obj minio.ObjectInfo) Info {
	return Info{Key: key, Size: obj.Size, ModTime: obj.LastModified, ETag: obj.ETag, ContentType: obj.ContentType}
}

func (s *s3Store) Delete(ctx context.Context, key string) error {
	if err := ValidKey(key); err != nil {
		return fmt.Errorf("delete %q: %w", key, err)
	}
	err := s.client.RemoveObject(ctx, s.bucket, s.prefix+key, minio.RemoveObjectOptions{})
	if err != nil && !errors.Is(mapS3Error(err), ErrNotFound) {
		return fmt.Errorf("delete %q: %w", key, err)
	}
	return nil
}

func (s *s3Store) List(ctx context.Context, prefix string) iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		if err := validPrefix(prefix); err != nil {
			yield(Entry{}, fmt.Errorf("list %q: %w", prefix, err))
			return
		}
		listCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		objects := s.client.ListObjectsIter(listCtx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix + prefix, Recursive: true})
		for obj := range objects {
			if obj.Err != nil {
				yield(Entry{}, fmt.Errorf("list %q: %w", prefix, obj.Err))
				return
			}
			entry := Entry{Key: strings.TrimPrefix(obj.Key, s.prefix), Size: obj.Size, ModTime: obj.LastModified}
			if !yield(entry, nil) {
				return
			}
		}
		// A cancelled listing may end quietly; it must not pass for a complete one.
		if err := ctx.Err(); err != nil {
			yield(Entry{}, fmt.Errorf("list %q: %w", prefix, err))
		}
	}
}

func (s *s3Store) SignedURL(ctx context.Context, key string, ttl time.Duration, downloadName string) (string, error) {
	if err := ValidKey(key); err != nil {
		return "", fmt.Errorf("sign URL for %q: %w", key, err)
	}
	if ttl < time.Second || ttl > maxSignedURLTTL {
		return "", fmt.Errorf("sign URL for %q: ttl %s outside 1s..%s", key, ttl, maxSignedURLTTL)
	}
	params := url.Values{}
	if downloadName != "" {
		params.Set("response-content-disposition", ContentDisposition(downloadName))
	}
	u, err := s.client.PresignedGetObject(ctx, s.bucket, s.prefix+key, ttl, params)
	if err != nil {
		return "", fmt.Errorf("sign URL for %q: %w", key, err)
	}
	return u.String(), nil
}

func (s *s3Store) CreateMultipart(ctx context.Context, key, contentType string) (string, error) {
	if err := ValidKey(key); err != nil {
		return "", fmt.Errorf("create multipart upload %q: %w", key, err)
	}
	contentType, err := validContentType(contentType)
	if err != nil {
		return "", fmt.Errorf("create multipart upload %q: %w", key, err)
	}
	id, err := s.core.NewMultipartUpload(ctx, s.bucket, s.prefix+key, minio.PutObjectOptions{ContentType: contentType})
	if err != nil {
		return "", fmt.Errorf("create multipart upload %q: %w", key, mapS3Error(err))
	}
	return id, nil
}

func (s *s3Store) PutPart(ctx context.Context, key, uploadID string, n int, r io.Reader, size int64) (Part, error) {
	if err := validPartArgs(key, n, size); err != nil {
		return Part{}, fmt.Errorf("put part %d of %q: %w", n, key, err)
	}
	if uploadID == "" {
		return Part{}, fmt.Errorf("put part %d of %q: empty upload id: %w", n, key, ErrNotFound)
	}
	// The part streams straight from r, so it carries no Content-MD5 (that
	// would need the whole part first); the server still checks its length.
	body := newExactReader(ctxReader{ctx: ctx, r: r}, size)
	part, err := s.core.PutObjectPart(ctx, s.bucket, s.prefix+key, uploadID, n, body, size,
		minio.PutObjectPartOptions{DisableContentSha256: true})
	if err != nil {
		if body.err != nil {
			err = body.err
		}
		return Part{}, fmt.Errorf("put part %d of %q: %w", n, key, mapS3Error(err))
	}
	if err := body.finish(); err != nil {
		// The part stored holds the first size bytes; the caller retries it.
		return Part{}, fmt.Errorf("put part %d of %q: %w", n, key, err)
	}
	return Part{Number: n, ETag: part.ETag, Size: size}, nil
}

func (s *s3Store) CompleteMultipart(ctx context.Context, key, uploadID string, parts []Part) (Info, error) {
	if err := ValidKey(key); err != nil {
		return Info{}, fmt.Errorf("complete multipart upload %q: %w", key, err)
	}
	sorted, err := sortedParts(parts)
	if err != nil {
		return Info{}, fmt.Errorf("complete multipart upload %q: %w", key, err)
	}
	complete := make([]minio.CompletePart, len(sorted))
	var size int64
	for i, p := range sorted {
		complete[i] = minio.CompletePart{PartNumber: p.Number, ETag: p.ETag}
		size += p.Size
	}
	up, err := s.core.CompleteMultipartUpload(ctx, s.bucket, s.prefix+key, uploadID, complete, minio.PutObjectOptions{})
	if err != nil {
		return Info{}, fmt.Errorf("complete multipart upload %q: %w", key, mapS3Error(err))
	}
	return s.describe(ctx, Info{Key: key, Size: size, ModTime: modTime(up.LastModified), ETag: up.ETag}), nil
}

func (s *s3Store) AbortMultipart(ctx context.Context, key, uploadID string) error {
	if err := ValidKey(key); err != nil {
		return fmt.Errorf("abort multipart upload %q: %w", key, err)
	}
	if uploadID == "" {
		return nil
	}
	err := s.core.AbortMultipartUpload(ctx, s.bucket, s.prefix+key, uploadID)
	if err != nil && !errors.Is(mapS3Error(err), ErrNotFound) {
		return fmt.Errorf("abort multipart upload %q: %w", key, err)
	}
	return nil
}

func (s *s3Store) CleanUnfinished(ctx context.Context, startedBefore time.Time) (int, error) {
	removed := 0
	var keyMarker, uploadMarker string
	for {
		res, err := s.core.ListMultipartUploads(ctx, s.bucket, s.prefix, keyMarker, uploadMarker, "", 1000)
		if errors.Is(mapS3Error(err), ErrNotFound) {
			// Some servers (gofakes3) answer NoSuchUpload rather than an
			// empty list when there is nothing to list.
			return removed, nil
		}
		if err != nil {
			return removed, fmt.Errorf("clean unfinished uploads: %w", err)
		}
		for _, u := range res.Uploads {
			if !u.Initiated.Before(startedBefore) {
				continue
			}
			err := s.core.AbortMultipartUpload(ctx, s.bucket, u.Key, u.UploadID)
			if err != nil && !errors.Is(mapS3Error(err), ErrNotFound) {
				return removed, fmt.Errorf("clean unfinished uploads: abort %s: %w", u.Key, err)
			}
			removed++
		}
		if !res.IsTruncated {
			return removed, nil
		}
		keyMarker, uploadMarker = res.NextKeyMarker, res.NextUploadIDMarker
	}
}
