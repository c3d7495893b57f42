package httpapi_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"tonegrid/app"
	"tonegrid/app/apptest"
	"tonegrid/media/mediatest"
	"tonegrid/sqlstore/sqltest"
)

// fakeS3URL starts an in-memory S3 server with one bucket and returns the
// storage URL of that bucket and the backend, to look at it directly.
func fakeS3URL(t *testing.T) (string, *s3mem.Backend) {
	t.Helper()
	mem := s3mem.New()
	if err := mem.CreateBucket("media"); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(gofakes3.New(mem, gofakes3.WithLogger(gofakes3.DiscardLog())).Server())
	t.Cleanup(ts.Close)
	q := url.Values{"endpoint": {strings.TrimPrefix(ts.URL, "http://")}, "region": {"us-east-1"}, "secure": {"false"}, "path_style": {"true"}}
	u := url.URL{Scheme: "s3", User: url.UserPassword("AKIATEST", "secret"), Host: "media", RawQuery: q.Encode()}
	return u.String(), mem
}

// s3Objects counts the objects in the fake bucket.
func s3Objects(t *testing.T, mem *s3mem.Backend) int {
	t.Helper()
	res, err := mem.ListBucket("media", nil, gofakes3.ListBucketPage{})
	if err != nil {
		t.Fatal(err)
	}
	return len(res.Contents)
}

// TestMediaOnS3 runs uploads against S3 storage: a streamed upload, a
// resumable upload assembled by S3 multipart, the replaced file removed,
// a refused file leaving no object, and downloads redirected to signed URLs.
func TestMediaOnS3(t *testing.T) {
	for _, d := range sqltest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			storeURL, mem := fakeS3URL(t)
			srv := apptest.New(t, d, apptest.WithConfig(func(c *app.Config) { c.StorageURL = storeURL }))
			f := newMediaFixture(t, srv, "S3 Label")
			var tr struct {
				Audio audioData `json:"audio"`
			}
			small := mediatest.WAVBytes(44100, 16, 2, 1000)
			postFile(t, srv, "/api/tracks/"+f.track+"/audio", f.acct.Token, "audio", small).Data(t, http.StatusOK, &tr)
			first := tr.Audio.MediaUUID

			wav := mediatest.WAVBytes(44100, 24, 2, 2_500_000)
			u := createUpload(t, srv, f.acct.Token, "audio", len(wav))
			for _, n := range []int{2, 1} {
				putPart(t, srv, f.acct.Token, u, n, wav).ExpectStatus(t, http.StatusOK)
			}
			srv.Post("/api/uploads/"+u.UploadID+"/complete", f.acct.Token, nil).ExpectStatus(t, http.StatusOK)
			srv.Post("/api/tracks/"+f.track+"/audio", f.acct.Token, map[string]any{"upload_id": u.UploadID}).Data(t, http.StatusOK, &tr)
			if tr.Audio.BitDepth != 24 || tr.Audio.Size != int64(len(wav)) {
				t.Errorf("audio %+v", tr.Audio)
			}
			if n := s3Objects(t, mem); n != 1 {
				t.Errorf("%d objects in the bucket, want 1 (the first audio replaced)", n)
			}
			postFile(t, srv, "/api/tracks/"+f.track+"/audio", f.acct.Token, "audio", []byte("plain text")).
				ExpectError(t, http.StatusUnsupportedMediaType, "unsupported_media_type", "File type 'text/plain' is not allowed for audio uploads.")
			if n := s3Objects(t, mem); n != 1 {
				t.Errorf("%d objects after a refused upload, want 1", n)
			}

			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL+"/api/media/"+tr.Audio.MediaUUID+"/download", nil)
			req.Header.Set("Authorization", "Bearer "+f.acct.Token)
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			loc := resp.Header.Get("Location")
			if resp.StatusCode != http.StatusFound || !strings.Contains(loc, "X-Amz-Signature=") {
				t.Fatalf("download: %d to %q, want 302 to a signed URL", resp.StatusCode, loc)
			}
			signed, err := http.Get(loc)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(signed.Body)
			signed.Body.Close()
			if signed.StatusCode != http.StatusOK || !bytes.Equal(body, wav) {
				t.Errorf("signed URL: %d, %d bytes", signed.StatusCode, len(body))
			}
			srv.Get("/api/media/"+first+"/download", f.acct.Token).ExpectError(t, http.StatusNotFound, "media_not_found", "Media not found.")
		})
	}
}
