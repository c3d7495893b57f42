package tonegrid

import (
	"context"
	"net/netip"
	"strings"
	"time"
)

// Permission is what a route requires of its caller. Roles and API-key
// scopes each grant a set of permissions (see the table below); a route
// declares exactly one.
type Permission string

// The permissions. The first ten are also the API-key scopes of the
// contract.
const (
	PermCatalogRead    Permission = "catalog:read"
	PermCatalogWrite   Permission = "catalog:write"
	PermDDEXDeliver    Permission = "ddex:deliver"
	PermFinanceRead    Permission = "finance:read"
	PermFinanceWrite   Permission = "finance:write"
	PermWebhooksManage Permission = "webhooks:manage"
	PermUsersManage    Permission = "users:manage"
	PermTenantsManage  Permission = "tenants:manage"
	PermBillingManage  Permission = "billing:manage"
	PermIngestionWrite Permission = "ingestion:write"

	// PermSelf is granted to every authenticated principal: reading and
	// editing one's own account, logging out.
	PermSelf Permission = "self"
	// PermAPIKeysManage mints, rotates and revokes API keys. Only users
	// grant it: a key can never mint a key.
	PermAPIKeysManage Permission = "api_keys:manage"
	// PermAuditRead reads the tenant's audit log.
	PermAuditRead Permission = "audit:read"
	// PermPlatform is the platform staff's permission (★ routes: review,
	// DSP configuration). Routes that require it answer 404 to everyone
	// else.
	PermPlatform Permission = "platform"
)

// Scopes are the permissions an API key may carry, in the contract's order.
var Scopes = []Permission{
	PermCatalogRead, PermCatalogWrite, PermDDEXDeliver, PermFinanceRead, PermFinanceWrite,
	PermWebhooksManage, PermUsersManage, PermTenantsManage, PermBillingManage, PermIngestionWrite,
}

// ValidScope reports whether s is an API-key scope.
func ValidScope(s string) bool {
	for _, p := range Scopes {
		if string(p) == s {
			return true
		}
	}
	return false
}

// rolePermissions is the one table of what each role may do.
var rolePermissions = map[Role][]Permission{
	RoleSuperAdmin: {PermCatalogRead, PermCatalogWrite, PermDDEXDeliver, PermFinanceRead, PermFinanceWrite,
		PermWebhooksManage, PermUsersManage, PermTenantsManage, PermBillingManage, PermIngestionWrite,
		PermSelf, PermAPIKeysManage, PermAuditRead, PermPlatform},
	RoleLabelAdmin: {PermCatalogRead, PermCatalogWrite, PermDDEXDeliver, PermFinanceRead, PermFinanceWrite,
		PermWebhooksManage, PermUsersManage, PermTenantsManage, PermBillingManage, PermIngestionWrite,
		PermSelf, PermAPIKeysManage, PermAuditRead},
	RoleStaff:  {PermCatalogRead, PermCatalogWrite, PermDDEXDeliver, PermFinanceRead, PermIngestionWrite, PermSelf},
	RoleArtist: {PermCatalogRead, PermCatalogWrite, PermFinanceRead, PermSelf},
}

// RolePermissions lists what role may do.
func RolePermissions(role Role) []Permission {
	return append([]Permission(nil), rolePermissions[role]...)
}

// Principal is who is calling: a user (possibly acting in a client tenant
// through login-as) or an API key, inside one tenant.
type Principal struct {
	// User is the authenticated user; nil for an API key.
	User *User
	// APIKey is the key used; nil for a user.
	APIKey *APIKey
	// Tenant is the tenant the request acts in.
	Tenant *Tenant
	// Role is the user's role in Tenant (label_admin when acting through
	// login-as); empty for API keys.
	Role Role
	// Actor is the real user when a user acts in a client tenant through
	// login-as; nil otherwise.
	Actor *User
}

// Can reports whether the principal holds permission p.
func (p *Principal) Can(perm Permission) bool {
	if p == nil {
		return false
	}
	if p.APIKey != nil {
		if perm == PermSelf {
			return true
		}
		for _, s := range p.APIKey.Scopes {
			if s == string(perm) {
				return true
			}
		}
		return false
	}
	for _, have := range rolePermissions[p.Role] {
		if have == perm {
			return true
		}
	}
	return false
}

// EmailVerified reports whether the principal may do what needs a verified
// email: users with a verified email, and API keys (minted by verified
// admins).
func (p *Principal) EmailVerified() bool {
	if p.APIKey != nil {
		return true
	}
	return p.User != nil && p.User.EmailVerifiedAt != nil
}

