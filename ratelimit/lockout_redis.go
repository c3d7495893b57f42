package ratelimit

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultLockoutPrefix prefixes the Redis keys of a Redis lockout.
const DefaultLockoutPrefix = "tonegrid:lockout:"

// recordFailure counts one failure atomically and opens the window on the
// first one; a key left without a TTL gets one, so no key lives forever.
var recordFailure = redis.NewScript(`
local n = redis.call("INCR", KEYS[1])
if n == 1 or redis.call("PTTL", KEYS[1]) < 0 then
  redis.call("PEXPIRE", KEYS[1], ARGV[1])
end
return n
`)

// readFailures returns a key's failure count and the milliseconds left in
// its window, both 0 when it has none.
var readFailures = redis.NewScript(`
local n = redis.call("GET", KEYS[1])
if not n then
  return {0, 0}
end
return {tonumber(n), redis.call("PTTL", KEYS[1])}
`)

// RedisLockout is a Lockout shared by every process that uses the same
// Redis and prefix. When Redis fails it records and checks failures in its
// fallback MemoryLockout, leaving Redis alone for a back-off period, and it
// logs once when it switches and once when Redis is back. Blocks recorded
// in the fallback during an outage keep blocking after Redis returns.
type RedisLockout struct {
	client   redis.UniversalClient
	fallback *MemoryLockout
	policy   LockoutPolicy
	prefix   string
	breaker  *breaker
}

// NewRedisLockout returns a lockout on client that applies the fallback's
// policy and falls back to it while Redis fails (DefaultLockoutPolicy in a
// new MemoryLockout on clock when nil), logs to logger (slog.Default when
// nil) and reads time from clock (time.Now when nil) for the back-off.
func NewRedisLockout(client redis.UniversalClient, fallback *MemoryLockout, logger *slog.Logger, clock func() time.Time, opts ...RedisOption) *RedisLockout {
	o := applyOptions(DefaultLockoutPrefix, opts)
	if fallback == nil {
		fallback = NewMemoryLockout(DefaultLockoutPolicy, clock, 0)
	}
	ping := func(ctx context.Context) error { return client.Ping(ctx).Err() }
	return &RedisLockout{
		client:   client,
		fallback: fallback,
		policy:   fallback.Policy(),
		prefix:   o.prefix,
		breaker:  newBreaker("lockout", logger, clock, o.backoff, ping),
	}
}

// Failure records one failed login for key and returns the number of
// failures in its current window. It never returns an error.
func (r *RedisLockout) Failure(ctx context.Context, key string) (int, error) {
	if !r.breaker.ready() {
		return r.fallback.Failure(ctx, key)
	}
	n, err := recordFailure.Run(ctx, r.client, []string{r.prefix + key}, max(1, r.policy.Window.Milliseconds())).Int()
	if err != nil {
		r.failed(ctx, fmt.Errorf("record login failure on redis: %w", err))
		return r.fallback.Failure(ctx, key)
	}
	return n, nil
}

// Blocked reports whether key is blocked, on Redis or in the fallback, and
// for how much longer. It never returns an error.
func (r *RedisLockout) Blocked(ctx context.Context, key string) (bool, time.Duration, error) {
	blocked, retryAfter, _ := r.fallback.Blocked(ctx, key)
	if blocked || !r.breaker.ready() {
		return blocked, retryAfter, nil
	}
	vals, err := readFailures.Run(ctx, r.client, []string{r.prefix + key}).Int64Slice()
	if err == nil && len(vals) != 2 {
		err = fmt.Errorf("got %d values, want 2", len(vals))
	}
	if err != nil {
		r.failed(ctx, fmt.Errorf("read login failures on redis: %w", err))
		return false, 0, nil
	}
	count, ttl := vals[0], time.Duration(vals[1])*time.Millisecond
	if count < int64(r.policy.Threshold) {
		return false, 0, nil
	}
	if ttl <= 0 {
		// The key has no TTL, which only something else writing it can
		// cause and recordFailure repairs: block for a whole window.
		ttl = r.policy.Window
	}
	return true, ttl, nil
}

// Degraded reports whether the lockout is using its fallback because Redis
// failed, for health pages.
func (r *RedisLockout) Degraded() bool {
	return r.breaker.degraded.Load()
}

// failed trips the breaker unless the failure was the caller giving up.
func (r *RedisLockout) failed(ctx context.Context, err error) {
	if ctx.Err() == nil {
		r.breaker.fail(err)
	}
}
