package ratelimit

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// newTestRedis is a Redis limiter on client with the test's prefix, a fake
// clock for its fallback and back-off, and a recorder of its logs.
func newTestRedis(t *testing.T, client redis.UniversalClient, prefix string) (*Redis, *fakeClock, *logRecorder) {
	t.Helper()
	clock := newFakeClock()
	logs := &logRecorder{}
	r := NewRedis(client, NewMemory(clock.Now, 0), slog.New(logs), clock.Now, WithKeyPrefix(prefix))
	return r, clock, logs
}

func TestRedisGCRABurstRemainingResetAndRetryAfter(t *testing.T) {
	client := newTestClient(t)
	prefix := testPrefix(t, client)
	r := NewRedis(client, nil, nil, nil, WithKeyPrefix(prefix))
	ctx := context.Background()
	// 5 per hour: one request every 12 minutes, so the test's own run time
	// refills nothing.
	l := Limit{Requests: 5, Period: time.Hour}
	start := time.Now()
	for i := range 5 {
		d, err := r.Allow(ctx, "user:1", l)
		if err != nil || !d.Allowed || d.Remaining != 4-i || d.Limit != 5 || d.RetryAfter != 0 {
			t.Fatalf("request %d: got %+v, %v; want allowed, limit 5, %d remaining, no RetryAfter", i+1, d, err, 4-i)
		}
	}
	d, err := r.Allow(ctx, "user:1", l)
	end := time.Now()
	if err != nil || d.Allowed || d.Remaining != 0 {
		t.Fatalf("request 6: got %+v, %v; want denied with 0 remaining", d, err)
	}
	if d.RetryAfter <= 11*time.Minute || d.RetryAfter > 12*time.Minute {
		t.Errorf("request 6: RetryAfter %s, want just under 12m", d.RetryAfter)
	}
	if d.ResetAt.Before(start.Add(time.Hour-time.Minute)) || d.ResetAt.After(end.Add(time.Hour)) {
		t.Errorf("request 6: ResetAt %s after start, want about 1h", d.ResetAt.Sub(start))
	}
	if r.Degraded() {
		t.Error("Degraded with Redis up: got true")
	}
	// Another key is untouched.
	if d, _ := r.Allow(ctx, "user:2", l); !d.Allowed || d.Remaining != 4 {
		t.Errorf("another key: got %+v, want allowed with 4 remaining", d)
	}
	// The key lives under the prefix, with a TTL.
	ttl, err := client.TTL(ctx, "rate:"+prefix+"user:1").Result()
	if err != nil || ttl <= 0 || ttl > time.Hour+time.Second {
		t.Errorf("TTL of the Redis key: got %s, %v; want (0, 1h]", ttl, err)
	}
}

func TestRedisInstancesShareOneLimit(t *testing.T) {
	redisURL := testRedisURL(t)
	a := openClient(t, redisURL, true)
	b := openClient(t, redisURL, true)
	prefix := testPrefix(t, a)
	instanceA, _, _ := newTestRedis(t, a, prefix)
	instanceB, _, _ := newTestRedis(t, b, prefix)
	other, _, _ := newTestRedis(t, b, prefix+"other:")
	ctx := context.Background()
	l := Limit{Requests: 4, Period: time.Hour}

	allowed := 0
	for i := range 10 {
		limiter := instanceA
		if i%2 == 1 {
			limiter = instanceB
		}
		d, err := limiter.Allow(ctx, "key:shared", l)
		if err != nil {
			t.Fatal(err)
		}
		if d.Allowed {
			if want := 3 - allowed; d.Remaining != want {
				t.Errorf("call %d: Remaining %d, want %d", i+1, d.Remaining, want)
			}
			allowed++
		}
	}
	if allowed != 4 {
		t.Errorf("allowed across two instances: got %d, want 4", allowed)
	}
	if d, _ := other.Allow(ctx, "key:shared", l); !d.Allowed || d.Remaining != 3 {
		t.Errorf("same key under another prefix: got %+v, want a fresh bucket", d)
	}
}

