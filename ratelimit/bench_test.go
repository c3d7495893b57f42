package ratelimit

import (
	"context"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// benchKeys is n distinct keys shaped like the HTTP layer's.
func benchKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = "standard:ip:10." + strconv.Itoa(i>>16&255) + "." + strconv.Itoa(i>>8&255) + "." + strconv.Itoa(i&255)
	}
	return keys
}

func BenchmarkMemoryAllow(b *testing.B) {
	ctx := context.Background()
	l := PerMinute(120)
	b.Run("parallel/many_keys", func(b *testing.B) {
		keys := benchKeys(DefaultMaxKeys)
		m := NewMemory(nil, 0)
		var worker atomic.Int64
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			i := int(worker.Add(1)) * 7919
			for pb.Next() {
				m.Allow(ctx, keys[i%len(keys)], l)
				i++
			}
		})
	})
	b.Run("parallel/one_hot_key", func(b *testing.B) {
		m := NewMemory(nil, 0)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				m.Allow(ctx, "standard:key:hot", l)
			}
		})
	})
	b.Run("parallel/new_key_every_call_at_the_cap", func(b *testing.B) {
		// Every call is a key the limiter has evicted or never seen: the
		// cost of a flood of made-up client IPs.
		keys := benchKeys(1 << 18)
		m := NewMemory(nil, 10_000)
		var worker atomic.Int64
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			i := int(worker.Add(1)) * 40_009
			for pb.Next() {
				m.Allow(ctx, keys[i%len(keys)], l)
				i++
			}
		})
	})
}

// BenchmarkMemoryFootprint reports the heap a full Memory holds per key,
// the key strings themselves excluded.
func BenchmarkMemoryFootprint(b *testing.B) {
	ctx := context.Background()
	keys := benchKeys(DefaultMaxKeys)
	var m *Memory
	var perKey float64
	for b.Loop() {
		m = nil
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		m = NewMemory(nil, 0)
		for _, k := range keys {
			m.Allow(ctx, k, PerMinute(120))
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		perKey = float64(after.HeapAlloc-before.HeapAlloc) / float64(m.Len())
	}
	b.ReportMetric(perKey, "B/key")
}

func BenchmarkRedisAllow(b *testing.B) {
	client := newTestClient(b)
	r := NewRedis(client, nil, nil, nil, WithKeyPrefix(testPrefix(b, client)))
	ctx := context.Background()
	l := PerMinute(120)
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := r.Allow(ctx, "standard:key:1", l); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel/many_keys", func(b *testing.B) {
		keys := benchKeys(1000)
		var worker atomic.Int64
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			i := int(worker.Add(1)) * 101
			for pb.Next() {
				r.Allow(ctx, keys[i%len(keys)], l)
				i++
			}
		})
	})
	if r.Degraded() {
		b.Fatal("the benchmark ran on the fallback: Redis failed")
	}
}

func BenchmarkLockoutBlocked(b *testing.B) {
	ctx := context.Background()
	policy := LockoutPolicy{Threshold: 5, Window: time.Hour} // outlasts the benchmark
	run := func(b *testing.B, lo Lockout) {
		for range 5 {
			lo.Failure(ctx, "blocked@example.com")
		}
		b.Run("open_key", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				lo.Blocked(ctx, "someone@example.com")
			}
		})
		b.Run("blocked_key", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if blocked, _, _ := lo.Blocked(ctx, "blocked@example.com"); !blocked {
					b.Fatal("not blocked")
				}
			}
		})
	}
	b.Run("memory", func(b *testing.B) {
		run(b, NewMemoryLockout(policy, nil, 0))
	})
	b.Run("redis", func(b *testing.B) {
		client := newTestClient(b)
		lo := NewRedisLockout(client, NewMemoryLockout(policy, nil, 0), nil, nil, WithKeyPrefix(testPrefix(b, client)))
		run(b, lo)
		if lo.Degraded() {
			b.Fatal("the benchmark ran on the fallback: Redis failed")
		}
	})
}
