package ratelimit

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"
)

// checkLockoutWindow runs the lockout rule on one key: four failures leave
// it open, the fifth blocks it, a failure while blocked neither lifts nor
// extends the block, and the end of the window lifts it. pass makes d of
// the key's window go by.
func checkLockoutWindow(t *testing.T, lo Lockout, key string, window time.Duration, pass func(d time.Duration)) {
	t.Helper()
	ctx := context.Background()
	blocked := func(when string) (bool, time.Duration) {
		t.Helper()
		b, retry, err := lo.Blocked(ctx, key)
		if err != nil {
			t.Fatalf("Blocked %s: %v", when, err)
		}
		if b != (retry > 0) {
			t.Fatalf("Blocked %s: got blocked=%v with retryAfter %s; want retryAfter > 0 exactly when blocked", when, b, retry)
		}
		return b, retry
	}
	if b, _ := blocked("before any failure"); b {
		t.Fatal("Blocked before any failure: got true")
	}
	for i := 1; i <= 4; i++ {
		if n, err := lo.Failure(ctx, key); err != nil || n != i {
			t.Fatalf("failure %d: got count %d, %v", i, n, err)
		}
		if b, _ := blocked(fmt.Sprintf("after %d failures", i)); b {
			t.Fatalf("Blocked after %d failures: got true, want false", i)
		}
	}
	if n, err := lo.Failure(ctx, key); err != nil || n != 5 {
		t.Fatalf("failure 5: got count %d, %v", n, err)
	}
	b, retry5 := blocked("after 5 failures")
	if !b || retry5 > window {
		t.Fatalf("Blocked after 5 failures: got %v, %s; want true with retryAfter <= %s", b, retry5, window)
	}
	pass(10 * time.Second)
	if n, err := lo.Failure(ctx, key); err != nil || n != 6 {
		t.Fatalf("failure 6 (while blocked): got count %d, %v", n, err)
	}
	b, retry6 := blocked("after 6 failures")
	if !b || retry6 > retry5-10*time.Second {
		t.Fatalf("Blocked 10 s later, after a failure while blocked: got %v, %s; want still blocked for at most %s (the window must not grow)", b, retry6, retry5-10*time.Second)
	}
	pass(retry6 - time.Second)
	if b, _ := blocked("about 1 s before the window closes"); !b {
		t.Fatal("Blocked about 1 s before the window closes: got false")
	}
	if b, _, _ := lo.Blocked(ctx, key+":other"); b {
		t.Fatal("another key: got blocked, want open")
	}

	pass(time.Second)
	if b, retry := blocked("after the window"); b {
		t.Fatalf("Blocked after the window: got true (%s left), want false", retry)
	}
	if n, err := lo.Failure(ctx, key); err != nil || n != 1 {
		t.Fatalf("first failure of a new window: got count %d, %v; want 1", n, err)
	}
	if b, _ := blocked("after one failure in a new window"); b {
		t.Fatal("Blocked after one failure in a new window: got true")
	}
}

func TestMemoryLockoutBlocksForTheRestOfTheWindow(t *testing.T) {
	clock := newFakeClock()
	lo := NewMemoryLockout(LockoutPolicy{}, clock.Now, 0)
	if got := lo.Policy(); got != DefaultLockoutPolicy {
		t.Fatalf("Policy with zero fields: got %+v, want %+v", got, DefaultLockoutPolicy)
	}
	checkLockoutWindow(t, lo, "someone@example.com", time.Minute, clock.Advance)
}

func TestMemoryLockoutWindowStartsAtTheFirstFailure(t *testing.T) {
	clock := newFakeClock()
	lo := NewMemoryLockout(DefaultLockoutPolicy, clock.Now, 0)
	ctx := context.Background()
	lo.Failure(ctx, "a@example.com")
	clock.Advance(59 * time.Second)
	for range 4 {
		lo.Failure(ctx, "a@example.com")
	}
	if b, retry, _ := lo.Blocked(ctx, "a@example.com"); !b || retry != time.Second {
		t.Fatalf("five failures within 59 s: got blocked=%v for %s, want blocked for the window's last 1s", b, retry)
	}

	lo.Failure(ctx, "b@example.com")
	clock.Advance(time.Minute)
	for i := range 4 {
		if n, _ := lo.Failure(ctx, "b@example.com"); n != i+1 {
			t.Fatalf("failure %d after the first one's window closed: got count %d, want %d", i+1, n, i+1)
		}
	}
	if b, _, _ := lo.Blocked(ctx, "b@example.com"); b {
		t.Fatal("one failure, then four in the next window: got blocked, want open")
	}
}

