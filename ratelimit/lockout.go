package ratelimit

import (
	"context"
	"sync"
	"time"
)

// Lockout counts failed logins per key (a normalised email) and blocks the
// key once Threshold failures fall in one window: the window opens at the
// key's first failure, lasts Window, and a block lasts until the window
// closes, whatever the password and whether or not the account exists.
// Failures while blocked are counted but do not extend the window.
//
// The login flow asks Blocked before checking the password (answering 429
// with Retry-After when blocked) and calls Failure after a wrong one. Both
// methods return an error only when the implementation has no fallback;
// the Redis lockout never does.
type Lockout interface {
	// Failure records one failed login for key and returns the number of
	// failures in the key's current window, this one included.
	Failure(ctx context.Context, key string) (int, error)
	// Blocked reports whether logins for key are blocked and, if so, for
	// how much longer.
	Blocked(ctx context.Context, key string) (bool, time.Duration, error)
}

// LockoutPolicy is how many failures within how long block a key.
type LockoutPolicy struct {
	Threshold int
	Window    time.Duration
}

// DefaultLockoutPolicy is ToneGrid's rule: five failed logins for one email
// within 60 s block that email for the rest of the window.
var DefaultLockoutPolicy = LockoutPolicy{Threshold: 5, Window: time.Minute}

var (
	_ Lockout = (*MemoryLockout)(nil)
	_ Lockout = (*RedisLockout)(nil)
)

// withDefaults fills a zero or negative field from DefaultLockoutPolicy.
func (p LockoutPolicy) withDefaults() LockoutPolicy {
	if p.Threshold <= 0 {
		p.Threshold = DefaultLockoutPolicy.Threshold
	}
	if p.Window <= 0 {
		p.Window = DefaultLockoutPolicy.Window
	}
	return p
}

// MemoryLockout is an in-process Lockout, safe for concurrent use, holding
// at most a fixed number of keys. Keys whose window has closed are dropped.
// When it is full, a new key evicts the oldest key that is not blocked, and
// only when every key is blocked the oldest blocked one, so a flood of made
// up emails does not lift a real block.
type MemoryLockout struct {
	policy  LockoutPolicy
	clock   func() time.Time
	epoch   time.Time
	maxKeys int

	mu    sync.Mutex
	byKey map[string]*window
	// open lists keys below the threshold in the order their windows
	// opened, which is the order they close; blocked lists blocked keys in
	// the order they became blocked.
	open, blocked windowList
}

// window is one key's failures in its current window, which closes at end
// (nanoseconds since MemoryLockout.epoch).
type window struct {
	key        string
	count      int
	end        int64
	list       *windowList
	prev, next *window
}

// NewMemoryLockout returns an in-process lockout for policy (zero fields
// take DefaultLockoutPolicy's), holding at most maxKeys keys
// (DefaultMaxKeys when maxKeys <= 0) and reading time from clock (time.Now
// when nil).
func NewMemoryLockout(policy LockoutPolicy, clock func() time.Time, maxKeys int) *MemoryLockout {
	if clock == nil {
		clock = time.Now
	}
	if maxKeys <= 0 {
		maxKeys = DefaultMaxKeys
	}
	return &MemoryLockout{
		policy:  policy.withDefaults(),
		clock:   clock,
		epoch:   clock(),
		maxKeys: maxKeys,
		byKey:   make(map[string]*window),
	}
}

// Policy is the threshold and window the lockout applies.
func (m *MemoryLockout) Policy() LockoutPolicy {
	return m.policy
}

// Len is the number of keys the lockout holds now.
func (m *MemoryLockout) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.byKey)
}

// Failure records one failed login for key and returns the number of
// failures in its current window. It never returns an error.
func (m *MemoryLockout) Failure(_ context.Context, key string) (int, error) {
	now := int64(m.clock().Sub(m.epoch))
	m.mu.Lock()
	defer m.mu.Unlock()
	m.dropClosed(now)

	w := m.byKey[key]
	if w != nil && w.end <= now {
		m.remove(w)
		w = nil
	}
	if w == nil {
		for len(m.byKey) >= m.maxKeys {
			if m.open.head != nil {
				m.remove(m.open.head)
			} else {
				m.remove(m.blocked.head)
			}
		}
		w = &window{key: key, end: now + int64(m.policy.Window)}
		m.byKey[key] = w
		m.open.pushBack(w)
	}
	w.count++
	if w.count == m.policy.Threshold {
		m.open.remove(w)
		m.blocked.pushBack(w)
	}
	return w.count, nil
}

// Blocked reports whether key is blocked and for how much longer. It never
// returns an error.
func (m *MemoryLockout) Blocked(_ context.Context, key string) (bool, time.Duration, error) {
	now := int64(m.clock().Sub(m.epoch))
	m.mu.Lock()
	defer m.mu.Unlock()
	w := m.byKey[key]
	if w == nil || w.end <= now || w.count < m.policy.Threshold {
		return false, 0, nil
	}
	return true, time.Duration(w.end - now), nil
}

// dropClosed forgets keys whose window has closed. The open list is in
// closing order, so it stops at the first open window; the blocked list is
// nearly so, and a closed key stuck behind an open one is dropped at the
// latest one window later (lookups check end themselves).
func (m *MemoryLockout) dropClosed(now int64) {
	for _, l := range []*windowList{&m.open, &m.blocked} {
		for l.head != nil && l.head.end <= now {
			m.remove(l.head)
		}
	}
}

// remove forgets w.
func (m *MemoryLockout) remove(w *window) {
	w.list.remove(w)
	delete(m.byKey, w.key)
}

// windowList is a doubly linked list of windows.
type windowList struct {
	head, tail *window
}

// pushBack appends w.
func (l *windowList) pushBack(w *window) {
	w.list, w.prev, w.next = l, l.tail, nil
	if l.tail != nil {
		l.tail.next = w
	} else {
		l.head = w
	}
	l.tail = w
}

// remove unlinks w, which must be in l.
func (l *windowList) remove(w *window) {
	if w.prev != nil {
		w.prev.next = w.next
	} else {
		l.head = w.next
	}
	if w.next != nil {
		w.next.prev = w.prev
	} else {
		l.tail = w.prev
	}
	w.list, w.prev, w.next = nil, nil, nil
}
