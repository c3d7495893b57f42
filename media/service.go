// Package media implements tonegrid.MediaService: it streams uploads through
// a size limit, sniffs their type from the first bytes, hashes (MD5 and
// SHA-256) and probes them in the same pass into blob storage, and records
// them through its Store. Resumable uploads are assembled with the blob
// store's multipart uploads (S3 multipart on S3).
//
// A failed, cancelled or too-large upload leaves no media row and no blob:
// a blob is written before its row, and deleted whenever the row does not
// follow. Replaced files are deleted after the replacing row committed.
//
// The package imports the domain, blob and media/probe packages; never the
// HTTP or SQL adapters.
package media

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"tonegrid"
	"tonegrid/blob"
	"tonegrid/media/probe"
)

// Size limits of the contract.
const (
	MaxAudio           = 1 << 30
	MaxImage           = 50 << 20
	MaxAnimatedArtwork = 50 << 20
	MaxVideo           = 5 << 30
)

// Defaults of Config.
const (
	DefaultPartSize  = 8 << 20
	DefaultUploadTTL = 24 * time.Hour
	// SignedURLTTL is how long a download link stays valid.
	SignedURLTTL = 15 * time.Minute
)

// Store is the storage the service records media and uploads in
// (sqlstore.DB implements it).
type Store interface {
	AttachTrackAudio(ctx context.Context, p *tonegrid.Principal, trackUUID string, m *tonegrid.Media, a tonegrid.Audio) (*tonegrid.Track, *tonegrid.Media, error)
	AttachReleaseArtwork(ctx context.Context, p *tonegrid.Principal, releaseUUID string, m *tonegrid.Media, a tonegrid.Artwork) (*tonegrid.Release, *tonegrid.Media, error)
	AttachReleaseVideo(ctx context.Context, p *tonegrid.Principal, releaseUUID string, m *tonegrid.Media) (*tonegrid.ReleaseVideo, []*tonegrid.Media, error)
	MediaByUUID(ctx context.Context, tenantID int64, uuid string) (*tonegrid.Media, error)
	FindTrack(ctx context.Context, p *tonegrid.Principal, uuid string) (*tonegrid.Track, error)
	FindRelease(ctx context.Context, p *tonegrid.Principal, uuid string) (*tonegrid.Release, error)

	CreateUpload(ctx context.Context, u *tonegrid.Upload, ttl time.Duration) error
	UploadByUUID(ctx context.Context, tenantID int64, uuid string) (*tonegrid.Upload, error)
	UploadParts(ctx context.Context, uploadID int64) ([]tonegrid.UploadPart, error)
	RecordUploadPart(ctx context.Context, uploadID int64, p tonegrid.UploadPart) error
	MarkUploadComplete(ctx context.Context, u *tonegrid.Upload) error
	DeleteUpload(ctx context.Context, uploadID int64) (bool, error)
	ExpiredUploads(ctx context.Context, now time.Time, limit int) ([]*tonegrid.Upload, error)
	BlobInUse(ctx context.Context, key string) (bool, error)

	DeleteTrackWithMedia(ctx context.Context, p *tonegrid.Principal, uuid string, pre tonegrid.Precondition) ([]*tonegrid.Media, error)
	DeleteReleaseWithMedia(ctx context.Context, p *tonegrid.Principal, uuid string, pre tonegrid.Precondition) ([]*tonegrid.Media, error)
	UnreferencedBlobs(ctx context.Context, keys []string) ([]string, error)
}

// Config tunes the service; zero values take the defaults.
type Config struct {
	// PartSize is the part size handed to resumable uploads (at least
	// blob.MinPartSize; raised for files that would need more than
	// blob.MaxParts parts).
	PartSize int64
	// UploadTTL is how long a resumable upload may take before it expires.
	UploadTTL time.Duration
	Log       *slog.Logger
}

// Service is the media service.
type Service struct {
	store Store
	blobs blob.Store
	cfg   Config
	log   *slog.Logger
}

var _ tonegrid.MediaService = (*Service)(nil)

