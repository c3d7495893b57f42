// Package app wires ToneGrid together: it opens the database, the job queue
// and the HTTP server from a Config, and runs them until the context ends.
// cmd/tonegrid fills the Config from the environment; tests build an App on
// a test database. Nothing below app knows how the pieces are assembled.
package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"tonegrid"
	"tonegrid/auth"
	"tonegrid/billing"
	"tonegrid/blob"
	"tonegrid/ddex"
	"tonegrid/delivery"
	"tonegrid/finance"
	"tonegrid/hooks"
	"tonegrid/httpapi"
	"tonegrid/jobs"
	"tonegrid/mail"
	"tonegrid/media"
	"tonegrid/password"
	"tonegrid/secret"
	"tonegrid/sqlstore"
)

// Config is everything ToneGrid can be configured with (API.md §4). The zero
// value of a field means its documented default.
type Config struct {
	HTTPAddr      string
	DataDir       string
	DatabaseURL   string
	StorageURL    string
	RedisURL      string
	PublicHost    string
	JWTSecret     string
	AdminEmail    string
	AdminPassword string
	Mail          string

	RateLimitAuth     int
	RateLimitStandard int
	RateLimitBulk     int
	TrustedProxies    []netip.Prefix

	WebhooksAllowPrivate bool
	// WebhookClock is the webhook delivery clock (tests move it forward
	// through the retry window); nil means time.Now.
	WebhookClock func() time.Time
	// WebhookDispatchInterval is how often the event outbox is fanned out
	// to subscriptions; zero means one second.
	WebhookDispatchInterval time.Duration

	StripeAPIBase       string
	StripeSecretKey     string
	StripeWebhookSecret string
	PaystackAPIBase     string
	PaystackSecretKey   string
	// ProviderTimeout bounds each call to a payment provider (tests
	// shorten it); zero means billing.DefaultTimeout.
	ProviderTimeout time.Duration

	// RedisKeyPrefix prefixes the rate-limit keys in Redis (tests isolate
	// themselves with it); empty means the default.
	RedisKeyPrefix string
	// IdempotencyLease is how long a running Idempotency-Key request holds
	// its key without renewal (tests of crash recovery shorten it).
	IdempotencyLease time.Duration

	// JobWorkers is how many background jobs run at once.
	JobWorkers int
	// JobPollInterval is how often idle workers look for jobs (tests
	// shorten it).
	JobPollInterval time.Duration
	// Password is the argon2id cost; nil means password.Default (tests use
	// a cheap one).
	Password *password.Params
	// ShutdownTimeout bounds the drain of requests and jobs on shutdown.
	ShutdownTimeout time.Duration

	// DDEXSenderDPID is the platform's DDEX Party ID in the messages it
	// sends; delivery.DefaultSenderDPID when empty.
	DDEXSenderDPID string
	// DeliveryMaxAttempts bounds the attempts of one delivery (default 8);
	// DeliveryRetryBase is the first wait between attempts, doubled each
	// time (default 30 s); AckPollInterval is how often the stores'
	// acknowledgements are read (default 5 min). Tests shorten them.
	DeliveryMaxAttempts int
	DeliveryRetryBase   time.Duration
	AckPollInterval     time.Duration
	// TransportTimeout bounds connecting to a store and each wait for it;
	// the transport's defaults when zero.
	TransportTimeout time.Duration
}

// withDefaults fills what the environment left empty.
func (c Config) withDefaults() Config {
	if c.HTTPAddr == "" {
		c.HTTPAddr = "127.0.0.1:8080"
	}
	if c.DataDir == "" {
		c.DataDir = "./data"
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = "sqlite://" + filepath.Join(c.DataDir, "tonegrid.db")
	}
	if c.PublicHost == "" {
		c.PublicHost = "localhost"
	}
	if c.StorageURL == "" {
		dir, err := filepath.Abs(filepath.Join(c.DataDir, "blobs"))
		if err != nil {
			dir = filepath.Join(c.DataDir, "blobs")
		}
		c.StorageURL = "file://" + dir
	}
	if c.Mail == "" {
		c.Mail = "log"
	}
	if c.RateLimitAuth <= 0 {
		c.RateLimitAuth = 5
	}
	if c.RateLimitStandard <= 0 {
		c.RateLimitStandard = 120
	}
	if c.RateLimitBulk <= 0 {
		c.RateLimitBulk = 30
	}
	if c.StripeAPIBase == "" {
		c.StripeAPIBase = "https://api.stripe.com"
	}
	if c.PaystackAPIBase == "" {
		c.PaystackAPIBase = "https://api.paystack.co"
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = 30 * time.Second
	}
	return c
}

