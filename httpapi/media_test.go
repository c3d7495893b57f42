package httpapi_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tonegrid/app/apptest"
	"tonegrid/media/mediatest"
)

// mediaData is the JSON of a stored file.
type mediaData struct {
	UUID        string         `json:"uuid"`
	Kind        string         `json:"kind"`
	Size        int64          `json:"size"`
	ContentType string         `json:"content_type"`
	MD5         string         `json:"md5"`
	SHA256      string         `json:"sha256"`
	Probe       map[string]any `json:"probe"`
}

// audioData is the JSON of a track's audio.
type audioData struct {
	MediaUUID  string `json:"media_uuid"`
	Format     string `json:"format"`
	SampleRate int    `json:"sample_rate"`
	BitDepth   int    `json:"bit_depth"`
	Channels   int    `json:"channels"`
	DurationMS int64  `json:"duration_ms"`
	Size       int64  `json:"size"`
	MD5        string `json:"md5"`
	SHA256     string `json:"sha256"`
}

// artworkData is the JSON of a release's artwork.
type artworkData struct {
	MediaUUID  string   `json:"media_uuid"`
	Format     string   `json:"format"`
	Width      int      `json:"width"`
	Height     int      `json:"height"`
	ColorModel string   `json:"color_model"`
	Size       int64    `json:"size"`
	MD5        string   `json:"md5"`
	SHA256     string   `json:"sha256"`
	Warnings   []string `json:"warnings"`
}

// uploadData is the JSON of a resumable upload.
type uploadData struct {
	UploadID    string         `json:"upload_id"`
	Kind        string         `json:"kind"`
	Size        int64          `json:"size"`
	PartSize    int64          `json:"part_size"`
	Parts       int            `json:"parts"`
	Status      string         `json:"status"`
	ContentType string         `json:"content_type"`
	MD5         string         `json:"md5"`
	SHA256      string         `json:"sha256"`
	Probe       map[string]any `json:"probe"`
}

// mediaFixture is a label with a draft release and one track.
type mediaFixture struct {
	acct    *apptest.Account
	release string
	track   string
}

func newMediaFixture(t *testing.T, srv *apptest.Server, name string) mediaFixture {
	t.Helper()
	a := srv.Label(t, name)
	artist := srv.Artist(t, a.Token, name+" Artist")
	rel := srv.Release(t, a.Token, artist, nil)
	tr := srv.Track(t, a.Token, rel.UUID, "Song")
	return mediaFixture{acct: a, release: rel.UUID, track: tr.UUID}
}

// multipartFile is a multipart body with the file in field (and a title
// field before it), and its Content-Type.
func multipartFile(t *testing.T, field string, data []byte) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if err := mw.WriteField("title", "ignored"); err != nil {
		t.Fatal(err)
	}
	if field != "" {
		fw, err := mw.CreateFormFile(field, "claimed-name.wav")
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), mw.FormDataContentType()
}

// streamFile is multipartFile for a file read from r, streamed (chunked,
// no Content-Length).
func streamFile(field string, r io.Reader) (io.Reader, string) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		fw, err := mw.CreateFormFile(field, "big.bin")
		if err == nil {
			_, err = io.Copy(fw, r)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	return pr, mw.FormDataContentType()
}

func postFile(t *testing.T, srv *apptest.Server, path, token, field string, data []byte) *apptest.Response {
	t.Helper()
	body, ct := multipartFile(t, field, data)
	return srv.Do(apptest.Request{Method: http.MethodPost, Path: path, Token: token, Body: body,
		Header: http.Header{"Content-Type": {ct}}})
}

