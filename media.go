package tonegrid

import (
	"encoding/json"
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
