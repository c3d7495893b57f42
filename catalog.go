package tonegrid

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Date is a calendar date without a time zone, written YYYY-MM-DD, as
// release dates are.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate reads a YYYY-MM-DD date and rejects impossible ones (2025-02-30).
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// DateOf returns the date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// String formats d as YYYY-MM-DD.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d == Date{} }

// Time returns midnight UTC of d.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// Before reports whether d is earlier than other.
func (d Date) Before(other Date) bool { return d.Time().Before(other.Time()) }

// AddDays returns d moved by n days.
func (d Date) AddDays(n int) Date { return DateOf(d.Time().AddDate(0, 0, n)) }

// MarshalText implements encoding.TextMarshaler.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Release types.
const (
	ReleaseTypeSingle      = "single"
	ReleaseTypeEP          = "ep"
	ReleaseTypeAlbum       = "album"
	ReleaseTypeCompilation = "compilation"
)

// Release statuses, in the order of the lifecycle.
const (
	ReleaseDraft         = "draft"
	ReleasePendingReview = "pending_review"
	ReleaseRejected      = "rejected"
	ReleaseApproved      = "approved"
	ReleaseDelivering    = "delivering"
	ReleaseDelivered     = "delivered"
	ReleaseLive          = "live"
	ReleaseTakenDown     = "taken_down"
)

// Editable reports whether a release in status may be edited, submitted or
// deleted: only drafts and rejected releases.
func Editable(status string) bool { return status == ReleaseDraft || status == ReleaseRejected }

// Parental advisory values.
const (
	AdvisoryExplicit = "explicit"
	AdvisoryClean    = "clean"
	AdvisoryNone     = "none"
)

// Artist roles on a release or track.
const (
	ArtistPrimary  = "primary"
	ArtistFeatured = "featured"
)

// Worldwide is the territory code that means every territory.
const Worldwide = "WW"

// Writer roles on a track (PUT /tracks/:uuid/writers).
const (
	WriterComposer         = "composer"
	WriterLyricist         = "lyricist"
	WriterComposerLyricist = "composer_lyricist"
	WriterArranger         = "arranger"
)

// WriterRoles lists the writer roles.
var WriterRoles = []string{WriterComposer, WriterLyricist, WriterComposerLyricist, WriterArranger}

// ContributorRoles lists the roles a track contributor may have.
var ContributorRoles = []string{"composer", "lyricist", "producer", "co_producer", "arranger", "mixer",
	"mastering_engineer", "recording_engineer", "remixer", "conductor", "orchestra", "performer"}

// Rights types a release may be exploited under.
var RightsTypes = []string{"stream", "download", "ugc"}

