// Package ratelimit owns ToneGrid's request rate limits and its failed-login
// lockout. Limits follow GCRA (the generic cell rate algorithm), either in
// process (Memory) or shared by every API instance through Redis (Redis),
// which falls back to an in-process limiter whenever Redis fails, so a
// request never fails because Redis did.
//
// The package decides; it does not speak HTTP. The HTTP layer turns a
// Decision into X-RateLimit-* and Retry-After headers and a 429. It imports
// the standard library and the Redis client libraries only: never the
// tonegrid root package, httpapi or sqlstore.
package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Limit is a rate: at most Requests requests per Period, of which all
// Requests may come at once (the burst), after which one more is allowed
// every Period/Requests.
type Limit struct {
	Requests int
	Period   time.Duration
}

// PerMinute is the limit of n requests per minute, the unit ToneGrid's
// configuration uses.
func PerMinute(n int) Limit {
	return Limit{Requests: n, Period: time.Minute}
}

// interval is the time one request costs: Period/Requests.
func (l Limit) interval() time.Duration {
	return l.Period / time.Duration(l.Requests)
}

// validate reports an ErrInvalidLimit unless l allows at least one request
// per period and one request costs at least a nanosecond.
func (l Limit) validate() error {
	if l.Requests < 1 || l.Period <= 0 || l.interval() < 1 {
		return fmt.Errorf("check limit %d per %s: %w", l.Requests, l.Period, ErrInvalidLimit)
	}
	return nil
}

// ErrInvalidLimit means a Limit allows no request or a request costs less
// than a nanosecond: a configuration bug, never a caller's fault.
var ErrInvalidLimit = errors.New("invalid rate limit")

// Decision is a limiter's answer for one request, with what the response
// headers report.
type Decision struct {
	// Allowed is whether the request may proceed.
	Allowed bool
	// Limit is the limit's Requests (X-RateLimit-Limit).
	Limit int
	// Remaining is how many more requests would be allowed right now
	// (X-RateLimit-Remaining).
	Remaining int
	// ResetAt is when the key is back to a full burst (X-RateLimit-Reset).
	ResetAt time.Time
	// RetryAfter is how long to wait before the next request is allowed;
	// positive when the request is denied, zero when allowed (Retry-After).
	RetryAfter time.Duration
}

// Limiter decides whether the request identified by key fits its limit.
//
// A key is one bucket: callers put the route class in it (for example
// "auth:ip:203.0.113.9") so that one principal's classes do not share a
// bucket. Allow returns an error wrapping ErrInvalidLimit for an invalid
// Limit and no other: a limiter whose store fails answers from a fallback.
type Limiter interface {
	Allow(ctx context.Context, key string, l Limit) (Decision, error)
}
