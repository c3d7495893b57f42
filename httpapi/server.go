// Package httpapi is ToneGrid's HTTP adapter: the route table, the middleware
// pipeline, request decoding, the success and error envelopes, and the human
// pages (/status, /errors, /docs). It is the only place that writes an error
// body, translating *tonegrid.Error values into responses.
//
// httpapi imports the domain package and talks to storage only through the
// domain's service interfaces; it never imports sqlstore.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"golang.org/x/sync/singleflight"

	"tonegrid"
	"tonegrid/ratelimit"
)

// Config holds the HTTP layer's settings, filled by cmd/tonegrid.
type Config struct {
	// PublicHost is the platform's own host name (TONEGRID_PUBLIC_HOST).
	PublicHost string
	// MaxJSONBody bounds JSON request bodies, in bytes; 0 means 1 MiB.
	MaxJSONBody int64
	// RateLimitAuth, RateLimitStandard and RateLimitBulk are the limits per
	// minute and principal of the three rate classes.
	RateLimitAuth     int
	RateLimitStandard int
	RateLimitBulk     int
	// IdempotencyLease is how long a running Idempotency-Key request holds
	// its key without renewing it; after a crash, a retry takes the key over
	// once it runs out. 0 means 30 s.
	IdempotencyLease time.Duration
	// DatabaseDialect names the database on the status page.
	DatabaseDialect string
	// TrustedProxies are the peers whose X-Forwarded-For and
	// X-Forwarded-Proto are believed.
	TrustedProxies []netip.Prefix
}

// HealthChecker reports whether the components behind the API answer.
type HealthChecker interface {
	// PingDB returns an error when the database does not answer; it gives
	// up by itself after a few seconds.
	PingDB(ctx context.Context) error
	// JobStats counts the background jobs of each state; an error means the
	// queue cannot be read.
	JobStats(ctx context.Context) (map[string]int, error)
}

// Deps are the services the handlers call.
type Deps struct {
	Health  HealthChecker
	Auth    tonegrid.AuthService
	Users   tonegrid.UserService
	Tenants TenantService
	APIKeys tonegrid.APIKeyService
	Audit   tonegrid.AuditService

	// Limiter counts requests per principal and class; Lockout counts failed
	// logins per email. Nil means unlimited (tests of other parts).
	Limiter ratelimit.Limiter
	Lockout ratelimit.Lockout
	// Idempotency keeps Idempotency-Key responses; nil ignores the header.
	Idempotency tonegrid.IdempotencyStore
	// Billing runs plans, checkouts and payment verification.
	Billing tonegrid.BillingService
	// Catalog manages artists, writers, payees, releases, tracks and their stores.
	Catalog tonegrid.CatalogService
	// Delivery configures stores and delivers releases to them as DDEX.
	Delivery DeliveryService
	// Ingest runs bulk ingestion and webhook subscriptions.
	Ingest IngestService
	// Finance runs periods, sales-report imports, statements, payouts and analytics.
	Finance tonegrid.FinanceService
	// Media streams uploads to storage, runs resumable uploads and serves downloads.
	Media tonegrid.MediaService
}

// TenantService is tonegrid.TenantService plus the root tenant, which
// requests on the platform's own host belong to.
type TenantService interface {
	tonegrid.TenantService
	RootTenant(ctx context.Context) (*tonegrid.Tenant, error)
}

// releaseCacheBytes bounds each cache of rendered releases.
const releaseCacheBytes = 32 << 20

// Server is the HTTP API. Build it with New and serve Handler().
type Server struct {
	cfg     Config
	deps    Deps
	log     *slog.Logger
	started time.Time
	routes  []route
	handler http.Handler
	pings   singleflight.Group
	// releaseDocs caches rendered GET /releases/:uuid bodies, releaseItems
	// the rendered releases (without tracks) of release lists.
	releaseDocs, releaseItems *renderCache

	// onUncatalogued is called when a handler returns a *tonegrid.Error that
	// is not in the catalogue; tests fail on it.
	onUncatalogued func(format string, args ...any)
}

// New builds the server and its route table.
func New(cfg Config, deps Deps, log *slog.Logger) *Server {
	if cfg.MaxJSONBody <= 0 {
		cfg.MaxJSONBody = 1 << 20
	}
	if cfg.RateLimitAuth <= 0 {
		cfg.RateLimitAuth = 5
	}
	if cfg.RateLimitStandard <= 0 {
		cfg.RateLimitStandard = 120
	}
	if cfg.RateLimitBulk <= 0 {
		cfg.RateLimitBulk = 30
	}
	if cfg.IdempotencyLease <= 0 {
		cfg.IdempotencyLease = 30 * time.Second
	}
	if log == nil {
		log = slog.Default()
	}
	s := &Server{cfg: cfg, deps: deps, log: log, started: time.Now(), releaseDocs: newRenderCache(releaseCacheBytes), releaseItems: newRenderCache(releaseCacheBytes)}
	s.routes = s.routeTable()
	mux := http.NewServeMux()
	for _, rt := range s.routes {
		mux.Handle(rt.pattern(), s.wrap(rt))
	}
	mux.Handle("/", s.wrap(route{path: "/", handle: s.handleNotFound}))
	s.handler = chain(mux,
		s.requestID,
		s.recoverPanics,
		s.accessLog,
		s.rateLimitHeaders,
	)
	return s
}

// FailOnUncatalogued makes the server report, through fail, every error a
// handler returns that is not in the catalogue (it still answers 500). Tests
// pass t.Errorf.
func (s *Server) FailOnUncatalogued(fail func(format string, args ...any)) { s.onUncatalogued = fail }

// SetRateLimits changes the per-minute limits of the auth, standard and bulk
// classes; tests lower them after arranging their data.
func (s *Server) SetRateLimits(auth, standard, bulk int) {
	s.cfg.RateLimitAuth, s.cfg.RateLimitStandard, s.cfg.RateLimitBulk = auth, standard, bulk
}

// Handler returns the root handler: middleware around the route table.
func (s *Server) Handler() http.Handler { return s.handler }

// chain wraps h so that the first middleware listed runs first.
func chain(h http.Handler, mw ...func(http.Handler) http.Handler) http.Handler {
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return h
}
