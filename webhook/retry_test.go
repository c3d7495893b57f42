package webhook_test

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"tonegrid/webhook"
)

var firstAttempt = time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)

// fixed returns a random source that always answers r.
func fixed(r float64) func() float64 { return func() float64 { return r } }

func TestRetryCeiling(t *testing.T) {
	for _, tc := range []struct {
		attempt int
		want    time.Duration
	}{
		{-3, 30 * time.Second},
		{0, 30 * time.Second},
		{1, 30 * time.Second},
		{2, time.Minute},
		{3, 2 * time.Minute},
		{10, 256 * time.Minute},
		{11, 512 * time.Minute},
		{12, 12 * time.Hour},
		{40, 12 * time.Hour},
		{math.MaxInt, 12 * time.Hour},
	} {
		if got := webhook.RetryCeiling(tc.attempt); got != tc.want {
			t.Errorf("RetryCeiling(%d) = %v, want %v", tc.attempt, got, tc.want)
		}
	}
}

func TestNextAttemptJitterBounds(t *testing.T) {
	now := firstAttempt.Add(time.Minute)
	for attempt := 1; attempt <= 30; attempt++ {
		ceiling := webhook.RetryCeiling(attempt)
		for _, r := range []float64{0, 0.25, 0.5, 0.999999, 1, -1, 7, math.NaN(), math.Inf(1)} {
			next, ok := webhook.NextAttempt(attempt, firstAttempt, now, fixed(r))
			delay := next.Sub(now)
			if !ok || delay < webhook.MinRetryDelay || delay > ceiling {
				t.Errorf("NextAttempt(%d, r=%v) = +%v, %v; want within [%v, %v]", attempt, r, delay, ok, webhook.MinRetryDelay, ceiling)
			}
		}
		low, _ := webhook.NextAttempt(attempt, firstAttempt, now, fixed(0))
		high, _ := webhook.NextAttempt(attempt, firstAttempt, now, fixed(1))
		if low.Sub(now) != webhook.MinRetryDelay || high.Sub(now) != ceiling {
			t.Errorf("attempt %d: r=0 gives +%v, r=1 gives +%v; want +%v and +%v", attempt, low.Sub(now), high.Sub(now), webhook.MinRetryDelay, ceiling)
		}
	}
}

func TestNextAttemptGrows(t *testing.T) {
	now := firstAttempt.Add(time.Second)
	for _, r := range []float64{0.1, 0.5, 0.9} {
		var previous time.Duration
		for attempt := 1; attempt <= 20; attempt++ {
			next, _ := webhook.NextAttempt(attempt, firstAttempt, now, fixed(r))
			delay := next.Sub(now)
			if delay < previous {
				t.Errorf("r=%v: attempt %d waits %v, less than attempt %d's %v", r, attempt, delay, attempt-1, previous)
			}
			previous = delay
		}
		if max := webhook.MinRetryDelay + time.Duration(r*float64(webhook.MaxRetryDelay-webhook.MinRetryDelay)); previous != max {
			t.Errorf("r=%v: attempt 20 waits %v, want the capped %v", r, previous, max)
		}
	}
}

// A whole schedule, run on a fake clock with a seeded random source: every
// attempt is later than the one before, none is past the 3-day deadline, the
// last falls on it, and then NextAttempt gives up.
func TestNextAttemptScheduleStopsAfterThreeDays(t *testing.T) {
	deadline := firstAttempt.Add(webhook.RetryWindow)
	for seed := uint64(1); seed <= 20; seed++ {
		random := rand.New(rand.NewPCG(seed, seed)).Float64
		now := firstAttempt
		attempts := 1
		for ; attempts < 10000; attempts++ {
			next, ok := webhook.NextAttempt(attempts, firstAttempt, now, random)
			if !ok {
				break
			}
			if !next.After(now) || next.After(deadline) {
				t.Fatalf("seed %d: attempt %d at %v after one at %v; want later, and not after %v", seed, attempts+1, next, now, deadline)
			}
			now = next // the attempt is made at once and fails
		}
		if !now.Equal(deadline) {
			t.Errorf("seed %d: last attempt at %v, want on the deadline %v", seed, now, deadline)
		}
		if attempts < 12 || attempts > 60 {
			t.Errorf("seed %d: %d attempts in 3 days, want between 12 and 60", seed, attempts)
		}
	}
}

func TestNextAttemptDeadline(t *testing.T) {
	deadline := firstAttempt.Add(webhook.RetryWindow)
	for _, tc := range []struct {
		name   string
		now    time.Time
		want   time.Time
		wantOK bool
	}{
		{"one second before, clamped", deadline.Add(-time.Second), deadline, true},
		{"an hour before, clamped", deadline.Add(-time.Hour), deadline, true},
		{"on the deadline", deadline, time.Time{}, false},
		{"after the deadline", deadline.Add(time.Hour), time.Time{}, false},
	} {
		got, ok := webhook.NextAttempt(20, firstAttempt, tc.now, fixed(0.9))
		if ok != tc.wantOK || !got.Equal(tc.want) {
			t.Errorf("%s: NextAttempt = %v, %v; want %v, %v", tc.name, got, ok, tc.want, tc.wantOK)
		}
	}
}

func TestNextAttemptDefaultRandom(t *testing.T) {
	now := firstAttempt.Add(time.Minute)
	for range 100 {
		next, ok := webhook.NextAttempt(3, firstAttempt, now, nil)
		if delay := next.Sub(now); !ok || delay < webhook.MinRetryDelay || delay > webhook.RetryCeiling(3) {
			t.Fatalf("NextAttempt with the default source = +%v, %v", delay, ok)
		}
	}
}
