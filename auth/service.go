// Package auth authenticates ToneGrid's callers and runs the account flows:
// signup with an emailed code, login, refresh-token rotation with reuse
// detection, logout, password resets and changes, login-as, and the
// resolution of a bearer token (access JWT or API key) into a principal.
//
// It holds the policy and the cryptography (argon2id, HS256, token hashes);
// persistence goes through the Store interface, which sqlstore satisfies.
// auth imports the domain and leaf packages (password, secret), never
// sqlstore or httpapi.
package auth

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"strings"
	"time"

	"tonegrid"
	"tonegrid/password"
	"tonegrid/secret"
)

// Store is the persistence the service needs.
type Store interface {
	CreateAccount(ctx context.Context, in tonegrid.NewAccount) (*tonegrid.User, *tonegrid.Tenant, error)
	UserByEmail(ctx context.Context, email string) (*tonegrid.User, *tonegrid.Tenant, error)
	AuthStateOf(ctx context.Context, userUUID, actingUUID string) (*tonegrid.AuthState, error)
	TenantByUUID(ctx context.Context, uuid string) (*tonegrid.Tenant, error)
	TenantByID(ctx context.Context, id int64) (*tonegrid.Tenant, error)
	StartSession(ctx context.Context, u *tonegrid.User, t *tonegrid.Tenant, r tonegrid.RefreshRecord) error
	RotateRefresh(ctx context.Context, oldHash string, next tonegrid.RefreshRecord) (*tonegrid.User, *tonegrid.Tenant, error)
	Logout(ctx context.Context, p *tonegrid.Principal, refreshHash string) error
	ReplaceOTP(ctx context.Context, email, hash string, expires time.Time, m tonegrid.Mail) error
	CheckOTP(ctx context.Context, email, hash string, maxAttempts int) (*tonegrid.User, error)
	StartPasswordReset(ctx context.Context, email, withinTenantUUID, tokenHash, token string, expires time.Time) error
	ResetPassword(ctx context.Context, tokenHash, passwordHash string) (*tonegrid.User, error)
	SetPassword(ctx context.Context, p *tonegrid.Principal, passwordHash string) error
	RecordAudit(ctx context.Context, p *tonegrid.Principal, tenantID int64, action, targetType, targetUUID string, details map[string]string) error
	APIKeyByHash(ctx context.Context, hash string) (*tonegrid.APIKey, *tonegrid.Tenant, bool, error)
	TouchAPIKey(ctx context.Context, id int64, when time.Time) error
	ListAPIKeys(ctx context.Context, p *tonegrid.Principal, page tonegrid.Page) ([]*tonegrid.APIKey, int, error)
	CreateAPIKey(ctx context.Context, p *tonegrid.Principal, in tonegrid.APIKeyInput) (*tonegrid.APIKey, string, error)
	RotateAPIKey(ctx context.Context, p *tonegrid.Principal, uuid string, grace time.Duration) (*tonegrid.APIKey, string, error)
	RevokeAPIKey(ctx context.Context, p *tonegrid.Principal, uuid string) error
}

// JobQueue inserts a background job on its own.
type JobQueue interface {
	Insert(ctx context.Context, args interface{ Kind() string }) error
}

// Config tunes the service. Zero values mean the defaults in brackets.
type Config struct {
	// MasterKey is the platform secret the signing and code-hashing keys
	// are derived from (required, ≥ 32 bytes).
	MasterKey []byte
	// Password is the argon2id cost [password.Default].
	Password *password.Params
	// RefreshTTL is a refresh token's lifetime [30 days].
	RefreshTTL time.Duration
	// OTPTTL is an email code's lifetime [10 minutes].
	OTPTTL time.Duration
	// ResetTTL is a password-reset link's lifetime [24 hours].
	ResetTTL time.Duration
	// MaxOTPAttempts is how many wrong codes kill a code [5].
	MaxOTPAttempts int
	// CacheTTL is how long this instance trusts what it read about a token
	// (API key, or the user and tenant behind an access token) before
	// reading it again [2 s]. Changes made through this instance (logout,
	// suspension, revocation…) apply at once; those made through another
	// instance within CacheTTL.
	CacheTTL time.Duration
	Now      func() time.Time
	Log      *slog.Logger
}