// blobFiles lists every file in the server's blob directory: objects,
// writes in progress and multipart parts.
func blobFiles(t *testing.T, srv *apptest.Server) []string {
	t.Helper()
	var out []string
	root := filepath.Join(srv.App.Config.DataDir, "blobs")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			out = append(out, strings.TrimPrefix(path, root))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func countRows(t *testing.T, srv *apptest.Server, table string) int {
	t.Helper()
	var n int
	if err := srv.DB.WriteDB().QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// expectNothingStored checks that no media row, no upload row and no blob
// file exist.
func expectNothingStored(t *testing.T, srv *apptest.Server) {
	t.Helper()
	if n := countRows(t, srv, "media"); n != 0 {
		t.Errorf("%d media rows, want none", n)
	}
	if n := countRows(t, srv, "uploads"); n != 0 {
		t.Errorf("%d upload rows, want none", n)
	}
	if files := blobFiles(t, srv); len(files) != 0 {
		t.Errorf("blob files left: %v", files)
	}
}

func hashes(b []byte) (string, string) {
	m := md5.Sum(b)
	s := sha256.Sum256(b)
	return hex.EncodeToString(m[:]), hex.EncodeToString(s[:])
}

// TestTrackAudioProbesEveryFormat uploads a generated file of each audio
// format and checks the probed description, the hashes, the stored bytes,
// and that each replacement deletes the previous file.
func TestTrackAudioProbesEveryFormat(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		f := newMediaFixture(t, srv, "Probe Label")
		tests := []struct {
			name string
			data []byte
			want audioData
		}{
			{"wav", mediatest.WAVBytes(48000, 24, 2, 48000*2), audioData{Format: "wav", SampleRate: 48000, BitDepth: 24, Channels: 2, DurationMS: 2000}},
			{"rf64", mediatest.RF64(96000, 24, 2, 48000), audioData{Format: "rf64", SampleRate: 96000, BitDepth: 24, Channels: 2, DurationMS: 500}},
			{"aiff", mediatest.AIFF(44100, 16, 2, 44100), audioData{Format: "aiff", SampleRate: 44100, BitDepth: 16, Channels: 2, DurationMS: 1000}},
			{"flac", mediatest.FLAC(96000, 24, 2, 96000*3), audioData{Format: "flac", SampleRate: 96000, BitDepth: 24, Channels: 2, DurationMS: 3000}},
			{"mp3", mediatest.MP3(100), audioData{Format: "mp3", SampleRate: 44100, Channels: 2, DurationMS: 2612}},
			{"adts", mediatest.ADTS(100), audioData{Format: "aac", SampleRate: 44100, Channels: 2, DurationMS: 2321}},
			{"m4a", mediatest.M4A(5000), audioData{Format: "m4a", SampleRate: 44100, Channels: 2, DurationMS: 5000}},
		}
		previous := ""
		for _, tt := range tests {
			var tr struct {
				Audio *audioData `json:"audio"`
			}
			postFile(t, srv, "/api/tracks/"+f.track+"/audio", f.acct.Token, "audio", tt.data).Data(t, http.StatusOK, &tr)
			if tr.Audio == nil {
				t.Fatalf("%s: no audio on the track", tt.name)
			}
			got := *tr.Audio
			want := tt.want
			want.MediaUUID, want.Size = got.MediaUUID, int64(len(tt.data))
			want.MD5, want.SHA256 = hashes(tt.data)
			if got != want || got.MediaUUID == "" {
				t.Errorf("%s: got %+v\nwant %+v", tt.name, got, want)
			}
			dl := srv.Get("/api/media/"+got.MediaUUID+"/download", f.acct.Token)
			dl.ExpectStatus(t, http.StatusOK)
			if !bytes.Equal(dl.Body, tt.data) {
				t.Errorf("%s: downloaded %d bytes differ from the %d uploaded", tt.name, len(dl.Body), len(tt.data))
			}
			if previous != "" {
				srv.Get("/api/media/"+previous+"/download", f.acct.Token).ExpectError(t, http.StatusNotFound, "media_not_found", "Media not found.")
			}
			if files, rows := blobFiles(t, srv), countRows(t, srv, "media"); len(files) != 1 || rows != 1 {
				t.Errorf("%s: after replacement %d blobs (%v) and %d media rows, want 1 and 1", tt.name, len(files), files, rows)
			}
			previous = got.MediaUUID
		}
		var tr struct {
			Audio *audioData `json:"audio"`
		}
		srv.Get("/api/tracks/"+f.track, f.acct.Token).Data(t, http.StatusOK, &tr)
		if tr.Audio == nil || tr.Audio.MediaUUID != previous {
			t.Errorf("track audio after the uploads: %+v, want media %s", tr.Audio, previous)
		}
	})
}

