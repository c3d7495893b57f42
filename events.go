package tonegrid

import (
	"encoding/json"
	"time"
)

// Lifecycle events of releases, written to the transactional outbox in the
// same transaction as the change; webhook delivery reads them from there.
const (
	EventReleaseCreated   = "release.created"
	EventReleaseSubmitted = "release.submitted"
	EventReleaseApproved  = "release.approved"
	EventReleaseRejected  = "release.rejected"
	EventReleaseDeleted   = "release.deleted"
	// EventTrackAudioProcessed follows a track's audio upload once it is
	// probed and attached.
	EventTrackAudioProcessed = "track.audio_processed"
)

// Event is one row of the outbox: what happened in a tenant, with the
// object it happened to as Data. Its JSON is the body webhooks deliver.
type Event struct {
	ID         int64           `json:"-"`
	UUID       string          `json:"id"`
	TenantID   int64           `json:"-"`
	TenantUUID string          `json:"tenant_uuid"`
	Type       string          `json:"type"`
	Data       json.RawMessage `json:"data"`
	CreatedAt  time.Time       `json:"created_at"`
}
