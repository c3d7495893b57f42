// Package hooks runs bulk ingestion jobs and webhook delivery: the service
// the HTTP API calls for subscriptions (URL checks, secrets), and the
// background jobs that fan the event outbox out to subscriptions, POST each
// delivery signed, retry with backoff and jitter, and work asynchronous
// ingestion jobs.
package hooks

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/riverqueue/river"

	"tonegrid"
	"tonegrid/jobs"
	"tonegrid/sqlstore"
	"tonegrid/webhook"
)

// Config tunes the service and its jobs.
type Config struct {
	// AllowPrivate lets subscriptions target loopback and private networks
	// (TONEGRID_WEBHOOKS_ALLOW_PRIVATE).
	AllowPrivate bool
	// Resolver looks host names up; nil means the system's.
	Resolver webhook.Resolver
	// Now is the delivery clock (attempt times, retry schedule); nil means
	// time.Now. Tests move it forward to exhaust the retry window.
	Now func() time.Time
	// Random draws the retry jitter in [0, 1); nil means math/rand.
	Random func() float64
	// DispatchInterval is how often the outbox is read and due retries are
	// queued; zero means one second.
	DispatchInterval time.Duration
	// Timeout bounds one attempt; zero means webhook.DefaultTimeout.
	Timeout time.Duration
	Log     *slog.Logger
}

// Service is the ingestion and webhook service of the HTTP API: the store's
// methods, with URL checks and secret generation in front of the
// subscription changes.
type Service struct {
	*sqlstore.DB
	cfg    Config
	client *http.Client
}

// New returns the service on db and registers its jobs on q (before
// q.Open).
func New(db *sqlstore.DB, q *jobs.Queue, cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.DispatchInterval <= 0 {
		cfg.DispatchInterval = time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	opts := webhook.Options{AllowPrivate: cfg.AllowPrivate, Resolver: cfg.Resolver, Timeout: cfg.Timeout}
	s := &Service{DB: db, cfg: cfg, client: webhook.NewClient(opts)}
	jobs.Register(q, jobs.Worker[DispatchArgs](&dispatchWorker{s: s}))
	jobs.Register(q, jobs.Worker[sqlstore.DeliverWebhookArgs](&deliverWorker{s: s}))
	jobs.Register(q, jobs.Worker[sqlstore.IngestionArgs](&ingestionWorker{s: s}))
	jobs.Register(q, jobs.Worker[PurgeItemsArgs](&purgeItemsWorker{s: s}))
	q.AddPeriodic(cfg.DispatchInterval, func() jobs.Args { return DispatchArgs{} })
	q.AddPeriodic(time.Hour, func() jobs.Args { return PurgeItemsArgs{} })
	return s
}

// itemKeyTTL is how long bulk item keys are remembered, as long as
// Idempotency-Key responses are.
const itemKeyTTL = 24 * time.Hour

// PurgeItemsArgs is the hourly job that forgets old bulk item keys.
type PurgeItemsArgs struct{}

// Kind implements jobs.Args.
func (PurgeItemsArgs) Kind() string { return "ingestion.purge_items" }

type purgeItemsWorker struct {
	jobs.WorkerDefaults[PurgeItemsArgs]
	s *Service
}

func (w *purgeItemsWorker) Work(ctx context.Context, _ *jobs.Job[PurgeItemsArgs]) error {
	_, err := w.s.DB.PurgeIngestionItems(ctx, w.s.cfg.Now().Add(-itemKeyTTL))
	return err
}

// checkURL vets a subscription URL: 422 at url when it is not an http(s)
// URL or does not point to a public address.
func (s *Service) checkURL(ctx context.Context, raw string) error {
	err := webhook.CheckURL(ctx, raw, webhook.Options{AllowPrivate: s.cfg.AllowPrivate, Resolver: s.cfg.Resolver})
	if err == nil {
		return nil
	}
	var v tonegrid.Violations
	switch {
	case errors.Is(err, webhook.ErrBlockedAddress), errors.Is(err, webhook.ErrUnresolvable):
		v.Add("url", "url_not_public")
	default:
		v.Add("url", "invalid_url")
	}
	return v.Err()
}

// CreateWebhook checks the URL, draws a secret and saves the subscription;
// the secret is in the result, once.
func (s *Service) CreateWebhook(ctx context.Context, p *tonegrid.Principal, in tonegrid.WebhookInput) (*tonegrid.Webhook, error) {
	if err := s.checkURL(ctx, in.URL); err != nil {
		return nil, err
	}
	in.Secret = webhook.NewSecret()
	return s.DB.CreateWebhook(ctx, p, in)
}

// UpdateWebhook checks a new URL before saving.
func (s *Service) UpdateWebhook(ctx context.Context, p *tonegrid.Principal, uuid string, upd tonegrid.WebhookUpdate) (*tonegrid.Webhook, error) {
	if upd.URL != nil {
		if _, err := s.DB.FindWebhook(ctx, p, uuid); err != nil {
			return nil, err
		}
		if err := s.checkURL(ctx, *upd.URL); err != nil {
			return nil, err
		}
	}
	return s.DB.UpdateWebhook(ctx, p, uuid, upd)
}

// RotateWebhookSecret draws a new secret; the result shows it, once.
func (s *Service) RotateWebhookSecret(ctx context.Context, p *tonegrid.Principal, uuid string) (*tonegrid.Webhook, error) {
	return s.DB.RotateWebhookSecret(ctx, p, uuid, webhook.NewSecret())
}

// DispatchArgs is the periodic job that reads the outbox and queues due
// retries.
type DispatchArgs struct{}

// Kind implements jobs.Args.
func (DispatchArgs) Kind() string { return "webhook.dispatch" }

// InsertOpts makes a failed dispatch final: the next tick does its work.
func (DispatchArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 1}
}

