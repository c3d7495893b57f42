package tonegrid

import (
	"context"
	"errors"
	"io"
	"time"
)

// Delivery kinds: what a delivery sends to a store.
const (
	// DeliveryNew is the first NewReleaseMessage of a release to a store.
	DeliveryNew = "new"
	// DeliveryUpdate re-sends the whole release (ERN 4 has no partial
	// update: each message is the full truth about the release).
	DeliveryUpdate = "update"
	// DeliveryTakedown sends a NewReleaseMessage whose deals end now.
	DeliveryTakedown = "takedown"
	// DeliveryPurge sends a PurgeReleaseMessage.
	DeliveryPurge = "purge"
)

// Delivery statuses. A delivery is queued, then sending during an attempt;
// a failed attempt puts it back to queued until the last attempt, which
// leaves it failed. Once delivered, the store's acknowledgement makes it
// live or rejected.
const (
	DeliveryQueued    = "queued"
	DeliverySending   = "sending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
	DeliveryLive      = "live"
	DeliveryRejected  = "rejected"
)

// EventDSPTakenDown is the status word of the event that says a takedown or
// purge reached a store (release.dsp.<slug>.taken_down).
const EventDSPTakenDown = "taken_down"

// DSPEvent is the type of the event about a release at one store:
// release.dsp.<slug>.<status>.
func DSPEvent(slug, status string) string { return "release.dsp." + slug + "." + status }

