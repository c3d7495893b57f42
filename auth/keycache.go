package auth

import (
	"sync"
	"time"

	"tonegrid"
)

// keyCache remembers looked-up API keys for a short time, so a key is read
// from the database at most once per TTL per instance, and records when a
// key's last use was last written.
type keyCache struct {
	ttl  time.Duration
	max  int
	now  func() time.Time
	mu   sync.Mutex
	byID map[string]*keyEntry // hash → entry
}

type keyEntry struct {
	key       *tonegrid.APIKey
	tenant    *tonegrid.Tenant
	suspended bool
	fetched   time.Time
	touched   time.Time
}

// touchEvery is how often a key's last_used_at is written at most.
const touchEvery = time.Minute

func newKeyCache(ttl time.Duration, max int, now func() time.Time) *keyCache {
	return &keyCache{ttl: ttl, max: max, now: now, byID: map[string]*keyEntry{}}
}

func (c *keyCache) get(hash string) (*keyEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byID[hash]
	if !ok || c.now().Sub(e.fetched) > c.ttl {
		return nil, false
	}
	return e, true
}

func (c *keyCache) put(hash string, k *tonegrid.APIKey, t *tonegrid.Tenant, suspended bool) *keyEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if len(c.byID) >= c.max {
		for h, e := range c.byID {
			if now.Sub(e.fetched) > c.ttl {
				delete(c.byID, h)
			}
		}
		if len(c.byID) >= c.max {
			clear(c.byID)
		}
	}
	e := &keyEntry{key: k, tenant: t, suspended: suspended, fetched: now}
	if old, ok := c.byID[hash]; ok {
		e.touched = old.touched
	}
	c.byID[hash] = e
	return e
}

// shouldTouch reports whether the key's last use should be written now.
func (c *keyCache) shouldTouch(hash string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byID[hash]
	if !ok || now.Sub(e.touched) < touchEvery {
		return false
	}
	e.touched = now
	return true
}

// forget drops the key with uuid.
func (c *keyCache) forget(uuid string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for h, e := range c.byID {
		if e.key.UUID == uuid {
			delete(c.byID, h)
		}
	}
}

func (c *keyCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.byID)
}