// TestTrackAudioErrors provokes every error of the audio upload route and
// checks that none leaves a media row or a blob behind.
func TestTrackAudioErrors(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		f := newMediaFixture(t, srv, "Error Label")
		other := newMediaFixture(t, srv, "Other Label")
		path := "/api/tracks/" + f.track + "/audio"
		wav := mediatest.WAVBytes(44100, 16, 2, 4410)

		t.Run("no file part", func(t *testing.T) {
			postFile(t, srv, path, f.acct.Token, "", nil).ExpectError(t, http.StatusUnprocessableEntity, "audio_missing", "No audio file provided.")
			postFile(t, srv, path, f.acct.Token, "image", wav).ExpectError(t, http.StatusUnprocessableEntity, "audio_missing", "No audio file provided.")
			srv.Post(path, f.acct.Token, map[string]any{}).ExpectError(t, http.StatusUnprocessableEntity, "audio_missing", "No audio file provided.")
			srv.Do(apptest.Request{Method: http.MethodPost, Path: path, Token: f.acct.Token, Body: wav,
				Header: http.Header{"Content-Type": {"audio/wav"}}}).ExpectError(t, http.StatusUnprocessableEntity, "audio_missing", "No audio file provided.")
		})
		t.Run("sniffed type not audio", func(t *testing.T) {
			for _, c := range []struct {
				data []byte
				mime string
			}{
				{[]byte("just some text, named song.wav by the client"), "text/plain"},
				{mediatest.PNG(8, 8), "image/png"},
				{mediatest.MP4Video(320, 240, 1000, 10), "video/mp4"},
				{[]byte("%PDF-1.7\n%âãÏÓ\n1 0 obj"), "application/pdf"},
			} {
				postFile(t, srv, path, f.acct.Token, "audio", c.data).ExpectError(t, http.StatusUnsupportedMediaType,
					"unsupported_media_type", "File type '"+c.mime+"' is not allowed for audio uploads.")
			}
		})
		t.Run("malformed audio", func(t *testing.T) {
			e := postFile(t, srv, path, f.acct.Token, "audio", wav[:30]).ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
			if len(e.Errors["file"]) != 1 || !strings.Contains(e.Errors["file"][0], "audio/wav") {
				t.Errorf("errors %v, want one on file naming audio/wav", e.Errors)
			}
		})
		t.Run("declared length over 1 GB", func(t *testing.T) {
			status, body := rawRequest(t, srv, fmt.Sprintf("POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"+
				"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: %d\r\n\r\n--b\r\n", path, f.acct.Token, int64(1<<30)+2<<20))
			if status != http.StatusRequestEntityTooLarge || !strings.Contains(body, `"error":"File exceeds the maximum allowed size of 1024 MB."`) ||
				!strings.Contains(body, `"code":"file_too_large"`) {
				t.Errorf("got %d %s", status, body)
			}
		})
		t.Run("body cut short", func(t *testing.T) {
			body, ct := multipartFile(t, "audio", wav)
			cut := io.MultiReader(bytes.NewReader(body[:len(body)/2]))
			srv.Do(apptest.Request{Method: http.MethodPost, Path: path, Token: f.acct.Token, Body: cut,
				Header: http.Header{"Content-Type": {ct}}}).ExpectError(t, http.StatusBadRequest, "upload_incomplete", "The upload ended before the file was complete.")
		})
		t.Run("other tenant's track", func(t *testing.T) {
			postFile(t, srv, "/api/tracks/"+other.track+"/audio", f.acct.Token, "audio", wav).
				ExpectError(t, http.StatusNotFound, "track_not_found", "Track not found.")
		})
		t.Run("unknown upload id", func(t *testing.T) {
			srv.Post(path, f.acct.Token, map[string]any{"upload_id": "0190a0a0-0000-7000-8000-000000000000"}).
				ExpectError(t, http.StatusNotFound, "upload_not_found", "Upload not found.")
			srv.Post(path, f.acct.Token, map[string]any{"upload_id": "nope"}).
				ExpectError(t, http.StatusNotFound, "upload_not_found", "Upload not found.")
		})
		expectNothingStored(t, srv)

		t.Run("Idempotency-Key does not replay uploads", func(t *testing.T) {
			body, ct := multipartFile(t, "audio", wav)
			h := http.Header{"Content-Type": {ct}, "Idempotency-Key": {"same-key"}}
			var first, second struct {
				Audio audioData `json:"audio"`
			}
			one := srv.Do(apptest.Request{Method: http.MethodPost, Path: path, Token: f.acct.Token, Body: body, Header: h})
			one.Data(t, http.StatusOK, &first)
			two := srv.Do(apptest.Request{Method: http.MethodPost, Path: path, Token: f.acct.Token, Body: body, Header: h})
			two.Data(t, http.StatusOK, &second)
			if two.Header.Get("Idempotent-Replayed") != "" || first.Audio.MediaUUID == second.Audio.MediaUUID {
				t.Errorf("second upload replayed: %+v / %+v", first.Audio, second.Audio)
			}
			if n := len(blobFiles(t, srv)); n != 1 {
				t.Errorf("%d blobs after two uploads, want 1 (the first replaced)", n)
			}
		})
	})
}

