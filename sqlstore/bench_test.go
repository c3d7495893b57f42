package sqlstore_test

import (
	"context"
	"fmt"
	"testing"

	"tonegrid"
	"tonegrid/sqlstore/sqltest"
)

// BenchmarkFindRelease is the uncached read of a release with 12 tracks
// (credits, contributors, audio): what GET /releases/:uuid costs when its
// rendering is not in memory. On SQLite.
func BenchmarkFindRelease(b *testing.B) {
	db := sqltest.Open(b, "sqlite")
	ctx := context.Background()
	root, err := db.RootTenant(ctx)
	if err != nil {
		b.Fatal(err)
	}
	p := &tonegrid.Principal{Tenant: root, Role: tonegrid.RoleLabelAdmin}
	artist, err := db.CreateArtist(ctx, p, tonegrid.ArtistInput{Name: "A"})
	if err != nil {
		b.Fatal(err)
	}
	guest, err := db.CreateArtist(ctx, p, tonegrid.ArtistInput{Name: "G"})
	if err != nil {
		b.Fatal(err)
	}
	rel, err := db.CreateRelease(ctx, p, tonegrid.ReleaseInput{Title: "R", Type: "album", Genre: "Jazz", Language: "en",
		Artists: []tonegrid.ArtistCredit{{ArtistUUID: artist.UUID, Role: tonegrid.ArtistPrimary}}})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 12; i++ {
		tr, err := db.CreateTrack(ctx, p, rel.UUID, tonegrid.TrackInput{Title: fmt.Sprint("T", i), ISRC: fmt.Sprintf("USTGB26%05d", i),
			Artists:      []tonegrid.ArtistCredit{{ArtistUUID: artist.UUID, Role: tonegrid.ArtistPrimary}, {ArtistUUID: guest.UUID, Role: tonegrid.ArtistFeatured}},
			Contributors: []tonegrid.Contributor{{Name: "C", Role: "composer"}, {Name: "P", Role: "producer"}}})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := db.WriteDB().ExecContext(ctx, `UPDATE tracks SET audio = $1 WHERE uuid = $2`,
			`{"format":"wav","sample_rate":44100,"bit_depth":24,"channels":2,"duration_ms":215000,"md5":"0f343b0931126a20f133d67c2b018a3b"}`, tr.UUID); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		r, err := db.FindRelease(ctx, p, rel.UUID)
		if err != nil || len(r.Tracks) != 12 {
			b.Fatalf("find: %v", err)
		}
	}
}