func TestRedisConcurrentAllowCountsExactly(t *testing.T) {
	client := newTestClient(t)
	prefix := testPrefix(t, client)
	r, _, _ := newTestRedis(t, client, prefix)
	l := Limit{Requests: 50, Period: time.Hour}
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 25 {
				if d, _ := r.Allow(context.Background(), "hot", l); d.Allowed {
					allowed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if got := allowed.Load(); got != 50 {
		t.Errorf("allowed: got %d of 200, want exactly 50", got)
	}
	if r.Degraded() {
		t.Error("Degraded after concurrent calls on a healthy Redis")
	}
}

func TestRedisUnreachableFallsBackToMemory(t *testing.T) {
	client := openClient(t, "redis://"+closedPort(t)+"/0", false)
	r, _, logs := newTestRedis(t, client, "tonegrid:test:closed:")
	ctx := context.Background()
	l := PerMinute(3)
	for i := range 3 {
		d, err := r.Allow(ctx, "ip:198.51.100.7", l)
		if err != nil || !d.Allowed || d.Remaining != 2-i {
			t.Fatalf("request %d with Redis down: got %+v, %v; want allowed by the fallback, %d remaining", i+1, d, err, 2-i)
		}
	}
	d, err := r.Allow(ctx, "ip:198.51.100.7", l)
	if err != nil || d.Allowed || d.RetryAfter <= 0 {
		t.Fatalf("request 4 with Redis down: got %+v, %v; want denied by the fallback", d, err)
	}
	if !r.Degraded() {
		t.Error("Degraded with Redis down: got false")
	}
	if got := logs.count(slog.LevelWarn); got != 1 {
		t.Errorf("Warn records: got %d, want 1\n%s", got, logs)
	}
}

func TestRedisThatNeverAnswersFallsBackToMemory(t *testing.T) {
	// A server that accepts connections and says nothing, like a Redis
	// behind a partition that drops packets: the client's read timeout
	// ends the call and the fallback answers.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var held sync.WaitGroup
	held.Go(func() {
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	})
	t.Cleanup(func() { ln.Close(); held.Wait() })
	client := openClient(t, "redis://"+ln.Addr().String()+"/0", false)
	r, _, logs := newTestRedis(t, client, "tonegrid:test:silent:")
	for i := range 3 {
		d, err := r.Allow(context.Background(), "k", PerMinute(2))
		if err != nil || d.Allowed != (i < 2) {
			t.Fatalf("request %d to a silent Redis: got %+v, %v; want the fallback's answer (allowed=%v)", i+1, d, err, i < 2)
		}
	}
	if !r.Degraded() || logs.count(slog.LevelWarn) != 1 {
		t.Errorf("after a silent Redis: degraded=%v, want true; logs (want one Warn):\n%s", r.Degraded(), logs)
	}
}

func TestRedisFallbackBackoffAndRecovery(t *testing.T) {
	redisURL := testRedisURL(t)
	direct := openClient(t, redisURL, true)
	p := startProxy(t, redisURL)
	client := openClient(t, p.url(), true)
	commands := &countCommands{}
	client.AddHook(commands)
	prefix := testPrefix(t, direct)
	r, clock, logs := newTestRedis(t, client, prefix)
	ctx := context.Background()
	l := Limit{Requests: 3, Period: time.Hour}

	for i := range 2 {
		if d, _ := r.Allow(ctx, "k", l); !d.Allowed || d.Remaining != 2-i {
			t.Fatalf("request %d through Redis: got %+v, want allowed with %d remaining", i+1, d, 2-i)
		}
	}

	p.cut()
	for i := range 3 {
		d, err := r.Allow(ctx, "k", l)
		if err != nil || !d.Allowed {
			t.Fatalf("request %d after the cut: got %+v, %v; want allowed by the fresh fallback", i+1, d, err)
		}
	}
	if d, _ := r.Allow(ctx, "k", l); d.Allowed {
		t.Fatalf("fallback after its burst: got allowed, want denied: Redis down must not mean unlimited")
	}
	sent := commands.n.Load()
	for range 50 {
		r.Allow(ctx, "k", l)
	}
	clock.Advance(DefaultRetryBackoff - time.Millisecond)
	p.restore()
	r.Allow(ctx, "k", l)
	if got := commands.n.Load() - sent; got != 0 {
		t.Errorf("commands sent to Redis during the back-off: got %d, want 0", got)
	}
	if got := logs.count(slog.LevelWarn); got != 1 {
		t.Errorf("Warn records after many degraded calls: got %d, want 1\n%s", got, logs)
	}

	clock.Advance(time.Millisecond)
	if d, _ := r.Allow(ctx, "k", l); d.Allowed {
		t.Errorf("the call that starts the probe: got allowed, want the fallback's denial")
	}
	waitFor(t, "the limiter to use Redis again and say so", func() bool {
		return !r.Degraded() && logs.count(slog.LevelInfo) > 0
	})
	if got := logs.count(slog.LevelInfo); got != 1 {
		t.Errorf("Info records after recovery: got %d, want 1\n%s", got, logs)
	}
	// Redis still holds the two requests made before the cut: one is left.
	if d, _ := r.Allow(ctx, "k", l); !d.Allowed || d.Remaining != 0 {
		t.Errorf("first request after recovery: got %+v, want allowed by Redis with 0 remaining", d)
	}
	if d, _ := r.Allow(ctx, "k", l); d.Allowed {
		t.Errorf("second request after recovery: got allowed, want denied by Redis")
	}
	if got := logs.count(slog.LevelWarn); got != 1 {
		t.Errorf("Warn records at the end: got %d, want 1\n%s", got, logs)
	}
}

func TestRedisCallerCancellationIsNotAnOutage(t *testing.T) {
	client := newTestClient(t)
	r, _, logs := newTestRedis(t, client, testPrefix(t, client))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	d, err := r.Allow(ctx, "k", PerMinute(5))
	if err != nil || !d.Allowed {
		t.Fatalf("Allow with a cancelled context: got %+v, %v; want the fallback's answer", d, err)
	}
	if r.Degraded() || logs.count(slog.LevelWarn) != 0 {
		t.Errorf("a cancelled caller tripped the fallback: degraded=%v, logs:\n%s", r.Degraded(), logs)
	}
}

func TestNewRedisClientSetsShortTimeouts(t *testing.T) {
	client, err := NewRedisClient("redis://127.0.0.1:6379/2")
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	o := client.Options()
	if o.DialTimeout != 250*time.Millisecond || o.ReadTimeout != 250*time.Millisecond || o.WriteTimeout != 250*time.Millisecond ||
		o.MaxRetries != 0 || o.DialerRetries != 1 || o.DB != 2 {
		t.Errorf("options: dial %s read %s write %s retries %d dialer retries %d db %d; want 250ms ×3, 0, 1, 2",
			o.DialTimeout, o.ReadTimeout, o.WriteTimeout, o.MaxRetries, o.DialerRetries, o.DB)
	}
	kept, err := NewRedisClient("redis://127.0.0.1:6379/0?dial_timeout=2s")
	if err != nil {
		t.Fatal(err)
	}
	defer kept.Close()
	if got := kept.Options().DialTimeout; got != 2*time.Second {
		t.Errorf("dial_timeout=2s in the URL: got %s, want 2s", got)
	}
	if _, err := NewRedisClient("http://example.com"); err == nil {
		t.Error("NewRedisClient with an http URL: got no error")
	}
}

// closedPort is a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestBreakerLogsOncePerSwitch(t *testing.T) {
	clock := newFakeClock()
	logs := &logRecorder{}
	var redisUp atomic.Bool
	b := newBreaker("test", slog.New(logs), clock.Now, time.Second, func(context.Context) error {
		if !redisUp.Load() {
			return errors.New("connection refused")
		}
		return nil
	})
	if !b.ready() {
		t.Fatal("a new breaker: got not ready")
	}
	for range 3 {
		b.fail(errors.New("connection refused"))
	}
	if b.ready() {
		t.Fatal("after failures: got ready")
	}
	clock.Advance(time.Second)
	b.ready() // starts a probe, which fails
	waitFor(t, "the failing probe to finish", func() bool { return !b.probing.Load() })
	if b.ready() || !b.degraded.Load() {
		t.Fatal("after a failed probe, within the new back-off: got ready")
	}
	redisUp.Store(true)
	clock.Advance(time.Second)
	b.ready() // starts a probe, which succeeds
	waitFor(t, "the probe to put Redis back and say so", func() bool {
		return b.ready() && logs.count(slog.LevelInfo) > 0
	})
	b.fail(errors.New("connection reset"))
	want := []string{"WARN redis unavailable: using the in-process fallback", "DEBUG redis still unavailable",
		"INFO redis available again: leaving the in-process fallback", "WARN redis unavailable: using the in-process fallback"}
	logs.mu.Lock()
	got := slices.Clone(logs.records)
	logs.mu.Unlock()
	if !slices.Equal(got, want) {
		t.Errorf("log records:\ngot  %q\nwant %q", got, want)
	}
}