// rawRequest writes head on a fresh connection and reads one response.
func rawRequest(t *testing.T, srv *apptest.Server, head string) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestUploadClientDisconnects sends part of a multipart audio body on a raw
// connection, waits until the server is writing it to storage, hangs up,
// and checks that the write is undone: no media row, no blob.
func TestUploadClientDisconnects(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		f := newMediaFixture(t, srv, "Hangup Label")
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		const declared = 200 << 20
		head := fmt.Sprintf("POST /api/tracks/%s/audio HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"+
			"Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: %d\r\n\r\n", f.track, f.acct.Token, declared)
		part := "--XyZ\r\n" +
			"Content-Disposition: form-data; name=\"audio\"; filename=\"a.wav\"\r\nContent-Type: audio/wav\r\n\r\n"
		wav, _ := mediatest.WAV(44100, 16, 2, 50<<20)
		if _, err := io.WriteString(conn, head+part); err != nil {
			t.Fatal(err)
		}
		if _, err := io.CopyN(conn, wav, 8<<20); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(20 * time.Second)
		for len(blobFiles(t, srv)) == 0 {
			if time.Now().After(deadline) {
				t.Fatal("the server never started writing the upload")
			}
			time.Sleep(10 * time.Millisecond)
		}
		conn.Close()
		for {
			files := blobFiles(t, srv)
			if len(files) == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("blob files left after the client hung up: %v", files)
			}
			time.Sleep(20 * time.Millisecond)
		}
		expectNothingStored(t, srv)
		var tr struct {
			Audio *audioData `json:"audio"`
		}
		srv.Get("/api/tracks/"+f.track, f.acct.Token).Data(t, http.StatusOK, &tr)
		if tr.Audio != nil {
			t.Errorf("track has audio %+v after an aborted upload", tr.Audio)
		}
	})
}

