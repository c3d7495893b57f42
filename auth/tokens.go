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

// Signer issues and verifies access tokens: HS256 only, with issuer,
// audience, expiry and not-before checked.
type Signer struct {
	key    []byte
	now    func() time.Time
	parser *jwt.Parser
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
			jwt.WithLeeway(30*time.Second),
			jwt.WithTimeFunc(now),
		),
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
