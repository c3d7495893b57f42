package sqlstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"tonegrid"
	"tonegrid/secret"
	"tonegrid/sqlstore"
	"tonegrid/sqlstore/sqltest"
)

func withSealer(t *testing.T, db *sqlstore.DB) {
	t.Helper()
	s, err := secret.NewSealer(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	db.SetSealer(s)
}

func TestIdempotencyKeyLifecycle(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		withSealer(t, db)
		now := time.Now()
		db.Now = func() time.Time { return now }

		if resp, err := db.ClaimIdempotencyKey(ctx, "s1", "h1", time.Minute, time.Hour); resp != nil || err != nil {
			t.Fatalf("first claim = %v, %v", resp, err)
		}
		if _, err := db.ClaimIdempotencyKey(ctx, "s1", "h1", time.Minute, time.Hour); !errors.Is(err, tonegrid.ErrIdempotencyInProgress) {
			t.Fatalf("claim while running = %v", err)
		}
		if _, err := db.ClaimIdempotencyKey(ctx, "s1", "other", time.Minute, time.Hour); !errors.Is(err, tonegrid.ErrIdempotencyKeyReused) {
			t.Fatalf("claim with another body = %v", err)
		}
		secretBody := []byte(`{"key":"tgk_secret"}`)
		if err := db.CompleteIdempotencyKey(ctx, "s1", tonegrid.StoredResponse{Status: 201, Header: map[string]string{"Content-Type": "application/json"}, Body: secretBody}); err != nil {
			t.Fatal(err)
		}
		var stored string
		if err := db.WriteDB().QueryRow(`SELECT response_body FROM idempotency_keys WHERE scope = 's1'`).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if stored == "" || string(secretBody) == stored || strings.Contains(stored, "tgk_secret") {
			t.Fatalf("stored body is not sealed: %q", stored)
		}
		resp, err := db.ClaimIdempotencyKey(ctx, "s1", "h1", time.Minute, time.Hour)
		if err != nil || resp == nil || resp.Status != 201 || string(resp.Body) != string(secretBody) || resp.Header["Content-Type"] != "application/json" {
			t.Fatalf("replay = %+v, %v", resp, err)
		}

		// A claim whose server died is taken over once its lease runs out.
		if resp, err := db.ClaimIdempotencyKey(ctx, "s2", "h2", time.Minute, time.Hour); resp != nil || err != nil {
			t.Fatal(resp, err)
		}
		now = now.Add(2 * time.Minute)
		if resp, err := db.ClaimIdempotencyKey(ctx, "s2", "h2", time.Minute, time.Hour); resp != nil || err != nil {
			t.Fatalf("takeover = %v, %v", resp, err)
		}
		// A released claim runs again.
		if err := db.ReleaseIdempotencyKey(ctx, "s2"); err != nil {
			t.Fatal(err)
		}
		if resp, err := db.ClaimIdempotencyKey(ctx, "s2", "another body now", time.Minute, time.Hour); resp != nil || err != nil {
			t.Fatalf("claim after release = %v, %v", resp, err)
		}

		// After 24 hours (here: the TTL) keys are purged, and forgotten.
		now = now.Add(2 * time.Hour)
		n, err := db.PurgeIdempotencyKeys(ctx)
		if err != nil || n != 2 {
			t.Fatalf("purged %d, %v", n, err)
		}
		if resp, err := db.ClaimIdempotencyKey(ctx, "s1", "new body", time.Minute, time.Hour); resp != nil || err != nil {
			t.Fatalf("claim after expiry = %v, %v", resp, err)
		}
	})
}