// New returns the service over a store and a blob store.
func New(store Store, blobs blob.Store, cfg Config) *Service {
	if cfg.PartSize < blob.MinPartSize {
		cfg.PartSize = DefaultPartSize
	}
	if cfg.UploadTTL <= 0 {
		cfg.UploadTTL = DefaultUploadTTL
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Service{store: store, blobs: blobs, cfg: cfg, log: cfg.Log}
}

// target is what an upload is for: the kind of file, its limit and error.
type target struct {
	kind      probe.Kind
	mediaKind string
	name      string // for 415 messages: "audio", "image", "video"
	limit     int64
	tooLarge  *tonegrid.Error
}

var (
	audioTarget    = target{probe.KindAudio, tonegrid.MediaAudio, "audio", MaxAudio, tonegrid.ErrFileTooLarge.Format(MaxAudio >> 20)}
	imageTarget    = target{probe.KindImage, tonegrid.MediaImage, "image", MaxImage, tonegrid.ErrFileTooLarge.Format(MaxImage >> 20)}
	animatedTarget = target{probe.KindVideo, tonegrid.MediaAnimatedArtwork, "video", MaxAnimatedArtwork, tonegrid.ErrAnimatedArtworkTooLarge}
	videoTarget    = target{probe.KindVideo, tonegrid.MediaVideo, "video", MaxVideo, tonegrid.ErrFileTooLarge.Format(MaxVideo >> 20)}
)

// stored is a file in blob storage, checked and described, without its row yet.
type stored struct {
	media  *tonegrid.Media
	report probe.Report
}

// errTooLarge is returned by limitReader past its limit.
var errTooLarge = errors.New("media: file larger than its limit")

// limitReader fails with errTooLarge once more than n bytes were read.
type limitReader struct {
	r io.Reader
	n int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n < 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > l.n+1 {
		p = p[:l.n+1]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	if l.n < 0 {
		return n, errTooLarge
	}
	return n, err
}

// hashes computes MD5 and SHA-256 of what is written to it, each on its
// own goroutine, so that the two digests and the copy to storage run side
// by side: Write copies the chunk into one of a few pooled buffers and
// returns; sums waits for both digests. At most hashBuffers chunks are in
// flight, so memory stays bounded whatever the file size.
type hashes struct {
	md5, sha hash.Hash
	free     chan []byte
	toMD5    chan chunk
	toSHA    chan chunk
	done     sync.WaitGroup
	closed   bool
}

// chunk is a buffer handed to both digest goroutines; the second one to
// finish with it returns it to the pool.
type chunk struct {
	b    []byte
	refs *atomic.Int32
}

const (
	hashBuffers    = 8
	hashBufferSize = 256 << 10
)

func newHashes() *hashes {
	h := &hashes{md5: md5.New(), sha: sha256.New(), free: make(chan []byte, hashBuffers),
		toMD5: make(chan chunk, hashBuffers), toSHA: make(chan chunk, hashBuffers)}
	for range hashBuffers {
		h.free <- make([]byte, 0, hashBufferSize)
	}
	h.done.Add(2)
	go h.run(h.md5, h.toMD5)
	go h.run(h.sha, h.toSHA)
	return h
}

func (h *hashes) run(d hash.Hash, in chan chunk) {
	defer h.done.Done()
	for c := range in {
		d.Write(c.b)
		if c.refs.Add(-1) == 0 {
			h.free <- c.b[:0]
		}
	}
}

// Write never fails.
func (h *hashes) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		buf := <-h.free
		m := min(len(p), cap(buf))
		buf = append(buf, p[:m]...)
		p = p[m:]
		refs := new(atomic.Int32)
		refs.Store(2)
		h.toMD5 <- chunk{buf, refs}
		h.toSHA <- chunk{buf, refs}
	}
	return n, nil
}

// close stops the digest goroutines once they are done; safe to call twice.
func (h *hashes) close() {
	if !h.closed {
		h.closed = true
		close(h.toMD5)
		close(h.toSHA)
		h.done.Wait()
	}
}

// sums returns the hex MD5 and SHA-256 of everything written.
func (h *hashes) sums() (string, string) {
	h.close()
	return hex.EncodeToString(h.md5.Sum(nil)), hex.EncodeToString(h.sha.Sum(nil))
}

// sniff reads the first bytes of r and checks the type fits t; it returns
// a reader of the whole stream again.
func sniff(r io.Reader, t target) (io.Reader, string, probe.Kind, error) {
	head := make([]byte, probe.SniffLen)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, "", 0, err
	}
	head = head[:n]
	mime, kind := probe.Sniff(head)
	if !kind.Fits(t.kind) {
		return nil, "", 0, tonegrid.ErrUnsupportedMediaType.Format(mime, t.name)
	}
	return io.MultiReader(bytes.NewReader(head), r), mime, kind, nil
}

// checkReport turns a probe's findings into the error the client gets.
func checkReport(rep probe.Report, err error, t target) error {
	if err == nil && rep.Kind == t.kind {
		return nil
	}
	if rep.Kind != t.kind || errors.Is(err, probe.ErrUnsupported) {
		mime := rep.MIME
		if mime == "" {
			mime = "application/octet-stream"
		}
		return tonegrid.ErrUnsupportedMediaType.Format(mime, t.name)
	}
	var v tonegrid.Violations
	v.Add("file", "file_malformed", "type", rep.MIME)
	return v.Err()
}