func TestMemoryLockoutClosedWindowsAreFreshWhateverTheirOrder(t *testing.T) {
	// y's window opens first but y is blocked after x, so y's closed window
	// sits behind x's open one in the blocked list.
	clock := newFakeClock()
	lo := NewMemoryLockout(DefaultLockoutPolicy, clock.Now, 0)
	ctx := context.Background()
	lo.Failure(ctx, "y@example.com")
	clock.Advance(10 * time.Second)
	for range 5 {
		lo.Failure(ctx, "x@example.com")
	}
	clock.Advance(10 * time.Second)
	for range 4 {
		lo.Failure(ctx, "y@example.com")
	}
	clock.Advance(41 * time.Second) // y's window closed at 60 s, x's closes at 70 s
	if b, _, _ := lo.Blocked(ctx, "y@example.com"); b {
		t.Error("y after its window: got blocked")
	}
	if b, _, _ := lo.Blocked(ctx, "x@example.com"); !b {
		t.Error("x within its window: got open")
	}
	if n, _ := lo.Failure(ctx, "y@example.com"); n != 1 {
		t.Errorf("y's first failure after its window: got count %d, want 1", n)
	}
}

func TestMemoryLockoutStaysBoundedAndKeepsBlocks(t *testing.T) {
	clock := newFakeClock()
	lo := NewMemoryLockout(DefaultLockoutPolicy, clock.Now, 16)
	ctx := context.Background()
	for range 5 {
		lo.Failure(ctx, "victim@example.com")
	}
	for i := range 1000 {
		lo.Failure(ctx, fmt.Sprintf("made-up-%d@example.com", i))
		if got := lo.Len(); got > 16 {
			t.Fatalf("Len after %d made-up keys: got %d, want at most 16", i+1, got)
		}
	}
	if b, _, _ := lo.Blocked(ctx, "victim@example.com"); !b {
		t.Fatal("a blocked key after a flood of made-up keys: got open (evicted), want blocked")
	}

	clock.Advance(time.Minute)
	lo.Failure(ctx, "late@example.com")
	if got := lo.Len(); got != 1 {
		t.Errorf("Len once every earlier window closed: got %d, want 1", got)
	}
}

func TestMemoryLockoutConcurrentFailuresCountExactly(t *testing.T) {
	lo := NewMemoryLockout(DefaultLockoutPolicy, newFakeClock().Now, 0)
	counts := concurrentFailures(t, lo, "hot@example.com", 8, 50)
	if want := seq(400); !slices.Equal(counts, want) {
		t.Errorf("counts returned by 400 concurrent failures: got %v, want 1..400 once each", counts)
	}
}

func TestRedisLockoutBlocksForTheRestOfTheWindow(t *testing.T) {
	client := newTestClient(t)
	prefix := testPrefix(t, client)
	lo := NewRedisLockout(client, nil, nil, nil, WithKeyPrefix(prefix))
	key := "someone@example.com"
	ctx := context.Background()
	checkLockoutWindow(t, lo, key, time.Minute, func(d time.Duration) {
		// Let d go by without waiting: shorten the window's TTL by d.
		ttl, err := client.PTTL(ctx, prefix+key).Result()
		if err != nil || ttl <= 0 {
			t.Fatalf("PTTL of %s: got %s, %v", key, ttl, err)
		}
		if ttl <= d {
			if err := client.PExpire(ctx, prefix+key, time.Millisecond).Err(); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the key to expire", func() bool { return client.Exists(ctx, prefix+key).Val() == 0 })
			return
		}
		if err := client.PExpire(ctx, prefix+key, ttl-d).Err(); err != nil {
			t.Fatal(err)
		}
	})
	ttl := client.PTTL(ctx, prefix+key).Val()
	if ttl <= 0 || ttl > time.Minute {
		t.Errorf("TTL of a new window's key: got %s, want (0, 1m]", ttl)
	}
	if lo.Degraded() {
		t.Error("Degraded with Redis up: got true")
	}
}

