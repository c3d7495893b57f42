package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// step is one request in a GCRA scenario: move the clock, ask, check.
type step struct {
	advance       time.Duration
	wantAllowed   bool
	wantRemaining int
	wantResetIn   time.Duration
	wantRetry     time.Duration
}

// checkDecision compares a decision against a step taken at now.
func checkDecision(t *testing.T, i int, got Decision, want step, limit int, now time.Time) {
	t.Helper()
	if got.Allowed != want.wantAllowed || got.Remaining != want.wantRemaining || got.Limit != limit ||
		!got.ResetAt.Equal(now.Add(want.wantResetIn)) || got.RetryAfter != want.wantRetry {
		t.Errorf("step %d: got allowed=%v limit=%d remaining=%d reset in %s retry after %s; want allowed=%v limit=%d remaining=%d reset in %s retry after %s",
			i, got.Allowed, got.Limit, got.Remaining, got.ResetAt.Sub(now), got.RetryAfter,
			want.wantAllowed, limit, want.wantRemaining, want.wantResetIn, want.wantRetry)
	}
}

func TestMemoryGCRABurstRefillAndReset(t *testing.T) {
	// 5 per minute: a burst of 5, then one request every 12 s.
	steps := []step{
		{0, true, 4, 12 * time.Second, 0},
		{0, true, 3, 24 * time.Second, 0},
		{0, true, 2, 36 * time.Second, 0},
		{0, true, 1, 48 * time.Second, 0},
		{0, true, 0, 60 * time.Second, 0},
		{0, false, 0, 60 * time.Second, 12 * time.Second},
		{5 * time.Second, false, 0, 55 * time.Second, 7 * time.Second},
		// One interval after the burst, exactly one request is back.
		{7 * time.Second, true, 0, 60 * time.Second, 0},
		{0, false, 0, 60 * time.Second, 12 * time.Second},
		// A full period later the bucket is full again.
		{60 * time.Second, true, 4, 12 * time.Second, 0},
		{30 * time.Second, true, 4, 12 * time.Second, 0},
		{0, true, 3, 24 * time.Second, 0},
		{0, true, 2, 36 * time.Second, 0},
		// Two intervals refill two requests.
		{24 * time.Second, true, 3, 24 * time.Second, 0},
	}
	clock := newFakeClock()
	m := NewMemory(clock.Now, 0)
	for i, s := range steps {
		clock.Advance(s.advance)
		got, err := m.Allow(context.Background(), "user:1", PerMinute(5))
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		checkDecision(t, i, got, s, 5, clock.Now())
	}
}

func TestMemoryBurstThenDenyThenOneMore(t *testing.T) {
	limits := []Limit{
		{Requests: 1, Period: time.Second},
		PerMinute(5),
		PerMinute(30),
		PerMinute(120),
		{Requests: 7, Period: time.Minute}, // an interval that does not divide evenly
		{Requests: 1000, Period: time.Hour},
	}
	for _, l := range limits {
		t.Run(fmt.Sprintf("%d per %s", l.Requests, l.Period), func(t *testing.T) {
			clock := newFakeClock()
			m := NewMemory(clock.Now, 0)
			ctx := context.Background()
			for i := range l.Requests {
				d, err := m.Allow(ctx, "k", l)
				if err != nil || !d.Allowed || d.Remaining != l.Requests-1-i {
					t.Fatalf("request %d of the burst: got %+v, %v; want allowed with %d remaining", i+1, d, err, l.Requests-1-i)
				}
			}
			d, _ := m.Allow(ctx, "k", l)
			if d.Allowed || d.RetryAfter <= 0 || d.RetryAfter > l.interval() {
				t.Fatalf("request after the burst: got %+v; want denied with 0 < RetryAfter <= %s", d, l.interval())
			}
			clock.Advance(d.RetryAfter - 1)
			if d, _ := m.Allow(ctx, "k", l); d.Allowed {
				t.Fatalf("1ns before RetryAfter: got %+v, want denied", d)
			}
			clock.Advance(1)
			if d, _ := m.Allow(ctx, "k", l); !d.Allowed {
				t.Fatalf("at RetryAfter: got %+v, want allowed", d)
			}
		})
	}
}

