package auth

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"tonegrid"
	"tonegrid/secret"
)

// Issuer and Audience are what every access token carries and is checked
// for.
const (
	Issuer   = "tonegrid"
	Audience = "tonegrid-api"
)

// AccessTTL is how long an access token lives.
const AccessTTL = time.Hour

// Claims are the contents of an access token.
type Claims struct {
	jwt.RegisteredClaims
	// Tenant is the uuid of the tenant the token acts in.
	Tenant string `json:"tid"`
	// Role is the role the token acts with.
	Role tonegrid.Role `json:"role"`
	// Version must equal the user's token version: raising it cuts tokens.
	Version int64 `json:"ver"`
	// Act names the real user when the token acts in a client tenant
	// through login-as (RFC 8693's actor claim).
	Act *Actor `json:"act,omitempty"`
}

// Actor is the real user behind a login-as token.
type Actor struct {
	Subject string `json:"sub"`
	// Tenant is the actor's own tenant.
	Tenant string `json:"tid"`
}

// leeway is the clock skew tolerated on expiry and not-before.
const leeway = 30 * time.Second

// verifiedTTL is how long a token that verified is trusted without
// verifying it again, and verifiedMax how many such tokens are kept.
const (
	verifiedTTL = 2 * time.Second
	verifiedMax = 50000
)

// Signer issues and verifies access tokens: HS256 only, with issuer,
// audience, expiry and not-before checked.
type Signer struct {
	key    []byte
	now    func() time.Time
	parser *jwt.Parser
	// verified remembers the claims of tokens that passed Parse.
	verified *ttlCache[*Claims]
}

// NewSigner returns a signer with a key of at least 32 bytes.
func NewSigner(key []byte, now func() time.Time) (*Signer, error) {
	if len(key) < 32 {
		return nil, fmt.Errorf("auth: signing key is %d bytes, want at least 32", len(key))
	}
	if now == nil {
		now = time.Now
	}
	return &Signer{
		key: key,
		now: now,
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
			jwt.WithIssuer(Issuer),
			jwt.WithAudience(Audience),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithLeeway(leeway),
			jwt.WithTimeFunc(now),
		),
		verified: newTTLCache[*Claims](verifiedTTL, verifiedMax, now),
	}, nil
}

// Issue signs an access token for user acting in tenant with role; actor is
// the real user's home tenant uuid for login-as tokens, else empty.
func (s *Signer) Issue(u *tonegrid.User, tenant *tonegrid.Tenant, role tonegrid.Role, actorTenant string) (string, error) {
	now := s.now()
	c := Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    Issuer,
			Subject:   u.UUID,
			Audience:  jwt.ClaimStrings{Audience},
			ExpiresAt: jwt.NewNumericDate(now.Add(AccessTTL)),
			NotBefore: jwt.NewNumericDate(now),
			IssuedAt:  jwt.NewNumericDate(now),
			ID:        secret.Token("", 16),
		},
		Tenant:  tenant.UUID,
		Role:    role,
		Version: u.TokenVersion,
	}
	if actorTenant != "" {
		c.Act = &Actor{Subject: u.UUID, Tenant: actorTenant}
	}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(s.key)
	if err != nil {
		return "", fmt.Errorf("sign access token: %w", err)
	}
	return tok, nil
}

// errNotJWT means a bearer token is not shaped like a JWT at all.
var errNotJWT = errors.New("auth: not a JWT")

// Parse verifies token and returns its claims. Every failure (bad
// signature, other algorithm, expired, wrong issuer or audience) is
// ErrTokenInvalid.
func (s *Signer) Parse(token string) (*Claims, error) {
	if strings.Count(token, ".") != 2 || len(token) > 4096 {
		return nil, errNotJWT
	}
	var c Claims
	if _, err := s.parser.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return s.key, nil }); err != nil {
		return nil, tonegrid.ErrTokenInvalid
	}
	if c.Subject == "" || c.Tenant == "" {
		return nil, tonegrid.ErrTokenInvalid
	}
	return &c, nil
}

// Verify is Parse for the request path: a token that verified in the last
// two seconds is not verified again, since the signature check and claim
// decoding are most of what an authenticated request costs; it is still
// refused once expired. Only tokens equal byte for byte to one that
// verified are taken from memory.
func (s *Signer) Verify(token string) (*Claims, error) {
	if c, ok := s.verified.get(token); ok {
		if s.now().Before(c.ExpiresAt.Add(leeway)) {
			return c, nil
		}
		return nil, tonegrid.ErrTokenInvalid
	}
	c, err := s.Parse(token)
	if err != nil {
		return nil, err
	}
	s.verified.put(token, c)
	return c, nil
}
