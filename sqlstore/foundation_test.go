package sqlstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"tonegrid"
	"tonegrid/sqlstore"
	"tonegrid/sqlstore/sqltest"
)

// The conformance suite: every test here runs on SQLite and on PostgreSQL.

func TestMigrationsApplyAndAreRecorded(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		st, err := db.MigrationStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(st) == 0 {
			t.Fatal("no migrations found")
		}
		for _, m := range st {
			if !m.Applied {
				t.Errorf("migration %d (%s) not applied", m.Version, m.Name)
			}
		}
		// Applying again is a no-op.
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
	})
}

func TestSeedIsIdempotent(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		if err := db.Seed(ctx); err != nil {
			t.Fatalf("second seed: %v", err)
		}
		root, err := db.RootTenant(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if root.Name != sqlstore.RootTenantName || root.ParentID != nil || root.Status != tonegrid.StatusActive {
			t.Errorf("root tenant = %+v", root)
		}
		if _, err := uuid.Parse(root.UUID); err != nil {
			t.Errorf("root uuid %q: %v", root.UUID, err)
		}
		if age := time.Since(root.CreatedAt); age < 0 || age > time.Minute {
			t.Errorf("created_at = %v", root.CreatedAt)
		}
		dsps, err := db.ListDSPs(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"spotify", "apple-music", "youtube-music", "amazon-music", "deezer", "tidal", "tiktok",
			"meta", "soundcloud", "pandora", "boomplay", "audiomack", "anghami"}
		got := map[string]*tonegrid.DSP{}
		for _, d := range dsps {
			got[d.Slug] = d
		}
		if len(dsps) != len(want) {
			t.Errorf("%d dsps seeded, want %d", len(dsps), len(want))
		}
		for _, slug := range want {
			d, ok := got[slug]
			if !ok {
				t.Errorf("dsp %s not seeded", slug)
				continue
			}
			if !d.IsActive || d.DeliveryProtocol != "dir" || d.ERNVersion != "4.3" || d.Name == "" || len(d.DDEXPartyID) < 8 {
				t.Errorf("dsp %s = %+v", slug, d)
			}
		}
	})
}

func TestFindActiveDSP(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		d, err := db.FindActiveDSP(ctx, "spotify")
		if err != nil || d.Name != "Spotify" {
			t.Fatalf("FindActiveDSP(spotify) = %+v, %v", d, err)
		}
		_, err = db.FindActiveDSP(ctx, "nope")
		e, ok := tonegrid.ErrorOf(err)
		if !ok || !errors.Is(err, tonegrid.ErrDSPNotFound) || e.Message != "DSP 'nope' not found or inactive." {
			t.Fatalf("FindActiveDSP(nope) error = %v", err)
		}
	})
}

func TestCreateFirstSuperAdminOnlyOnce(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		created, err := db.CreateFirstSuperAdmin(ctx, " Admin@Example.com ", "Admin", "hash")
		if err != nil || !created {
			t.Fatalf("first call: created=%v err=%v", created, err)
		}
		created, err = db.CreateFirstSuperAdmin(ctx, "other@example.com", "Other", "hash")
		if err != nil || created {
			t.Fatalf("second call: created=%v err=%v", created, err)
		}
	})
}

func TestClosedDatabaseIsUnavailable(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		if err := db.Ping(ctx); err != nil {
			t.Fatalf("ping: %v", err)
		}
		db.Close()
		if err := db.Ping(ctx); err == nil {
			t.Fatal("ping of a closed database succeeded")
		}
	})
}
