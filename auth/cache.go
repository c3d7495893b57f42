package auth

import (
	"sync"
	"time"
)

// ttlCache remembers values for a short time, up to a bounded number of
// keys; the authentication caches of one instance. Everything in it is
// dropped at once when authentication state changes (see Service.Forget).
type ttlCache[V any] struct {
	ttl time.Duration
	max int
	now func() time.Time

	mu      sync.Mutex
	entries map[string]cached[V]
}

type cached[V any] struct {
	value   V
	fetched time.Time
}

func newTTLCache[V any](ttl time.Duration, max int, now func() time.Time) *ttlCache[V] {
	return &ttlCache[V]{ttl: ttl, max: max, now: now, entries: map[string]cached[V]{}}
}

// get returns the value of key if it is younger than the TTL.
func (c *ttlCache[V]) get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || c.now().Sub(e.fetched) > c.ttl {
		var zero V
		return zero, false
	}
	return e.value, true
}

// put stores value under key; when the cache is full, expired entries go,
// and everything if that is not enough.
func (c *ttlCache[V]) put(key string, value V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if len(c.entries) >= c.max {
		for k, e := range c.entries {
			if now.Sub(e.fetched) > c.ttl {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= c.max {
			clear(c.entries)
		}
	}
	c.entries[key] = cached[V]{value: value, fetched: now}
}

func (c *ttlCache[V]) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.entries)
}

// touches records when each API key's last use was written, so it is
// written at most once a minute per key and instance.
type touches struct {
	mu   sync.Mutex
	last map[int64]time.Time
}

// due reports whether key id's last use should be written at now, and
// records it.
func (t *touches) due(id int64, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.last == nil {
		t.last = map[int64]time.Time{}
	}
	if now.Sub(t.last[id]) < time.Minute {
		return false
	}
	if len(t.last) > 100000 {
		clear(t.last)
	}
	t.last[id] = now
	return true
}
