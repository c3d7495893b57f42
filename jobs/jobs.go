// Package jobs runs ToneGrid's background work (deliveries, webhooks, mail,
// imports, clean-ups) on River, with the same database as the rest of the
// data: River's SQLite driver in embedded mode, its database/sql driver on
// PostgreSQL. Jobs are inserted in the caller's transaction (InsertTx), so a
// job exists exactly when the change that caused it committed.
//
// jobs imports River and the standard library; it knows nothing of the
// domain. Workers live with the code whose work they do and are registered
// here by cmd/tonegrid.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
)

// Args are the typed arguments of one job; Kind names its worker.
type Args = river.JobArgs

// Job is one job handed to a worker, with its attempt number.
type Job[T Args] = river.Job[T]

// Worker does one kind of job. Embed WorkerDefaults to get River's defaults
// for timeouts and retry delays.
type Worker[T Args] = river.Worker[T]

// WorkerDefaults gives a Worker default Timeout and NextRetry.
type WorkerDefaults[T Args] = river.WorkerDefaults[T]

// Snooze is what a worker returns to run its job again after d without
// counting an attempt: the job is not failing, it waits for something.
func Snooze(d time.Duration) error { return river.JobSnooze(d) }

// Options tune the queue.
type Options struct {
	// Workers is how many jobs run at once; 0 means 20.
	Workers int
	// PollInterval is how often idle workers look for new jobs; 0 means
	// 200 ms (River's minimum is 100 ms).
	PollInterval time.Duration
	// Logger receives River's warnings and the jobs' failures.
	Logger *slog.Logger
	// InsertOnly makes a queue that stores jobs but never works them, and
	// accepts kinds without a registered worker (tests of the storage layer).
	InsertOnly bool
	// Lanes are extra queues with workers of their own, each taking the
	// jobs of the kinds it lists; every other kind runs on the default
	// queue. Jobs that wait on other people's servers (webhook deliveries)
	// get a lane, so slow receivers never hold up imports or DDEX
	// deliveries, and fast ones are not capped by the default workers.
	Lanes []Lane
}

// Lane is a named queue with its own workers and the job kinds it runs.
type Lane struct {
	Name    string
	Workers int
	Kinds   []string
}

// Queue inserts and runs jobs. Build it with New, add workers with Register
// and periodic jobs with AddPeriodic, then Open it (to insert) and Start it
// (to work).
type Queue struct {
	db       *sql.DB
	driver   riverdriver.Driver[*sql.Tx]
	opts     Options
	workers  *river.Workers
	kinds    []string
	periodic []*river.PeriodicJob

	// laneOf maps a job kind to the name of its lane.
	laneOf map[string]string

	mu      sync.Mutex
	client  *river.Client[*sql.Tx]
	started bool
}

// New returns a queue on db, whose dialect is "sqlite" or "postgres". On
// SQLite db must be the store's single writer connection.
func New(db *sql.DB, dialect string, opts Options) (*Queue, error) {
	drv, err := driverFor(db, dialect)
	if err != nil {
		return nil, err
	}
	if opts.Workers <= 0 {
		opts.Workers = 20
	}
	laneOf := map[string]string{}
	for _, l := range opts.Lanes {
		if l.Name == "" || l.Name == river.QueueDefault || l.Workers <= 0 {
			return nil, fmt.Errorf("jobs: lane %q needs a name other than %q and workers", l.Name, river.QueueDefault)
		}
		for _, k := range l.Kinds {
			laneOf[k] = l.Name
		}
	}
	if opts.PollInterval < 100*time.Millisecond {
		opts.PollInterval = 200 * time.Millisecond
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Queue{db: db, driver: drv, opts: opts, workers: river.NewWorkers(), laneOf: laneOf}, nil
}

func driverFor(db *sql.DB, dialect string) (riverdriver.Driver[*sql.Tx], error) {
	switch dialect {
	case "sqlite":
		return riversqlite.New(db), nil
	case "postgres":
		return riverdatabasesql.New(db), nil
	}
	return nil, fmt.Errorf("jobs: unknown dialect %q", dialect)
}

// Register adds the worker of one job kind. It must be called before Open.
func Register[T Args](q *Queue, w Worker[T]) {
	river.AddWorker(q.workers, w)
	var args T
	q.kinds = append(q.kinds, args.Kind())
}

// Kinds lists the job kinds that have a worker.
func (q *Queue) Kinds() []string { return append([]string(nil), q.kinds...) }

// AddPeriodic runs the job built by args every interval (and once at start).
// It must be called before Open.
func (q *Queue) AddPeriodic(interval time.Duration, args func() Args) {
	q.periodic = append(q.periodic, river.NewPeriodicJob(
		river.PeriodicInterval(interval),
		func() (river.JobArgs, *river.InsertOpts) { return args(), nil },
		&river.PeriodicJobOpts{RunOnStart: true},
	))
}

// Open builds the River client; after it, jobs can be inserted.
func (q *Queue) Open() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.client != nil {
		return nil
	}
	cfg := &river.Config{
		Queues:            q.queues(),
		Workers:           q.workers,
		PeriodicJobs:      q.periodic,
		FetchPollInterval: q.opts.PollInterval,
		FetchCooldown:     100 * time.Millisecond,
		Logger:            q.opts.Logger.With("component", "jobs"),
		ErrorHandler:      &errorLogger{log: q.opts.Logger},
		JobTimeout:        10 * time.Minute,
	}
	if q.opts.InsertOnly {
		cfg.Queues, cfg.Workers, cfg.PeriodicJobs = nil, nil, nil
	}
	client, err := river.NewClient(q.driver, cfg)
	if err != nil {
		return fmt.Errorf("jobs: new client: %w", err)
	}
	q.client = client
	return nil
}

