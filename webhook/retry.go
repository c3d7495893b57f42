package webhook

import (
	"math/rand/v2"
	"time"
)

// The retry schedule's bounds.
const (
	// RetryWindow is how long after its first attempt a delivery is retried
	// before it is given up.
	RetryWindow = 72 * time.Hour
	// FirstRetryCeiling is the longest wait after the first failed attempt;
	// it doubles after each further failure.
	FirstRetryCeiling = 30 * time.Second
	// MaxRetryDelay caps the ceiling: no two attempts are further apart.
	MaxRetryDelay = 12 * time.Hour
	// MinRetryDelay is the shortest wait between two attempts.
	MinRetryDelay = 5 * time.Second
)

// RetryCeiling is the longest NextAttempt may wait after attempt failed
// attempts: FirstRetryCeiling × 2^(attempt-1), capped at MaxRetryDelay.
func RetryCeiling(attempt int) time.Duration {
	ceiling := FirstRetryCeiling
	for i := 1; i < attempt && ceiling < MaxRetryDelay; i++ {
		ceiling *= 2
	}
	return min(ceiling, MaxRetryDelay)
}

// NextAttempt schedules the attempt after attempt failed ones (1 after the
// first failure), the first of which was made at firstAt, the last of which
// has just failed at now. It uses exponential backoff with "full jitter"
// (the wait is drawn uniformly below the ceiling, as in the AWS Architecture
// Blog's "Exponential Backoff and Jitter", so receivers that fail together
// do not see retries together): now + MinRetryDelay + random() ×
// (RetryCeiling(attempt) − MinRetryDelay). random returns values in [0, 1)
// (nil means math/rand/v2's Float64; values outside are clamped). An attempt
// is never scheduled past firstAt + RetryWindow: the last one falls on that
// deadline, and once now has reached it NextAttempt reports false, meaning
// give up. Every attempt reuses the same webhook-id; that is the caller's.
func NextAttempt(attempt int, firstAt, now time.Time, random func() float64) (time.Time, bool) {
	deadline := firstAt.Add(RetryWindow)
	if !now.Before(deadline) {
		return time.Time{}, false
	}
	if random == nil {
		random = rand.Float64
	}
	r := random()
	if !(r >= 0) {
		r = 0
	}
	r = min(r, 1)
	spread := RetryCeiling(attempt) - MinRetryDelay
	next := now.Add(MinRetryDelay + time.Duration(r*float64(spread)))
	if next.After(deadline) {
		next = deadline
	}
	return next, true
}
