package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"path"
	"sort"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// s3Transport delivers into an S3 bucket under a key prefix. An S3 put is
// atomic (the object appears whole or not at all), so Put needs no
// temporary name; directories do not exist, so MkdirAll does nothing.
type s3Transport struct {
	client *minio.Client
	http   *http.Transport
	bucket string
	// prefix is "" or ends in "/".
	prefix string
}

func dialS3(ctx context.Context, cfg Config) (*s3Transport, error) {
	c := cfg.S3
	host, secure, err := c.endpoint()
	if err != nil {
		return nil, fmt.Errorf("parse s3 endpoint: %w", err)
	}
	httpTransport, err := minio.DefaultTransport(secure)
	if err != nil {
		return nil, fmt.Errorf("build s3 http transport: %w", err)
	}
	httpTransport.DialContext = (&net.Dialer{Timeout: cfg.dialTimeout()}).DialContext
	httpTransport.TLSHandshakeTimeout = cfg.dialTimeout()
	httpTransport.ResponseHeaderTimeout = cfg.ioTimeout()
	lookup := minio.BucketLookupAuto
	if c.PathStyle {
		lookup = minio.BucketLookupPath
	}
	client, err := minio.New(host, &minio.Options{
		Creds:        credentials.NewStaticV4(c.AccessKey, string(c.SecretKey), ""),
		Secure:       secure,
		Region:       c.Region,
		BucketLookup: lookup,
		Transport:    httpTransport,
	})
	if err != nil {
		return nil, fmt.Errorf("create s3 client for %s: %w", host, err)
	}
	t := &s3Transport{client: client, http: httpTransport, bucket: c.Bucket}
	if prefix := strings.Trim(c.Prefix, "/"); prefix != "" {
		t.prefix = prefix + "/"
	}
	exists, err := client.BucketExists(ctx, c.Bucket)
	if err != nil {
		httpTransport.CloseIdleConnections()
		return nil, fmt.Errorf("check s3 bucket %s: %w", c.Bucket, err)
	}
	if !exists {
		httpTransport.CloseIdleConnections()
		return nil, fmt.Errorf("check s3 bucket %s: %w", c.Bucket, fs.ErrNotExist)
	}
	return t, nil
}

// key turns a checked transport path into an object key.
func (t *s3Transport) key(p string) string { return t.prefix + p }

func (t *s3Transport) Put(ctx context.Context, p string, r io.Reader, size int64) error {
	if err := checkPath(p); err != nil {
		return err
	}
	contentType := mime.TypeByExtension(path.Ext(p))
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	body := newExactReader(ctx, r, size)
	opts := minio.PutObjectOptions{ContentType: contentType}
	if size == 0 {
		// minio-go does not read an empty body, and signs it as a stream
		// sent without Content-Length over plain HTTP, which S3 refuses:
		// check the source is empty here, and sign no payload.
		if _, err := body.Read(nil); !errors.Is(err, io.EOF) {
			return fmt.Errorf("put %s: %w", p, err)
		}
		opts.DisableContentSha256 = true
	}
	info, err := t.client.PutObject(ctx, t.bucket, t.key(p), body, size, opts)
	if err != nil {
		return fmt.Errorf("put %s: %w", p, err)
	}
	if info.Size != size {
		return fmt.Errorf("put %s: %w: stored %d bytes, want %d", p, ErrSizeMismatch, info.Size, size)
	}
	return nil
}

func (t *s3Transport) Remove(ctx context.Context, p string) error {
	if err := checkPath(p); err != nil {
		return err
	}
	if err := t.client.RemoveObject(ctx, t.bucket, t.key(p), minio.RemoveObjectOptions{}); err != nil {
		return fmt.Errorf("remove %s: %w", p, notExist(err))
	}
	return nil
}

func (t *s3Transport) List(ctx context.Context, dir string) ([]Entry, error) {
	if err := checkDir(dir); err != nil {
		return nil, err
	}
	prefix := t.prefix
	if dir != "" {
		prefix += dir + "/"
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var entries []Entry
	for obj := range t.client.ListObjects(ctx, t.bucket, minio.ListObjectsOptions{Prefix: prefix}) {
		if obj.Err != nil {
			return nil, fmt.Errorf("list %s: %w", prefix, obj.Err)
		}
		name, isDir := strings.CutSuffix(strings.TrimPrefix(obj.Key, prefix), "/")
		// Keys that no transport path could name (folder markers, "//",
		// "..") are not entries.
		if checkSegment(name) != nil {
			continue
		}
		entries = append(entries, Entry{Name: name, Size: obj.Size, IsDir: isDir, ModTime: obj.LastModified})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name < entries[j].Name })
	return entries, nil
}

func (t *s3Transport) Open(ctx context.Context, p string) (io.ReadCloser, error) {
	if err := checkPath(p); err != nil {
		return nil, err
	}
	obj, err := t.client.GetObject(ctx, t.bucket, t.key(p), minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", p, notExist(err))
	}
	// GetObject is lazy: Stat makes a missing object fail here, not on Read.
	if _, err := obj.Stat(); err != nil {
		_ = obj.Close()
		return nil, fmt.Errorf("open %s: %w", p, notExist(err))
	}
	return obj, nil
}

func (t *s3Transport) MkdirAll(_ context.Context, dir string) error {
	return checkDir(dir)
}

func (t *s3Transport) Close() error {
	t.http.CloseIdleConnections()
	return nil
}

// notExist makes a missing-object error from S3 match fs.ErrNotExist.
func notExist(err error) error {
	resp := minio.ToErrorResponse(err)
	if resp.Code == minio.NoSuchKey || resp.StatusCode == http.StatusNotFound {
		return fmt.Errorf("%w (%w)", fs.ErrNotExist, err)
	}
	return err
}

var _ Transport = (*s3Transport)(nil)