// queues is the default queue and every lane, with their workers.
func (q *Queue) queues() map[string]river.QueueConfig {
	out := map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: q.opts.Workers}}
	for _, l := range q.opts.Lanes {
		out[l.Name] = river.QueueConfig{MaxWorkers: l.Workers}
	}
	return out
}

// insertOpts puts a job of kind on its lane; nil keeps the job's own
// options (the default queue).
func (q *Queue) insertOpts(kind string) *river.InsertOpts {
	if lane, ok := q.laneOf[kind]; ok {
		return &river.InsertOpts{Queue: lane}
	}
	return nil
}

// InsertTx inserts a job in tx; it runs after tx commits.
func (q *Queue) InsertTx(ctx context.Context, tx *sql.Tx, args interface{ Kind() string }) error {
	c, err := q.ensureClient()
	if err != nil {
		return err
	}
	if _, err := c.InsertTx(ctx, tx, args, q.insertOpts(args.Kind())); err != nil {
		return fmt.Errorf("insert job %s: %w", args.Kind(), err)
	}
	return nil
}

// Insert inserts a job in a transaction of its own.
func (q *Queue) Insert(ctx context.Context, args interface{ Kind() string }) error {
	c, err := q.ensureClient()
	if err != nil {
		return err
	}
	if _, err := c.Insert(ctx, args, q.insertOpts(args.Kind())); err != nil {
		return fmt.Errorf("insert job %s: %w", args.Kind(), err)
	}
	return nil
}

func (q *Queue) ensureClient() (*river.Client[*sql.Tx], error) {
	q.mu.Lock()
	c := q.client
	q.mu.Unlock()
	if c != nil {
		return c, nil
	}
	if err := q.Open(); err != nil {
		return nil, err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.client, nil
}

// Start starts working jobs in the background until Stop. A queue without
// workers has nothing to work and does not start.
func (q *Queue) Start(ctx context.Context) error {
	c, err := q.ensureClient()
	if err != nil {
		return err
	}
	if len(q.kinds) == 0 || q.opts.InsertOnly {
		return nil
	}
	if err := c.Start(ctx); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	q.mu.Lock()
	q.started = true
	q.mu.Unlock()
	return nil
}

// Stop stops fetching new jobs and waits for running ones to finish, until
// ctx is done; then it cancels the remaining ones, which River retries later.
func (q *Queue) Stop(ctx context.Context) error {
	q.mu.Lock()
	c, started := q.client, q.started
	q.started = false
	q.mu.Unlock()
	if c == nil || !started {
		return nil
	}
	err := c.Stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		hard, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return errors.Join(err, c.StopAndCancel(hard))
	}
	return err
}

// Stats counts the jobs of each state (available, running, retryable,
// scheduled, completed, discarded, cancelled).
func (q *Queue) Stats(ctx context.Context) (map[string]int, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT state, COUNT(*) FROM river_job GROUP BY state`)
	if err != nil {
		return nil, fmt.Errorf("job stats: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return nil, fmt.Errorf("job stats: %w", err)
		}
		out[state] = n
	}
	return out, rows.Err()
}

// Migrate creates or upgrades River's tables in db.
func Migrate(ctx context.Context, db *sql.DB, dialect string) error {
	drv, err := driverFor(db, dialect)
	if err != nil {
		return err
	}
	m, err := rivermigrate.New(drv, nil)
	if err != nil {
		return fmt.Errorf("jobs: migrator: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	return nil
}

// errorLogger logs job failures and panics with the job's kind and attempt.
type errorLogger struct{ log *slog.Logger }

func (e *errorLogger) HandleError(ctx context.Context, job *rivertype.JobRow, err error) *river.ErrorHandlerResult {
	e.log.WarnContext(ctx, "job failed", "kind", job.Kind, "job_id", job.ID, "attempt", job.Attempt, "error", err)
	return nil
}

func (e *errorLogger) HandlePanic(ctx context.Context, job *rivertype.JobRow, panicVal any, trace string) *river.ErrorHandlerResult {
	e.log.ErrorContext(ctx, "job panicked", "kind", job.Kind, "job_id", job.ID, "attempt", job.Attempt, "panic", fmt.Sprint(panicVal), "stack", trace)
	return nil
}
