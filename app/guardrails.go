package app

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/redis/go-redis/v9"

	"tonegrid/jobs"
	"tonegrid/ratelimit"
	"tonegrid/sqlstore"
)

// rateLimits builds the request limiter and the failed-login lockout: in
// process, or shared through Redis (falling back to in-process limits when
// Redis is unreachable) when TONEGRID_REDIS_URL is set.
func rateLimits(cfg Config, log *slog.Logger) (ratelimit.Limiter, ratelimit.Lockout, error) {
	memory := ratelimit.NewMemory(nil, 0)
	memoryLockout := ratelimit.NewMemoryLockout(ratelimit.LockoutPolicy{}, nil, 0)
	if cfg.RedisURL == "" {
		return memory, memoryLockout, nil
	}
	redisLogOnce.Do(func() { redis.SetLogger(redisLogger{log: log}) })
	client, err := ratelimit.NewRedisClient(cfg.RedisURL)
	if err != nil {
		return nil, nil, fmt.Errorf("TONEGRID_REDIS_URL: %w", err)
	}
	var opts []ratelimit.RedisOption
	lockoutOpts := []ratelimit.RedisOption{}
	if cfg.RedisKeyPrefix != "" {
		opts = append(opts, ratelimit.WithKeyPrefix(cfg.RedisKeyPrefix+"rl:"))
		lockoutOpts = append(lockoutOpts, ratelimit.WithKeyPrefix(cfg.RedisKeyPrefix+"lockout:"))
	}
	return ratelimit.NewRedis(client, memory, log, nil, opts...),
		ratelimit.NewRedisLockout(client, memoryLockout, log, nil, lockoutOpts...), nil
}

// redisLogOnce sets go-redis's logger, which is global, once per process.
var redisLogOnce sync.Once

// redisLogger sends go-redis's own messages (failed dials while Redis is
// down) to the structured log at debug level: the limiters already log the
// outage once.
type redisLogger struct{ log *slog.Logger }

func (l redisLogger) Printf(ctx context.Context, format string, v ...any) {
	l.log.DebugContext(ctx, fmt.Sprintf(format, v...), "component", "redis")
}

// purgeIdempotencyArgs is the hourly job that deletes expired
// Idempotency-Key responses.
type purgeIdempotencyArgs struct{}

func (purgeIdempotencyArgs) Kind() string { return "idempotency.purge" }

type purgeIdempotencyWorker struct {
	jobs.WorkerDefaults[purgeIdempotencyArgs]
	db  *sqlstore.DB
	log *slog.Logger
}

func (w *purgeIdempotencyWorker) Work(ctx context.Context, _ *jobs.Job[purgeIdempotencyArgs]) error {
	n, err := w.db.PurgeIdempotencyKeys(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		w.log.InfoContext(ctx, "purged expired idempotency keys", "count", n)
	}
	return nil
}