// Service implements tonegrid.AuthService and tonegrid.APIKeyService.
type Service struct {
	store   Store
	jobs    JobQueue
	signer  *Signer
	otpKey  []byte
	pw      password.Params
	cfg     Config
	keys    *ttlCache[keyState]
	tokens  *ttlCache[*tonegrid.AuthState]
	touched touches
	dummyPW string
}

// keyState is what the API-key cache holds.
type keyState struct {
	key       *tonegrid.APIKey
	tenant    *tonegrid.Tenant
	suspended bool
}

// New returns the service.
func New(store Store, jobs JobQueue, cfg Config) (*Service, error) {
	if len(cfg.MasterKey) < 32 {
		return nil, errors.New("auth: master key must be at least 32 bytes")
	}
	if cfg.RefreshTTL <= 0 {
		cfg.RefreshTTL = 30 * 24 * time.Hour
	}
	if cfg.OTPTTL <= 0 {
		cfg.OTPTTL = 10 * time.Minute
	}
	if cfg.ResetTTL <= 0 {
		cfg.ResetTTL = 24 * time.Hour
	}
	if cfg.MaxOTPAttempts <= 0 {
		cfg.MaxOTPAttempts = 5
	}
	if cfg.CacheTTL <= 0 {
		cfg.CacheTTL = 2 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	pw := password.Default
	if cfg.Password != nil {
		pw = *cfg.Password
	}
	signer, err := NewSigner(secret.DeriveKey(cfg.MasterKey, "access tokens"), cfg.Now)
	if err != nil {
		return nil, err
	}
	// A hash of a password nobody knows, verified for unknown emails so a
	// login takes as long whether or not the account exists.
	dummy, err := password.Hash(secret.Token("", 24), pw)
	if err != nil {
		return nil, err
	}
	return &Service{
		store: store, jobs: jobs, signer: signer, pw: pw, cfg: cfg, dummyPW: dummy,
		otpKey: secret.DeriveKey(cfg.MasterKey, "email codes"),
		keys:   newTTLCache[keyState](cfg.CacheTTL, 10000, cfg.Now),
		tokens: newTTLCache[*tonegrid.AuthState](cfg.CacheTTL, 50000, cfg.Now),
	}, nil
}

// Signer returns the access-token signer (for tests and tools).
func (s *Service) Signer() *Signer { return s.signer }

// otpHash is how a code is stored: keyed, so a leaked table cannot be
// brute-forced without the platform secret.
func (s *Service) otpHash(code string) string { return secret.KeyedHash(s.otpKey, code) }

// newRefresh draws a refresh token and the record that stores its hash.
func (s *Service) newRefresh(family string) (string, tonegrid.RefreshRecord) {
	tok := secret.Token("rft_", 40)
	if family == "" {
		family = secret.Token("", 24)
	}
	return tok, tonegrid.RefreshRecord{Hash: secret.Hash(tok), Family: family, ExpiresAt: s.cfg.Now().Add(s.cfg.RefreshTTL)}
}

// session issues an access token and packages a session.
func (s *Service) session(u *tonegrid.User, t *tonegrid.Tenant, role tonegrid.Role, actorTenant, refresh string, refreshExp time.Time) (*tonegrid.Session, error) {
	access, err := s.signer.Issue(u, t, role, actorTenant)
	if err != nil {
		return nil, err
	}
	return &tonegrid.Session{AccessToken: access, RefreshToken: refresh, RefreshExpiresAt: refreshExp,
		ExpiresIn: int(AccessTTL.Seconds()), User: u, Tenant: t}, nil
}

// Signup creates the account and its tenant and mails the email code.
func (s *Service) Signup(ctx context.Context, in tonegrid.SignupInput) (*tonegrid.Session, error) {
	var v tonegrid.Violations
	ValidatePassword(&v, "password", in.Password, in.Email)
	if err := v.Err(); err != nil {
		return nil, err
	}
	hash, err := password.Hash(in.Password, s.pw)
	if err != nil {
		return nil, err
	}
	code := secret.Digits(6)
	refresh, rec := s.newRefresh("")
	u, t, err := s.store.CreateAccount(ctx, tonegrid.NewAccount{
		Parent: in.Parent, TenantName: in.TenantName, Email: in.Email, Name: in.Name, Locale: in.Locale,
		PasswordHash: hash, OTPHash: s.otpHash(code), OTPExpires: s.cfg.Now().Add(s.cfg.OTPTTL),
		OTPMail: tonegrid.Mail{Template: "otp", Locale: in.Locale, Data: map[string]string{"code": code, "name": in.Name}},
		Refresh: rec,
	})
	if err != nil {
		return nil, err
	}
	return s.session(u, t, u.Role, "", refresh, rec.ExpiresAt)
}

// VerifyOTP checks an email code.
func (s *Service) VerifyOTP(ctx context.Context, email, code string) (*tonegrid.User, error) {
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		return nil, tonegrid.ErrOTPInvalid
	}
	return s.store.CheckOTP(ctx, email, s.otpHash(code), s.cfg.MaxOTPAttempts)
}