func TestMemoryRejectsInvalidLimits(t *testing.T) {
	m := NewMemory(nil, 0)
	for _, l := range []Limit{
		{Requests: 0, Period: time.Minute},
		{Requests: -1, Period: time.Minute},
		{Requests: 5, Period: 0},
		{Requests: 5, Period: -time.Second},
		{Requests: 10, Period: 5 * time.Nanosecond},
	} {
		if _, err := m.Allow(context.Background(), "k", l); !errors.Is(err, ErrInvalidLimit) {
			t.Errorf("Allow with %+v: got error %v, want ErrInvalidLimit", l, err)
		}
	}
}

func TestMemoryKeysAreIsolated(t *testing.T) {
	clock := newFakeClock()
	m := NewMemory(clock.Now, 0)
	ctx := context.Background()
	for range 3 {
		m.Allow(ctx, "a", PerMinute(3))
	}
	if d, _ := m.Allow(ctx, "a", PerMinute(3)); d.Allowed {
		t.Fatalf("key a after its burst: got allowed, want denied")
	}
	if d, _ := m.Allow(ctx, "b", PerMinute(3)); !d.Allowed || d.Remaining != 2 {
		t.Fatalf("key b after a's burst: got %+v, want allowed with 2 remaining", d)
	}
}

func TestMemoryDropsIdleKeys(t *testing.T) {
	clock := newFakeClock()
	m := NewMemory(clock.Now, minKeysPerShard) // one shard, so every call sweeps it
	ctx := context.Background()
	const keys = 50
	for i := range keys {
		m.Allow(ctx, fmt.Sprint("idle", i), Limit{Requests: 2, Period: time.Second})
	}
	m.Allow(ctx, "busy", Limit{Requests: 2, Period: time.Hour})
	if got := m.Len(); got != keys+1 {
		t.Fatalf("Len after %d keys: got %d, want %d", keys+1, got, keys+1)
	}
	clock.Advance(time.Second)
	for range (keys + sweepPerCall - 1) / sweepPerCall {
		m.Allow(ctx, "busy", Limit{Requests: 2, Period: time.Hour})
	}
	if got := m.Len(); got != 1 {
		t.Fatalf("Len once the idle keys' buckets are full again: got %d, want 1 (the busy key)", got)
	}
}

func TestMemoryStaysBoundedAndEvictsFreshKeysFirst(t *testing.T) {
	clock := newFakeClock()
	m := NewMemory(clock.Now, 256)
	if got := m.MaxKeys(); got != 256 {
		t.Fatalf("MaxKeys: got %d, want 256", got)
	}
	ctx := context.Background()
	l := PerMinute(5)
	for range 5 {
		m.Allow(ctx, "victim", l)
	}
	for i := range 20_000 {
		if d, _ := m.Allow(ctx, fmt.Sprint("203.0.113.", i), l); !d.Allowed {
			t.Fatalf("a new key was denied: %+v", d)
		}
		if i%1000 == 0 {
			clock.Advance(time.Millisecond)
			if got := m.Len(); got > 256 {
				t.Fatalf("Len after %d new keys: got %d, want at most 256", i+1, got)
			}
		}
	}
	if got := m.Len(); got > 256 {
		t.Fatalf("Len after the flood: got %d, want at most 256", got)
	}
	if d, _ := m.Allow(ctx, "victim", l); d.Allowed {
		t.Fatalf("the throttled key after a flood of new keys: got allowed (evicted), want still denied")
	}
}

func TestMemoryConcurrentAllowCountsExactly(t *testing.T) {
	clock := newFakeClock()
	m := NewMemory(clock.Now, 512)
	ctx := context.Background()
	l := Limit{Requests: 1000, Period: time.Hour}
	const workers, calls = 8, 400
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range calls {
				if d, err := m.Allow(ctx, "hot", l); err != nil {
					t.Error(err)
				} else if d.Allowed {
					allowed.Add(1)
				}
				// Many other keys at once, overflowing the cap. Their
				// shorter interval keeps them nearer to idle than the hot
				// key, so eviction never picks the hot key.
				m.Allow(ctx, fmt.Sprint("w", w, "-", i), PerMinute(1000))
			}
		})
	}
	wg.Go(func() {
		for range 50 {
			m.Len()
		}
	})
	wg.Wait()
	if got := allowed.Load(); got != int64(l.Requests) {
		t.Errorf("allowed on the hot key: got %d of %d, want exactly %d", got, workers*calls, l.Requests)
	}
	if got := m.Len(); got > m.MaxKeys() {
		t.Errorf("Len: got %d, want at most %d", got, m.MaxKeys())
	}
}
