package tonegrid

import (
	"context"
	"encoding/json"
	"io"
	"time"
)

// Media kinds.
const (
	MediaAudio           = "audio"
	MediaImage           = "image"
	MediaAnimatedArtwork = "animated_artwork"
	MediaVideo           = "video"
)

// Media is one stored file of a tenant: its bytes are in blob storage under
// BlobKey. A media row exists exactly when its blob is complete.
type Media struct {
	ID          int64           `json:"-"`
	UUID        string          `json:"uuid"`
	TenantID    int64           `json:"-"`
	Kind        string          `json:"kind"`
	BlobKey     string          `json:"-"`
	Size        int64           `json:"size"`
	ContentType string          `json:"content_type"`
	MD5         string          `json:"md5"`
	SHA256      string          `json:"sha256"`
	Probe       json.RawMessage `json:"probe"`
	CreatedAt   time.Time       `json:"created_at"`
}

// Upload kinds of resumable uploads: what the assembled file must be.
const (
	UploadAudio = "audio"
	UploadImage = "image"
	UploadVideo = "video"
)

// Upload is a resumable upload of a tenant: a big file sent in parts, then
// completed (assembled, sniffed, probed and hashed), then attached to a
// track or release by its uuid (the upload_id of the API).
type Upload struct {
	ID          int64  `json:"-"`
	UUID        string `json:"upload_id"`
	TenantID    int64  `json:"-"`
	Kind        string `json:"kind"`
	Filename    string `json:"filename"`
	Size        int64  `json:"size"`
	ContentType string `json:"content_type"`
	PartSize    int64  `json:"part_size"`
	Parts       int    `json:"parts"`
	// Status is "open" while parts arrive and "complete" once assembled.
	Status string `json:"status"`
	// Received lists the part numbers stored so far (open uploads).
	Received []int `json:"received_parts"`
	// BlobKey and MultipartID locate the bytes; never shown to clients.
	BlobKey     string `json:"-"`
	MultipartID string `json:"-"`
	// MD5, SHA256 and Probe are set once complete; ContentType is then the
	// sniffed type.
	MD5       string          `json:"md5,omitempty"`
	SHA256    string          `json:"sha256,omitempty"`
	Probe     json.RawMessage `json:"probe,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
	ExpiresAt time.Time       `json:"expires_at"`
}

// UploadPart is one stored part of a resumable upload.
type UploadPart struct {
	Number int    `json:"number"`
	Size   int64  `json:"size"`
	ETag   string `json:"etag"`
}

// UploadCreate is what a client declares when starting a resumable upload.
type UploadCreate struct {
	Kind        string
	Filename    string
	Size        int64
	ContentType string
}

// ReleaseVideo is a video attached to a release: its animated artwork (one
// per release) or a music video.
type ReleaseVideo struct {
	Kind  string `json:"kind"`
	Media *Media `json:"media"`
}

// MediaService stores uploaded files and attaches them to the catalog.
// Uploads stream: file readers are read once, never held whole. A failed
// upload leaves no media row and no blob.
//
// Errors: ErrFileTooLarge, ErrAnimatedArtworkTooLarge,
// ErrUnsupportedMediaType, ErrTrackNotFound, ErrReleaseNotFound,
// ErrUploadNotFound, ErrMediaNotFound, ErrValidation, the release state
// errors of catalog edits (ErrReleaseNotEditable…), ErrForbidden.
type MediaService interface {
	// UploadTrackAudio streams an audio file to storage and attaches it to
	// a track, replacing (and deleting) any previous audio.
	UploadTrackAudio(ctx context.Context, p *Principal, trackUUID string, file io.Reader) (*Track, error)
	// UploadReleaseArtwork streams an image and makes it the release's artwork.
	UploadReleaseArtwork(ctx context.Context, p *Principal, releaseUUID string, file io.Reader) (*Release, error)
	// UploadReleaseVideo streams a video and attaches it to the release as
	// kind MediaAnimatedArtwork (replacing the previous one) or MediaVideo.
	UploadReleaseVideo(ctx context.Context, p *Principal, releaseUUID, kind string, file io.Reader) (*ReleaseVideo, error)
	// AttachUpload attaches a completed resumable upload: to a track
	// (target "track", audio) or release (targets "artwork",
	// "animated_artwork", "video"). It returns the track, release or
	// release video.
	AttachUpload(ctx context.Context, p *Principal, target, uuid, uploadID string) (any, error)

	// CreateUpload starts a resumable upload.
	CreateUpload(ctx context.Context, p *Principal, c UploadCreate) (*Upload, error)
	// FindUpload reads an upload with the parts received so far, so that
	// a client resuming after a crash sends only the missing ones.
	FindUpload(ctx context.Context, p *Principal, uploadID string) (*Upload, error)
	// PutUploadPart stores part n (from 1) of an open upload; size is the
	// request's declared length or -1.
	PutUploadPart(ctx context.Context, p *Principal, uploadID string, n int, r io.Reader, size int64) (*UploadPart, error)
	// CompleteUpload assembles the parts, then sniffs, probes and hashes
	// the file. A file of the wrong type is deleted with the upload.
	CompleteUpload(ctx context.Context, p *Principal, uploadID string) (*Upload, error)
	// DeleteUpload cancels an upload and removes its bytes.
	DeleteUpload(ctx context.Context, p *Principal, uploadID string) error

	// OpenMedia returns a stored file for download: a short-lived signed
	// URL when the store gives them, else the file's reader.
	OpenMedia(ctx context.Context, p *Principal, mediaUUID string) (*MediaDownload, error)

	// DeleteTrack deletes a track of a draft or rejected release (as
	// TrackService.DeleteTrack) together with its audio file.
	DeleteTrack(ctx context.Context, p *Principal, uuid string, pre Precondition) error
	// DeleteRelease deletes a draft or rejected release with its tracks (as
	// ReleaseService.DeleteRelease) together with every file they hold:
	// artwork, animated artwork, music videos and the tracks' audio.
	DeleteRelease(ctx context.Context, p *Principal, uuid string, pre Precondition) error
}

// MediaDownload is a file to hand to a client: either URL is set (redirect
// there) or Content reads it, ranges included.
type MediaDownload struct {
	Media *Media
	// ContentDisposition is the header that names the saved file.
	ContentDisposition string
	URL                string
	Content            io.ReadSeeker
	// Close releases Content.
	Close func() error
}