// Delivery is one message sent (or to be sent) about a release to a store.
type Delivery struct {
	ID          int64  `json:"-"`
	UUID        string `json:"uuid"`
	TenantID    int64  `json:"-"`
	ReleaseID   int64  `json:"-"`
	ReleaseUUID string `json:"release_uuid"`
	DSPID       int64  `json:"-"`
	// DSP is the store's slug.
	DSP string `json:"dsp"`
	// Kind is one of the Delivery kinds, Status one of the statuses.
	Kind      string `json:"kind"`
	Status    string `json:"status"`
	Attempts  int    `json:"attempts"`
	LastError string `json:"last_error"`
	// Reason is the takedown's reason, or the store's reason for a
	// rejection.
	Reason    string `json:"reason"`
	MessageID string `json:"message_id"`
	BatchID   string `json:"batch_id"`
	// MessageKey is the blob key of the message as sent; empty until the
	// first attempt built it.
	MessageKey  string     `json:"-"`
	MessageSize int64      `json:"-"`
	DeliveredAt *time.Time `json:"delivered_at"`
	AckedAt     *time.Time `json:"acked_at"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// DSPDelivery is how a store receives deliveries, credentials included. It
// is stored sealed and never returned by the API.
type DSPDelivery struct {
	// Protocol is "dir", "sftp" or "s3".
	Protocol string  `json:"protocol"`
	SFTP     DSPSFTP `json:"sftp"`
	S3       DSPS3   `json:"s3"`
}

// DSPSFTP is the SFTP endpoint of a store.
type DSPSFTP struct {
	Host               string `json:"host"`
	Port               int    `json:"port"`
	User               string `json:"user"`
	Password           string `json:"password"`
	PrivateKey         string `json:"private_key"`
	Passphrase         string `json:"passphrase"`
	RemoteDir          string `json:"remote_dir"`
	HostKeyFingerprint string `json:"host_key_fingerprint"`
}

// DSPS3 is the S3 bucket of a store.
type DSPS3 struct {
	Bucket    string `json:"bucket"`
	Prefix    string `json:"prefix"`
	Endpoint  string `json:"endpoint"`
	Region    string `json:"region"`
	AccessKey string `json:"access_key"`
	SecretKey string `json:"secret_key"`
	PathStyle bool   `json:"path_style"`
}

// KeepSecrets fills the credentials d leaves empty from old, when both use
// the same protocol: a change of host need not repeat the password.
func (d *DSPDelivery) KeepSecrets(old DSPDelivery) {
	if d.Protocol != old.Protocol {
		return
	}
	keep := func(v *string, prev string) {
		if *v == "" {
			*v = prev
		}
	}
	keep(&d.SFTP.Password, old.SFTP.Password)
	keep(&d.SFTP.PrivateKey, old.SFTP.PrivateKey)
	keep(&d.SFTP.Passphrase, old.SFTP.Passphrase)
	keep(&d.S3.SecretKey, old.S3.SecretKey)
}

// DSPInput is a new store, or the full settings of one (POST /dsps/:slug).
type DSPInput struct {
	Name        string
	DDEXPartyID string
	ERNVersion  string
	IsActive    bool
	Delivery    DSPDelivery
}

// DSPUpdate holds the store settings a PATCH may change; nil means
// unchanged.
type DSPUpdate struct {
	Name        *string
	DDEXPartyID *string
	ERNVersion  *string
	IsActive    *bool
	Delivery    *DSPDelivery
}

// DSPAdmin configures stores; platform staff only.
//
// Errors: ErrDSPTaken (creating a slug that exists), ErrDSPNotFound
// (updating an unknown slug).
type DSPAdmin interface {
	CreateDSP(ctx context.Context, p *Principal, slug string, in DSPInput) (*DSP, error)
	UpdateDSP(ctx context.Context, p *Principal, slug string, upd DSPUpdate) (*DSP, error)
}

// DeliveryRequest asks for deliveries of one kind.
type DeliveryRequest struct {
	// Kind is one of the Delivery kinds.
	Kind string
	// DSPs names the stores; empty means every attached store (unblocked
	// ones for new and update deliveries).
	DSPs []string
	// Single marks a request for one named store, where a block is an
	// error rather than a reason to skip it.
	Single bool
	// Reason is a takedown's reason.
	Reason string
}

// DeliveryService delivers releases to stores as DDEX messages.
//
// Errors: ErrReleaseNotFound, ErrDSPNotFound, ErrReleaseDSPNotAttached,
// ErrReleaseNoDSPsAttached, ErrDSPBlocked, ErrReleaseNotDeliverable (not
// approved yet), ErrReleaseNotDelivered (takedown or purge of a release
// never delivered), ErrReleaseInvalid (a release that cannot be written as
// a valid message), ErrDeliveryNotFound.
type DeliveryService interface {
	// PreviewDelivery returns the NewReleaseMessage a delivery of the
	// release to the store would send now.
	PreviewDelivery(ctx context.Context, p *Principal, releaseUUID, slug string) ([]byte, error)
	// Deliver queues deliveries and returns them.
	Deliver(ctx context.Context, p *Principal, releaseUUID string, req DeliveryRequest) ([]*Delivery, error)
	// ListDeliveries lists the deliveries of a release, newest first.
	ListDeliveries(ctx context.Context, p *Principal, releaseUUID string, page Page) ([]*Delivery, int, error)
	// DeliveryMessage opens the message a delivery sent, with its size.
	DeliveryMessage(ctx context.Context, p *Principal, releaseUUID, deliveryUUID string) (io.ReadCloser, int64, error)
}

// ErrDeliveryWaiting is returned by the storage when a delivery must wait
// for an earlier delivery of the same release to the same store to settle:
// batches about one release reach a store in the order they were made.
var ErrDeliveryWaiting = errors.New("an earlier delivery of the release to the store is not settled yet")

// DeliveryJob is the background job that sends one delivery.
type DeliveryJob struct {
	DeliveryID int64 `json:"delivery_id"`
}

// Kind names the job's worker.
func (DeliveryJob) Kind() string { return "ddex.deliver" }

// DeliveryContent is what messages about a release are made from: the
// release with its tracks, its rights, and the stores a request targets.
type DeliveryContent struct {
	Release *Release
	Rights  *Rights
	Targets []*ReleaseDSP
}

// DeliveryWork is what one attempt of a delivery needs.
type DeliveryWork struct {
	Delivery *Delivery
	// TenantUUID names the tenant in blob keys.
	TenantUUID string
	DSP        *DSP
	// Endpoint is the store's delivery endpoint, credentials in clear.
	Endpoint DSPDelivery
	Release  *Release
	Rights   *Rights
	// Store is the release's attachment to the store, with its overrides;
	// nil when the store was detached since.
	Store *ReleaseDSP
}

// AttemptResult is how one attempt of a delivery ended.
type AttemptResult struct {
	// Err is empty on success.
	Err       string
	BytesSent int64
	// Final marks a failure after which no attempt follows.
	Final bool
	// MessageKey and MessageSize record the stored message, when built.
	MessageKey  string
	MessageSize int64
}

// AckResult is a store's verdict on one release, read from an
// acknowledgement file.
type AckResult struct {
	ICPN       string
	MessageIDs []string
	// Live is true for an ingested release, false for a rejected one.
	Live   bool
	Reason string
}
