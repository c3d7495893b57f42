// Package tonegrid holds ToneGrid's domain: the types of the catalog, tenancy,
// delivery and finance, the service interfaces the adapters implement, and the
// error catalogue every client-visible error comes from.
//
// It imports only the standard library. Storage (sqlstore), HTTP (httpapi),
// background work (jobs) and everything else import it, never the reverse.
package tonegrid

import "time"

// Version is the build's version, set by the linker (-X tonegrid.Version=…).
var Version = "dev"

// Role is what a user may do inside their tenant.
type Role string

// The roles of the contract, from most to least privileged.
const (
	RoleSuperAdmin Role = "super_admin"
	RoleLabelAdmin Role = "label_admin"
	RoleStaff      Role = "staff"
	RoleArtist     Role = "artist"
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	switch r {
	case RoleSuperAdmin, RoleLabelAdmin, RoleStaff, RoleArtist:
		return true
	}
	return false
}

// Status values shared by tenants and users.
const (
	StatusActive    = "active"
	StatusSuspended = "suspended"
)

// Tenant is a workspace: a label, an artist, or a distributor reselling the
// platform to client tenants below it. The root tenant is the platform itself.
type Tenant struct {
	ID         int64  `json:"-"`
	UUID       string `json:"uuid"`
	ParentID   *int64 `json:"-"`
	ParentUUID string `json:"parent_uuid,omitempty"`
	// Path lists the ids from the root down to this tenant ("/1/4/9/"): a
	// tenant is below another when its path starts with the other's.
	Path string `json:"-"`
	Name string `json:"name"`
	// Status is StatusActive or StatusSuspended.
	Status        string `json:"status"`
	DefaultLocale string `json:"default_locale"`
	// Domains are the white-label host names that resolve to the tenant.
	Domains  []string          `json:"domains"`
	Branding map[string]string `json:"branding"`
	// RevenueSharePercent is the tenant's share of its revenue, as a
	// decimal string; its parent distributor keeps the rest as a fee.
	RevenueSharePercent string    `json:"revenue_share_percent"`
	CreatedAt           time.Time `json:"created_at"`
	UpdatedAt           time.Time `json:"updated_at"`
}

// IsBelow reports whether t is a descendant of ancestor (not ancestor
// itself).
func (t *Tenant) IsBelow(ancestor *Tenant) bool {
	return t.ID != ancestor.ID && len(t.Path) > len(ancestor.Path) && t.Path[:len(ancestor.Path)] == ancestor.Path
}

// User is a person who logs in to one tenant.
type User struct {
	ID              int64      `json:"-"`
	UUID            string     `json:"uuid"`
	TenantID        int64      `json:"-"`
	Email           string     `json:"email"`
	Name            string     `json:"name"`
	Role            Role       `json:"role"`
	Status          string     `json:"status"`
	Locale          string     `json:"locale"`
	EmailVerifiedAt *time.Time `json:"email_verified_at"`
	EmailVerified   bool       `json:"email_verified"`
	PasswordHash    string     `json:"-"`
	// TokenVersion is carried by the user's access tokens; raising it cuts
	// every token issued before (logout, password change, suspension).
	TokenVersion int64     `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// DSP is a store releases are delivered to (Spotify, Apple Music…).
type DSP struct {
	ID          int64  `json:"-"`
	Slug        string `json:"slug"`
	Name        string `json:"name"`
	DDEXPartyID string `json:"ddex_party_id"`
	ERNVersion  string `json:"ern_version"`
	// DeliveryProtocol is "dir", "sftp" or "s3".
	DeliveryProtocol string    `json:"delivery_protocol"`
	IsActive         bool      `json:"is_active"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}