// TestReleaseArtwork uploads artwork, checks dimensions and store warnings,
// and provokes the route's errors.
func TestReleaseArtwork(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		f := newMediaFixture(t, srv, "Art Label")
		other := newMediaFixture(t, srv, "Other Art Label")
		path := "/api/releases/" + f.release + "/artwork"

		jpg := mediatest.JPEG(3000, 3000)
		var rel struct {
			Artwork *artworkData `json:"artwork"`
		}
		postFile(t, srv, path, f.acct.Token, "image", jpg).Data(t, http.StatusOK, &rel)
		md, sha := hashes(jpg)
		if a := rel.Artwork; a == nil || a.Format != "jpeg" || a.Width != 3000 || a.Height != 3000 || a.ColorModel != "RGB" ||
			len(a.Warnings) != 0 || a.MD5 != md || a.SHA256 != sha || a.Size != int64(len(jpg)) {
			t.Fatalf("artwork %+v", rel.Artwork)
		}
		first := rel.Artwork.MediaUUID

		gray := mediatest.GrayPNG(1200, 800)
		postFile(t, srv, path, f.acct.Token, "image", gray).Data(t, http.StatusOK, &rel)
		want := []string{
			"Artwork is not square; stores require a 1:1 image.",
			"Artwork is smaller than 3000×3000 px; most stores require at least 3000 px.",
			"Artwork is not RGB; stores require an RGB image.",
		}
		if a := rel.Artwork; a.Format != "png" || a.Width != 1200 || a.Height != 800 || a.ColorModel != "Gray" || strings.Join(a.Warnings, "|") != strings.Join(want, "|") {
			t.Errorf("artwork %+v", a)
		}
		srv.Get("/api/media/"+first+"/download", f.acct.Token).ExpectError(t, http.StatusNotFound, "media_not_found", "Media not found.")
		if n := len(blobFiles(t, srv)); n != 1 {
			t.Errorf("%d blobs after replacing the artwork, want 1", n)
		}

		for _, c := range []struct {
			data   []byte
			format string
			w, h   int
			model  string
		}{
			{mediatest.TIFF(3000, 3000), "tiff", 3000, 3000, "RGBA"},
			{mediatest.WebP(3200, 3200), "webp", 3200, 3200, "RGB"},
			{mediatest.PNG(3000, 3000), "png", 3000, 3000, "RGB"},
		} {
			postFile(t, srv, path, f.acct.Token, "image", c.data).Data(t, http.StatusOK, &rel)
			if a := rel.Artwork; a.Format != c.format || a.Width != c.w || a.Height != c.h || a.ColorModel != c.model || len(a.Warnings) != 0 {
				t.Errorf("%s artwork %+v", c.format, a)
			}
		}
		postFile(t, srv, path, f.acct.Token, "image", mediatest.WAVBytes(44100, 16, 1, 100)).
			ExpectError(t, http.StatusUnsupportedMediaType, "unsupported_media_type", "File type 'audio/wav' is not allowed for image uploads.")
		postFile(t, srv, path, f.acct.Token, "image", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;")).
			ExpectError(t, http.StatusUnsupportedMediaType, "unsupported_media_type", "File type 'image/gif' is not allowed for image uploads.")
		e := postFile(t, srv, path, f.acct.Token, "audio", jpg).ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		if len(e.Errors["image"]) != 1 {
			t.Errorf("errors %v, want one on image", e.Errors)
		}
		postFile(t, srv, "/api/releases/"+other.release+"/artwork", f.acct.Token, "image", jpg).
			ExpectError(t, http.StatusNotFound, "release_not_found", "Release not found.")

		// Past 50 MB while streaming (no Content-Length): refused once the
		// limit is crossed, and the partial file is gone.
		big := io.MultiReader(bytes.NewReader(mediatest.PNG(16, 16)), io.LimitReader(zeroReader{}, 51<<20))
		body, ct := streamFile("image", big)
		srv.Do(apptest.Request{Method: http.MethodPost, Path: path, Token: f.acct.Token, Body: body,
			Header: http.Header{"Content-Type": {ct}}}).ExpectError(t, http.StatusRequestEntityTooLarge, "file_too_large", "File exceeds the maximum allowed size of 50 MB.")
		if files := blobFiles(t, srv); len(files) != 1 || countRows(t, srv, "media") != 1 {
			t.Errorf("after a too-large upload: blobs %v, want only the current artwork", files)
		}
	})
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestReleaseVideos uploads animated artwork (replaced by the next one) and
// music videos, and provokes their errors.
func TestReleaseVideos(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		f := newMediaFixture(t, srv, "Video Label")
		other := newMediaFixture(t, srv, "Other Video Label")
		animated := "/api/releases/" + f.release + "/animated-artwork"
		videos := "/api/releases/" + f.release + "/videos"

		var v struct {
			Kind  string    `json:"kind"`
			Media mediaData `json:"media"`
		}
		mp4 := mediatest.MP4Video(1080, 1080, 6000, 1000)
		postFile(t, srv, animated, f.acct.Token, "video", mp4).Data(t, http.StatusCreated, &v)
		if v.Kind != "animated_artwork" || v.Media.ContentType != "video/mp4" || v.Media.Size != int64(len(mp4)) ||
			v.Media.Probe["width"] != float64(1080) || v.Media.Probe["duration_ms"] != float64(6000) || v.Media.Probe["video_codec"] != "avc1" {
			t.Errorf("animated artwork %+v", v)
		}
		first := v.Media.UUID
		postFile(t, srv, animated, f.acct.Token, "video", mediatest.QuickTime(720, 720, 3000)).Data(t, http.StatusCreated, &v)
		if v.Media.ContentType != "video/quicktime" || v.Media.Probe["container"] != "mov" {
			t.Errorf("animated artwork %+v", v)
		}
		srv.Get("/api/media/"+first+"/download", f.acct.Token).ExpectError(t, http.StatusNotFound, "media_not_found", "Media not found.")

		postFile(t, srv, videos, f.acct.Token, "video", mediatest.MP4Video(1920, 1080, 200000, 4096)).Data(t, http.StatusCreated, &v)
		if v.Kind != "video" || v.Media.Probe["height"] != float64(1080) || v.Media.Probe["audio_codec"] != "mp4a" {
			t.Errorf("video %+v", v)
		}
		postFile(t, srv, videos, f.acct.Token, "video", mediatest.MP4Video(1280, 720, 1000, 10)).Data(t, http.StatusCreated, &v)
		if rows, files := countRows(t, srv, "release_videos"), len(blobFiles(t, srv)); rows != 3 || files != 3 {
			t.Errorf("%d release videos and %d blobs, want 3 and 3", rows, files)
		}

		postFile(t, srv, videos, f.acct.Token, "video", mediatest.WAVBytes(44100, 16, 2, 10)).
			ExpectError(t, http.StatusUnsupportedMediaType, "unsupported_media_type", "File type 'audio/wav' is not allowed for video uploads.")
		postFile(t, srv, animated, f.acct.Token, "video", mediatest.M4A(1000)).
			ExpectError(t, http.StatusUnsupportedMediaType, "unsupported_media_type", "File type 'audio/mp4' is not allowed for video uploads.")
		e := postFile(t, srv, videos, f.acct.Token, "image", mp4).ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		if len(e.Errors["video"]) != 1 {
			t.Errorf("errors %v, want one on video", e.Errors)
		}
		postFile(t, srv, "/api/releases/"+other.release+"/videos", f.acct.Token, "video", mp4).
			ExpectError(t, http.StatusNotFound, "release_not_found", "Release not found.")

		big := io.MultiReader(bytes.NewReader(mediatest.MP4Video(1080, 1080, 1000, 0)), io.LimitReader(zeroReader{}, 51<<20))
		body, ct := streamFile("video", big)
		srv.Do(apptest.Request{Method: http.MethodPost, Path: animated, Token: f.acct.Token, Body: body,
			Header: http.Header{"Content-Type": {ct}}}).ExpectError(t, http.StatusRequestEntityTooLarge, "animated_artwork_too_large", "Animated artwork must be ≤50 MB.")
		status, resp := rawRequest(t, srv, fmt.Sprintf("POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"+
			"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: %d\r\n\r\n", videos, f.acct.Token, int64(6)<<30))
		if status != http.StatusRequestEntityTooLarge || !strings.Contains(resp, "File exceeds the maximum allowed size of 5120 MB.") {
			t.Errorf("6 GB video: %d %s", status, resp)
		}
		if rows, files := countRows(t, srv, "media"), len(blobFiles(t, srv)); rows != 3 || files != 3 {
			t.Errorf("after the errors: %d media rows and %d blobs, want 3 and 3", rows, files)
		}
	})
}

