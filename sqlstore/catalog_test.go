package sqlstore_test

import (
	"context"
	"fmt"
	"testing"

	"tonegrid"
	"tonegrid/sqlstore"
	"tonegrid/sqlstore/sqltest"
)

// rootPrincipal is a label admin acting in the root tenant of db.
func rootPrincipal(t *testing.T, db *sqlstore.DB) *tonegrid.Principal {
	t.Helper()
	root, err := db.RootTenant(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return &tonegrid.Principal{Tenant: root, Role: tonegrid.RoleLabelAdmin}
}

// TestTriggersKeepCountsAndVersions checks the bookkeeping the triggers do
// whoever writes: release_counts matches the rows per status, and every
// change a release's document shows raises its doc_version.
func TestTriggersKeepCountsAndVersions(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		p := rootPrincipal(t, db)
		credits := primaryCredit(t, db, p)
		var uuids []string
		for i := 0; i < 6; i++ {
			r, err := db.CreateRelease(ctx, p, tonegrid.ReleaseInput{Title: fmt.Sprint("R", i), Type: "single", Genre: "Pop", Language: "en", Artists: credits})
			if err != nil {
				t.Fatal(err)
			}
			uuids = append(uuids, r.UUID)
		}
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := db.WriteDB().ExecContext(ctx, q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		exec(`UPDATE releases SET status = 'pending_review' WHERE uuid IN ($1, $2)`, uuids[0], uuids[1])
		exec(`UPDATE releases SET status = 'rejected' WHERE uuid = $1`, uuids[1])
		exec(`UPDATE releases SET status = 'draft' WHERE uuid = $1`, uuids[1])
		exec(`UPDATE releases SET title = 'same status' WHERE uuid = $1`, uuids[2])
		if err := db.DeleteRelease(ctx, p, uuids[3], tonegrid.Precondition{}); err != nil {
			t.Fatal(err)
		}
		counted := map[string]int{}
		rows, err := db.WriteDB().QueryContext(ctx, `SELECT status, COUNT(*) FROM releases WHERE tenant_id = $1 GROUP BY status`, p.Tenant.ID)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			var n int
			rows.Scan(&s, &n)
			counted[s] = n
		}
		rows.Close()
		kept := map[string]int{}
		rows, err = db.WriteDB().QueryContext(ctx, `SELECT status, n FROM release_counts WHERE tenant_id = $1 AND n <> 0`, p.Tenant.ID)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			var n int
			rows.Scan(&s, &n)
			kept[s] = n
		}
		rows.Close()
		if fmt.Sprint(counted) != fmt.Sprint(kept) || counted["draft"] != 4 || counted["pending_review"] != 1 {
			t.Errorf("release_counts %v, rows %v", kept, counted)
		}
		_, total, err := db.ListReleaseVersions(ctx, p, tonegrid.ReleaseFilter{Page: tonegrid.Page{Page: 1, PerPage: 10}})
		if err != nil || total != 5 {
			t.Errorf("total = %d, %v; want 5", total, err)
		}

		version := func() int64 {
			t.Helper()
			v, err := db.ReleaseDocVersion(ctx, p, uuids[0])
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		for _, change := range []struct {
			name string
			do   func()
		}{
			{"release column", func() { exec(`UPDATE releases SET artwork = '{}' WHERE uuid = $1`, uuids[0]) }},
			{"track added", func() {
				if _, err := db.CreateTrack(ctx, p, uuids[5], tonegrid.TrackInput{Title: "T"}); err != nil {
					t.Fatal(err)
				}
				exec(`UPDATE tracks SET release_id = (SELECT id FROM releases WHERE uuid = $1)`, uuids[0])
			}},
			{"track audio", func() { exec(`UPDATE tracks SET audio = '{}'`) }},
			{"track credit", func() {
				exec(`INSERT INTO track_artists (track_id, artist_id, tenant_id, role, position)
					SELECT t.id, a.id, a.tenant_id, 'primary', 0 FROM tracks t, artists a`)
			}},
			{"artist renamed", func() { exec(`UPDATE artists SET name = 'Renamed'`) }},
			{"release credit removed", func() {
				exec(`DELETE FROM release_artists WHERE release_id = (SELECT id FROM releases WHERE uuid = $1)`, uuids[0])
			}},
			{"track deleted", func() { exec(`DELETE FROM tracks`) }},
		} {
			before := version()
			change.do()
			if v := version(); v <= before {
				t.Errorf("%s left doc_version at %d", change.name, v)
			}
		}
	})
}
