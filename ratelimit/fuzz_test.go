package ratelimit

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// gcraModel is GCRA in its textbook "virtual scheduling" form, with no
// memory bound, to check Memory against: a request at t is allowed unless
// TAT - t exceeds the tolerance (burst-1)·T, and then TAT grows by T.
type gcraModel struct {
	tat map[string]time.Time
}

func (g *gcraModel) allow(key string, l Limit, t time.Time) Decision {
	interval := l.Period / time.Duration(l.Requests)
	tolerance := interval * time.Duration(l.Requests-1)
	tat, ok := g.tat[key]
	if !ok || tat.Before(t) {
		tat = t
	}
	if ahead := tat.Sub(t); ahead > tolerance {
		return Decision{Limit: l.Requests, ResetAt: tat, RetryAfter: ahead - tolerance}
	}
	g.tat[key] = tat.Add(interval)
	return Decision{Allowed: true, Limit: l.Requests, Remaining: int((tolerance - tat.Sub(t)) / interval), ResetAt: tat.Add(interval)}
}

// sameDecision compares decisions, times by instant.
func sameDecision(a, b Decision) bool {
	return a.Allowed == b.Allowed && a.Limit == b.Limit && a.Remaining == b.Remaining &&
		a.ResetAt.Equal(b.ResetAt) && a.RetryAfter == b.RetryAfter
}

// checkHeaps fails unless every shard's map and heap agree and the heap
// is ordered by TAT.
func checkHeaps(t *testing.T, m *Memory) {
	t.Helper()
	for si := range m.shards {
		s := &m.shards[si]
		if len(s.byKey) != len(s.heap) || len(s.heap) > m.perShard {
			t.Fatalf("shard %d: %d keys, %d heap entries, cap %d", si, len(s.byKey), len(s.heap), m.perShard)
		}
		for i, b := range s.heap {
			if b.index != i || s.byKey[b.key] != b {
				t.Fatalf("shard %d: heap slot %d holds %q with index %d, map has %p", si, i, b.key, b.index, s.byKey[b.key])
			}
			if i > 0 && s.heap[(i-1)/2].tat > b.tat {
				t.Fatalf("shard %d: heap order broken at slot %d", si, i)
			}
		}
	}
}

// FuzzMemoryMatchesModel drives Memory with a sequence of (key, clock step,
// limit) operations. With room for every key it must answer exactly as the
// textbook model; with little room its heaps must stay consistent and it
// must hold no more than MaxKeys keys.
func FuzzMemoryMatchesModel(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{1, 5, 2, 1, 0, 2, 3, 255, 1, 1, 12, 0, 9, 9, 9, 200, 40, 3})
	f.Add([]byte("the quick brown fox jumps over the lazy dog"))
	limits := []Limit{
		{Requests: 1, Period: time.Second},
		PerMinute(5),
		{Requests: 7, Period: time.Minute},
		{Requests: 3, Period: 10 * time.Millisecond},
	}
	f.Fuzz(func(t *testing.T, ops []byte) {
		clock := newFakeClock()
		roomy := NewMemory(clock.Now, 1<<12)
		tight := NewMemory(clock.Now, minKeysPerShard)
		model := &gcraModel{tat: map[string]time.Time{}}
		ctx := context.Background()
		for i := 0; i+2 < len(ops); i += 3 {
			key := fmt.Sprint("k", ops[i]%64)
			clock.Advance(time.Duration(ops[i+1]) * time.Duration(ops[i+1]) * time.Millisecond)
			l := limits[int(ops[i+2])%len(limits)]
			// One key, one limit: the model knows nothing of classes.
			key += fmt.Sprint("/", l.Requests, l.Period)

			got, err := roomy.Allow(ctx, key, l)
			if err != nil {
				t.Fatal(err)
			}
			if want := model.allow(key, l, clock.Now()); !sameDecision(got, want) {
				t.Fatalf("op %d on %s: got %+v, want %+v", i/3, key, got, want)
			}
			if _, err := tight.Allow(ctx, key, l); err != nil {
				t.Fatal(err)
			}
		}
		checkHeaps(t, roomy)
		checkHeaps(t, tight)
		if tight.Len() > tight.MaxKeys() {
			t.Fatalf("Len %d over MaxKeys %d", tight.Len(), tight.MaxKeys())
		}
	})
}