// ResendOTP mails a fresh code to an unverified account; it answers the
// same whether or not the email exists.
func (s *Service) ResendOTP(ctx context.Context, email string) error {
	code := secret.Digits(6)
	return s.store.ReplaceOTP(ctx, email, s.otpHash(code), s.cfg.Now().Add(s.cfg.OTPTTL),
		tonegrid.Mail{Template: "otp", Data: map[string]string{"code": code}})
}

// Login checks email and password. Unknown emails cost an argon2 verify
// too, so timing does not tell which accounts exist.
func (s *Service) Login(ctx context.Context, email, plain string, within *tonegrid.Tenant) (*tonegrid.Session, error) {
	u, t, err := s.store.UserByEmail(ctx, email)
	if errors.Is(err, tonegrid.ErrUserNotFound) {
		password.Verify(plain, s.dummyPW)
		return nil, tonegrid.ErrInvalidCredentials
	}
	if err != nil {
		return nil, err
	}
	hash := u.PasswordHash
	if hash == "" {
		hash = s.dummyPW
	}
	ok, err := password.Verify(plain, hash)
	if err != nil && !errors.Is(err, password.ErrMalformedHash) {
		return nil, err
	}
	if !ok || (within != nil && t.ID != within.ID && !t.IsBelow(within)) {
		s.audit(ctx, nil, t.ID, "auth.login_failed", "user", u.UUID, nil)
		return nil, tonegrid.ErrInvalidCredentials
	}
	if _, err := s.mayStartSession(ctx, u, t); err != nil {
		return nil, err
	}
	refresh, rec := s.newRefresh("")
	if err := s.store.StartSession(ctx, u, t, rec); err != nil {
		return nil, err
	}
	return s.session(u, t, u.Role, "", refresh, rec.ExpiresAt)
}

// mayStartSession refuses new sessions to suspended users and to users of a
// suspended tenant (or one below a suspended tenant), and returns the fresh
// authentication state otherwise.
func (s *Service) mayStartSession(ctx context.Context, u *tonegrid.User, t *tonegrid.Tenant) (*tonegrid.AuthState, error) {
	if u.Status == tonegrid.StatusSuspended {
		return nil, tonegrid.ErrUserSuspended
	}
	st, err := s.store.AuthStateOf(ctx, u.UUID, t.UUID)
	if err != nil {
		return nil, err
	}
	if st.Suspended {
		return nil, tonegrid.ErrTenantSuspended
	}
	return st, nil
}

// audit records an event without failing the caller's request when the
// audit log cannot be written (the failure is logged).
func (s *Service) audit(ctx context.Context, p *tonegrid.Principal, tenantID int64, action, targetType, targetUUID string, details map[string]string) {
	if err := s.store.RecordAudit(ctx, p, tenantID, action, targetType, targetUUID, details); err != nil {
		s.cfg.Log.ErrorContext(ctx, "write audit entry", "action", action, "error", err)
	}
}

// Refresh rotates a refresh token and issues a new access token.
func (s *Service) Refresh(ctx context.Context, refreshToken string) (*tonegrid.Session, error) {
	if !validToken(refreshToken, "rft_") {
		return nil, tonegrid.ErrTokenInvalid
	}
	next, rec := s.newRefresh("")
	u, t, err := s.store.RotateRefresh(ctx, secret.Hash(refreshToken), rec)
	if err != nil {
		return nil, err
	}
	st, err := s.mayStartSession(ctx, u, t)
	if err != nil {
		return nil, err
	}
	return s.session(st.User, t, st.User.Role, "", next, rec.ExpiresAt)
}

// validToken reports whether tok has prefix and 40 base62 characters.
func validToken(tok, prefix string) bool {
	return len(tok) == len(prefix)+40 && strings.HasPrefix(tok, prefix) && secret.IsBase62(tok[len(prefix):])
}

