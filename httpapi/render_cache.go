package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
)

// renderCache keeps rendered response bodies of objects, keyed by tenant
// and uuid, each with the version of the object it shows. A reader asks
// the store for the object's current version (one indexed lookup) and
// serves the body only when the versions match, so a change made through
// any instance, or by any package writing the database, is never served
// stale. The cache is bounded in bytes; when full, arbitrary entries go.
type renderCache struct {
	mu      sync.RWMutex
	entries map[renderKey]renderEntry
	size    int
	max     int
}

// renderKey names one object of one tenant.
type renderKey struct {
	tenantID int64
	uuid     string
}

// renderEntry is a rendered body and the versions it was rendered at.
type renderEntry struct {
	version    int64
	rowVersion int64
	body       []byte
}

// newRenderCache returns a cache holding at most maxBytes of bodies.
func newRenderCache(maxBytes int) *renderCache {
	return &renderCache{entries: map[renderKey]renderEntry{}, max: maxBytes}
}

// get returns the entry of key when it was rendered at version.
func (c *renderCache) get(key renderKey, version int64) (renderEntry, bool) {
	c.mu.RLock()
	e, ok := c.entries[key]
	c.mu.RUnlock()
	return e, ok && e.version == version
}

// put stores an entry, evicting others while the cache is over its bound.
func (c *renderCache) put(key renderKey, e renderEntry) {
	if len(e.body) > c.max/16 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries[key]; ok {
		c.size -= len(old.body)
	}
	c.entries[key] = e
	c.size += len(e.body)
	for k, v := range c.entries {
		if c.size <= c.max {
			break
		}
		if k != key {
			delete(c.entries, k)
			c.size -= len(v.body)
		}
	}
}

// renderData renders the success envelope around data, as writeData writes
// it.
func renderData(data any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(envelope{Success: true, Data: data}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// renderJSON renders v as writeData renders data: without HTML escaping,
// without the trailing newline.
func renderJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// renderList assembles the list envelope, as writeList writes it, from
// items rendered by renderJSON; nil items are left out.
func renderList(items [][]byte, meta listMeta) ([]byte, error) {
	m, err := json.Marshal(meta)
	if err != nil {
		return nil, err
	}
	size := 64 + len(m)
	for _, it := range items {
		size += len(it) + 1
	}
	out := make([]byte, 0, size)
	out = append(out, `{"success":true,"data":[`...)
	first := true
	for _, it := range items {
		if it == nil {
			continue
		}
		if !first {
			out = append(out, ',')
		}
		first = false
		out = append(out, it...)
	}
	out = append(out, `],"meta":`...)
	out = append(out, m...)
	return append(out, "}\n"...), nil
}

// writeRendered writes a body rendered by renderData, with its length, so
// that it goes out in one piece rather than chunked.
func writeRendered(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h["Content-Type"] = headerJSON
	h["X-Content-Type-Options"] = headerNosniff
	h["Cache-Control"] = headerNoStore
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	w.Write(body)
}
