package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"tonegrid/app"
	"tonegrid/app/apptest"
	"tonegrid/media/mediatest"
)

// putPart sends part n (from 1) of data for upload u.
func putPart(t *testing.T, srv *apptest.Server, token string, u uploadData, n int, data []byte) *apptest.Response {
	t.Helper()
	start := int64(n-1) * u.PartSize
	end := min(start+u.PartSize, int64(len(data)))
	return srv.Do(apptest.Request{Method: http.MethodPut, Path: fmt.Sprintf("/api/uploads/%s/parts/%d", u.UploadID, n),
		Token: token, Body: data[start:end], Header: http.Header{"Content-Type": {"application/octet-stream"}}})
}

func createUpload(t *testing.T, srv *apptest.Server, token, kind string, size int) uploadData {
	t.Helper()
	var u uploadData
	srv.Post("/api/uploads", token, map[string]any{"kind": kind, "filename": "master.wav", "size": size, "content_type": "audio/x-wav"}).
		Data(t, http.StatusCreated, &u)
	return u
}

// TestResumableUpload sends a 17 MB WAV in three parts, out of order and
// with one part retried, completes it, attaches it to a track, and checks
// that the upload is used up.
func TestResumableUpload(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		f := newMediaFixture(t, srv, "Resumable Label")
		wav := mediatest.WAVBytes(44100, 16, 2, 4_400_000)
		u := createUpload(t, srv, f.acct.Token, "audio", len(wav))
		if u.PartSize != 8<<20 || u.Parts != 3 || u.Status != "open" || u.Size != int64(len(wav)) {
			t.Fatalf("upload %+v", u)
		}
		putPart(t, srv, f.acct.Token, u, 3, wav).ExpectStatus(t, http.StatusOK)
		putPart(t, srv, f.acct.Token, u, 1, wav).ExpectStatus(t, http.StatusOK)
		var resumed struct {
			Received []int `json:"received_parts"`
		}
		srv.Get("/api/uploads/"+u.UploadID, f.acct.Token).Data(t, http.StatusOK, &resumed)
		if fmt.Sprint(resumed.Received) != "[1 3]" {
			t.Errorf("received parts %v, want [1 3]", resumed.Received)
		}
		// A part that arrives broken is sent again.
		bad := append([]byte(nil), wav...)
		copy(bad[9<<20:], "garbage")
		putPart(t, srv, f.acct.Token, u, 2, bad).ExpectStatus(t, http.StatusOK)
		var got struct {
			Received []int  `json:"received_parts"`
			Status   string `json:"status"`
		}
		srv.Get("/api/uploads/"+u.UploadID, f.acct.Token).Data(t, http.StatusOK, &got)
		if fmt.Sprint(got.Received) != "[1 2 3]" || got.Status != "open" {
			t.Errorf("upload while open: %+v", got)
		}
		srv.Get("/api/uploads/"+u.UploadID, newMediaFixture(t, srv, "Peeking Label").acct.Token).
			ExpectError(t, http.StatusNotFound, "upload_not_found", "Upload not found.")
		var part struct {
			Number int   `json:"number"`
			Size   int64 `json:"size"`
		}
		putPart(t, srv, f.acct.Token, u, 2, wav).Data(t, http.StatusOK, &part)
		if part.Number != 2 || part.Size != 8<<20 {
			t.Errorf("part %+v", part)
		}
		var done uploadData
		srv.Post("/api/uploads/"+u.UploadID+"/complete", f.acct.Token, nil).Data(t, http.StatusOK, &done)
		md, sha := hashes(wav)
		if done.Status != "complete" || done.ContentType != "audio/wav" || done.MD5 != md || done.SHA256 != sha ||
			done.Probe["format"] != "wav" || done.Probe["duration_ms"] != float64(99773) {
			t.Fatalf("completed upload %+v", done)
		}
		// Completing again answers the same upload.
		srv.Post("/api/uploads/"+u.UploadID+"/complete", f.acct.Token, nil).Data(t, http.StatusOK, &done)

		var tr struct {
			Audio audioData `json:"audio"`
		}
		srv.Post("/api/tracks/"+f.track+"/audio", f.acct.Token, map[string]any{"upload_id": u.UploadID}).Data(t, http.StatusOK, &tr)
		if a := tr.Audio; a.Format != "wav" || a.SampleRate != 44100 || a.BitDepth != 16 || a.Channels != 2 || a.DurationMS != 99773 ||
			a.MD5 != md || a.SHA256 != sha || a.Size != int64(len(wav)) {
			t.Errorf("audio %+v", a)
		}
		dl := srv.Do(apptest.Request{Method: http.MethodGet, Path: "/api/media/" + tr.Audio.MediaUUID + "/download", Token: f.acct.Token,
			Header: http.Header{"Range": {"bytes=9437184-9437200"}}})
		dl.ExpectStatus(t, http.StatusPartialContent)
		if string(dl.Body) != string(wav[9437184:9437201]) {
			t.Errorf("assembled file differs at 9 MiB")
		}
		srv.Post("/api/tracks/"+f.track+"/audio", f.acct.Token, map[string]any{"upload_id": u.UploadID}).
			ExpectError(t, http.StatusNotFound, "upload_not_found", "Upload not found.")
		if rows, files := countRows(t, srv, "uploads"), blobFiles(t, srv); rows != 0 || len(files) != 1 {
			t.Errorf("after attaching: %d upload rows and blobs %v, want 0 and the one file", rows, files)
		}

		// An image upload attached as artwork.
		jpg := mediatest.JPEG(3000, 3000)
		img := createUpload(t, srv, f.acct.Token, "image", len(jpg))
		putPart(t, srv, f.acct.Token, img, 1, jpg).ExpectStatus(t, http.StatusOK)
		srv.Post("/api/uploads/"+img.UploadID+"/complete", f.acct.Token, nil).ExpectStatus(t, http.StatusOK)
		var rel struct {
			Artwork artworkData `json:"artwork"`
		}
		srv.Post("/api/releases/"+f.release+"/artwork", f.acct.Token, map[string]any{"upload_id": img.UploadID}).Data(t, http.StatusOK, &rel)
		if rel.Artwork.Width != 3000 || rel.Artwork.Format != "jpeg" || len(rel.Artwork.Warnings) != 0 {
			t.Errorf("artwork %+v", rel.Artwork)
		}

		// A video upload attached as a music video.
		mp4 := mediatest.MP4Video(1920, 1080, 5000, 2000)
		vid := createUpload(t, srv, f.acct.Token, "video", len(mp4))
		putPart(t, srv, f.acct.Token, vid, 1, mp4).ExpectStatus(t, http.StatusOK)
		srv.Post("/api/uploads/"+vid.UploadID+"/complete", f.acct.Token, nil).ExpectStatus(t, http.StatusOK)
		var v struct {
			Kind  string    `json:"kind"`
			Media mediaData `json:"media"`
		}
		srv.Post("/api/releases/"+f.release+"/videos", f.acct.Token, map[string]any{"upload_id": vid.UploadID}).Data(t, http.StatusCreated, &v)
		if v.Kind != "video" || v.Media.Probe["width"] != float64(1920) {
			t.Errorf("video %+v", v)
		}
	})
}

// TestResumableUploadErrors provokes every error of the upload routes.
func TestResumableUploadErrors(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		f := newMediaFixture(t, srv, "Upload Error Label")
		other := newMediaFixture(t, srv, "Other Upload Label")
		tok := f.acct.Token

		t.Run("create", func(t *testing.T) {
			e := srv.Post("/api/uploads", tok, map[string]any{"kind": "pdf", "filename": "a\x01b", "size": 0}).
				ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
			for _, field := range []string{"kind", "filename", "size"} {
				if len(e.Errors[field]) == 0 {
					t.Errorf("no error on %s: %v", field, e.Errors)
				}
			}
			e = srv.Post("/api/uploads", tok, map[string]any{}).ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
			if len(e.Errors) != 3 {
				t.Errorf("errors %v, want kind, filename and size required", e.Errors)
			}
			srv.Post("/api/uploads", tok, map[string]any{"kind": "audio", "filename": "a.wav", "size": 1<<30 + 1}).
				ExpectError(t, http.StatusRequestEntityTooLarge, "file_too_large", "File exceeds the maximum allowed size of 1024 MB.")
			srv.Post("/api/uploads", tok, map[string]any{"kind": "image", "filename": "a.png", "size": 50<<20 + 1}).
				ExpectError(t, http.StatusRequestEntityTooLarge, "file_too_large", "File exceeds the maximum allowed size of 50 MB.")
			srv.Post("/api/uploads", tok, map[string]any{"kind": "video", "filename": "a.mp4", "size": 5<<30 + 1}).
				ExpectError(t, http.StatusRequestEntityTooLarge, "file_too_large", "File exceeds the maximum allowed size of 5120 MB.")
			srv.Post("/api/uploads", tok, `{"kind":`).ExpectError(t, http.StatusBadRequest, "bad_request", "Malformed JSON body.")
		})

		wav := mediatest.WAVBytes(44100, 16, 2, 44100)
		t.Run("parts", func(t *testing.T) {
			u := createUpload(t, srv, tok, "audio", len(wav))
			for _, n := range []string{"0", "2", "x", "10001"} {
				e := srv.Do(apptest.Request{Method: http.MethodPut, Path: "/api/uploads/" + u.UploadID + "/parts/" + n, Token: tok, Body: wav}).
					ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
				if len(e.Errors["n"]) != 1 {
					t.Errorf("part %s: errors %v", n, e.Errors)
				}
			}
			e := srv.Do(apptest.Request{Method: http.MethodPut, Path: "/api/uploads/" + u.UploadID + "/parts/1", Token: tok, Body: wav[:100]}).
				ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
			if got := e.Errors["body"]; len(got) != 1 || got[0] != fmt.Sprintf("Must be exactly %d bytes.", len(wav)) {
				t.Errorf("short part: %v", e.Errors)
			}
			srv.Do(apptest.Request{Method: http.MethodPut, Path: "/api/uploads/0190a0a0-0000-7000-8000-000000000000/parts/1", Token: tok, Body: wav}).
				ExpectError(t, http.StatusNotFound, "upload_not_found", "Upload not found.")
			srv.Do(apptest.Request{Method: http.MethodPut, Path: "/api/uploads/" + u.UploadID + "/parts/1", Token: other.acct.Token, Body: wav}).
				ExpectError(t, http.StatusNotFound, "upload_not_found", "Upload not found.")

			e = srv.Post("/api/uploads/"+u.UploadID+"/complete", tok, nil).ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
			if got := e.Errors["parts"]; len(got) != 1 || got[0] != "Parts not uploaded yet: 1." {
				t.Errorf("complete without parts: %v", e.Errors)
			}
			e = srv.Post("/api/tracks/"+f.track+"/audio", tok, map[string]any{"upload_id": u.UploadID}).
				ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
			if len(e.Errors["upload_id"]) != 1 {
				t.Errorf("attach an open upload: %v", e.Errors)
			}
			srv.Post("/api/uploads/"+u.UploadID+"/complete", other.acct.Token, nil).ExpectError(t, http.StatusNotFound, "upload_not_found", "Upload not found.")
			srv.Delete("/api/uploads/"+u.UploadID, other.acct.Token).ExpectError(t, http.StatusNotFound, "upload_not_found", "Upload not found.")

			putPart(t, srv, tok, u, 1, wav).ExpectStatus(t, http.StatusOK)
			srv.Delete("/api/uploads/"+u.UploadID, tok).ExpectStatus(t, http.StatusOK)
			srv.Post("/api/uploads/"+u.UploadID+"/complete", tok, nil).ExpectError(t, http.StatusNotFound, "upload_not_found", "Upload not found.")
			srv.Delete("/api/uploads/"+u.UploadID, tok).ExpectError(t, http.StatusNotFound, "upload_not_found", "Upload not found.")
			expectNothingStored(t, srv)
		})

		t.Run("wrong file type", func(t *testing.T) {
			text := []byte(strings.Repeat("not audio at all ", 100))
			u := createUpload(t, srv, tok, "audio", len(text))
			putPart(t, srv, tok, u, 1, text).ExpectStatus(t, http.StatusOK)
			srv.Post("/api/uploads/"+u.UploadID+"/complete", tok, nil).
				ExpectError(t, http.StatusUnsupportedMediaType, "unsupported_media_type", "File type 'text/plain' is not allowed for audio uploads.")
			srv.Post("/api/uploads/"+u.UploadID+"/complete", tok, nil).ExpectError(t, http.StatusNotFound, "upload_not_found", "Upload not found.")
			expectNothingStored(t, srv)

			// A completed image upload cannot become a track's audio.
			png := mediatest.PNG(10, 10)
			img := createUpload(t, srv, tok, "image", len(png))
			putPart(t, srv, tok, img, 1, png).ExpectStatus(t, http.StatusOK)
			srv.Post("/api/uploads/"+img.UploadID+"/complete", tok, nil).ExpectStatus(t, http.StatusOK)
			srv.Post("/api/tracks/"+f.track+"/audio", tok, map[string]any{"upload_id": img.UploadID}).
				ExpectError(t, http.StatusUnsupportedMediaType, "unsupported_media_type", "File type 'image/png' is not allowed for audio uploads.")
			srv.Post("/api/tracks/"+other.track+"/audio", tok, map[string]any{"upload_id": img.UploadID}).
				ExpectError(t, http.StatusNotFound, "track_not_found", "Track not found.")
			srv.Post("/api/releases/"+other.release+"/artwork", other.acct.Token, map[string]any{"upload_id": img.UploadID}).
				ExpectError(t, http.StatusNotFound, "upload_not_found", "Upload not found.")
			srv.Do(apptest.Request{Method: http.MethodPut, Path: "/api/uploads/" + img.UploadID + "/parts/1", Token: tok, Body: png}).
				ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
			// Deleting a completed upload removes its file.
			srv.Delete("/api/uploads/"+img.UploadID, tok).ExpectStatus(t, http.StatusOK)
			expectNothingStored(t, srv)
		})

		t.Run("animated artwork over 50 MB", func(t *testing.T) {
			mp4 := mediatest.MP4Video(1080, 1080, 1000, 51<<20)
			u := createUpload(t, srv, tok, "video", len(mp4))
			for n := 1; n <= u.Parts; n++ {
				putPart(t, srv, tok, u, n, mp4).ExpectStatus(t, http.StatusOK)
			}
			srv.Post("/api/uploads/"+u.UploadID+"/complete", tok, nil).ExpectStatus(t, http.StatusOK)
			srv.Post("/api/releases/"+f.release+"/animated-artwork", tok, map[string]any{"upload_id": u.UploadID}).
				ExpectError(t, http.StatusRequestEntityTooLarge, "animated_artwork_too_large", "Animated artwork must be ≤50 MB.")
			srv.Delete("/api/uploads/"+u.UploadID, tok).ExpectStatus(t, http.StatusOK)
			expectNothingStored(t, srv)
		})
	})
}

// TestUploadsExpire leaves one upload open and one completed past their
// lifetime and checks that the expiry job removes rows, parts and files.
func TestUploadsExpire(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		f := newMediaFixture(t, srv, "Expiry Label")
		wav := mediatest.WAVBytes(44100, 16, 2, 44100)
		open := createUpload(t, srv, f.acct.Token, "audio", len(wav))
		putPart(t, srv, f.acct.Token, open, 1, wav).ExpectStatus(t, http.StatusOK)
		done := createUpload(t, srv, f.acct.Token, "audio", len(wav))
		putPart(t, srv, f.acct.Token, done, 1, wav).ExpectStatus(t, http.StatusOK)
		srv.Post("/api/uploads/"+done.UploadID+"/complete", f.acct.Token, nil).ExpectStatus(t, http.StatusOK)
		fresh := createUpload(t, srv, f.acct.Token, "audio", len(wav))

		n, err := srv.App.Media.ExpireUploads(context.Background(), time.Now())
		if err != nil || n != 0 {
			t.Fatalf("expired %d uploads before their time (err %v)", n, err)
		}
		// A day later, the two are gone; make the fresh one younger.
		if _, err := srv.DB.WriteDB().ExecContext(context.Background(), `UPDATE uploads SET expires_at = $1 WHERE uuid = $2`,
			time.Now().Add(48*time.Hour), fresh.UploadID); err != nil {
			t.Fatal(err)
		}
		n, err = srv.App.Media.ExpireUploads(context.Background(), time.Now().Add(25*time.Hour))
		if err != nil || n != 2 {
			t.Fatalf("expired %d uploads, want 2 (err %v)", n, err)
		}
		srv.Post("/api/uploads/"+done.UploadID+"/complete", f.acct.Token, nil).ExpectError(t, http.StatusNotFound, "upload_not_found", "Upload not found.")
		putPart(t, srv, f.acct.Token, open, 1, wav).ExpectError(t, http.StatusNotFound, "upload_not_found", "Upload not found.")
		if rows := countRows(t, srv, "uploads"); rows != 1 {
			t.Errorf("%d upload rows, want the fresh one", rows)
		}
		srv.Delete("/api/uploads/"+fresh.UploadID, f.acct.Token).ExpectStatus(t, http.StatusOK)
		expectNothingStored(t, srv)
	})
}

// TestUploadAttachedOnce attaches one completed upload to four tracks at
// once: exactly one attachment wins, the others find the upload gone.
func TestUploadAttachedOnce(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		f := newMediaFixture(t, srv, "Race Label")
		tracks := []string{f.track}
		for i := 0; i < 3; i++ {
			tracks = append(tracks, srv.Track(t, f.acct.Token, f.release, fmt.Sprintf("Take %d", i)).UUID)
		}
		wav := mediatest.WAVBytes(44100, 16, 2, 1000)
		u := createUpload(t, srv, f.acct.Token, "audio", len(wav))
		putPart(t, srv, f.acct.Token, u, 1, wav).ExpectStatus(t, http.StatusOK)
		srv.Post("/api/uploads/"+u.UploadID+"/complete", f.acct.Token, nil).ExpectStatus(t, http.StatusOK)
		statuses := make(chan int, len(tracks))
		for _, tr := range tracks {
			go func() {
				resp := srv.Post("/api/tracks/"+tr+"/audio", f.acct.Token, map[string]any{"upload_id": u.UploadID})
				if resp.Status != http.StatusOK && !strings.Contains(string(resp.Body), `"code":"upload_not_found"`) {
					t.Errorf("attach: %d %s", resp.Status, resp.Body)
				}
				statuses <- resp.Status
			}()
		}
		won := 0
		for range tracks {
			if <-statuses == http.StatusOK {
				won++
			}
		}
		if won != 1 {
			t.Errorf("%d attachments won, want 1", won)
		}
		if rows, files := countRows(t, srv, "media"), blobFiles(t, srv); rows != 1 || len(files) != 1 {
			t.Errorf("%d media rows and blobs %v, want 1 and 1", rows, files)
		}
	})
}

// TestUploadsExpireThroughTheJobQueue checks the wiring of the hourly job:
// run through the queue, it removes an abandoned upload's row and its
// parts on disk.
func TestUploadsExpireThroughTheJobQueue(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		f := newMediaFixture(t, srv, "Abandoning Label")
		wav := mediatest.WAVBytes(44100, 16, 2, 1000)
		u := createUpload(t, srv, f.acct.Token, "audio", len(wav))
		putPart(t, srv, f.acct.Token, u, 1, wav).ExpectStatus(t, http.StatusOK)
		if _, err := srv.DB.WriteDB().ExecContext(context.Background(), `UPDATE uploads SET expires_at = $1 WHERE uuid = $2`,
			time.Now().Add(-time.Minute), u.UploadID); err != nil {
			t.Fatal(err)
		}
		if err := srv.App.Queue.Insert(context.Background(), app.ExpireUploadsArgs{}); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(20 * time.Second)
		for countRows(t, srv, "uploads") != 0 || len(blobFiles(t, srv)) != 0 {
			if time.Now().After(deadline) {
				t.Fatalf("after 20 s: %d upload rows, files %v", countRows(t, srv, "uploads"), blobFiles(t, srv))
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}