// Logout revokes the refresh token's family and cuts the user's access
// tokens. API keys have nothing to log out of.
func (s *Service) Logout(ctx context.Context, p *tonegrid.Principal, refreshToken string) error {
	if p.User == nil {
		return nil
	}
	hash := ""
	if validToken(refreshToken, "rft_") {
		hash = secret.Hash(refreshToken)
	}
	return s.store.Logout(ctx, p, hash)
}

// PasswordResetArgs is the job that mails a reset link, queued by
// ForgotPassword so the request takes the same time for every email.
type PasswordResetArgs struct {
	Email string `json:"email"`
	// Within is the uuid of the tenant the request resolved to.
	Within string `json:"within"`
}

// Kind names the job.
func (PasswordResetArgs) Kind() string { return "auth.password_reset" }

// ForgotPassword queues the reset job; it never says whether the email
// exists.
func (s *Service) ForgotPassword(ctx context.Context, email string, within *tonegrid.Tenant) error {
	args := PasswordResetArgs{Email: tonegrid.NormalizeEmail(email)}
	if within != nil {
		args.Within = within.UUID
	}
	return s.jobs.Insert(ctx, args)
}

// SendPasswordReset is the job's work: draw a token and mail the link when
// the account exists.
func (s *Service) SendPasswordReset(ctx context.Context, args PasswordResetArgs) error {
	token := secret.Token("rst_", 40)
	return s.store.StartPasswordReset(ctx, args.Email, args.Within, secret.Hash(token), token, s.cfg.Now().Add(s.cfg.ResetTTL))
}

// ResetPassword sets a new password from a reset or invitation token.
func (s *Service) ResetPassword(ctx context.Context, token, plain string) error {
	var v tonegrid.Violations
	ValidatePassword(&v, "password", plain, "")
	if err := v.Err(); err != nil {
		return err
	}
	if !validToken(token, "rst_") && !validToken(token, "inv_") {
		return tonegrid.ErrResetTokenInvalid
	}
	hash, err := password.Hash(plain, s.pw)
	if err != nil {
		return err
	}
	_, err = s.store.ResetPassword(ctx, secret.Hash(token), hash)
	return err
}

// ChangePassword replaces the caller's password after checking the current
// one; every session of the user ends.
func (s *Service) ChangePassword(ctx context.Context, p *tonegrid.Principal, current, next string) error {
	if p.User == nil {
		return tonegrid.ErrForbidden
	}
	ok, err := password.Verify(current, p.User.PasswordHash)
	if err != nil && !errors.Is(err, password.ErrMalformedHash) {
		return err
	}
	if !ok {
		return tonegrid.ErrCurrentPasswordIncorrect
	}
	var v tonegrid.Violations
	ValidatePassword(&v, "new_password", next, p.User.Email)
	if err := v.Err(); err != nil {
		return err
	}
	hash, err := password.Hash(next, s.pw)
	if err != nil {
		return err
	}
	return s.store.SetPassword(ctx, p, hash)
}

// LoginAs issues an access token acting in a tenant below the caller's, as
// its label_admin; the token names the real user in its act claim.
func (s *Service) LoginAs(ctx context.Context, p *tonegrid.Principal, clientUUID string) (*tonegrid.Session, error) {
	if p.User == nil {
		return nil, tonegrid.ErrForbidden
	}
	home, err := s.store.TenantByID(ctx, p.User.TenantID)
	if err != nil {
		return nil, err
	}
	target, err := s.store.TenantByUUID(ctx, clientUUID)
	if err != nil {
		return nil, err
	}
	if !target.IsBelow(home) {
		return nil, tonegrid.ErrNotDescendant
	}
	if err := s.store.RecordAudit(ctx, p, home.ID, "tenant.login_as", "tenant", target.UUID, map[string]string{"name": target.Name}); err != nil {
		return nil, err
	}
	s.audit(ctx, p, target.ID, "tenant.login_as", "tenant", target.UUID, map[string]string{"by_tenant": home.UUID})
	return s.session(p.User, target, tonegrid.RoleLabelAdmin, home.UUID, "", time.Time{})
}

