package tonegrid

import (
	"context"
	"time"
)

// Precondition is what a write of a versioned object (a release or a track)
// expects to find: the row_version or updated_at the client last read. The
// zero value expects nothing, and the write applies unconditionally.
type Precondition struct {
	RowVersion *int64
	UpdatedAt  *time.Time
}

// Holds reports whether an object at rowVersion, last updated at updatedAt,
// is still the one the client read.
func (pc Precondition) Holds(rowVersion int64, updatedAt time.Time) bool {
	if pc.RowVersion != nil && *pc.RowVersion != rowVersion {
		return false
	}
	if pc.UpdatedAt != nil && !pc.UpdatedAt.Equal(updatedAt) {
		return false
	}
	return true
}

// ListFilter narrows a list of artists, writers or payees.
type ListFilter struct {
	// Q matches names, ignoring case.
	Q string
	// Sort is a column name, "-" first for descending ("-created_at",
	// "name"); empty means newest first.
	Sort string
	Page Page
}

// ReleaseFilter narrows the release list.
type ReleaseFilter struct {
	Status string
	// Q matches titles, ignoring case.
	Q          string
	ArtistUUID string
	// Sort is created_at, updated_at, title or release_date, "-" first for
	// descending; empty means newest first.
	Sort string
	Page Page
}

// ReleaseVersion is a release's uuid with its DocVersion.
type ReleaseVersion struct {
	UUID       string
	DocVersion int64
}

// PendingRelease is a release waiting for review, with the workspace it
// belongs to, as platform staff see it.
type PendingRelease struct {
	*Release
	TenantUUID string `json:"tenant_uuid"`
	TenantName string `json:"tenant_name"`
}

// ArtistInput is a new artist. An empty Slug is derived from the name.
type ArtistInput struct {
	Name      string
	Slug      string
	Country   string
	SpotifyID string
	AppleID   string
	ISNI      string
	UserUUIDs []string
}

// ArtistUpdate holds the fields a PATCH of an artist may change; nil means
// unchanged and "" clears an optional field.
type ArtistUpdate struct {
	Name      *string
	Slug      *string
	Country   *string
	SpotifyID *string
	AppleID   *string
	ISNI      *string
	UserUUIDs *[]string
}

// WriterInput is a new songwriter.
type WriterInput struct {
	Name string
	IPI  string
	PRO  string
	ISNI string
}

// WriterUpdate holds the fields a PATCH of a writer may change.
type WriterUpdate struct {
	Name *string
	IPI  *string
	PRO  *string
	ISNI *string
}

// PayeeInput is a new payee.
type PayeeInput struct {
	Name     string
	Email    string
	Currency string
}

// PayeeUpdate holds the fields a PATCH of a payee may change.
type PayeeUpdate struct {
	Name     *string
	Email    *string
	Currency *string
}

// ReleaseInput is a new release, already validated and normalized by the
// caller (identifiers canonical, territories sorted).
type ReleaseInput struct {
	Title               string
	LocalizedTitles     map[string]string
	Version             string
	Type                string
	Artists             []ArtistCredit
	LabelName           string
	UPC                 string
	CatalogNumber       string
	ReleaseDate         *Date
	OriginalReleaseDate *Date
	Genre               string
	Subgenre            string
	Language            string
	PLine               *Line
	CLine               *Line
	ParentalAdvisory    string
	Territories         []string
	PriceTier           string
}

// ReleaseUpdate holds the fields a PATCH of a release may change: nil means
// unchanged; "" clears an optional text field, a zero Date clears a date and
// a zero Line clears a line.
type ReleaseUpdate struct {
	Title               *string
	LocalizedTitles     *map[string]string
	Version             *string
	Type                *string
	Artists             *[]ArtistCredit
	LabelName           *string
	UPC                 *string
	CatalogNumber       *string
	ReleaseDate         *Date
	OriginalReleaseDate *Date
	Genre               *string
	Subgenre            *string
	Language            *string
	PLine               *Line
	CLine               *Line
	ParentalAdvisory    *string
	Territories         *[]string
	PriceTier           *string
	// If is the version the client read.
	If Precondition
}

// TrackInput is a new track. Position 0 appends the track to its disc;
// DiscNumber 0 means 1; an empty Language takes the release's.
type TrackInput struct {
	Title           string
	LocalizedTitles map[string]string
	Version         string
	Artists         []ArtistCredit
	ISRC            string
	Position        int
	DiscNumber      int
	Explicit        bool
	Language        string
	Contributors    []Contributor
	PreviewStartS   *int
}

