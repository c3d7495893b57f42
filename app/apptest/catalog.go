package apptest

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"tonegrid"
	"tonegrid/ident"
)

// Object is the uuid and row version of a created catalog object.
type Object struct {
	UUID       string `json:"uuid"`
	RowVersion int64  `json:"row_version"`
}

// codeSeq numbers the identifiers tests make, from a random start so that
// test binaries running side by side rarely share one.
var codeSeq = func() *atomic.Int64 {
	var n atomic.Int64
	n.Store(rand.Int64N(1 << 40))
	return &n
}()

// UniqueISRC returns an ISRC no other test of this binary uses (registrant
// TGT, year 26; 100 000 before they repeat).
func UniqueISRC() string {
	return fmt.Sprintf("US-TGT-26-%05d", codeSeq.Add(1)%100000)
}

// UniqueUPC returns a valid UPC-A no other test of this binary uses.
func UniqueUPC() string {
	body := fmt.Sprintf("8%010d", codeSeq.Add(1)%10000000000)
	c, err := ident.CheckDigit(body)
	if err != nil {
		panic(err)
	}
	return body + string(c)
}

// Artist creates an artist named name and returns its uuid.
func (s *Server) Artist(t testing.TB, token, name string) string {
	t.Helper()
	var a Object
	s.Post("/api/artists", token, map[string]any{"name": name}).Data(t, http.StatusCreated, &a)
	return a.UUID
}

// Payee creates a payee and returns its uuid.
func (s *Server) Payee(t testing.TB, token, name string) string {
	t.Helper()
	var y Object
	s.Post("/api/payees", token, map[string]any{"name": name, "email": UniqueEmail("payee"), "currency": "EUR"}).
		Data(t, http.StatusCreated, &y)
	return y.UUID
}

// ReleaseBody is a valid release body crediting artistUUID, with a release
// date 30 days ahead; extra fields override its members.
func ReleaseBody(artistUUID string, extra map[string]any) map[string]any {
	body := map[string]any{
		"title": "Blue Hour", "type": "album", "artist_uuid": artistUUID, "genre": "Jazz", "language": "en",
		"release_date": time.Now().UTC().AddDate(0, 0, 30).Format(time.DateOnly),
		"p_line":       map[string]any{"year": 2026, "holder": "Night Owl Records"},
		"c_line":       map[string]any{"year": 2026, "holder": "Night Owl Records"},
	}
	for k, v := range extra {
		body[k] = v
	}
	return body
}

// Release creates a release from ReleaseBody and returns it.
func (s *Server) Release(t testing.TB, token, artistUUID string, extra map[string]any) Object {
	t.Helper()
	var r Object
	s.Post("/api/releases", token, ReleaseBody(artistUUID, extra)).Data(t, http.StatusCreated, &r)
	return r
}

// Track adds a track with a fresh ISRC to a release and returns it.
func (s *Server) Track(t testing.TB, token, releaseUUID, title string) Object {
	t.Helper()
	var tr Object
	s.Post("/api/releases/"+releaseUUID+"/tracks", token, map[string]any{"title": title, "isrc": UniqueISRC()}).
		Data(t, http.StatusCreated, &tr)
	return tr
}

// StoreReadyAudio and StoreReadyArtwork are media every store accepts.
var (
	StoreReadyAudio   = tonegrid.Audio{Format: "wav", SampleRate: 44100, BitDepth: 24, Channels: 2, DurationMS: 215000}
	StoreReadyArtwork = tonegrid.Artwork{Format: "jpeg", Width: 3000, Height: 3000, ColorModel: "RGB"}
)

// SetAudio writes a track's probed audio straight into the database, as
// media uploads do.
func (s *Server) SetAudio(t testing.TB, trackUUID string, a tonegrid.Audio) {
	t.Helper()
	s.execJSON(t, `UPDATE tracks SET audio = $1 WHERE uuid = $2`, a, trackUUID)
}

// SetArtwork writes a release's probed artwork straight into the database,
// as media uploads do.
func (s *Server) SetArtwork(t testing.TB, releaseUUID string, a tonegrid.Artwork) {
	t.Helper()
	s.execJSON(t, `UPDATE releases SET artwork = $1 WHERE uuid = $2`, a, releaseUUID)
}

func (s *Server) execJSON(t testing.TB, query string, v any, uuid string) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.DB.WriteDB().ExecContext(context.Background(), query, string(b), uuid)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("%s: %d rows for %s", query, n, uuid)
	}
}

// SubmittableRelease creates a release with n tracks, store-ready audio and
// artwork, and Spotify attached: it passes every submit check.
func (s *Server) SubmittableRelease(t testing.TB, token, artistUUID string, n int) (Object, []Object) {
	t.Helper()
	rel := s.Release(t, token, artistUUID, map[string]any{"upc": UniqueUPC(), "title": "Submittable"})
	var tracks []Object
	for i := 0; i < n; i++ {
		tr := s.Track(t, token, rel.UUID, fmt.Sprintf("Song %d", i+1))
		s.SetAudio(t, tr.UUID, StoreReadyAudio)
		tracks = append(tracks, tr)
	}
	s.SetArtwork(t, rel.UUID, StoreReadyArtwork)
	s.Post("/api/releases/"+rel.UUID+"/dsps", token, map[string]any{"dsps": []string{"spotify"}}).ExpectStatus(t, http.StatusOK)
	return rel, tracks
}

// Principal authenticates an account's token as the API does, for tests
// that call the store directly.
func (s *Server) Principal(t testing.TB, a *Account) *tonegrid.Principal {
	t.Helper()
	p, err := s.App.Auth.Authenticate(context.Background(), a.Token, netip.MustParseAddr("127.0.0.1"))
	if err != nil {
		t.Fatalf("authenticate %s: %v", a.Email, err)
	}
	return p
}
