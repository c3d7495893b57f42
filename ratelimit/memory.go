package ratelimit

import (
	"context"
	"hash/maphash"
	"sync"
	"time"
)

// DefaultMaxKeys is how many keys an in-process limiter or lockout keeps
// when the caller does not say: for a Memory about 8 MB (some 80 bytes per
// key, see BenchmarkMemoryFootprint) plus the keys' own bytes.
const DefaultMaxKeys = 100_000

var _ Limiter = (*Memory)(nil)

const (
	// maxShards bounds the number of locks a Memory spreads keys over.
	maxShards = 64
	// minKeysPerShard keeps shards big enough for eviction to choose well.
	minKeysPerShard = 64
	// sweepPerCall is how many idle keys one Allow drops at most, so that
	// no request pays for a long quiet period alone.
	sweepPerCall = 8
)

// Memory is an in-process GCRA limiter. It is safe for concurrent use and
// its memory is bounded: keys whose bucket is full again are dropped as
// requests pass, and when MaxKeys keys are held a new key evicts the one
// closest to a full bucket, which is the key whose loss forgives the fewest
// requests. An attacker who makes up keys therefore evicts its own fresh
// keys first, not the throttled ones.
type Memory struct {
	clock  func() time.Time
	epoch  time.Time
	seed   maphash.Seed
	shards []shard
	// perShard is the number of keys one shard may hold.
	perShard int
}

// bucket is one key's state: the theoretical arrival time (TAT) of its next
// request, in nanoseconds since Memory.epoch, and its place in the heap.
type bucket struct {
	key   string
	tat   int64
	index int
}

// shard is a lock, the buckets it guards, and a min-heap of those buckets
// ordered by TAT, whose top is the next key to become idle.
type shard struct {
	mu    sync.Mutex
	byKey map[string]*bucket
	heap  []*bucket
	_     [64]byte // keeps neighbouring shards' locks off one cache line
}

// NewMemory returns an in-process limiter holding at most maxKeys keys
// (DefaultMaxKeys when maxKeys <= 0) and reading time from clock (time.Now
// when nil).
func NewMemory(clock func() time.Time, maxKeys int) *Memory {
	if clock == nil {
		clock = time.Now
	}
	if maxKeys <= 0 {
		maxKeys = DefaultMaxKeys
	}
	n := 1
	for n < maxShards && maxKeys/(2*n) >= minKeysPerShard {
		n *= 2
	}
	m := &Memory{
		clock:    clock,
		epoch:    clock(),
		seed:     maphash.MakeSeed(),
		shards:   make([]shard, n),
		perShard: max(1, maxKeys/n),
	}
	for i := range m.shards {
		m.shards[i].byKey = make(map[string]*bucket)
	}
	return m
}

// MaxKeys is the most keys m holds at once.
func (m *Memory) MaxKeys() int {
	return m.perShard * len(m.shards)
}

// Len is the number of keys m holds now.
func (m *Memory) Len() int {
	n := 0
	for i := range m.shards {
		s := &m.shards[i]
		s.mu.Lock()
		n += len(s.byKey)
		s.mu.Unlock()
	}
	return n
}

// Allow charges one request to key under l. It returns an error only for an
// invalid Limit.
func (m *Memory) Allow(_ context.Context, key string, l Limit) (Decision, error) {
	if err := l.validate(); err != nil {
		return Decision{}, err
	}
	interval := int64(l.interval())
	burst := interval * int64(l.Requests)
	nowTime := m.clock()
	now := int64(nowTime.Sub(m.epoch))

	s := &m.shards[maphash.String(m.seed, key)&uint64(len(m.shards)-1)]
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropIdle(now, sweepPerCall)

	b := s.byKey[key]
	tat := now
	if b != nil && b.tat > now {
		tat = b.tat
	}
	newTAT := tat + interval
	allowAt := newTAT - burst
	if now < allowAt {
		return Decision{
			Limit:      l.Requests,
			ResetAt:    nowTime.Add(time.Duration(tat - now)),
			RetryAfter: time.Duration(allowAt - now),
		}, nil
	}
	if b == nil {
		s.add(key, newTAT, m.perShard)
	} else {
		b.tat = newTAT
		s.down(b.index)
	}
	return Decision{
		Allowed:   true,
		Limit:     l.Requests,
		Remaining: int((now - allowAt) / interval),
		ResetAt:   nowTime.Add(time.Duration(newTAT - now)),
	}, nil
}

// dropIdle removes up to n keys whose TAT is not after now: their bucket is
// full again, so forgetting them changes no answer.
func (s *shard) dropIdle(now int64, n int) {
	for ; n > 0 && len(s.heap) > 0 && s.heap[0].tat <= now; n-- {
		s.removeTop()
	}
}

// add stores a new key, first evicting the key with the earliest TAT when
// the shard already holds limit keys.
func (s *shard) add(key string, tat int64, limit int) {
	for len(s.heap) >= limit {
		s.removeTop()
	}
	b := &bucket{key: key, tat: tat, index: len(s.heap)}
	s.byKey[key] = b
	s.heap = append(s.heap, b)
	s.up(b.index)
}

// removeTop forgets the key with the earliest TAT.
func (s *shard) removeTop() {
	top := s.heap[0]
	last := len(s.heap) - 1
	s.swap(0, last)
	s.heap[last] = nil
	s.heap = s.heap[:last]
	if last > 0 {
		s.down(0)
	}
	delete(s.byKey, top.key)
}

// up moves the bucket at i towards the root until the heap order holds.
func (s *shard) up(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if s.heap[parent].tat <= s.heap[i].tat {
			return
		}
		s.swap(i, parent)
		i = parent
	}
}

// down moves the bucket at i towards the leaves until the heap order holds;
// a TAT only ever grows, so this is the only repair an update needs.
func (s *shard) down(i int) {
	n := len(s.heap)
	for {
		least := i
		if l := 2*i + 1; l < n && s.heap[l].tat < s.heap[least].tat {
			least = l
		}
		if r := 2*i + 2; r < n && s.heap[r].tat < s.heap[least].tat {
			least = r
		}
		if least == i {
			return
		}
		s.swap(i, least)
		i = least
	}
}

// swap exchanges two heap slots and keeps their indexes right.
func (s *shard) swap(i, j int) {
	s.heap[i], s.heap[j] = s.heap[j], s.heap[i]
	s.heap[i].index = i
	s.heap[j].index = j
}
