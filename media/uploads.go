package media

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"tonegrid"
	"tonegrid/blob"
	"tonegrid/media/probe"
)

// uploadTargets maps an upload kind to what its file must be.
var uploadTargets = map[string]target{
	tonegrid.UploadAudio: audioTarget,
	tonegrid.UploadImage: imageTarget,
	tonegrid.UploadVideo: videoTarget,
}

// CreateUpload implements tonegrid.MediaService.
func (s *Service) CreateUpload(ctx context.Context, p *tonegrid.Principal, c tonegrid.UploadCreate) (*tonegrid.Upload, error) {
	var v tonegrid.Violations
	t, ok := uploadTargets[c.Kind]
	if !ok {
		v.Add("kind", "not_in_list", "allowed", "audio, image, video")
	}
	switch {
	case c.Filename == "":
		v.Add("filename", "required")
	case utf8.RuneCountInString(c.Filename) > 255:
		v.Add("filename", "too_long", "max", 255)
	case !utf8.ValidString(c.Filename) || strings.ContainsFunc(c.Filename, unicode.IsControl):
		v.Add("filename", "invalid_characters")
	}
	if c.Size < 1 {
		v.Add("size", "out_of_range", "min", 1, "max", t.limit)
	}
	if len(c.ContentType) > 255 {
		v.Add("content_type", "too_long", "max", 255)
	} else if c.ContentType != "" {
		if _, _, err := mime.ParseMediaType(c.ContentType); err != nil {
			v.Add("content_type", "invalid_content_type")
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if c.Size > t.limit {
		return nil, t.tooLarge
	}
	partSize := s.cfg.PartSize
	for (c.Size+partSize-1)/partSize > blob.MaxParts {
		partSize *= 2
	}
	u := &tonegrid.Upload{
		TenantID: p.Tenant.ID, Kind: c.Kind, Filename: c.Filename, Size: c.Size, ContentType: c.ContentType,
		PartSize: partSize, Parts: int((c.Size + partSize - 1) / partSize),
		BlobKey: fmt.Sprintf("uploads/%d/%s", p.Tenant.ID, uuid.Must(uuid.NewV7())),
	}
	id, err := s.blobs.CreateMultipart(ctx, u.BlobKey, blob.DefaultContentType)
	if err != nil {
		return nil, fmt.Errorf("start multipart upload: %w", err)
	}
	u.MultipartID = id
	if err := s.store.CreateUpload(ctx, u, s.cfg.UploadTTL); err != nil {
		s.abort(u)
		return nil, err
	}
	return u, nil
}

// abort discards the parts of an open upload.
func (s *Service) abort(u *tonegrid.Upload) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.blobs.AbortMultipart(ctx, u.BlobKey, u.MultipartID); err != nil {
		s.log.Error("abort multipart upload", "key", u.BlobKey, "err", err)
	}
}

// FindUpload implements tonegrid.MediaService.
func (s *Service) FindUpload(ctx context.Context, p *tonegrid.Principal, uploadID string) (*tonegrid.Upload, error) {
	return s.store.UploadByUUID(ctx, p.Tenant.ID, uploadID)
}

// partLength is the exact size of part n of u.
func partLength(u *tonegrid.Upload, n int) int64 {
	if n < u.Parts {
		return u.PartSize
	}
	return u.Size - int64(u.Parts-1)*u.PartSize
}

// PutUploadPart implements tonegrid.MediaService.
func (s *Service) PutUploadPart(ctx context.Context, p *tonegrid.Principal, uploadID string, n int, r io.Reader, size int64) (*tonegrid.UploadPart, error) {
	u, err := s.store.UploadByUUID(ctx, p.Tenant.ID, uploadID)
	if err != nil {
		return nil, err
	}
	var v tonegrid.Violations
	if u.Status != "open" {
		v.Add("upload_id", "upload_complete")
		return nil, v.Err()
	}
	if n < 1 || n > u.Parts {
		v.Add("n", "out_of_range", "min", 1, "max", u.Parts)
		return nil, v.Err()
	}
	want := partLength(u, n)
	if size >= 0 && size != want {
		v.Add("body", "part_size_mismatch", "size", want)
		return nil, v.Err()
	}
	body := &sourceReader{r: r}
	part, err := s.blobs.PutPart(ctx, u.BlobKey, u.MultipartID, n, body, want)
	switch {
	case errors.Is(err, blob.ErrSizeMismatch):
		v.Add("body", "part_size_mismatch", "size", want)
		return nil, v.Err()
	case errors.Is(err, blob.ErrNotFound):
		return nil, tonegrid.ErrUploadNotFound
	case err != nil:
		return nil, readFailure(ctx, body, err)
	}
	out := tonegrid.UploadPart{Number: n, Size: part.Size, ETag: part.ETag}
	if err := s.store.RecordUploadPart(ctx, u.ID, out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CompleteUpload implements tonegrid.MediaService.
func (s *Service) CompleteUpload(ctx context.Context, p *tonegrid.Principal, uploadID string) (*tonegrid.Upload, error) {
	u, err := s.store.UploadByUUID(ctx, p.Tenant.ID, uploadID)
	if err != nil {
		return nil, err
	}
	if u.Status == "complete" {
		return u, nil
	}
	parts, err := s.store.UploadParts(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	have := map[int]tonegrid.UploadPart{}
	for _, pt := range parts {
		have[pt.Number] = pt
	}
	var missing []string
	var list []blob.Part
	var total int64
	for n := 1; n <= u.Parts; n++ {
		pt, ok := have[n]
		if !ok {
			missing = append(missing, strconv.Itoa(n))
			continue
		}
		list = append(list, blob.Part{Number: n, ETag: pt.ETag, Size: pt.Size})
		total += pt.Size
	}
	var v tonegrid.Violations
	if len(missing) > 0 {
		if len(missing) > 20 {
			missing = append(missing[:20], "…")
		}
		v.Add("parts", "parts_missing", "missing", strings.Join(missing, ", "))
		return nil, v.Err()
	}
	if total != u.Size {
		v.Add("size", "part_size_mismatch", "size", u.Size)
		return nil, v.Err()
	}
	info, err := s.blobs.CompleteMultipart(ctx, u.BlobKey, u.MultipartID, list)
	if err != nil {
		return nil, fmt.Errorf("complete multipart upload: %w", err)
	}
	if info.Size != u.Size {
		s.discard(u, true)
		v.Add("size", "part_size_mismatch", "size", u.Size)
		return nil, v.Err()
	}
	st, err := s.check(ctx, u)
	if err != nil {
		if _, ok := tonegrid.ErrorOf(err); ok {
			// The file is not what the upload promised: it goes, and the
			// upload with it.
			s.discard(u, true)
		}
		return nil, err
	}
	u.ContentType, u.MD5, u.SHA256, u.Probe = st.media.ContentType, st.media.MD5, st.media.SHA256, st.media.Probe
	if err := s.store.MarkUploadComplete(ctx, u); err != nil {
		return nil, err
	}
	return u, nil
}

// check reads an assembled upload once: sniffed, hashed and probed.
func (s *Service) check(ctx context.Context, u *tonegrid.Upload) (*stored, error) {
	t := uploadTargets[u.Kind]
	rc, _, err := s.blobs.Open(ctx, u.BlobKey)
	if err != nil {
		return nil, fmt.Errorf("open assembled upload: %w", err)
	}
	defer rc.Close()
	src, _, kind, err := sniff(rc, t)
	if err != nil {
		return nil, err
	}
	h := newHashes()
	defer h.close()
	pr := probe.NewProbe(kind)
	n, err := io.Copy(io.MultiWriter(h, pr), src)
	if err != nil {
		return nil, fmt.Errorf("read assembled upload: %w", err)
	}
	rep, perr := pr.Report()
	if err := checkReport(rep, perr, t); err != nil {
		return nil, err
	}
	return s.describe(u.BlobKey, n, rep, h, t)
}

// discard removes an upload's bytes and row; assembled also deletes the
// assembled file unless a media row took it over.
func (s *Service) discard(u *tonegrid.Upload, assembled bool) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if u.MultipartID != "" && !assembled {
		s.abort(u)
	}
	if assembled || u.Status == "complete" {
		inUse, err := s.store.BlobInUse(ctx, u.BlobKey)
		if err != nil {
			s.log.Error("check upload blob", "key", u.BlobKey, "err", err)
			return
		}
		if !inUse {
			s.removeBlob(u.BlobKey)
		}
	}
	if _, err := s.store.DeleteUpload(ctx, u.ID); err != nil {
		s.log.Error("delete upload", "upload", u.UUID, "err", err)
	}
}

// DeleteUpload implements tonegrid.MediaService.
func (s *Service) DeleteUpload(ctx context.Context, p *tonegrid.Principal, uploadID string) error {
	u, err := s.store.UploadByUUID(ctx, p.Tenant.ID, uploadID)
	if err != nil {
		return err
	}
	s.discard(u, false)
	return nil
}

// ExpireUploads removes the uploads whose time ran out before now, their
// parts and files, and whatever unfinished multipart uploads the blob store
// still holds from before the oldest live upload could have started. It
// returns how many uploads it removed.
func (s *Service) ExpireUploads(ctx context.Context, now time.Time) (int, error) {
	removed := 0
	for {
		batch, err := s.store.ExpiredUploads(ctx, now, 100)
		if err != nil {
			return removed, err
		}
		for _, u := range batch {
			s.discard(u, false)
			removed++
		}
		if len(batch) < 100 {
			break
		}
	}
	if _, err := s.blobs.CleanUnfinished(ctx, now.Add(-2*s.cfg.UploadTTL)); err != nil {
		return removed, err
	}
	return removed, nil
}

// probeFields reads back the probe document of a completed upload.
type probeFields struct {
	Format     string `json:"format"`
	Codec      string `json:"codec"`
	SampleRate int    `json:"sample_rate"`
	BitDepth   int    `json:"bit_depth"`
	Channels   int    `json:"channels"`
	DurationMS int64  `json:"duration_ms"`
	Width      int    `json:"width"`
	Height     int    `json:"height"`
	ColorModel string `json:"color_model"`
}

// AttachUpload implements tonegrid.MediaService.
func (s *Service) AttachUpload(ctx context.Context, p *tonegrid.Principal, to, targetUUID, uploadID string) (any, error) {
	var t target
	switch to {
	case "track":
		t = audioTarget
		if _, err := s.store.FindTrack(ctx, p, targetUUID); err != nil {
			return nil, err
		}
	case "artwork", tonegrid.MediaAnimatedArtwork, tonegrid.MediaVideo:
		t = map[string]target{"artwork": imageTarget, tonegrid.MediaAnimatedArtwork: animatedTarget, tonegrid.MediaVideo: videoTarget}[to]
		if _, err := s.store.FindRelease(ctx, p, targetUUID); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("attach upload: unknown target %q", to)
	}
	u, err := s.store.UploadByUUID(ctx, p.Tenant.ID, uploadID)
	if err != nil {
		return nil, err
	}
	if u.Status != "complete" {
		var v tonegrid.Violations
		v.Add("upload_id", "upload_not_complete")
		return nil, v.Err()
	}
	if uploadTargets[u.Kind].kind != t.kind {
		return nil, tonegrid.ErrUnsupportedMediaType.Format(u.ContentType, t.name)
	}
	if u.Size > t.limit {
		return nil, t.tooLarge
	}
	var f probeFields
	if err := json.Unmarshal(u.Probe, &f); err != nil {
		return nil, fmt.Errorf("read upload probe: %w", err)
	}
	st := &stored{
		media: &tonegrid.Media{Kind: t.mediaKind, BlobKey: u.BlobKey, Size: u.Size, ContentType: u.ContentType,
			MD5: u.MD5, SHA256: u.SHA256, Probe: u.Probe},
		report: probe.Report{Kind: t.kind, MIME: u.ContentType},
	}
	switch t.kind {
	case probe.KindAudio:
		st.report.Audio = &probe.AudioInfo{Format: f.Format, Codec: f.Codec, SampleRate: f.SampleRate, BitDepth: f.BitDepth, Channels: f.Channels, DurationMS: f.DurationMS}
	case probe.KindImage:
		st.report.Image = &probe.ImageInfo{Format: f.Format, Width: f.Width, Height: f.Height, ColorModel: f.ColorModel}
	}
	var out any
	switch to {
	case "track":
		out, err = s.attachAudio(ctx, p, targetUUID, st)
	case "artwork":
		out, err = s.attachArtwork(ctx, p, targetUUID, st)
	default:
		out, err = s.attachVideo(ctx, p, targetUUID, st)
	}
	if err != nil {
		return nil, err
	}
	// The file belongs to its media row now; the upload row goes.
	if _, err := s.store.DeleteUpload(ctx, u.ID); err != nil {
		s.log.Error("delete attached upload", "upload", u.UUID, "err", err)
	}
	return out, nil
}

// OpenMedia implements tonegrid.MediaService.
func (s *Service) OpenMedia(ctx context.Context, p *tonegrid.Principal, mediaUUID string) (*tonegrid.MediaDownload, error) {
	m, err := s.store.MediaByUUID(ctx, p.Tenant.ID, mediaUUID)
	if err != nil {
		return nil, err
	}
	url, err := s.blobs.SignedURL(ctx, m.BlobKey, SignedURLTTL, downloadName(m))
	if err == nil {
		return &tonegrid.MediaDownload{Media: m, ContentDisposition: blob.ContentDisposition(downloadName(m)), URL: url}, nil
	}
	if !errors.Is(err, blob.ErrNoSignedURLs) {
		return nil, fmt.Errorf("sign download: %w", err)
	}
	info, err := s.blobs.Stat(ctx, m.BlobKey)
	if err != nil {
		return nil, fmt.Errorf("stat media blob: %w", err)
	}
	rs := &blobReader{ctx: ctx, store: s.blobs, key: m.BlobKey, size: info.Size}
	return &tonegrid.MediaDownload{Media: m, ContentDisposition: blob.ContentDisposition(downloadName(m)), Content: rs, Close: rs.Close}, nil
}

// downloadName is the file name a download is saved as: the media uuid
// with the extension of its type.
func downloadName(m *tonegrid.Media) string {
	ext := map[string]string{
		probe.MIMEWAV: ".wav", probe.MIMEAIFF: ".aiff", probe.MIMEFLAC: ".flac", probe.MIMEMPEG: ".mp3",
		probe.MIMEAAC: ".aac", probe.MIMEM4A: ".m4a", probe.MIMEJPEG: ".jpg", probe.MIMEPNG: ".png",
		probe.MIMETIFF: ".tif", probe.MIMEWebP: ".webp", probe.MIMEMP4: ".mp4", probe.MIMEQuickTime: ".mov",
	}[m.ContentType]
	return m.UUID + ext
}

// blobReader is an io.ReadSeeker over a blob: each seek reopens the blob
// at the new offset, so that http.ServeContent can serve ranges.
type blobReader struct {
	ctx   context.Context
	store blob.Store
	key   string
	size  int64
	off   int64
	rc    io.ReadCloser
}

func (b *blobReader) Read(p []byte) (int, error) {
	if b.off >= b.size {
		return 0, io.EOF
	}
	if b.rc == nil {
		rc, err := b.store.OpenRange(b.ctx, b.key, b.off, -1)
		if err != nil {
			return 0, err
		}
		b.rc = rc
	}
	n, err := b.rc.Read(p)
	b.off += int64(n)
	return n, err
}

func (b *blobReader) Seek(offset int64, whence int) (int64, error) {
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = b.off + offset
	case io.SeekEnd:
		abs = b.size + offset
	default:
		return 0, errors.New("blob reader: bad whence")
	}
	if abs < 0 {
		return 0, errors.New("blob reader: negative position")
	}
	if abs != b.off && b.rc != nil {
		b.rc.Close()
		b.rc = nil
	}
	b.off = abs
	return abs, nil
}

// Close releases the open blob reader, if any.
func (b *blobReader) Close() error {
	if b.rc != nil {
		return b.rc.Close()
	}
	return nil
}