// Authenticate turns a bearer token into a principal.
func (s *Service) Authenticate(ctx context.Context, token string, ip netip.Addr) (*tonegrid.Principal, error) {
	if strings.HasPrefix(token, tonegrid.APIKeyPrefix) {
		return s.authenticateKey(ctx, token, ip)
	}
	c, err := s.signer.Verify(token)
	if err != nil {
		return nil, tonegrid.ErrTokenInvalid
	}
	cacheKey := c.Subject + " " + c.Tenant
	st, ok := s.tokens.get(cacheKey)
	if !ok {
		if st, err = s.store.AuthStateOf(ctx, c.Subject, c.Tenant); err != nil {
			return nil, err
		}
		s.tokens.put(cacheKey, st)
	}
	u := st.User
	// A suspended user hears so on every call, even with a token that the
	// suspension cut.
	if u.Status == tonegrid.StatusSuspended {
		return nil, tonegrid.ErrUserSuspended
	}
	if c.Version != u.TokenVersion {
		return nil, tonegrid.ErrTokenInvalid
	}
	p := &tonegrid.Principal{User: u, Tenant: st.Acting, Role: u.Role}
	if st.Acting.ID != st.Home.ID {
		mayAct := u.Role == tonegrid.RoleSuperAdmin || u.Role == tonegrid.RoleLabelAdmin
		if c.Act == nil || c.Act.Subject != u.UUID || c.Act.Tenant != st.Home.UUID || !st.Acting.IsBelow(st.Home) || !mayAct {
			return nil, tonegrid.ErrTokenInvalid
		}
		p.Role, p.Actor = tonegrid.RoleLabelAdmin, u
	}
	if st.Suspended {
		return nil, tonegrid.ErrTenantSuspended
	}
	return p, nil
}

func (s *Service) authenticateKey(ctx context.Context, token string, ip netip.Addr) (*tonegrid.Principal, error) {
	if !validToken(token, tonegrid.APIKeyPrefix) {
		return nil, tonegrid.ErrTokenInvalid
	}
	hash := secret.Hash(token)
	e, ok := s.keys.get(hash)
	if !ok {
		k, t, suspended, err := s.store.APIKeyByHash(ctx, hash)
		if err != nil {
			return nil, err
		}
		e = keyState{key: k, tenant: t, suspended: suspended}
		s.keys.put(hash, e)
	}
	now := s.cfg.Now()
	if e.key.RevokedAt != nil || (e.key.ExpiresAt != nil && !e.key.ExpiresAt.After(now)) {
		return nil, tonegrid.ErrTokenInvalid
	}
	if e.suspended {
		return nil, tonegrid.ErrTenantSuspended
	}
	if !e.key.AllowsIP(ip) {
		return nil, tonegrid.ErrForbidden
	}
	if s.touched.due(e.key.ID, now) {
		if err := s.store.TouchAPIKey(ctx, e.key.ID, now); err != nil {
			s.cfg.Log.WarnContext(ctx, "record api key use", "api_key", e.key.UUID, "error", err)
		}
	}
	return &tonegrid.Principal{APIKey: e.key, Tenant: e.tenant}, nil
}

// ListAPIKeys lists the tenant's keys.
func (s *Service) ListAPIKeys(ctx context.Context, p *tonegrid.Principal, page tonegrid.Page) ([]*tonegrid.APIKey, int, error) {
	return s.store.ListAPIKeys(ctx, p, page)
}

// CreateAPIKey mints a key.
func (s *Service) CreateAPIKey(ctx context.Context, p *tonegrid.Principal, in tonegrid.APIKeyInput) (*tonegrid.APIKey, string, error) {
	return s.store.CreateAPIKey(ctx, p, in)
}

// RotateAPIKey mints a successor and ends the old key after grace.
func (s *Service) RotateAPIKey(ctx context.Context, p *tonegrid.Principal, uuid string, grace time.Duration) (*tonegrid.APIKey, string, error) {
	return s.store.RotateAPIKey(ctx, p, uuid, grace)
}

// RevokeAPIKey revokes a key.
func (s *Service) RevokeAPIKey(ctx context.Context, p *tonegrid.Principal, uuid string) error {
	return s.store.RevokeAPIKey(ctx, p, uuid)
}

// Forget drops everything the instance cached about tokens. The store calls
// it after every change authentication depends on (sqlstore.OnAuthChange).
func (s *Service) Forget() {
	s.keys.clear()
	s.tokens.clear()
}

var _ tonegrid.AuthService = (*Service)(nil)
var _ tonegrid.APIKeyService = (*Service)(nil)
