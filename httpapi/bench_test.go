package httpapi_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"tonegrid"
	"tonegrid/app/apptest"
)

// BenchmarkHealthChain is GET /api/health through the whole middleware chain
// in process (no network), on SQLite; cmd/tgbench measures it over loopback.
func BenchmarkHealthChain(b *testing.B) {
	srv := apptest.New(b, "sqlite")
	h := srv.App.Handler
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/health", nil))
	}
}

// BenchmarkReleaseGet is GET /api/releases/:uuid (12 tracks with audio and
// credits) with an access JWT through the whole chain, in process, on
// SQLite.
func BenchmarkReleaseGet(b *testing.B) {
	srv := apptest.New(b, "sqlite")
	label := srv.Label(b, "Bench Label")
	artist := srv.Artist(b, label.Token, "Bench Artist")
	rel, _ := srv.SubmittableRelease(b, label.Token, artist, 12)
	h := srv.App.Handler
	req := httptest.NewRequest("GET", "/api/releases/"+rel.UUID, nil)
	req.Header.Set("Authorization", "Bearer "+label.Token)
	b.ReportAllocs()
	size := 0
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		size = rec.Body.Len()
	}
	b.ReportMetric(float64(size), "body-bytes")
}

// BenchmarkReleaseList is GET /api/releases?per_page=100 with 10 000
// releases in the tenant, in process, on SQLite (b.Loop: the releases are
// created once).
func BenchmarkReleaseList(b *testing.B) {
	srv := apptest.New(b, "sqlite")
	label := srv.Label(b, "Bench Label")
	p := srv.Principal(b, label)
	artist, err := srv.DB.CreateArtist(context.Background(), p, tonegrid.ArtistInput{Name: "Bench Artist"})
	if err != nil {
		b.Fatal(err)
	}
	date := tonegrid.DateOf(time.Now().AddDate(0, 1, 0))
	for i := 0; i < 10000; i++ {
		if _, err := srv.DB.CreateRelease(context.Background(), p, tonegrid.ReleaseInput{
			Title: fmt.Sprintf("Bench Release %d", i), Type: tonegrid.ReleaseTypeAlbum, Genre: "Jazz", Language: "en",
			Artists: []tonegrid.ArtistCredit{{ArtistUUID: artist.UUID, Role: tonegrid.ArtistPrimary}}, ReleaseDate: &date,
			PLine: &tonegrid.Line{Year: 2026, Holder: "Bench"}, CLine: &tonegrid.Line{Year: 2026, Holder: "Bench"},
		}); err != nil {
			b.Fatal(err)
		}
	}
	h := srv.App.Handler
	req := httptest.NewRequest("GET", "/api/releases?per_page=100", nil)
	req.Header.Set("Authorization", "Bearer "+label.Token)
	b.ReportAllocs()
	size := 0
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		size = rec.Body.Len()
	}
	b.ReportMetric(float64(size), "body-bytes")
}
