package httpapi_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tonegrid/app"
	"tonegrid/app/apptest"
	"tonegrid/media"
	"tonegrid/media/mediatest"
)

// blobKeyOf reads the blob key of the media row with uuid.
func blobKeyOf(t *testing.T, srv *apptest.Server, mediaUUID string) string {
	t.Helper()
	var key string
	if err := srv.DB.WriteDB().QueryRowContext(context.Background(), `SELECT blob_key FROM media WHERE uuid = $1`, mediaUUID).Scan(&key); err != nil {
		t.Fatalf("blob key of media %s: %v", mediaUUID, err)
	}
	return key
}

// blobPath is where the local blob store keeps key.
func blobPath(srv *apptest.Server, key string) string {
	return filepath.Join(srv.App.Config.DataDir, "blobs", filepath.FromSlash(key))
}

func blobExists(t *testing.T, srv *apptest.Server, key string) bool {
	t.Helper()
	_, err := os.Stat(blobPath(srv, key))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return err == nil
}

// storedFile is an uploaded file: its media uuid and blob key.
type storedFile struct{ name, uuid, key string }

// expectFiles checks that each file's media row, download and blob exist
// (present) or are gone with a 404 (not present).
func expectFiles(t *testing.T, srv *apptest.Server, token string, present bool, files ...storedFile) {
	t.Helper()
	for _, f := range files {
		dl := srv.Get("/api/media/"+f.uuid+"/download", token)
		if present {
			dl.ExpectStatus(t, http.StatusOK)
			if !blobExists(t, srv, f.key) {
				t.Errorf("%s: blob %s deleted, want kept", f.name, f.key)
			}
			continue
		}
		dl.ExpectError(t, http.StatusNotFound, "media_not_found", "Media not found.")
		var n int
		if err := srv.DB.WriteDB().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM media WHERE uuid = $1`, f.uuid).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%s: media row kept, want deleted", f.name)
		}
		if blobExists(t, srv, f.key) {
			t.Errorf("%s: blob %s kept, want deleted", f.name, f.key)
		}
	}
}

// TestDeleteTrackAndReleaseDeleteTheirFiles uploads audio to two tracks
// (one directly, one through a resumable upload), artwork, animated
// artwork and a music video to their release, then deletes one track and
// the release: each delete removes exactly the media rows and blobs of what
// it deleted, refused deletes remove nothing, and another tenant's files
// stay.
func TestDeleteTrackAndReleaseDeleteTheirFiles(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		f := newMediaFixture(t, srv, "Deleting Label")
		other := newMediaFixture(t, srv, "Bystander Label")
		tok := f.acct.Token
		second := srv.Track(t, tok, f.release, "Second Song")

		var tr struct {
			Audio audioData `json:"audio"`
		}
		postFile(t, srv, "/api/tracks/"+f.track+"/audio", tok, "audio", mediatest.WAVBytes(44100, 16, 2, 4410)).Data(t, http.StatusOK, &tr)
		audio := storedFile{"first track's audio", tr.Audio.MediaUUID, blobKeyOf(t, srv, tr.Audio.MediaUUID)}

		wav := mediatest.WAVBytes(48000, 24, 2, 4800)
		u := createUpload(t, srv, tok, "audio", len(wav))
		putPart(t, srv, tok, u, 1, wav).ExpectStatus(t, http.StatusOK)
		srv.Post("/api/uploads/"+u.UploadID+"/complete", tok, nil).ExpectStatus(t, http.StatusOK)
		srv.Post("/api/tracks/"+second.UUID+"/audio", tok, map[string]any{"upload_id": u.UploadID}).Data(t, http.StatusOK, &tr)
		resumed := storedFile{"second track's resumable audio", tr.Audio.MediaUUID, blobKeyOf(t, srv, tr.Audio.MediaUUID)}

		var rel struct {
			Artwork artworkData `json:"artwork"`
		}
		postFile(t, srv, "/api/releases/"+f.release+"/artwork", tok, "image", mediatest.PNG(64, 64)).Data(t, http.StatusOK, &rel)
		artwork := storedFile{"artwork", rel.Artwork.MediaUUID, blobKeyOf(t, srv, rel.Artwork.MediaUUID)}

		var v struct {
			Media mediaData `json:"media"`
		}
		postFile(t, srv, "/api/releases/"+f.release+"/animated-artwork", tok, "video", mediatest.MP4Video(1080, 1080, 3000, 100)).Data(t, http.StatusCreated, &v)
		animated := storedFile{"animated artwork", v.Media.UUID, blobKeyOf(t, srv, v.Media.UUID)}
		postFile(t, srv, "/api/releases/"+f.release+"/videos", tok, "video", mediatest.MP4Video(1280, 720, 1000, 10)).Data(t, http.StatusCreated, &v)
		video := storedFile{"music video", v.Media.UUID, blobKeyOf(t, srv, v.Media.UUID)}

		postFile(t, srv, "/api/tracks/"+other.track+"/audio", other.acct.Token, "audio", mediatest.WAVBytes(44100, 16, 2, 441)).Data(t, http.StatusOK, &tr)
		bystander := storedFile{"other tenant's audio", tr.Audio.MediaUUID, blobKeyOf(t, srv, tr.Audio.MediaUUID)}

		if rows, files := countRows(t, srv, "media"), len(blobFiles(t, srv)); rows != 6 || files != 6 {
			t.Fatalf("after the uploads: %d media rows and %d blobs, want 6 and 6", rows, files)
		}

		// Refused deletes remove nothing.
		srv.Delete("/api/tracks/"+f.track, other.acct.Token).ExpectError(t, http.StatusNotFound, "track_not_found", "Track not found.")
		srv.Delete("/api/releases/"+f.release, other.acct.Token).ExpectError(t, http.StatusNotFound, "release_not_found", "Release not found.")
		srv.Do(apptest.Request{Method: http.MethodDelete, Path: "/api/releases/" + f.release, Token: tok,
			Header: http.Header{"If-Match": {`"1"`}}}).ExpectError(t, http.StatusConflict, "release_stale",
			"This release was modified by another user. Please reload and try again.")
		expectFiles(t, srv, tok, true, audio, resumed, artwork, animated, video)

		// Deleting a track deletes its audio and nothing else.
		srv.Delete("/api/tracks/"+f.track, tok).ExpectStatus(t, http.StatusOK)
		expectFiles(t, srv, tok, false, audio)
		expectFiles(t, srv, tok, true, resumed, artwork, animated, video)
		expectFiles(t, srv, other.acct.Token, true, bystander)
		if rows, files := countRows(t, srv, "media"), len(blobFiles(t, srv)); rows != 5 || files != 5 {
			t.Errorf("after the track delete: %d media rows and %d blobs, want 5 and 5", rows, files)
		}

		// Deleting the release deletes every file it and its tracks held.
		srv.Delete("/api/releases/"+f.release, tok).ExpectStatus(t, http.StatusOK)
		expectFiles(t, srv, tok, false, resumed, artwork, animated, video)
		expectFiles(t, srv, other.acct.Token, true, bystander)
		if rows, files, videos := countRows(t, srv, "media"), blobFiles(t, srv), countRows(t, srv, "release_videos"); rows != 1 || len(files) != 1 || videos != 0 {
			t.Errorf("after the release delete: %d media rows, blobs %v and %d release videos, want 1, 1 and 0", rows, files, videos)
		}
	})
}

// ageBlob sets the modification time of key's file to age ago.
func ageBlob(t *testing.T, srv *apptest.Server, key string, age time.Duration) {
	t.Helper()
	at := time.Now().Add(-age)
	if err := os.Chtimes(blobPath(srv, key), at, at); err != nil {
		t.Fatal(err)
	}
}

// putBlob stores a blob directly, as a file whose row never followed.
func putBlob(t *testing.T, srv *apptest.Server, key string) {
	t.Helper()
	if _, err := srv.App.Blobs.Put(context.Background(), key, strings.NewReader("orphan bytes"), -1, ""); err != nil {
		t.Fatal(err)
	}
}

// TestOrphanBlobSweep runs the hourly sweep through the job queue: it
// deletes media and upload blobs that no row references and that are
// older than an hour — among them a blob whose row was deleted but whose
// deletion failed — and keeps referenced blobs (attached media, a
// completed upload not attached yet), recent ones, and blobs outside the
// media prefixes.
func TestOrphanBlobSweep(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		f := newMediaFixture(t, srv, "Sweeping Label")
		tok := f.acct.Token
		var tr struct {
			Audio audioData `json:"audio"`
		}
		postFile(t, srv, "/api/tracks/"+f.track+"/audio", tok, "audio", mediatest.WAVBytes(44100, 16, 2, 4410)).Data(t, http.StatusOK, &tr)
		attached := blobKeyOf(t, srv, tr.Audio.MediaUUID)

		wav := mediatest.WAVBytes(44100, 16, 2, 441)
		u := createUpload(t, srv, tok, "audio", len(wav))
		putPart(t, srv, tok, u, 1, wav).ExpectStatus(t, http.StatusOK)
		srv.Post("/api/uploads/"+u.UploadID+"/complete", tok, nil).ExpectStatus(t, http.StatusOK)
		var pending string
		if err := srv.DB.WriteDB().QueryRowContext(context.Background(), `SELECT blob_key FROM uploads WHERE uuid = $1`, u.UploadID).Scan(&pending); err != nil {
			t.Fatal(err)
		}

		// A file whose blob deletion failed after its row was deleted.
		postFile(t, srv, "/api/releases/"+f.release+"/artwork", tok, "image", mediatest.PNG(32, 32)).ExpectStatus(t, http.StatusOK)
		var lost string
		if err := srv.DB.WriteDB().QueryRowContext(context.Background(), `SELECT blob_key FROM media WHERE kind = 'image'`).Scan(&lost); err != nil {
			t.Fatal(err)
		}
		if _, err := srv.DB.WriteDB().ExecContext(context.Background(), `DELETE FROM media WHERE blob_key = $1`, lost); err != nil {
			t.Fatal(err)
		}

		orphanMedia, orphanUpload, recent, elsewhere := "media/999/orphan", "uploads/999/orphan", "media/999/recent", "reports/999/old"
		for _, k := range []string{orphanMedia, orphanUpload, recent, elsewhere} {
			putBlob(t, srv, k)
		}
		for _, k := range []string{attached, pending, lost, orphanMedia, orphanUpload, elsewhere} {
			ageBlob(t, srv, k, 2*time.Hour)
		}
		ageBlob(t, srv, recent, media.OrphanBlobAge-5*time.Minute)

		if err := srv.App.Queue.Insert(context.Background(), app.SweepOrphanBlobsArgs{}); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(20 * time.Second)
		for blobExists(t, srv, lost) || blobExists(t, srv, orphanMedia) || blobExists(t, srv, orphanUpload) {
			if time.Now().After(deadline) {
				t.Fatalf("after 20 s the orphans are still there: %v", blobFiles(t, srv))
			}
			time.Sleep(50 * time.Millisecond)
		}
		for _, k := range []string{attached, pending, recent, elsewhere} {
			if !blobExists(t, srv, k) {
				t.Errorf("blob %s deleted, want kept", k)
			}
		}
		srv.Get("/api/media/"+tr.Audio.MediaUUID+"/download", tok).ExpectStatus(t, http.StatusOK)

		// Nothing is left to sweep, and the kept upload still attaches.
		n, err := srv.App.Media.SweepOrphanBlobs(context.Background(), time.Now().Add(-media.OrphanBlobAge))
		if err != nil || n != 0 {
			t.Errorf("second sweep: %d deleted, %v; want 0, nil", n, err)
		}
		srv.Post("/api/tracks/"+f.track+"/audio", tok, map[string]any{"upload_id": u.UploadID}).Data(t, http.StatusOK, &tr)
		srv.Get("/api/media/"+tr.Audio.MediaUUID+"/download", tok).ExpectStatus(t, http.StatusOK)
	})
}