// TrackUpdate holds the fields a PATCH of a track may change; nil means
// unchanged.
type TrackUpdate struct {
	Title           *string
	LocalizedTitles *map[string]string
	Version         *string
	Artists         *[]ArtistCredit
	ISRC            *string
	Position        *int
	DiscNumber      *int
	Explicit        *bool
	Language        *string
	Contributors    *[]Contributor
	PreviewStartS   *int
	// ClearPreviewStart sets preview_start_s back to null (the store's
	// default preview).
	ClearPreviewStart bool
	// If is the version the client read.
	If Precondition
}

// ReleaseDSPUpdate holds the per-store overrides a PUT may change; nil means
// unchanged (or the default when the store is attached by the PUT); a zero
// Date and "" clear.
type ReleaseDSPUpdate struct {
	IsBlocked   *bool
	ReleaseDate *Date
	PriceTier   *string
}

// UPCPool counts the codes of a workspace's UPC pool.
type UPCPool struct {
	Total     int `json:"total"`
	Available int `json:"available"`
}

// ArtistService manages the workspace's artists. Users with role artist
// may read but not change them.
//
// Errors: ErrValidation, ErrArtistNotFound, ErrSlugTaken, ErrArtistInUse
// (delete of a credited artist), ErrForbidden.
type ArtistService interface {
	ListArtists(ctx context.Context, p *Principal, f ListFilter) ([]*Artist, int, error)
	CreateArtist(ctx context.Context, p *Principal, in ArtistInput) (*Artist, error)
	FindArtist(ctx context.Context, p *Principal, uuid string) (*Artist, error)
	UpdateArtist(ctx context.Context, p *Principal, uuid string, upd ArtistUpdate) (*Artist, error)
	DeleteArtist(ctx context.Context, p *Principal, uuid string) error
}

// WriterService manages the workspace's songwriters.
//
// Errors: ErrValidation, ErrWriterNotFound, ErrForbidden.
type WriterService interface {
	ListWriters(ctx context.Context, p *Principal, f ListFilter) ([]*Writer, int, error)
	CreateWriter(ctx context.Context, p *Principal, in WriterInput) (*Writer, error)
	FindWriter(ctx context.Context, p *Principal, uuid string) (*Writer, error)
	UpdateWriter(ctx context.Context, p *Principal, uuid string, upd WriterUpdate) (*Writer, error)
}

// PayeeService manages the workspace's payees.
//
// Errors: ErrValidation, ErrPayeeNotFound, ErrForbidden.
type PayeeService interface {
	ListPayees(ctx context.Context, p *Principal, f ListFilter) ([]*Payee, int, error)
	CreatePayee(ctx context.Context, p *Principal, in PayeeInput) (*Payee, error)
	FindPayee(ctx context.Context, p *Principal, uuid string) (*Payee, error)
	UpdatePayee(ctx context.Context, p *Principal, uuid string, upd PayeeUpdate) (*Payee, error)
}

