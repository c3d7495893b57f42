package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math"
	"net/http"
	"strconv"
	"time"

	"tonegrid"
	"tonegrid/i18n"
	"tonegrid/ratelimit"
)

// principalKey names who a request counts against: its API key, its user,
// or, unauthenticated, its client address.
func (s *Server) principalKey(r *http.Request, p *tonegrid.Principal) string {
	switch {
	case p != nil && p.APIKey != nil:
		return "k:" + p.APIKey.UUID
	case p != nil && p.User != nil:
		return "u:" + p.User.UUID
	}
	return "ip:" + s.clientIP(r).String()
}

// limitOf is the configured limit of a rate class.
func (s *Server) limitOf(c rateClass) ratelimit.Limit {
	switch c {
	case classAuth:
		return ratelimit.PerMinute(s.cfg.RateLimitAuth)
	case classBulk:
		return ratelimit.PerMinute(s.cfg.RateLimitBulk)
	}
	return ratelimit.PerMinute(s.cfg.RateLimitStandard)
}

// rateLimit counts the request against its class for its principal, writes
// the X-RateLimit-* headers, and answers false (after writing the 429) when
// the request must wait.
func (s *Server) rateLimit(w http.ResponseWriter, r *http.Request, rt route, p *tonegrid.Principal) bool {
	if rt.class == classNone || s.deps.Limiter == nil {
		return true
	}
	class := rt.class
	if class == "" {
		class = classStandard
	}
	d, err := s.deps.Limiter.Allow(r.Context(), string(class)+":"+s.principalKey(r, p), s.limitOf(class))
	if err != nil {
		s.log.ErrorContext(r.Context(), "rate limiter", "request_id", requestIDFrom(r.Context()), "error", err)
		return true
	}
	h := w.Header()
	h["X-Ratelimit-Limit"] = []string{strconv.Itoa(d.Limit)}
	h["X-Ratelimit-Remaining"] = []string{strconv.Itoa(d.Remaining)}
	h["X-Ratelimit-Reset"] = []string{strconv.FormatInt(ceilUnix(d.ResetAt), 10)}
	if d.Allowed {
		return true
	}
	setRetryAfter(w, d.RetryAfter)
	s.writeError(w, r, tonegrid.ErrRateLimited)
	return false
}

// ceilUnix is t in Unix seconds, rounded up.
func ceilUnix(t time.Time) int64 {
	sec := t.Unix()
	if t.Nanosecond() > 0 {
		sec++
	}
	return sec
}

// setRetryAfter sets Retry-After to d in whole seconds, at least 1.
func setRetryAfter(w http.ResponseWriter, d time.Duration) {
	secs := int64(math.Ceil(d.Seconds()))
	if secs < 1 {
		secs = 1
	}
	w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
}

// loginKey is the lockout key of an email.
func loginKey(email string) string { return "login:" + tonegrid.NormalizeEmail(email) }

// Idempotency settings.
const (
	idempotencyTTL    = 24 * time.Hour
	maxIdempotencyKey = 255
)

// replayedHeaders are the response headers a replay repeats.
var replayedHeaders = []string{"Content-Type", "Etag", "Location", "Set-Cookie", "Cache-Control"}

// idempotent reports whether the request carries an Idempotency-Key that
// applies: a mutating method on a route whose body is small enough to hash
// before it runs.
func idempotent(r *http.Request, rt route) (string, bool) {
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
	default:
		return "", false
	}
	key := r.Header.Get("Idempotency-Key")
	return key, key != "" && !rt.streaming
}

// serveIdempotent runs the route under an Idempotency-Key: the first
// completed response (below 500) is stored for 24 hours and replayed to a
// repeat with the same body; a different body is a 400, a repeat while the
// first runs a 409.
func (s *Server) serveIdempotent(w http.ResponseWriter, r *http.Request, rt route, p *tonegrid.Principal, key string) {
	ctx := r.Context()
	if len(key) > maxIdempotencyKey {
		s.writeError(w, r, tonegrid.ErrIdempotencyKeyTooLong)
		return
	}
	var body []byte
	if r.Body != nil {
		var err error
		if body, err = io.ReadAll(r.Body); err != nil {
			s.writeError(w, r, decodeError(err))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	bodyHash := sha256.Sum256(body)
	tenant := ""
	if p != nil {
		tenant = p.Tenant.UUID
	}
	scopeHash := sha256.Sum256([]byte(tenant + "\x00" + s.principalKey(r, p) + "\x00" + rt.pattern() + "\x00" + key))
	scope := hex.EncodeToString(scopeHash[:])
	store := s.deps.Idempotency
	stored, err := store.ClaimIdempotencyKey(ctx, scope, hex.EncodeToString(bodyHash[:]), s.cfg.IdempotencyLease, idempotencyTTL)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if stored != nil {
		h := w.Header()
		for k, v := range stored.Header {
			h.Set(k, v)
		}
		h.Set("Idempotent-Replayed", "true")
		w.WriteHeader(stored.Status)
		w.Write(stored.Body)
		return
	}

	// The claim is ours: keep its lease alive while the handler runs, and
	// give it up unless a response below 500 is stored.
	bg := context.WithoutCancel(ctx)
	stopRenew := s.renewLease(bg, scope)
	completed := false
	defer func() {
		stopRenew()
		if !completed {
			if err := store.ReleaseIdempotencyKey(bg, scope); err != nil {
				s.log.ErrorContext(bg, "release idempotency key", "request_id", requestIDFrom(ctx), "error", err)
			}
		}
	}()
	capture := &responseCapture{header: http.Header{}}
	for k, v := range w.Header() {
		capture.header[k] = v
	}
	if err := rt.handle(capture, r); err != nil {
		s.writeError(capture, r, err)
	}
	if capture.status == 0 {
		capture.status = http.StatusOK
	}
	if capture.status < 500 {
		resp := tonegrid.StoredResponse{Status: capture.status, Header: map[string]string{}, Body: capture.body.Bytes()}
		for _, k := range replayedHeaders {
			if v := capture.header.Get(k); v != "" {
				resp.Header[k] = v
			}
		}
		if err := store.CompleteIdempotencyKey(bg, scope, resp); err != nil {
			s.log.ErrorContext(bg, "store idempotent response", "request_id", requestIDFrom(ctx), "error", err)
		} else {
			completed = true
		}
	}
	h := w.Header()
	for k, v := range capture.header {
		h[k] = v
	}
	w.WriteHeader(capture.status)
	w.Write(capture.body.Bytes())
}

// renewLease extends scope's lease every third of it until stopped.
func (s *Server) renewLease(ctx context.Context, scope string) (stop func()) {
	lease := s.cfg.IdempotencyLease
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(lease / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if err := s.deps.Idempotency.ExtendIdempotencyKey(ctx, scope, lease); err != nil {
					s.log.WarnContext(ctx, "extend idempotency lease", "error", err)
				}
			}
		}
	}()
	return func() { close(done) }
}

// responseCapture holds a response until it is stored.
type responseCapture struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (c *responseCapture) Header() http.Header { return c.header }

func (c *responseCapture) WriteHeader(status int) {
	if c.status == 0 {
		c.status = status
	}
}

func (c *responseCapture) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	return c.body.Write(b)
}

// localeOf picks the locale of a request's messages: the best supported
// match of Accept-Language, else the user's saved locale, else English.
func localeOf(r *http.Request) string {
	if l, ok := i18n.Match(r.Header.Get("Accept-Language")); ok {
		return l
	}
	if p := principalOf(r); p != nil && p.User != nil && i18n.Supported(p.User.Locale) {
		return p.User.Locale
	}
	return i18n.Default
}