func TestRedisLockoutIsSharedAndAtomic(t *testing.T) {
	redisURL := testRedisURL(t)
	a := openClient(t, redisURL, true)
	b := openClient(t, redisURL, true)
	prefix := testPrefix(t, a)
	policy := LockoutPolicy{Threshold: 5, Window: time.Hour}
	instanceA := NewRedisLockout(a, NewMemoryLockout(policy, nil, 0), nil, nil, WithKeyPrefix(prefix))
	instanceB := NewRedisLockout(b, NewMemoryLockout(policy, nil, 0), nil, nil, WithKeyPrefix(prefix))
	ctx := context.Background()
	for i := range 5 {
		lo := instanceA
		if i%2 == 1 {
			lo = instanceB
		}
		if n, err := lo.Failure(ctx, "shared@example.com"); err != nil || n != i+1 {
			t.Fatalf("failure %d: got %d, %v", i+1, n, err)
		}
	}
	if blocked, retry, _ := instanceA.Blocked(ctx, "shared@example.com"); !blocked || retry <= 59*time.Minute {
		t.Errorf("instance A after five failures split over two instances: got %v, %s; want blocked for about 1h", blocked, retry)
	}
	counts := concurrentFailures(t, instanceB, "hot@example.com", 8, 25)
	if want := seq(200); !slices.Equal(counts, want) {
		t.Errorf("counts returned by 200 concurrent failures: got %v, want 1..200 once each", counts)
	}
}

func TestRedisLockoutFallsBackAndKeepsOutageBlocks(t *testing.T) {
	redisURL := testRedisURL(t)
	direct := openClient(t, redisURL, true)
	prefix := testPrefix(t, direct)
	p := startProxy(t, redisURL)
	client := openClient(t, p.url(), true)
	commands := &countCommands{}
	client.AddHook(commands)
	clock := newFakeClock()
	logs := &logRecorder{}
	lo := NewRedisLockout(client, NewMemoryLockout(DefaultLockoutPolicy, clock.Now, 0), slog.New(logs), clock.Now, WithKeyPrefix(prefix))
	ctx := context.Background()

	p.cut()
	for i := range 5 {
		if n, err := lo.Failure(ctx, "victim@example.com"); err != nil || n != i+1 {
			t.Fatalf("failure %d with Redis down: got %d, %v; want counted by the fallback", i+1, n, err)
		}
	}
	if b, _, err := lo.Blocked(ctx, "victim@example.com"); err != nil || !b {
		t.Fatalf("Blocked with Redis down after five failures: got %v, %v; want true", b, err)
	}
	sent := commands.n.Load()
	for range 20 {
		lo.Blocked(ctx, "someone-else@example.com")
	}
	if got := commands.n.Load() - sent; got != 0 {
		t.Errorf("commands sent to Redis during the back-off: got %d, want 0", got)
	}
	if !lo.Degraded() || logs.count(slog.LevelWarn) != 1 {
		t.Errorf("after the outage: degraded=%v, want true; logs (want one Warn):\n%s", lo.Degraded(), logs)
	}

	p.restore()
	clock.Advance(DefaultRetryBackoff)
	lo.Blocked(ctx, "someone-else@example.com")
	waitFor(t, "the lockout to use Redis again and say so", func() bool {
		return !lo.Degraded() && logs.count(slog.LevelInfo) > 0
	})
	if logs.count(slog.LevelInfo) != 1 {
		t.Errorf("after recovery: want one Info record, got logs:\n%s", logs)
	}
	if b, _, _ := lo.Blocked(ctx, "victim@example.com"); !b {
		t.Error("a block recorded during the outage, once Redis is back: got open, want still blocked")
	}
	if n, _ := lo.Failure(ctx, "new@example.com"); n != 1 || direct.Exists(ctx, prefix+"new@example.com").Val() != 1 {
		t.Errorf("a failure after recovery: got count %d and no Redis key, want 1 recorded on Redis", n)
	}
}

// concurrentFailures records workers×each failures for key at once and
// returns the counts they got, sorted.
func concurrentFailures(t *testing.T, lo Lockout, key string, workers, each int) []int {
	t.Helper()
	var mu sync.Mutex
	var counts []int
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				n, err := lo.Failure(context.Background(), key)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				counts = append(counts, n)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.Sort(counts)
	return counts
}

// seq is 1..n.
func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i + 1
	}
	return s
}
