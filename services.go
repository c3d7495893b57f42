package tonegrid

import (
	"context"
	"net/netip"
	"time"
)

// Page selects one page of a list: Page from 1, PerPage 1–100.
type Page struct {
	Page    int
	PerPage int
}

// Offset is the number of rows before the page.
func (p Page) Offset() int { return (p.Page - 1) * p.PerPage }

// Session is what a successful login, signup, refresh or login-as returns.
type Session struct {
	AccessToken string
	// RefreshToken is empty for login-as sessions, which cannot be
	// refreshed.
	RefreshToken     string
	RefreshExpiresAt time.Time
	ExpiresIn        int
	User             *User
	Tenant           *Tenant
}

// SignupInput is a new account with its own tenant.
type SignupInput struct {
	Email      string
	Password   string
	TenantName string
	Name       string
	Locale     string
	// Parent is the tenant the request resolved to; the new tenant goes
	// below it.
	Parent *Tenant
}

// AuthService authenticates callers and runs the account flows.
//
// Errors: ErrValidation (bad input), ErrInvalidCredentials, ErrUserSuspended,
// ErrTenantSuspended, ErrTokenMissing, ErrTokenInvalid, ErrForbidden (API key
// outside its allowed IPs), ErrOTPInvalid, ErrRateLimited (too many wrong
// codes), ErrResetTokenInvalid, ErrCurrentPasswordIncorrect,
// ErrNotDescendant, ErrClientNotFound.
type AuthService interface {
	Signup(ctx context.Context, in SignupInput) (*Session, error)
	VerifyOTP(ctx context.Context, email, code string) (*User, error)
	ResendOTP(ctx context.Context, email string) error
	// Login checks a password; within is the tenant the request resolved
	// to: only its users and those of its descendants may log in there.
	Login(ctx context.Context, email, password string, within *Tenant) (*Session, error)
	Refresh(ctx context.Context, refreshToken string) (*Session, error)
	// Logout revokes the refresh token's family (when given) and cuts the
	// user's access tokens.
	Logout(ctx context.Context, p *Principal, refreshToken string) error
	// ForgotPassword queues a reset mail when the email has an account
	// within the tenant; it takes the same time either way.
	ForgotPassword(ctx context.Context, email string, within *Tenant) error
	ResetPassword(ctx context.Context, token, password string) error
	ChangePassword(ctx context.Context, p *Principal, current, next string) error
	// Authenticate turns a bearer token (access JWT or API key) from ip
	// into a principal.
	Authenticate(ctx context.Context, token string, ip netip.Addr) (*Principal, error)
	LoginAs(ctx context.Context, p *Principal, clientUUID string) (*Session, error)
}

// UserUpdate holds the fields a PATCH may change; nil means unchanged.
type UserUpdate struct {
	Name   *string
	Locale *string
	Role   *Role
	Status *string
}

// InviteInput is a user invited into the caller's tenant.
type InviteInput struct {
	Email string
	Name  string
	Role  Role
}

// UserService manages the users of the caller's tenant.
//
// Errors: ErrValidation, ErrUserNotFound, ErrCannotDeleteSelf, ErrForbidden
// (granting a role above one's own), ErrPlanLimitReached (inviting past the
// plan's team seats).
type UserService interface {
	UpdateProfile(ctx context.Context, p *Principal, upd UserUpdate) (*User, error)
	ListUsers(ctx context.Context, p *Principal, page Page) ([]*User, int, error)
	InviteUser(ctx context.Context, p *Principal, in InviteInput) (*User, error)
	FindUser(ctx context.Context, p *Principal, uuid string) (*User, error)
	UpdateUser(ctx context.Context, p *Principal, uuid string, upd UserUpdate) (*User, error)
	DeleteUser(ctx context.Context, p *Principal, uuid string) error
}

// TenantUpdate holds the fields a PATCH of a tenant may change.
type TenantUpdate struct {
	Name                *string
	Domains             *[]string
	Branding            *map[string]string
	DefaultLocale       *string
	Status              *string
	RevenueSharePercent *string
}

// ClientInput is a new client tenant with its first admin.
type ClientInput struct {
	Name       string
	OwnerEmail string
	OwnerName  string
	Plan       string
}

// TenantService manages the caller's tenant and its client tenants.
//
// Errors: ErrValidation (a domain another tenant claims is a "taken" field
// error), ErrTenantUnresolved, ErrClientNotFound, ErrPlanLimitReached (a
// client owner past the plan's team seats).
type TenantService interface {
	// ResolveTenant finds the tenant that serves host (a white-label
	// domain, or the platform's own host for the root).
	ResolveTenant(ctx context.Context, host string) (*Tenant, error)
	// CurrentTenant reads the tenant the caller acts in, domains included.
	CurrentTenant(ctx context.Context, p *Principal) (*Tenant, error)
	UpdateTenant(ctx context.Context, p *Principal, upd TenantUpdate) (*Tenant, error)
	ListClients(ctx context.Context, p *Principal, page Page) ([]*Tenant, int, error)
	CreateClient(ctx context.Context, p *Principal, in ClientInput) (*Tenant, *User, error)
	FindClient(ctx context.Context, p *Principal, uuid string) (*Tenant, error)
	UpdateClient(ctx context.Context, p *Principal, uuid string, upd TenantUpdate) (*Tenant, error)
}

// APIKeyInput is a key to mint.
type APIKeyInput struct {
	Name       string
	Scopes     []string
	ExpiresAt  *time.Time
	AllowedIPs []string
}

// APIKeyService mints and manages the tenant's API keys. The plaintext key
// is returned once, by Create and Rotate.
//
// Errors: ErrValidation, ErrAPIKeyNotFound.
type APIKeyService interface {
	ListAPIKeys(ctx context.Context, p *Principal, page Page) ([]*APIKey, int, error)
	CreateAPIKey(ctx context.Context, p *Principal, in APIKeyInput) (*APIKey, string, error)
	// RotateAPIKey mints a successor with the same settings; the old key
	// stays valid for the grace period.
	RotateAPIKey(ctx context.Context, p *Principal, uuid string, grace time.Duration) (*APIKey, string, error)
	RevokeAPIKey(ctx context.Context, p *Principal, uuid string) error
}

// AuditFilter narrows the audit log.
type AuditFilter struct {
	Action string
	Page   Page
}

// AuditService reads the tenant's audit log; services write it in their
// own transactions.
type AuditService interface {
	ListAudit(ctx context.Context, p *Principal, f AuditFilter) ([]*AuditEntry, int, error)
}

// StoredResponse is a completed response kept for Idempotency-Key replays.
type StoredResponse struct {
	Status int
	Header map[string]string
	Body   []byte
}

// IdempotencyStore keeps the first completed response of each
// Idempotency-Key for 24 hours.
//
// Errors: ErrIdempotencyKeyReused, ErrIdempotencyInProgress.
type IdempotencyStore interface {
	// ClaimIdempotencyKey starts a request under scope; nil, nil means the
	// caller owns it and must complete or release it; a response means a
	// replay.
	ClaimIdempotencyKey(ctx context.Context, scope, requestHash string, lease, ttl time.Duration) (*StoredResponse, error)
	CompleteIdempotencyKey(ctx context.Context, scope string, resp StoredResponse) error
	ReleaseIdempotencyKey(ctx context.Context, scope string) error
	ExtendIdempotencyKey(ctx context.Context, scope string, lease time.Duration) error
}