// ActorID is the id of the user behind the request for the audit log (the
// real user when impersonating), or 0 for an API key.
func (p *Principal) ActorID() int64 {
	switch {
	case p.Actor != nil:
		return p.Actor.ID
	case p.User != nil:
		return p.User.ID
	}
	return 0
}

// APIKey is a long-lived credential of a tenant, shown in full once.
type APIKey struct {
	ID         int64      `json:"-"`
	UUID       string     `json:"uuid"`
	TenantID   int64      `json:"-"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	Scopes     []string   `json:"scopes"`
	AllowedIPs []string   `json:"allowed_ips"`
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	allowed    []netip.Prefix
}

// SetAllowedIPs parses and records the key's CIDRs; addresses without a
// prefix length mean that one address.
func (k *APIKey) SetAllowedIPs(cidrs []string) error {
	k.AllowedIPs, k.allowed = nil, nil
	for _, c := range cidrs {
		p, err := ParsePrefix(c)
		if err != nil {
			return err
		}
		k.AllowedIPs = append(k.AllowedIPs, p.String())
		k.allowed = append(k.allowed, p)
	}
	return nil
}

// AllowsIP reports whether a request from ip may use the key: any address
// when the key has no allowed_ips.
func (k *APIKey) AllowsIP(ip netip.Addr) bool {
	if len(k.allowed) == 0 {
		return true
	}
	ip = ip.Unmap()
	for _, p := range k.allowed {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// ParsePrefix parses a CIDR, or a bare address as a single-address prefix.
// IPv4-mapped IPv6 forms are turned into IPv4.
func ParsePrefix(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			return netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96).Masked(), nil
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// AuditEntry is one line of a tenant's audit log.
type AuditEntry struct {
	ID     int64  `json:"-"`
	UUID   string `json:"uuid"`
	Action string `json:"action"`
	// ActorUUID and ActorEmail name the user behind the action (the real
	// user when impersonating); empty for API keys and anonymous callers.
	ActorUUID  string `json:"actor_uuid,omitempty"`
	ActorEmail string `json:"actor_email,omitempty"`
	// APIKeyUUID is set when the action was done with an API key.
	APIKeyUUID string `json:"api_key_uuid,omitempty"`
	// TargetType and TargetUUID name the object acted on.
	TargetType string            `json:"target_type,omitempty"`
	TargetUUID string            `json:"target_uuid,omitempty"`
	Details    map[string]string `json:"details,omitempty"`
	RequestID  string            `json:"request_id,omitempty"`
	IP         string            `json:"ip,omitempty"`
	CreatedAt  time.Time         `json:"created_at"`
}

// AuditEvent is what a service records in the audit log, in the same
// transaction as the change it describes.
type AuditEvent struct {
	TenantID   int64
	Action     string
	ActorID    int64
	APIKeyID   int64
	TargetType string
	TargetUUID string
	Details    map[string]string
}

// RequestMeta is what the HTTP layer knows about a request that services
// record: who, from where, under which request id.
type RequestMeta struct {
	RequestID string
	IP        string
	UserAgent string
}

type requestMetaKey struct{}

// WithRequestMeta returns ctx carrying m.
func WithRequestMeta(ctx context.Context, m RequestMeta) context.Context {
	return context.WithValue(ctx, requestMetaKey{}, m)
}

// RequestMetaFrom returns the request metadata in ctx, if any.
func RequestMetaFrom(ctx context.Context) RequestMeta {
	m, _ := ctx.Value(requestMetaKey{}).(RequestMeta)
	return m
}

// Mail is a templated message to send from a background job.
type Mail struct {
	To       string
	Template string
	Locale   string
	Data     map[string]string
}

// NewAccount is everything a signup writes, prepared by the auth service
// (hashes computed, tokens drawn) so that the store only persists it.
type NewAccount struct {
	Parent       *Tenant
	TenantName   string
	Email        string
	Name         string
	Locale       string
	PasswordHash string
	OTPHash      string
	OTPExpires   time.Time
	// OTPMail is the mail carrying the code.
	OTPMail Mail
	Refresh RefreshRecord
}

// RefreshRecord is a refresh token to store: its hash, family and expiry.
type RefreshRecord struct {
	Hash      string
	Family    string
	ExpiresAt time.Time
}

// AuthState is what a request's principal is rebuilt from on every call.
type AuthState struct {
	User *User
	// Home is the user's own tenant; Acting the tenant the token acts in
	// (Home, or a tenant below it through login-as).
	Home, Acting *Tenant
	// Suspended says the acting tenant or one above it is suspended.
	Suspended bool
}

// APIKeyPrefix starts every API key; 40 base62 characters follow.
const APIKeyPrefix = "tgk_"

// NormalizeEmail is how emails are stored and compared: trimmed, lowercase.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }
