package ratelimit

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"
)

// DefaultRetryBackoff is how long a Redis-backed limiter or lockout leaves
// Redis alone after a failure before checking whether it is back.
const DefaultRetryBackoff = 5 * time.Second

// probeTimeout bounds one background check of a failed Redis.
const probeTimeout = 2 * time.Second

// breaker tracks whether Redis is usable. After a failure it sends every
// call to the fallback for a back-off period; the first call after that
// period starts one background ping, and Redis is used again only once that
// ping succeeds, so a dead Redis costs requests no latency. It logs one
// Warn when it gives up on Redis and one Info when Redis is back.
type breaker struct {
	what    string
	logger  *slog.Logger
	clock   func() time.Time
	backoff time.Duration
	ping    func(context.Context) error

	degraded atomic.Bool
	probing  atomic.Bool
	// retryAt is when, in clock's Unix nanoseconds, a probe may start.
	retryAt atomic.Int64
}

// ready reports whether a call should go to Redis now. While degraded it
// answers false and, once the back-off has passed, starts a probe.
func (b *breaker) ready() bool {
	if !b.degraded.Load() {
		return true
	}
	if b.clock().UnixNano() >= b.retryAt.Load() && b.probing.CompareAndSwap(false, true) {
		go b.probe()
	}
	return false
}

// fail records that a call to Redis failed with err.
func (b *breaker) fail(err error) {
	b.retryAt.Store(b.clock().Add(b.backoff).UnixNano())
	if b.degraded.CompareAndSwap(false, true) {
		b.logger.Warn("redis unavailable: using the in-process fallback",
			slog.String("component", b.what),
			slog.Duration("retry_in", b.backoff),
			slog.Any("error", err))
	}
}

// probe pings Redis once and, when it answers, puts it back in use.
func (b *breaker) probe() {
	defer b.probing.Store(false)
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	if err := b.ping(ctx); err != nil {
		b.retryAt.Store(b.clock().Add(b.backoff).UnixNano())
		b.logger.Debug("redis still unavailable",
			slog.String("component", b.what), slog.Any("error", err))
		return
	}
	if b.degraded.CompareAndSwap(true, false) {
		b.logger.Info("redis available again: leaving the in-process fallback",
			slog.String("component", b.what))
	}
}

// redisOptions are the settings a RedisOption changes.
type redisOptions struct {
	prefix  string
	backoff time.Duration
}

// RedisOption changes a setting of a Redis limiter or lockout.
type RedisOption func(*redisOptions)

// WithKeyPrefix sets the prefix of every Redis key the limiter or lockout
// writes, so that several deployments can share one Redis.
func WithKeyPrefix(prefix string) RedisOption {
	return func(o *redisOptions) { o.prefix = prefix }
}

// WithRetryBackoff sets how long Redis is left alone after a failure
// (DefaultRetryBackoff when d <= 0).
func WithRetryBackoff(d time.Duration) RedisOption {
	return func(o *redisOptions) {
		if d > 0 {
			o.backoff = d
		}
	}
}

// newBreaker builds the breaker for one Redis-backed component.
func newBreaker(what string, logger *slog.Logger, clock func() time.Time, backoff time.Duration, ping func(context.Context) error) *breaker {
	if logger == nil {
		logger = slog.Default()
	}
	if clock == nil {
		clock = time.Now
	}
	return &breaker{what: what, logger: logger, clock: clock, backoff: backoff, ping: ping}
}

// applyOptions resolves opts over the given default prefix.
func applyOptions(defaultPrefix string, opts []RedisOption) redisOptions {
	o := redisOptions{prefix: defaultPrefix, backoff: DefaultRetryBackoff}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}
