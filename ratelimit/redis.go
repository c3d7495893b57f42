package ratelimit

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// DefaultLimitPrefix prefixes the Redis keys of a Redis limiter. redis_rate
// adds its own "rate:" in front, so a key reads "rate:tonegrid:rl:<key>".
const DefaultLimitPrefix = "tonegrid:rl:"

var _ Limiter = (*Redis)(nil)

// Redis is a GCRA limiter shared by every process that uses the same Redis
// and prefix. Redis's clock decides, so instances need not agree on time.
// When Redis fails it answers from its fallback Memory and leaves Redis
// alone for a back-off period (see DefaultRetryBackoff), logging once when
// it switches and once when Redis is back.
type Redis struct {
	limiter  *redis_rate.Limiter
	fallback *Memory
	prefix   string
	clock    func() time.Time
	breaker  *breaker
}

// NewRedis returns a limiter on client that answers from fallback (a new
// Memory on clock when nil) while Redis fails, logs to logger (slog.Default
// when nil) and reads time from clock (time.Now when nil) for ResetAt and
// the back-off. The client's own timeouts bound how long a call to a hung
// Redis may take: build it with NewRedisClient for short ones.
func NewRedis(client redis.UniversalClient, fallback *Memory, logger *slog.Logger, clock func() time.Time, opts ...RedisOption) *Redis {
	o := applyOptions(DefaultLimitPrefix, opts)
	if clock == nil {
		clock = time.Now
	}
	if fallback == nil {
		fallback = NewMemory(clock, 0)
	}
	ping := func(ctx context.Context) error { return client.Ping(ctx).Err() }
	return &Redis{
		limiter:  redis_rate.NewLimiter(client),
		fallback: fallback,
		prefix:   o.prefix,
		clock:    clock,
		breaker:  newBreaker("ratelimit", logger, clock, o.backoff, ping),
	}
}

// Allow charges one request to key under l, on Redis when it works and on
// the fallback otherwise. It returns an error only for an invalid Limit.
func (r *Redis) Allow(ctx context.Context, key string, l Limit) (Decision, error) {
	if err := l.validate(); err != nil {
		return Decision{}, err
	}
	if !r.breaker.ready() {
		return r.fallback.Allow(ctx, key, l)
	}
	res, err := r.limiter.Allow(ctx, r.prefix+key, redis_rate.Limit{Rate: l.Requests, Burst: l.Requests, Period: l.Period})
	if err != nil {
		// A caller that gave up is no sign that Redis did.
		if ctx.Err() == nil {
			r.breaker.fail(fmt.Errorf("rate limit on redis: %w", err))
		}
		return r.fallback.Allow(ctx, key, l)
	}
	d := Decision{
		Allowed:   res.Allowed > 0,
		Limit:     l.Requests,
		Remaining: max(0, res.Remaining),
		ResetAt:   r.clock().Add(max(0, res.ResetAfter)),
	}
	if !d.Allowed {
		d.RetryAfter = max(time.Nanosecond, res.RetryAfter)
	}
	return d, nil
}

// Degraded reports whether the limiter is answering from its fallback
// because Redis failed, for health pages.
func (r *Redis) Degraded() bool {
	return r.breaker.degraded.Load()
}

// NewRedisClient opens a client for a redis:// or rediss:// URL with
// timeouts short enough for a rate limiter on every request: 250 ms to dial,
// read or write, one dial attempt and no command retries, since a failed
// call is answered from the fallback anyway. Settings given in the URL's
// query (dial_timeout, read_timeout, max_retries, …) win.
func NewRedisClient(url string) (*redis.Client, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("parse redis url: %w", err)
	}
	const short = 250 * time.Millisecond
	if opts.DialTimeout == 0 {
		opts.DialTimeout = short
	}
	if opts.ReadTimeout == 0 {
		opts.ReadTimeout = short
	}
	if opts.WriteTimeout == 0 {
		opts.WriteTimeout = short
	}
	if opts.PoolTimeout == 0 {
		opts.PoolTimeout = 2 * short
	}
	if opts.MaxRetries == 0 {
		opts.MaxRetries = -1
	}
	if opts.DialerRetries == 0 {
		opts.DialerRetries = 1
	}
	opts.ContextTimeoutEnabled = true
	return redis.NewClient(opts), nil
}