// ingest streams a file into blob storage: limited, sniffed, hashed and
// probed in one pass. On any error nothing is left in storage.
func (s *Service) ingest(ctx context.Context, tenantID int64, r io.Reader, t target) (*stored, error) {
	body := &sourceReader{r: r}
	ra := newReadAhead(&limitReader{r: body, n: t.limit})
	defer ra.Close()
	src, mime, kind, err := sniff(ra, t)
	if err != nil {
		if errors.Is(err, errTooLarge) {
			return nil, t.tooLarge
		}
		ra.Close() // body.err is read below: the reader must be done
		return nil, readFailure(ctx, body, err)
	}
	key := fmt.Sprintf("media/%d/%s", tenantID, uuid.Must(uuid.NewV7()))
	h := newHashes()
	defer h.close()
	pr := probe.NewProbe(kind)
	info, err := s.blobs.Put(ctx, key, io.TeeReader(src, io.MultiWriter(h, pr)), -1, mime)
	if err != nil {
		s.removeBlob(key)
		if errors.Is(err, errTooLarge) {
			return nil, t.tooLarge
		}
		ra.Close() // body.err is read below: the reader must be done
		return nil, readFailure(ctx, body, err)
	}
	rep, perr := pr.Report()
	if err := checkReport(rep, perr, t); err != nil {
		s.removeBlob(key)
		return nil, err
	}
	return s.describe(key, info.Size, rep, h, t)
}

// describe builds the media row of a checked blob.
func (s *Service) describe(key string, size int64, rep probe.Report, h *hashes, t target) (*stored, error) {
	var details any
	switch {
	case rep.Audio != nil:
		details = rep.Audio
	case rep.Image != nil:
		details = rep.Image
	case rep.Video != nil:
		details = rep.Video
	}
	doc, err := json.Marshal(probeDoc(details))
	if err != nil {
		s.removeBlob(key)
		return nil, fmt.Errorf("encode probe: %w", err)
	}
	md5sum, shasum := h.sums()
	return &stored{report: rep, media: &tonegrid.Media{
		Kind: t.mediaKind, BlobKey: key, Size: size, ContentType: rep.MIME,
		MD5: md5sum, SHA256: shasum, Probe: doc,
	}}, nil
}

// probeDoc renders a probe's findings with snake_case keys.
func probeDoc(details any) map[string]any {
	out := map[string]any{}
	switch d := details.(type) {
	case *probe.AudioInfo:
		out = map[string]any{"format": d.Format, "codec": d.Codec, "sample_rate": d.SampleRate, "bit_depth": d.BitDepth, "channels": d.Channels, "duration_ms": d.DurationMS}
	case *probe.ImageInfo:
		out = map[string]any{"format": d.Format, "width": d.Width, "height": d.Height, "color_model": d.ColorModel}
	case *probe.VideoInfo:
		out = map[string]any{"container": d.Container, "duration_ms": d.DurationMS, "width": d.Width, "height": d.Height, "video_codec": d.VideoCodec, "audio_codec": d.AudioCodec}
	}
	return out
}

// sourceReader remembers the first error reading an upload's body gave
// (io.EOF aside), so that a failed store can be told apart from a body that
// broke off.
type sourceReader struct {
	r   io.Reader
	err error
}

func (s *sourceReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF && s.err == nil {
		s.err = err
	}
	return n, err
}

// readFailure classifies err, which ended an upload: a catalogue error as
// is; the body breaking off or the client going away (its request context
// cancelled) is upload_incomplete; anything else — the store failing — an
// internal error.
func readFailure(ctx context.Context, body *sourceReader, err error) error {
	if _, ok := tonegrid.ErrorOf(err); ok {
		return err
	}
	if body.err != nil || ctx.Err() != nil {
		return errors.Join(tonegrid.ErrUploadIncomplete, err)
	}
	return fmt.Errorf("store upload: %w", err)
}

// removeBlob deletes a blob whose row does not exist (any more), even when
// the request that wrote it was cancelled.
func (s *Service) removeBlob(key string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.blobs.Delete(ctx, key); err != nil {
		s.log.Error("delete blob; the orphan-blob sweep removes it later", "key", key, "err", err)
	}
}

// removeMedia deletes the blobs of media rows that are gone.
func (s *Service) removeMedia(ms ...*tonegrid.Media) {
	for _, m := range ms {
		if m != nil {
			s.removeBlob(m.BlobKey)
		}
	}
}