// TestMediaDownloadRanges serves a stored file whole, in ranges, and
// refuses other tenants.
func TestMediaDownloadRanges(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		f := newMediaFixture(t, srv, "Download Label")
		other := newMediaFixture(t, srv, "Other Download Label")
		wav := mediatest.WAVBytes(44100, 16, 2, 44100)
		var tr struct {
			Audio audioData `json:"audio"`
		}
		postFile(t, srv, "/api/tracks/"+f.track+"/audio", f.acct.Token, "audio", wav).Data(t, http.StatusOK, &tr)
		path := "/api/media/" + tr.Audio.MediaUUID + "/download"

		whole := srv.Get(path, f.acct.Token)
		whole.ExpectStatus(t, http.StatusOK)
		if !bytes.Equal(whole.Body, wav) || whole.Header.Get("Content-Type") != "audio/wav" || whole.Header.Get("Accept-Ranges") != "bytes" ||
			!strings.Contains(whole.Header.Get("Content-Disposition"), tr.Audio.MediaUUID+".wav") || whole.Header.Get("ETag") != `"`+tr.Audio.SHA256+`"` {
			t.Errorf("whole download: %d bytes, headers %v", len(whole.Body), whole.Header)
		}
		part := srv.Do(apptest.Request{Method: http.MethodGet, Path: path, Token: f.acct.Token, Header: http.Header{"Range": {"bytes=100-1123"}}})
		part.ExpectStatus(t, http.StatusPartialContent)
		if !bytes.Equal(part.Body, wav[100:1124]) || part.Header.Get("Content-Range") != fmt.Sprintf("bytes 100-1123/%d", len(wav)) {
			t.Errorf("range: %d bytes, Content-Range %q", len(part.Body), part.Header.Get("Content-Range"))
		}
		tail := srv.Do(apptest.Request{Method: http.MethodGet, Path: path, Token: f.acct.Token, Header: http.Header{"Range": {"bytes=-10"}}})
		tail.ExpectStatus(t, http.StatusPartialContent)
		if !bytes.Equal(tail.Body, wav[len(wav)-10:]) {
			t.Errorf("suffix range: %x", tail.Body)
		}
		multi := srv.Do(apptest.Request{Method: http.MethodGet, Path: path, Token: f.acct.Token, Header: http.Header{"Range": {"bytes=0-3,8-11"}}})
		multi.ExpectStatus(t, http.StatusPartialContent)
		if !strings.HasPrefix(multi.Header.Get("Content-Type"), "multipart/byteranges") || !bytes.Contains(multi.Body, []byte("RIFF")) || !bytes.Contains(multi.Body, []byte("WAVE")) {
			t.Errorf("multiple ranges: %s", multi.Header.Get("Content-Type"))
		}
		srv.Do(apptest.Request{Method: http.MethodGet, Path: path, Token: f.acct.Token, Header: http.Header{"Range": {fmt.Sprintf("bytes=%d-", len(wav)+10)}}}).
			ExpectStatus(t, http.StatusRequestedRangeNotSatisfiable)

		srv.Get(path, other.acct.Token).ExpectError(t, http.StatusNotFound, "media_not_found", "Media not found.")
		srv.Get("/api/media/not-a-uuid/download", f.acct.Token).ExpectError(t, http.StatusNotFound, "media_not_found", "Media not found.")
	})
}

