package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"tonegrid"
	"tonegrid/sqlstore"
	"tonegrid/sqlstore/sqltest"
)

func mediaKeys(ms []*tonegrid.Media) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.BlobKey)
	}
	slices.Sort(out)
	return out
}

// TestDeleteWithMediaHandsBackTheHeldFiles deletes a track, then its
// release, and checks that each delete removes and returns exactly the
// media rows of what it deleted — audio, artwork, animated artwork, music
// video — and that a refused delete removes none.
func TestDeleteWithMediaHandsBackTheHeldFiles(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		p := rootPrincipal(t, db)
		credits := primaryCredit(t, db, p)
		r, err := db.CreateRelease(ctx, p, tonegrid.ReleaseInput{Title: "R", Type: "single", Genre: "Pop", Language: "en", Artists: credits})
		if err != nil {
			t.Fatal(err)
		}
		file := func(kind, key string) *tonegrid.Media {
			return &tonegrid.Media{Kind: kind, BlobKey: key, Size: 4, ContentType: "application/octet-stream", MD5: "m", SHA256: "s"}
		}
		var tracks []*tonegrid.Track
		for i := range 2 {
			tr, err := db.CreateTrack(ctx, p, r.UUID, tonegrid.TrackInput{Title: fmt.Sprint("T", i)})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := db.AttachTrackAudio(ctx, p, tr.UUID, file(tonegrid.MediaAudio, fmt.Sprint("media/audio", i)), tonegrid.Audio{Format: "wav"}); err != nil {
				t.Fatal(err)
			}
			tracks = append(tracks, tr)
		}
		if _, _, err := db.AttachReleaseArtwork(ctx, p, r.UUID, file(tonegrid.MediaImage, "media/art"), tonegrid.Artwork{Format: "png"}); err != nil {
			t.Fatal(err)
		}
		for _, kind := range []string{tonegrid.MediaAnimatedArtwork, tonegrid.MediaVideo} {
			if _, _, err := db.AttachReleaseVideo(ctx, p, r.UUID, file(kind, "media/"+kind)); err != nil {
				t.Fatal(err)
			}
		}
		count := func(table string) int {
			var n int
			if err := db.WriteDB().QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := count("media"); n != 5 {
			t.Fatalf("%d media rows, want 5", n)
		}

		// A refused delete deletes no media.
		stale := int64(999)
		gone, err := db.DeleteReleaseWithMedia(ctx, p, r.UUID, tonegrid.Precondition{RowVersion: &stale})
		if !errors.Is(err, tonegrid.ErrReleaseStale) || gone != nil || count("media") != 5 {
			t.Fatalf("stale release delete: %v, %v, %d media rows", gone, err, count("media"))
		}

		gone, err = db.DeleteTrackWithMedia(ctx, p, tracks[0].UUID, tonegrid.Precondition{})
		if err != nil || fmt.Sprint(mediaKeys(gone)) != "[media/audio0]" || count("media") != 4 {
			t.Fatalf("track delete: %v, %v, %d media rows", mediaKeys(gone), err, count("media"))
		}
		gone, err = db.DeleteReleaseWithMedia(ctx, p, r.UUID, tonegrid.Precondition{})
		if err != nil || fmt.Sprint(mediaKeys(gone)) != "[media/animated_artwork media/art media/audio1 media/video]" {
			t.Fatalf("release delete: %v, %v", mediaKeys(gone), err)
		}
		if m, v := count("media"), count("release_videos"); m != 0 || v != 0 {
			t.Errorf("after the release delete: %d media rows and %d release videos, want none", m, v)
		}
		if _, err := db.FindRelease(ctx, p, r.UUID); !errors.Is(err, tonegrid.ErrReleaseNotFound) {
			t.Errorf("release after delete: %v", err)
		}
	})
}

