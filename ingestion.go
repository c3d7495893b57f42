package tonegrid

import (
	"context"
	"time"
)

// Events of bulk ingestion jobs and webhooks.
const (
	EventIngestionCompleted = "ingestion.completed"
	EventIngestionFailed    = "ingestion.failed"
	EventWebhookTest        = "webhook.test"
)

// MaxBulkReleases bounds the releases of one bulk ingestion call.
const MaxBulkReleases = 200

// BulkRelease is one item of a bulk ingestion: a release with its tracks
// and stores, created in one transaction. Artist credits may name an artist
// (ArtistCredit.Name without ArtistUUID): the tenant's artist of that name
// is credited, or a new one created.
type BulkRelease struct {
	Release ReleaseInput `json:"release"`
	Tracks  []BulkTrack  `json:"tracks"`
	DSPs    []string     `json:"dsps"`
}

// BulkTrack is a track of a bulk item with its writer credits and splits.
type BulkTrack struct {
	Track   TrackInput    `json:"track"`
	Writers []TrackWriter `json:"writers"`
	Splits  []Split       `json:"splits"`
}

// BulkResult is the outcome of one bulk item: the release created, or the
// catalogue error (code, message, field errors) that stopped it.
type BulkResult struct {
	Index   int                     `json:"index"`
	Success bool                    `json:"success"`
	UUID    string                  `json:"uuid,omitempty"`
	Code    string                  `json:"code,omitempty"`
	Message string                  `json:"message,omitempty"`
	Fields  map[string][]FieldError `json:"fields,omitempty"`
}

// FailedResult is the result of item index refused with e.
func FailedResult(index int, e *Error) BulkResult {
	return BulkResult{Index: index, Code: e.Code, Message: e.Message, Fields: e.Fields}
}

// Ingestion job statuses.
const (
	IngestionQueued    = "queued"
	IngestionRunning   = "running"
	IngestionCompleted = "completed"
	IngestionFailed    = "failed"
)

// IngestionJob is an asynchronous bulk ingestion and its progress.
type IngestionJob struct {
	UUID       string       `json:"uuid"`
	Status     string       `json:"status"`
	Total      int          `json:"total"`
	Processed  int          `json:"processed"`
	Succeeded  int          `json:"succeeded"`
	Failed     int          `json:"failed"`
	Results    []BulkResult `json:"-"`
	CreatedAt  time.Time    `json:"created_at"`
	UpdatedAt  time.Time    `json:"updated_at"`
	FinishedAt *time.Time   `json:"finished_at"`
}

// IngestionService creates releases in bulk.
type IngestionService interface {
	// IngestRelease creates one bulk item in one transaction. itemKey, when
	// not empty, makes it idempotent: an item already created under the same
	// key is not created again, and its release uuid is returned.
	IngestRelease(ctx context.Context, p *Principal, itemKey string, in BulkRelease) (string, error)
	// CreateIngestionJob stores an asynchronous bulk job and queues it;
	// failures holds the items refused by validation, by index.
	CreateIngestionJob(ctx context.Context, p *Principal, items []*BulkRelease, failures []BulkResult) (*IngestionJob, error)
	// FindIngestionJob reads a job of the caller's tenant.
	FindIngestionJob(ctx context.Context, p *Principal, uuid string) (*IngestionJob, error)
}