type dispatchWorker struct {
	jobs.WorkerDefaults[DispatchArgs]
	s *Service
}

// dispatchBatch is how many events one dispatch transaction reads.
const dispatchBatch = 500

func (w *dispatchWorker) Work(ctx context.Context, _ *jobs.Job[DispatchArgs]) error {
	return w.s.Dispatch(ctx)
}

// Dispatch fans every committed outbox event out to the matching
// subscriptions and queues the retries that are due.
func (s *Service) Dispatch(ctx context.Context) error {
	for {
		n, err := s.DB.DispatchEvents(ctx, dispatchBatch)
		if err != nil {
			return fmt.Errorf("dispatch events: %w", err)
		}
		if n < dispatchBatch {
			break
		}
	}
	for {
		n, err := s.DB.QueueDueWebhookRetries(ctx, s.cfg.Now(), dispatchBatch)
		if err != nil {
			return fmt.Errorf("queue webhook retries: %w", err)
		}
		if n < dispatchBatch {
			return nil
		}
	}
}

type deliverWorker struct {
	jobs.WorkerDefaults[sqlstore.DeliverWebhookArgs]
	s *Service
}

func (w *deliverWorker) Work(ctx context.Context, job *jobs.Job[sqlstore.DeliverWebhookArgs]) error {
	return w.s.Attempt(ctx, job.Args.DeliveryID)
}

// Attempt makes one attempt of a pending delivery and records it: 2xx
// delivers, 410 disables the subscription, anything else is retried per
// webhook.NextAttempt until the retry window closes, which disables the
// subscription too (and mails the tenant's admins).
func (s *Service) Attempt(ctx context.Context, deliveryID int64) error {
	a, ok, err := s.DB.PendingWebhookAttempt(ctx, deliveryID)
	if err != nil || !ok {
		return err
	}
	now := s.cfg.Now().UTC()
	res := webhook.Deliver(ctx, s.client, a.URL, a.Secret, a.EventUUID, now, a.Body)
	o := sqlstore.AttemptOutcome{At: now, StatusCode: res.StatusCode, Duration: res.Duration, ResponseBody: res.ResponseSnippet}
	if res.Err != nil {
		o.Error = res.Err.Error()
	}
	switch res.Outcome() {
	case webhook.OutcomeDelivered:
		o.Delivered = true
	case webhook.OutcomeDisable:
		o.DisableReason = "The endpoint answered 410 Gone."
	default:
		first := now
		if a.FirstAttemptAt != nil {
			first = *a.FirstAttemptAt
		}
		next, retry := webhook.NextAttempt(a.Attempts+1, first, s.cfg.Now().UTC(), s.cfg.Random)
		if retry {
			o.Next = next
		} else {
			o.DisableReason = "Deliveries kept failing for 3 days."
		}
	}
	// The attempt was made: record it even if the job is being stopped.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := s.DB.RecordWebhookAttempt(rctx, a, o); err != nil {
		return fmt.Errorf("record webhook attempt: %w", err)
	}
	return nil
}

type ingestionWorker struct {
	jobs.WorkerDefaults[sqlstore.IngestionArgs]
	s *Service
}

func (w *ingestionWorker) Work(ctx context.Context, job *jobs.Job[sqlstore.IngestionArgs]) error {
	return w.s.DB.RunIngestionJob(ctx, job.Args.JobID)
}