// audioOf is the track audio a probed file describes.
func audioOf(st *stored) tonegrid.Audio {
	a := st.report.Audio
	return tonegrid.Audio{Format: a.Format, SampleRate: a.SampleRate, BitDepth: a.BitDepth, Channels: a.Channels,
		DurationMS: a.DurationMS, Size: st.media.Size, MD5: st.media.MD5, SHA256: st.media.SHA256}
}

// Artwork warnings: what stores would refuse or downscale.
const (
	WarnNotSquare = "Artwork is not square; stores require a 1:1 image."
	WarnTooSmall  = "Artwork is smaller than 3000×3000 px; most stores require at least 3000 px."
	WarnNotRGB    = "Artwork is not RGB; stores require an RGB image."
)

// artworkOf is the release artwork a probed image describes.
func artworkOf(st *stored) tonegrid.Artwork {
	im := st.report.Image
	warnings := []string{}
	if im.Width != im.Height {
		warnings = append(warnings, WarnNotSquare)
	}
	if im.Width < 3000 || im.Height < 3000 {
		warnings = append(warnings, WarnTooSmall)
	}
	if im.ColorModel != "RGB" && im.ColorModel != "RGBA" {
		warnings = append(warnings, WarnNotRGB)
	}
	return tonegrid.Artwork{Format: im.Format, Width: im.Width, Height: im.Height, ColorModel: im.ColorModel,
		Size: st.media.Size, MD5: st.media.MD5, SHA256: st.media.SHA256, Warnings: warnings}
}

// UploadTrackAudio implements tonegrid.MediaService.
func (s *Service) UploadTrackAudio(ctx context.Context, p *tonegrid.Principal, trackUUID string, file io.Reader) (*tonegrid.Track, error) {
	// The track is looked up first so that a wrong uuid costs no upload.
	if _, err := s.store.FindTrack(ctx, p, trackUUID); err != nil {
		return nil, err
	}
	st, err := s.ingest(ctx, p.Tenant.ID, file, audioTarget)
	if err != nil {
		return nil, err
	}
	t, err := s.attachAudio(ctx, p, trackUUID, st)
	if err != nil {
		s.removeBlob(st.media.BlobKey)
	}
	return t, err
}

func (s *Service) attachAudio(ctx context.Context, p *tonegrid.Principal, trackUUID string, st *stored) (*tonegrid.Track, error) {
	t, old, err := s.store.AttachTrackAudio(ctx, p, trackUUID, st.media, audioOf(st))
	if err != nil {
		return nil, err
	}
	s.removeMedia(old)
	return t, nil
}

// UploadReleaseArtwork implements tonegrid.MediaService.
func (s *Service) UploadReleaseArtwork(ctx context.Context, p *tonegrid.Principal, releaseUUID string, file io.Reader) (*tonegrid.Release, error) {
	if _, err := s.store.FindRelease(ctx, p, releaseUUID); err != nil {
		return nil, err
	}
	st, err := s.ingest(ctx, p.Tenant.ID, file, imageTarget)
	if err != nil {
		return nil, err
	}
	r, err := s.attachArtwork(ctx, p, releaseUUID, st)
	if err != nil {
		s.removeBlob(st.media.BlobKey)
	}
	return r, err
}

func (s *Service) attachArtwork(ctx context.Context, p *tonegrid.Principal, releaseUUID string, st *stored) (*tonegrid.Release, error) {
	r, old, err := s.store.AttachReleaseArtwork(ctx, p, releaseUUID, st.media, artworkOf(st))
	if err != nil {
		return nil, err
	}
	s.removeMedia(old)
	return r, nil
}

// UploadReleaseVideo implements tonegrid.MediaService.
func (s *Service) UploadReleaseVideo(ctx context.Context, p *tonegrid.Principal, releaseUUID, kind string, file io.Reader) (*tonegrid.ReleaseVideo, error) {
	t := videoTarget
	if kind == tonegrid.MediaAnimatedArtwork {
		t = animatedTarget
	}
	if _, err := s.store.FindRelease(ctx, p, releaseUUID); err != nil {
		return nil, err
	}
	st, err := s.ingest(ctx, p.Tenant.ID, file, t)
	if err != nil {
		return nil, err
	}
	v, err := s.attachVideo(ctx, p, releaseUUID, st)
	if err != nil {
		s.removeBlob(st.media.BlobKey)
	}
	return v, err
}

func (s *Service) attachVideo(ctx context.Context, p *tonegrid.Principal, releaseUUID string, st *stored) (*tonegrid.ReleaseVideo, error) {
	v, old, err := s.store.AttachReleaseVideo(ctx, p, releaseUUID, st.media)
	if err != nil {
		return nil, err
	}
	s.removeMedia(old...)
	return v, nil
}