// TestUploadRefusedByTheDatabase uploads to a track and a release that can
// no longer be edited: the file was stored before the database refused it,
// and is removed.
func TestUploadRefusedByTheDatabase(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		a := srv.Label(t, "Locked Label")
		artist := srv.Artist(t, a.Token, "Locked Artist")
		rel, tracks := srv.SubmittableRelease(t, a.Token, artist, 1)
		srv.Post("/api/releases/"+rel.UUID+"/submit", a.Token, nil).ExpectStatus(t, http.StatusOK)
		postFile(t, srv, "/api/tracks/"+tracks[0].UUID+"/audio", a.Token, "audio", mediatest.WAVBytes(44100, 16, 2, 100)).
			ExpectError(t, http.StatusConflict, "release_not_editable", "Only draft or rejected releases can be edited.")
		postFile(t, srv, "/api/releases/"+rel.UUID+"/artwork", a.Token, "image", mediatest.JPEG(100, 100)).
			ExpectError(t, http.StatusConflict, "release_not_editable", "Only draft or rejected releases can be edited.")
		postFile(t, srv, "/api/releases/"+rel.UUID+"/videos", a.Token, "video", mediatest.MP4Video(640, 360, 1000, 10)).
			ExpectError(t, http.StatusConflict, "release_not_editable", "Only draft or rejected releases can be edited.")
		expectNothingStored(t, srv)
	})
}