// TestCatalogDeletesDropMediaRows checks that the catalog's own
// DeleteTrack and DeleteRelease (which cannot remove blobs) still delete
// the media rows, leaving the blobs to the orphan sweep rather than rows
// pointing at nothing.
func TestCatalogDeletesDropMediaRows(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		p := rootPrincipal(t, db)
		r, err := db.CreateRelease(ctx, p, tonegrid.ReleaseInput{Title: "R", Type: "single", Genre: "Pop", Language: "en", Artists: primaryCredit(t, db, p)})
		if err != nil {
			t.Fatal(err)
		}
		tr, err := db.CreateTrack(ctx, p, r.UUID, tonegrid.TrackInput{Title: "T"})
		if err != nil {
			t.Fatal(err)
		}
		audio := &tonegrid.Media{Kind: tonegrid.MediaAudio, BlobKey: "media/a", Size: 4, ContentType: "audio/wav", MD5: "m", SHA256: "s"}
		if _, _, err := db.AttachTrackAudio(ctx, p, tr.UUID, audio, tonegrid.Audio{Format: "wav"}); err != nil {
			t.Fatal(err)
		}
		art := &tonegrid.Media{Kind: tonegrid.MediaImage, BlobKey: "media/i", Size: 4, ContentType: "image/png", MD5: "m", SHA256: "s"}
		if _, _, err := db.AttachReleaseArtwork(ctx, p, r.UUID, art, tonegrid.Artwork{Format: "png"}); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteTrack(ctx, p, tr.UUID, tonegrid.Precondition{}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.MediaByUUID(ctx, p.Tenant.ID, audio.UUID); !errors.Is(err, tonegrid.ErrMediaNotFound) {
			t.Errorf("audio media after DeleteTrack: %v", err)
		}
		if _, err := db.MediaByUUID(ctx, p.Tenant.ID, art.UUID); err != nil {
			t.Errorf("artwork media after DeleteTrack: %v", err)
		}
		if err := db.DeleteRelease(ctx, p, r.UUID, tonegrid.Precondition{}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.MediaByUUID(ctx, p.Tenant.ID, art.UUID); !errors.Is(err, tonegrid.ErrMediaNotFound) {
			t.Errorf("artwork media after DeleteRelease: %v", err)
		}
	})
}

// TestUnreferencedBlobs checks which blob keys count as referenced: those
// of media rows and of uploads, open or complete.
func TestUnreferencedBlobs(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		p := rootPrincipal(t, db)
		r, err := db.CreateRelease(ctx, p, tonegrid.ReleaseInput{Title: "R", Type: "single", Genre: "Pop", Language: "en", Artists: primaryCredit(t, db, p)})
		if err != nil {
			t.Fatal(err)
		}
		art := &tonegrid.Media{Kind: tonegrid.MediaImage, BlobKey: "media/held", Size: 4, ContentType: "image/png", MD5: "m", SHA256: "s"}
		if _, _, err := db.AttachReleaseArtwork(ctx, p, r.UUID, art, tonegrid.Artwork{Format: "png"}); err != nil {
			t.Fatal(err)
		}
		u := &tonegrid.Upload{TenantID: p.Tenant.ID, Kind: "audio", Filename: "a.wav", Size: 10, ContentType: "audio/wav",
			PartSize: 5 << 20, Parts: 1, BlobKey: "uploads/pending", MultipartID: "m1"}
		if err := db.CreateUpload(ctx, u, time.Hour); err != nil {
			t.Fatal(err)
		}
		got, err := db.UnreferencedBlobs(ctx, []string{"media/held", "media/gone", "uploads/pending", "uploads/gone"})
		if err != nil || fmt.Sprint(got) != "[media/gone uploads/gone]" {
			t.Errorf("unreferenced: %v, %v; want [media/gone uploads/gone]", got, err)
		}
		if got, err := db.UnreferencedBlobs(ctx, nil); err != nil || got != nil {
			t.Errorf("no keys: %v, %v", got, err)
		}
		if _, err := db.UnreferencedBlobs(ctx, make([]string, 501)); err == nil {
			t.Error("501 keys accepted, want an error")
		}
	})
}