// ReleaseService manages releases, their review workflow, rights, store
// attachments and the UPC pool. Users with role artist change only the
// releases of artists linked to them (ErrForbidden otherwise).
//
// Errors: ErrValidation (unknown artist uuids as field errors),
// ErrReleaseNotFound, ErrReleaseNotEditable, ErrReleaseNotDeletable,
// ErrReleaseNotSubmittable, ErrReleaseNotPending, ErrReleaseStale,
// ErrUPCTaken, ErrReleaseNoTracks, ErrReleaseNoDSPs, ErrReleaseNoDate,
// ErrReleaseDateTooSoon, ErrTrackAudioMissing, ErrArtworkMissing,
// ErrReleaseInvalid, ErrUPCPoolEmpty, ErrDSPNotFound,
// ErrReleaseDSPNotAttached, ErrForbidden.
type ReleaseService interface {
	ListReleases(ctx context.Context, p *Principal, f ReleaseFilter) ([]*Release, int, error)
	CreateRelease(ctx context.Context, p *Principal, in ReleaseInput) (*Release, error)
	// FindRelease reads a release with its tracks.
	FindRelease(ctx context.Context, p *Principal, uuid string) (*Release, error)
	// ReleaseDocVersion reads only the DocVersion of a release, for caches.
	ReleaseDocVersion(ctx context.Context, p *Principal, uuid string) (int64, error)
	// ListReleaseVersions is ListReleases reduced to uuids and
	// DocVersions, for callers that keep rendered releases.
	ListReleaseVersions(ctx context.Context, p *Principal, f ReleaseFilter) ([]ReleaseVersion, int, error)
	// FindReleases reads releases by uuid, without tracks, in no order;
	// uuids of no release of the tenant are left out.
	FindReleases(ctx context.Context, p *Principal, uuids []string) ([]*Release, error)
	UpdateRelease(ctx context.Context, p *Principal, uuid string, upd ReleaseUpdate) (*Release, error)
	DeleteRelease(ctx context.Context, p *Principal, uuid string, pre Precondition) error
	// SubmitRelease runs the submit checks and puts the release in review.
	SubmitRelease(ctx context.Context, p *Principal, uuid string) (*Release, error)
	// ListPendingReview lists the releases waiting for review in the
	// caller's tenant and every tenant below it, oldest submission first.
	ListPendingReview(ctx context.Context, p *Principal, page Page) ([]*PendingRelease, int, error)
	// ApproveRelease and RejectRelease are the platform staff's review of a
	// release of the caller's tenant or one below it.
	ApproveRelease(ctx context.Context, p *Principal, uuid string) (*Release, error)
	RejectRelease(ctx context.Context, p *Principal, uuid, reason string) (*Release, error)
	// ValidateRelease checks the release against each attached store's
	// rules.
	ValidateRelease(ctx context.Context, p *Principal, uuid string) ([]ValidationItem, error)

	ReleaseRights(ctx context.Context, p *Principal, uuid string) (*Rights, error)
	SetReleaseRights(ctx context.Context, p *Principal, uuid string, r Rights) (*Rights, error)

	ReleaseDSPs(ctx context.Context, p *Principal, uuid string) ([]*ReleaseDSP, error)
	// AttachDSPs attaches active stores by slug (those already attached are
	// left as they are) and returns every attached store.
	AttachDSPs(ctx context.Context, p *Principal, uuid string, slugs []string) ([]*ReleaseDSP, error)
	// SetReleaseDSP changes a store's overrides, attaching it if needed.
	SetReleaseDSP(ctx context.Context, p *Principal, uuid, slug string, upd ReleaseDSPUpdate) (*ReleaseDSP, error)
	DetachDSP(ctx context.Context, p *Principal, uuid, slug string) error

	UPCPool(ctx context.Context, p *Principal) (UPCPool, error)
	// AddUPCs adds canonical UPC/EAN codes to the pool, skipping codes
	// already in it or used by a release; it returns how many it added.
	AddUPCs(ctx context.Context, p *Principal, upcs []string) (int, UPCPool, error)
}

// TrackService manages tracks, their writers and their royalty splits.
//
// Errors: ErrValidation (unknown artist, writer or payee uuids as field
// errors), ErrReleaseNotFound, ErrTrackNotFound, ErrReleaseNotEditable,
// ErrReleaseStale, ErrISRCTaken, ErrSplitsSum, ErrForbidden.
type TrackService interface {
	ListTracks(ctx context.Context, p *Principal, releaseUUID string, page Page) ([]*Track, int, error)
	CreateTrack(ctx context.Context, p *Principal, releaseUUID string, in TrackInput) (*Track, error)
	FindTrack(ctx context.Context, p *Principal, uuid string) (*Track, error)
	UpdateTrack(ctx context.Context, p *Principal, uuid string, upd TrackUpdate) (*Track, error)
	DeleteTrack(ctx context.Context, p *Principal, uuid string, pre Precondition) error

	TrackWriters(ctx context.Context, p *Principal, uuid string) ([]TrackWriter, error)
	// SetTrackWriters replaces the track's writer credits.
	SetTrackWriters(ctx context.Context, p *Principal, uuid string, writers []TrackWriter) ([]TrackWriter, error)

	TrackSplits(ctx context.Context, p *Principal, uuid string) ([]Split, error)
	// SetTrackSplits replaces the track's splits atomically: on any error
	// the old splits stay.
	SetTrackSplits(ctx context.Context, p *Principal, uuid string, splits []Split) ([]Split, error)
}

// DSPDirectory lists the stores releases can be delivered to.
type DSPDirectory interface {
	ListDSPs(ctx context.Context, includeInactive bool) ([]*DSP, error)
}

// CatalogService is everything the catalog routes need.
type CatalogService interface {
	ArtistService
	WriterService
	PayeeService
	ReleaseService
	TrackService
	DSPDirectory
}