// App is a running ToneGrid: database, job queue and HTTP API.
type App struct {
	Config Config
	DB     *sqlstore.DB
	Queue  *jobs.Queue
	Auth   *auth.Service
	// Blobs stores files: uploads, generated DDEX messages, sales reports.
	Blobs blob.Store
	HTTP  *httpapi.Server
	// Media is the media service (uploads, resumable uploads, downloads).
	Media *media.Service
	// Handler is what Serve serves: HTTP's handler, unless a test wraps it.
	Handler http.Handler
	Log     *slog.Logger
}

// Connect opens the configured database without migrating it.
func Connect(ctx context.Context, cfg Config) (*sqlstore.DB, error) {
	cfg = cfg.withDefaults()
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	return sqlstore.Open(ctx, cfg.DatabaseURL, sqlstore.Options{})
}

// OpenDatabase opens the configured database, applies every migration
// (ToneGrid's and the job queue's) and seeds the root tenant and DSPs.
func OpenDatabase(ctx context.Context, cfg Config) (*sqlstore.DB, error) {
	db, err := Connect(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := Migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Migrate applies ToneGrid's and the job queue's migrations, then seeds.
func Migrate(ctx context.Context, db *sqlstore.DB) error {
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	if err := jobs.Migrate(ctx, db.WriteDB(), db.Dialect().String()); err != nil {
		return err
	}
	return db.Seed(ctx)
}

// New assembles an App around an open, migrated database.
func New(cfg Config, db *sqlstore.DB, log *slog.Logger) (*App, error) {
	cfg = cfg.withDefaults()
	if log == nil {
		log = slog.Default()
	}
	master, err := masterKey(cfg)
	if err != nil {
		return nil, err
	}
	blobs, err := blob.Open(cfg.StorageURL)
	if err != nil {
		return nil, fmt.Errorf("TONEGRID_STORAGE_URL: %w", err)
	}
	q, err := jobs.New(db.WriteDB(), db.Dialect().String(), jobs.Options{Workers: cfg.JobWorkers, PollInterval: cfg.JobPollInterval, Logger: log,
		Lanes: []jobs.Lane{{Name: "webhooks", Workers: webhookWorkers, Kinds: []string{sqlstore.DeliverWebhookArgs{}.Kind()}}}})
	if err != nil {
		return nil, err
	}
	authSvc, err := auth.New(db, q, auth.Config{MasterKey: master, Password: cfg.Password, Log: log})
	if err != nil {
		return nil, err
	}
	sender, err := mail.Open(cfg.Mail, "ToneGrid <no-reply@"+cfg.PublicHost+">", log)
	if err != nil {
		return nil, fmt.Errorf("TONEGRID_MAIL: %w", err)
	}
	sealer, err := secret.NewSealer(secret.DeriveKey(master, "data at rest"))
	if err != nil {
		return nil, err
	}
	db.SetSealer(sealer)
	limiter, lockout, err := rateLimits(cfg, log)
	if err != nil {
		return nil, err
	}
	q.AddPeriodic(time.Hour, func() jobs.Args { return purgeIdempotencyArgs{} })
	jobs.Register(q, jobs.Worker[purgeIdempotencyArgs](&purgeIdempotencyWorker{db: db, log: log}))
	mailKey := secret.DeriveKey(master, "mail jobs")
	jobs.Register(q, jobs.Worker[mail.SendArgs](&mail.Worker{Key: mailKey, Sender: sender, Log: log}))
	jobs.Register(q, jobs.Worker[auth.PasswordResetArgs](&auth.ResetWorker{Service: authSvc}))
	// DDEX delivery: the service, its delivery worker and the periodic
	// reading of the stores' acknowledgements.
	ackPoll := cfg.AckPollInterval
	if ackPoll <= 0 {
		ackPoll = 5 * time.Minute
	}
	deliverySvc := delivery.New(db, blobs, delivery.Config{
		Sender: ddex.Party{DPID: cfg.DDEXSenderDPID, Name: "ToneGrid"}, DataDir: cfg.DataDir,
		MaxAttempts: cfg.DeliveryMaxAttempts, RetryBase: cfg.DeliveryRetryBase,
		DialTimeout: cfg.TransportTimeout, IOTimeout: cfg.TransportTimeout,
	}, log)
	jobs.Register(q, jobs.Worker[tonegrid.DeliveryJob](&delivery.Worker{Service: deliverySvc}))
	jobs.Register(q, jobs.Worker[delivery.AckPollJob](&delivery.AckWorker{Service: deliverySvc}))
	q.AddPeriodic(ackPoll, func() jobs.Args { return delivery.AckPollJob{} })

	// Bulk ingestion and webhooks (#8): the service, its jobs and the
	// outbox dispatcher.
	ingest := hooks.New(db, q, hooks.Config{AllowPrivate: cfg.WebhooksAllowPrivate, Now: cfg.WebhookClock,
		DispatchInterval: cfg.WebhookDispatchInterval, Log: log})
	// Finance: sales-report imports run as jobs.
	financeSvc := finance.New(db, blobs, log)
	jobs.Register(q, jobs.Worker[sqlstore.ImportJobArgs](&finance.ImportWorker{Importer: &finance.Importer{DB: db, Blobs: blobs}, Log: log}))
	if err := q.Open(); err != nil {
		return nil, err
	}
	db.SetJobInserter(q)
	db.SetMailQueue(mailQueue{key: mailKey, queue: q})
	db.SetPublicURL(publicURL(cfg))
	db.OnAuthChange(authSvc.Forget)

	billingSvc := billing.New(db, billing.Config{
		StripeAPIBase: cfg.StripeAPIBase, StripeSecretKey: cfg.StripeSecretKey, StripeWebhookSecret: cfg.StripeWebhookSecret,
		PaystackAPIBase: cfg.PaystackAPIBase, PaystackSecretKey: cfg.PaystackSecretKey,
		Timeout: cfg.ProviderTimeout, ReturnURL: publicURL(cfg) + "/billing/return", Log: log,
	})

	// Media: uploads stream to the blob store; abandoned resumable uploads
	// expire hourly.
	mediaSvc := media.New(db, blobs, media.Config{Log: log})
	q.AddPeriodic(time.Hour, func() jobs.Args { return ExpireUploadsArgs{} })
	jobs.Register(q, jobs.Worker[ExpireUploadsArgs](&expireUploadsWorker{media: mediaSvc, log: log}))
	// Blobs whose deletion failed after their row went are swept hourly.
	q.AddPeriodic(time.Hour, func() jobs.Args { return SweepOrphanBlobsArgs{} })
	jobs.Register(q, jobs.Worker[SweepOrphanBlobsArgs](&sweepOrphanBlobsWorker{media: mediaSvc, log: log}))

	srv := httpapi.New(httpapi.Config{
		PublicHost:        cfg.PublicHost,
		RateLimitAuth:     cfg.RateLimitAuth,
		RateLimitStandard: cfg.RateLimitStandard,
		RateLimitBulk:     cfg.RateLimitBulk,
		IdempotencyLease:  cfg.IdempotencyLease,
		DatabaseDialect:   db.Dialect().String(),
		TrustedProxies:    cfg.TrustedProxies,
	}, httpapi.Deps{
		Health:      health{db: db, queue: q},
		Auth:        authSvc,
		Users:       db,
		Tenants:     db,
		APIKeys:     authSvc,
		Audit:       db,
		Limiter:     limiter,
		Lockout:     lockout,
		Idempotency: db,
		Billing:     billingSvc,
		Catalog:     db,
		Delivery:    deliverySvc,
		Ingest:      ingest,
		Finance:     financeSvc,
		Media:       mediaSvc,
	}, log)
	return &App{Config: cfg, DB: db, Queue: q, Auth: authSvc, Blobs: blobs, HTTP: srv, Media: mediaSvc, Handler: srv.Handler(), Log: log}, nil
}

// publicURL is the base of links mailed to users of tenants without a
// white-label domain: plain HTTP on the listen address for a local host,
// HTTPS on the public host otherwise.
func publicURL(cfg Config) string {
	switch cfg.PublicHost {
	case "localhost", "127.0.0.1", "::1":
		_, port, err := net.SplitHostPort(cfg.HTTPAddr)
		if err != nil || port == "" {
			return "http://" + cfg.PublicHost
		}
		return "http://" + net.JoinHostPort(cfg.PublicHost, port)
	}
	return "https://" + cfg.PublicHost
}

// mailQueue seals mails into jobs inserted in the store's transactions.
type mailQueue struct {
	key   []byte
	queue *jobs.Queue
}

func (m mailQueue) InsertMailTx(ctx context.Context, tx *sql.Tx, msg tonegrid.Mail) error {
	args, err := mail.NewJob(m.key, msg.To, msg.Template, msg.Locale, msg.Data)
	if err != nil {
		return err
	}
	return m.queue.InsertTx(ctx, tx, args)
}

// webhookWorkers is how many webhook deliveries run at once, on a lane of
// their own: each mostly waits (up to 10 s) on a receiver's server.
const webhookWorkers = 50

// defaultAdminEmail is admin@<public host>, or admin@<host>.localhost for
// a host without a dot (the default "localhost"), which sign-in would
// refuse as an address: .localhost is reserved for local use (RFC 6761).
func defaultAdminEmail(publicHost string) string {
	if strings.Contains(publicHost, ".") {
		return "admin@" + publicHost
	}
	return "admin@" + publicHost + ".localhost"
}

// EnsureAdmin creates the platform's first super_admin when the database has
// no user: with the configured email and password, or a generated password
// that is returned so the caller can show it once.
func (a *App) EnsureAdmin(ctx context.Context) (email, generated string, err error) {
	email, plain := a.Config.AdminEmail, a.Config.AdminPassword
	if email == "" {
		email = defaultAdminEmail(a.Config.PublicHost)
	}
	if plain == "" {
		plain = password.Generate()
		generated = plain
	}
	params := password.Default
	if a.Config.Password != nil {
		params = *a.Config.Password
	}
	hash, err := password.Hash(plain, params)
	if err != nil {
		return "", "", err
	}
	created, err := a.DB.CreateFirstSuperAdmin(ctx, email, "Platform admin", hash)
	if err != nil || !created {
		return "", "", err
	}
	return email, generated, nil
}

// Serve listens on the configured address, works background jobs, and on
// ctx's end stops accepting, drains in-flight requests and running jobs, and
// returns.
func (a *App) Serve(ctx context.Context) error {
	ln, err := net.Listen("tcp", a.Config.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.Config.HTTPAddr, err)
	}
	return a.ServeListener(ctx, ln)
}

// ServeListener is Serve on a listener the caller opened.
func (a *App) ServeListener(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	if err := a.Queue.Start(ctx); err != nil {
		return err
	}
	a.Log.Info("serving", "addr", ln.Addr().String(), "database", a.DB.Dialect().String())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err := <-served:
		a.stopJobs()
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	a.Log.Info("shutting down: draining requests and jobs", "timeout", a.Config.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), a.Config.ShutdownTimeout)
	defer cancel()
	errHTTP := srv.Shutdown(sctx)
	if errors.Is(errHTTP, context.DeadlineExceeded) {
		srv.Close()
	}
	<-served
	errJobs := a.Queue.Stop(sctx)
	a.Log.Info("stopped")
	return errors.Join(errHTTP, errJobs)
}

func (a *App) stopJobs() {
	ctx, cancel := context.WithTimeout(context.Background(), a.Config.ShutdownTimeout)
	defer cancel()
	a.Queue.Stop(ctx)
}

// Close releases the database and the blob store.
func (a *App) Close() error { return errors.Join(a.Blobs.Close(), a.DB.Close()) }

// health answers the HTTP layer's health checks from the database and queue.
type health struct {
	db    *sqlstore.DB
	queue *jobs.Queue
}

func (h health) PingDB(ctx context.Context) error { return h.db.Ping(ctx) }

func (h health) JobStats(ctx context.Context) (map[string]int, error) { return h.queue.Stats(ctx) }