// Artist is a performer of the tenant's catalog.
type Artist struct {
	ID        int64  `json:"-"`
	UUID      string `json:"uuid"`
	TenantID  int64  `json:"-"`
	Name      string `json:"name"`
	Slug      string `json:"slug"`
	Country   string `json:"country,omitempty"`
	SpotifyID string `json:"spotify_id,omitempty"`
	AppleID   string `json:"apple_id,omitempty"`
	ISNI      string `json:"isni,omitempty"`
	// UserUUIDs are the users linked to the artist: a user with role
	// artist may edit the releases this artist is credited on.
	UserUUIDs []string  `json:"user_uuids"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Writer is a songwriter credited for publishing.
type Writer struct {
	ID        int64     `json:"-"`
	UUID      string    `json:"uuid"`
	TenantID  int64     `json:"-"`
	Name      string    `json:"name"`
	IPI       string    `json:"ipi,omitempty"`
	PRO       string    `json:"pro,omitempty"`
	ISNI      string    `json:"isni,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Payee is someone royalties are paid to.
type Payee struct {
	ID        int64     `json:"-"`
	UUID      string    `json:"uuid"`
	TenantID  int64     `json:"-"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	Currency  string    `json:"currency"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ArtistCredit links an artist to a release or track with a role.
type ArtistCredit struct {
	ArtistUUID string `json:"artist_uuid"`
	// Name is the artist's name, filled on read.
	Name string `json:"name"`
	// Role is ArtistPrimary or ArtistFeatured.
	Role string `json:"role"`
}

// Line is a copyright (C) or phonographic (P) line.
type Line struct {
	Year   int    `json:"year"`
	Holder string `json:"holder"`
}

// Contributor is a credit on a track that is not a performing artist
// (composer, lyricist, producer…).
type Contributor struct {
	Name string `json:"name"`
	Role string `json:"role"`
}

// Audio is the probed audio file of a track.
type Audio struct {
	MediaUUID  string `json:"media_uuid"`
	Format     string `json:"format"`
	SampleRate int    `json:"sample_rate"`
	BitDepth   int    `json:"bit_depth"`
	Channels   int    `json:"channels"`
	DurationMS int64  `json:"duration_ms"`
	Size       int64  `json:"size"`
	MD5        string `json:"md5"`
	SHA256     string `json:"sha256"`
}

// Artwork is the probed cover image of a release.
type Artwork struct {
	MediaUUID  string   `json:"media_uuid"`
	Format     string   `json:"format"`
	Width      int      `json:"width"`
	Height     int      `json:"height"`
	ColorModel string   `json:"color_model"`
	Size       int64    `json:"size"`
	MD5        string   `json:"md5"`
	SHA256     string   `json:"sha256"`
	Warnings   []string `json:"warnings"`
}

// Release is an album, EP, single or compilation of a tenant.
type Release struct {
	ID              int64             `json:"-"`
	UUID            string            `json:"uuid"`
	TenantID        int64             `json:"-"`
	Title           string            `json:"title"`
	LocalizedTitles map[string]string `json:"localized_titles"`
	Version         string            `json:"version,omitempty"`
	// Type is one of the ReleaseType constants.
	Type                string         `json:"type"`
	Artists             []ArtistCredit `json:"artists"`
	LabelName           string         `json:"label_name"`
	UPC                 string         `json:"upc,omitempty"`
	CatalogNumber       string         `json:"catalog_number,omitempty"`
	ReleaseDate         *Date          `json:"release_date"`
	OriginalReleaseDate *Date          `json:"original_release_date"`
	Genre               string         `json:"genre"`
	Subgenre            string         `json:"subgenre,omitempty"`
	// Language is an ISO 639-1 code.
	Language string `json:"language"`
	PLine    *Line  `json:"p_line"`
	CLine    *Line  `json:"c_line"`
	// ParentalAdvisory is one of the Advisory constants.
	ParentalAdvisory string `json:"parental_advisory"`
	// Territories is ["WW"] or ISO 3166-1 alpha-2 codes.
	Territories  []string `json:"territories"`
	PriceTier    string   `json:"price_tier,omitempty"`
	Status       string   `json:"status"`
	RejectReason string   `json:"reject_reason,omitempty"`
	RowVersion   int64    `json:"row_version"`
	// DocVersion changes whenever anything the release's JSON shows
	// changes (its tracks, credits, artist names and media included), by
	// whoever; caches of rendered releases compare it.
	DocVersion int64    `json:"-"`
	Artwork    *Artwork `json:"artwork"`
	TrackCount int      `json:"track_count"`
	// Tracks are filled when the release is read with its tracks.
	Tracks      []*Track   `json:"tracks,omitempty"`
	SubmittedAt *time.Time `json:"submitted_at"`
	ApprovedAt  *time.Time `json:"approved_at"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// PrimaryArtists returns the names of the release's primary artists.
func (r *Release) PrimaryArtists() []string {
	var out []string
	for _, a := range r.Artists {
		if a.Role == ArtistPrimary {
			out = append(out, a.Name)
		}
	}
	return out
}

// Track is one recording on a release.
type Track struct {
	ID              int64             `json:"-"`
	UUID            string            `json:"uuid"`
	TenantID        int64             `json:"-"`
	ReleaseID       int64             `json:"-"`
	ReleaseUUID     string            `json:"release_uuid"`
	Title           string            `json:"title"`
	LocalizedTitles map[string]string `json:"localized_titles"`
	Version         string            `json:"version,omitempty"`
	Artists         []ArtistCredit    `json:"artists"`
	// ISRC is stored without dashes: CCXXXYYNNNNN.
	ISRC          string        `json:"isrc,omitempty"`
	Position      int           `json:"position"`
	DiscNumber    int           `json:"disc_number"`
	Explicit      bool          `json:"explicit"`
	Language      string        `json:"language"`
	Contributors  []Contributor `json:"contributors"`
	PreviewStartS *int          `json:"preview_start_s"`
	Audio         *Audio        `json:"audio"`
	RowVersion    int64         `json:"row_version"`
	CreatedAt     time.Time     `json:"created_at"`
	UpdatedAt     time.Time     `json:"updated_at"`
}

// Split is one payee's share of a track's royalties.
type Split struct {
	PayeeUUID string `json:"payee_uuid"`
	PayeeName string `json:"payee_name,omitempty"`
	// Percentage is a decimal string with up to 4 places ("33.3333").
	Percentage string `json:"percentage"`
}

// TrackWriter credits a writer on a track with a role and share.
type TrackWriter struct {
	WriterUUID string `json:"writer_uuid"`
	WriterName string `json:"writer_name,omitempty"`
	// Role is composer, lyricist, composer_lyricist or arranger.
	Role string `json:"role"`
	// Share is a decimal percentage string.
	Share string `json:"share"`
}

// ReleaseDSP is a store attached to a release, with per-store overrides.
type ReleaseDSP struct {
	DSP         *DSP   `json:"dsp"`
	IsBlocked   bool   `json:"is_blocked"`
	ReleaseDate *Date  `json:"release_date"`
	PriceTier   string `json:"price_tier,omitempty"`
}

// Rights says who owns a release's master and where it may be exploited.
type Rights struct {
	MasterOwner string `json:"master_owner"`
	// OwnershipPercent is a decimal string.
	OwnershipPercent    string   `json:"ownership_percent"`
	TerritoriesIncluded []string `json:"territories_included,omitempty"`
	TerritoriesExcluded []string `json:"territories_excluded,omitempty"`
	// RightsTypes are stream, download and ugc.
	RightsTypes []string `json:"rights_types"`
}

// DisplayArtist renders credits the way stores show them: primary artists
// joined by ", " and " & ", then "feat." and the featured ones.
func DisplayArtist(credits []ArtistCredit) string {
	var primary, featured []string
	for _, c := range credits {
		if c.Role == ArtistFeatured {
			featured = append(featured, c.Name)
		} else {
			primary = append(primary, c.Name)
		}
	}
	s := joinNames(primary)
	if len(featured) > 0 {
		s += " feat. " + joinNames(featured)
	}
	return s
}

func joinNames(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " & " + names[len(names)-1]
}

// FormatISRC renders a stored ISRC (CCXXXYYNNNNN) with dashes
// (CC-XXX-YY-NNNNN); other values are returned unchanged.
func FormatISRC(isrc string) string {
	if len(isrc) != 12 {
		return isrc
	}
	return isrc[:2] + "-" + isrc[2:5] + "-" + isrc[5:7] + "-" + isrc[7:]
}

// ETag is the entity tag of an object at a row version: "7" in quotes.
func ETag(rowVersion int64) string { return `"` + strconv.FormatInt(rowVersion, 10) + `"` }
