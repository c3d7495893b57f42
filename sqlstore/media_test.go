package sqlstore_test

import (
	"context"
	"errors"
	"testing"

	"tonegrid"
	"tonegrid/sqlstore"
	"tonegrid/sqlstore/sqltest"
)

// TestAttachMediaReplacesAndReportsTheOldFile attaches audio and artwork
// twice and checks that the second attachment deletes the first media row
// and hands it back for blob removal, and that approved releases refuse it.
func TestAttachMediaReplacesAndReportsTheOldFile(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		p := rootPrincipal(t, db)
		credits := primaryCredit(t, db, p)
		r, err := db.CreateRelease(ctx, p, tonegrid.ReleaseInput{Title: "R", Type: "single", Genre: "Pop", Language: "en", Artists: credits})
		if err != nil {
			t.Fatal(err)
		}
		tr, err := db.CreateTrack(ctx, p, r.UUID, tonegrid.TrackInput{Title: "T"})
		if err != nil {
			t.Fatal(err)
		}
		file := func(key string) *tonegrid.Media {
			return &tonegrid.Media{Kind: tonegrid.MediaAudio, BlobKey: key, Size: 4, ContentType: "audio/wav", MD5: "m", SHA256: "s"}
		}

		first := file("media/a1")
		got, old, err := db.AttachTrackAudio(ctx, p, tr.UUID, first, tonegrid.Audio{Format: "wav", SampleRate: 44100, BitDepth: 16, Channels: 2, DurationMS: 1000})
		if err != nil || old != nil {
			t.Fatalf("first attach: old %v, err %v", old, err)
		}
		if got.Audio == nil || got.Audio.MediaUUID != first.UUID || got.Audio.SampleRate != 44100 || got.RowVersion != tr.RowVersion+1 {
			t.Fatalf("track after attach: %+v", got.Audio)
		}
		second := file("media/a2")
		_, old, err = db.AttachTrackAudio(ctx, p, tr.UUID, second, tonegrid.Audio{Format: "flac"})
		if err != nil || old == nil || old.BlobKey != "media/a1" {
			t.Fatalf("second attach: old %+v, err %v", old, err)
		}
		if _, err := db.MediaByUUID(ctx, p.Tenant.ID, first.UUID); !errors.Is(err, tonegrid.ErrMediaNotFound) {
			t.Fatalf("replaced media still readable: %v", err)
		}
		if m, err := db.MediaByUUID(ctx, p.Tenant.ID, second.UUID); err != nil || m.BlobKey != "media/a2" {
			t.Fatalf("new media: %+v, %v", m, err)
		}

		art := &tonegrid.Media{Kind: tonegrid.MediaImage, BlobKey: "media/i1", Size: 4, ContentType: "image/png", MD5: "m", SHA256: "s"}
		rel, old, err := db.AttachReleaseArtwork(ctx, p, r.UUID, art, tonegrid.Artwork{Format: "png", Width: 3000, Height: 3000})
		if err != nil || old != nil || rel.Artwork == nil || rel.Artwork.MediaUUID != art.UUID {
			t.Fatalf("artwork: %+v, old %v, err %v", rel, old, err)
		}

		if _, err := db.WriteDB().ExecContext(ctx, `UPDATE releases SET status = 'approved' WHERE uuid = $1`, r.UUID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.AttachTrackAudio(ctx, p, tr.UUID, file("media/a3"), tonegrid.Audio{}); !errors.Is(err, tonegrid.ErrReleaseNotEditable) {
			t.Fatalf("attach to approved release: %v", err)
		}
		if _, _, err := db.AttachReleaseArtwork(ctx, p, "6f1c1a52-53f4-4bb1-9a4e-3c1b3c0f0000", file("media/i2"), tonegrid.Artwork{}); !errors.Is(err, tonegrid.ErrReleaseNotFound) {
			t.Fatalf("attach to unknown release: %v", err)
		}
	})
}

// primaryCredit creates an artist in p's tenant and credits it as the
// primary artist.
func primaryCredit(t *testing.T, db *sqlstore.DB, p *tonegrid.Principal) []tonegrid.ArtistCredit {
	t.Helper()
	artist, err := db.CreateArtist(context.Background(), p, tonegrid.ArtistInput{Name: "A"})
	if err != nil {
		t.Fatal(err)
	}
	return []tonegrid.ArtistCredit{{ArtistUUID: artist.UUID, Role: tonegrid.ArtistPrimary}}
}
