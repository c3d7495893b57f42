package httpapi_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"testing"

	"tonegrid/app/apptest"
	"tonegrid/media/mediatest"
	"tonegrid/sqlstore"
)

// BenchmarkAudioUpload posts a 64 MiB WAV as multipart to
// /tracks/:uuid/audio over loopback (SQLite, local blob store): the whole
// streaming path of sniffing, hashing, probing, writing and syncing.
func BenchmarkAudioUpload(b *testing.B) {
	srv := apptest.New(b, sqlstore.SQLite)
	a := srv.Label(b, "Bench Label")
	artist := srv.Artist(b, a.Token, "Bench Artist")
	rel := srv.Release(b, a.Token, artist, nil)
	tr := srv.Track(b, a.Token, rel.UUID, "Long take")
	wav := mediatest.WAVBytes(44100, 16, 2, 16<<20)
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	mw.CreateFormFile("audio", "a.wav")
	tail := "\r\n--" + mw.Boundary() + "--\r\n"
	client := &http.Client{Transport: &http.Transport{WriteBufferSize: 1 << 20}}
	b.SetBytes(int64(len(wav)))
	b.ResetTimer()
	for range b.N {
		body := io.MultiReader(bytes.NewReader(head.Bytes()), bytes.NewReader(wav), bytes.NewReader([]byte(tail)))
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL+"/api/tracks/"+tr.UUID+"/audio", body)
		req.ContentLength = int64(head.Len() + len(wav) + len(tail))
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+a.Token)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}
