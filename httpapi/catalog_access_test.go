package httpapi_test

import (
	"context"
	"net/http"
	"testing"

	"tonegrid"
	"tonegrid/app/apptest"
)

// TestArtistRole checks what a user with role artist may do: read the
// whole catalog, change only releases crediting an artist linked to them,
// never the shared catalog data or royalties.
func TestArtistRole(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		label := srv.Label(t, "Roster Label")
		mine := srv.Artist(t, label.Token, "Mine")
		theirs := srv.Artist(t, label.Token, "Theirs")
		artistUser := inviteAndAccept(t, srv, label, "artist")
		const forbidden = "You do not have permission to perform this action."

		foreign, foreignTracks := srv.SubmittableRelease(t, label.Token, theirs, 1)
		srv.Get("/api/releases/"+foreign.UUID, artistUser.Token).ExpectStatus(t, http.StatusOK)
		srv.Get("/api/artists", artistUser.Token).ExpectStatus(t, http.StatusOK)

		// Not linked yet: no release of theirs is editable, none can be
		// created.
		srv.Post("/api/releases", artistUser.Token, apptest.ReleaseBody(mine, nil)).ExpectError(t, http.StatusForbidden, "forbidden", forbidden)
		srv.Patch("/api/artists/"+mine, label.Token, map[string]any{"user_uuids": []string{artistUser.UserUUID}}).ExpectStatus(t, http.StatusOK)
		var a artistData
		srv.Get("/api/artists/"+mine, artistUser.Token).Data(t, http.StatusOK, &a)
		if len(a.UserUUIDs) != 1 || a.UserUUIDs[0] != artistUser.UserUUID {
			t.Errorf("linked users = %v", a.UserUUIDs)
		}

		var own releaseData
		srv.Post("/api/releases", artistUser.Token, apptest.ReleaseBody(mine, map[string]any{"upc": apptest.UniqueUPC()})).Data(t, http.StatusCreated, &own)
		srv.Patch("/api/releases/"+own.UUID, artistUser.Token, map[string]any{"title": "My Record"}).ExpectStatus(t, http.StatusOK)
		tr := srv.Track(t, artistUser.Token, own.UUID, "My Song")
		srv.Post("/api/releases/"+own.UUID+"/dsps", artistUser.Token, map[string]any{"dsps": []string{"spotify"}}).ExpectStatus(t, http.StatusOK)
		srv.SetAudio(t, tr.UUID, apptest.StoreReadyAudio)
		srv.SetArtwork(t, own.UUID, apptest.StoreReadyArtwork)
		// Taking their own artist off the release would lock them out.
		srv.Patch("/api/releases/"+own.UUID, artistUser.Token, map[string]any{"artist_uuid": theirs}).
			ExpectError(t, http.StatusForbidden, "forbidden", forbidden)
		srv.Post("/api/releases/"+own.UUID+"/submit", artistUser.Token, nil).ExpectStatus(t, http.StatusOK)

		for _, tt := range []struct {
			method, path string
			body         any
		}{
			{"PATCH", "/api/releases/" + foreign.UUID, map[string]any{"title": "x"}},
			{"DELETE", "/api/releases/" + foreign.UUID, nil},
			{"POST", "/api/releases/" + foreign.UUID + "/submit", nil},
			{"POST", "/api/releases/" + foreign.UUID + "/tracks", map[string]any{"title": "x"}},
			{"POST", "/api/releases/" + foreign.UUID + "/dsps", map[string]any{"dsps": []string{"deezer"}}},
			{"PUT", "/api/releases/" + foreign.UUID + "/dsps/deezer", map[string]any{}},
			{"DELETE", "/api/releases/" + foreign.UUID + "/dsps/spotify", nil},
			{"PUT", "/api/releases/" + foreign.UUID + "/rights", map[string]any{"master_owner": "x", "ownership_percent": 100, "rights_types": []string{"stream"}}},
			{"PATCH", "/api/tracks/" + foreignTracks[0].UUID, map[string]any{"title": "x"}},
			{"DELETE", "/api/tracks/" + foreignTracks[0].UUID, nil},
			{"PUT", "/api/tracks/" + foreignTracks[0].UUID + "/writers", map[string]any{"writers": []any{}}},
			{"PUT", "/api/tracks/" + tr.UUID + "/splits", map[string]any{"splits": []any{}}},
			{"POST", "/api/artists", map[string]any{"name": "New"}},
			{"PATCH", "/api/artists/" + mine, map[string]any{"name": "Renamed"}},
			{"DELETE", "/api/artists/" + theirs, nil},
			{"POST", "/api/writers", map[string]any{"name": "W"}},
			{"POST", "/api/payees", map[string]any{"name": "P", "email": "p@example.com", "currency": "USD"}},
		} {
			resp := srv.Do(apptest.Request{Method: tt.method, Path: tt.path, Token: artistUser.Token, Body: tt.body})
			var e apptest.ErrorBody
			resp.JSON(t, &e)
			if resp.Status != http.StatusForbidden || e.Code != "forbidden" {
				t.Errorf("%s %s as an artist = %d %s, want 403 forbidden", tt.method, tt.path, resp.Status, e.Code)
			}
		}
		srv.Get("/api/upc-pool", artistUser.Token).ExpectError(t, http.StatusForbidden, "forbidden", forbidden)
	})
}

// TestReleaseReadsFollowEveryChange checks that a read release (served from
// the render cache when unchanged) shows changes made by any route or
// written straight to the database, as media uploads do.
func TestReleaseReadsFollowEveryChange(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		label := srv.Label(t, "Cache Label")
		artist := srv.Artist(t, label.Token, "Before")
		rel := srv.Release(t, label.Token, artist, nil)
		tr := srv.Track(t, label.Token, rel.UUID, "Song")
		read := func() releaseData {
			t.Helper()
			var r releaseData
			srv.Get("/api/releases/"+rel.UUID, label.Token).Data(t, http.StatusOK, &r)
			return r
		}
		listed := func() releaseData {
			t.Helper()
			var list []releaseData
			srv.Get("/api/releases", label.Token).Data(t, http.StatusOK, &list)
			if len(list) != 1 {
				t.Fatalf("list = %+v", list)
			}
			return list[0]
		}
		read()
		read()
		listed()
		srv.SetAudio(t, tr.UUID, apptest.StoreReadyAudio)
		if r := read(); len(r.Tracks) != 1 || string(r.Tracks[0].Audio) == "null" {
			t.Errorf("audio written to the database not shown: %+v", r.Tracks)
		}
		srv.Patch("/api/artists/"+artist, label.Token, map[string]any{"name": "After"}).ExpectStatus(t, http.StatusOK)
		if r := read(); r.Artists[0].Name != "After" {
			t.Errorf("artist rename not shown: %+v", r.Artists)
		}
		if r := listed(); r.Artists[0].Name != "After" {
			t.Errorf("artist rename not listed: %+v", r.Artists)
		}
		srv.Patch("/api/tracks/"+tr.UUID, label.Token, map[string]any{"artists": []map[string]string{{"artist_uuid": artist}}}).ExpectStatus(t, http.StatusOK)
		srv.Patch("/api/artists/"+artist, label.Token, map[string]any{"name": "Again"}).ExpectStatus(t, http.StatusOK)
		if r := read(); r.Tracks[0].Artists[0].Name != "Again" {
			t.Errorf("track credit rename not shown: %+v", r.Tracks[0].Artists)
		}
		srv.Track(t, label.Token, rel.UUID, "Second")
		if r := read(); len(r.Tracks) != 2 || r.TrackCount != 2 {
			t.Errorf("added track not shown: %d tracks", len(r.Tracks))
		}
		if r := listed(); r.TrackCount != 2 {
			t.Errorf("added track not counted in the list: %d", r.TrackCount)
		}
		if _, err := srv.DB.WriteDB().ExecContext(context.Background(), `UPDATE releases SET status = 'live' WHERE uuid = $1`, rel.UUID); err != nil {
			t.Fatal(err)
		}
		if r := listed(); r.Status != "live" {
			t.Errorf("status written to the database not listed: %s", r.Status)
		}
		var page struct {
			Meta struct{ Total int } `json:"meta"`
		}
		srv.Get("/api/releases?status=live", label.Token).JSON(t, &page)
		if page.Meta.Total != 1 {
			t.Errorf("live total = %d", page.Meta.Total)
		}
		srv.Get("/api/releases?status=draft", label.Token).JSON(t, &page)
		if page.Meta.Total != 0 {
			t.Errorf("draft total = %d", page.Meta.Total)
		}
		srv.SetArtwork(t, rel.UUID, tonegrid.Artwork{Format: "png", Width: 10, Height: 10, ColorModel: "RGB"})
		var withArt struct {
			Artwork *tonegrid.Artwork `json:"artwork"`
		}
		srv.Get("/api/releases/"+rel.UUID, label.Token).Data(t, http.StatusOK, &withArt)
		if withArt.Artwork == nil || withArt.Artwork.Width != 10 {
			t.Errorf("artwork written to the database not shown: %+v", withArt.Artwork)
		}
		// Another workspace's token never reads it, cached or not.
		other := srv.Label(t, "Other Cache")
		srv.Get("/api/releases/"+rel.UUID, other.Token).ExpectError(t, http.StatusNotFound, "release_not_found", "Release not found.")
	})
}

// TestCatalogCrossTenantMatrix calls every catalog route that takes an id
// with a second workspace's admin and the first workspace's ids: each
// answers 404, never 403 and never the object, and nothing changes.
func TestCatalogCrossTenantMatrix(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		a := srv.Label(t, "Tenant A")
		b := srv.Label(t, "Tenant B")
		artist := srv.Artist(t, a.Token, "A's Artist")
		rel, tracks := srv.SubmittableRelease(t, a.Token, artist, 1)
		track := tracks[0].UUID
		payee := srv.Payee(t, a.Token, "A's Payee")
		var writer struct{ UUID string }
		srv.Post("/api/writers", a.Token, map[string]any{"name": "A's Writer"}).Data(t, http.StatusCreated, &writer)
		pending, _ := srv.SubmittableRelease(t, a.Token, artist, 1)
		srv.Post("/api/releases/"+pending.UUID+"/submit", a.Token, nil).ExpectStatus(t, http.StatusOK)
		keyB := apiKey(t, srv, b, "catalog:read", "catalog:write")

		r := "/api/releases/" + rel.UUID
		for _, tt := range []struct {
			method, path string
			body         any
			code         string
		}{
			{"GET", "/api/artists/" + artist, nil, "artist_not_found"},
			{"PATCH", "/api/artists/" + artist, map[string]any{"name": "x"}, "artist_not_found"},
			{"DELETE", "/api/artists/" + artist, nil, "artist_not_found"},
			{"GET", "/api/writers/" + writer.UUID, nil, "writer_not_found"},
			{"PATCH", "/api/writers/" + writer.UUID, map[string]any{"name": "x"}, "writer_not_found"},
			{"GET", "/api/payees/" + payee, nil, "payee_not_found"},
			{"PATCH", "/api/payees/" + payee, map[string]any{"name": "x"}, "payee_not_found"},
			{"GET", r, nil, "release_not_found"},
			{"PATCH", r, map[string]any{"title": "x"}, "release_not_found"},
			{"DELETE", r, nil, "release_not_found"},
			{"POST", "/api/releases/" + pending.UUID + "/submit", nil, "release_not_found"},
			{"POST", r + "/submit", nil, "release_not_found"},
			{"GET", r + "/validation", nil, "release_not_found"},
			{"GET", r + "/rights", nil, "release_not_found"},
			{"PUT", r + "/rights", map[string]any{"master_owner": "x", "ownership_percent": 100, "rights_types": []string{"stream"}}, "release_not_found"},
			{"GET", r + "/tracks", nil, "release_not_found"},
			{"POST", r + "/tracks", map[string]any{"title": "x"}, "release_not_found"},
			{"GET", r + "/dsps", nil, "release_not_found"},
			{"POST", r + "/dsps", map[string]any{"dsps": []string{"deezer"}}, "release_not_found"},
			{"PUT", r + "/dsps/spotify", map[string]any{"is_blocked": true}, "release_not_found"},
			{"DELETE", r + "/dsps/spotify", nil, "release_not_found"},
			{"GET", "/api/tracks/" + track, nil, "track_not_found"},
			{"PATCH", "/api/tracks/" + track, map[string]any{"title": "x"}, "track_not_found"},
			{"DELETE", "/api/tracks/" + track, nil, "track_not_found"},
			{"GET", "/api/tracks/" + track + "/writers", nil, "track_not_found"},
			{"PUT", "/api/tracks/" + track + "/writers", map[string]any{"writers": []any{}}, "track_not_found"},
			{"GET", "/api/tracks/" + track + "/splits", nil, "track_not_found"},
			{"PUT", "/api/tracks/" + track + "/splits", map[string]any{"splits": []any{}}, "track_not_found"},
		} {
			for _, tok := range []string{b.Token, keyB} {
				resp := srv.Do(apptest.Request{Method: tt.method, Path: tt.path, Token: tok, Body: tt.body})
				var e apptest.ErrorBody
				resp.JSON(t, &e)
				if resp.Status != http.StatusNotFound || e.Code != tt.code {
					t.Errorf("%s %s as another workspace = %d %s, want 404 %s", tt.method, tt.path, resp.Status, e.Code, tt.code)
				}
			}
		}
		// B's own objects cannot point at A's either.
		bRel := srv.Release(t, b.Token, srv.Artist(t, b.Token, "B's Artist"), nil)
		bTrack := srv.Track(t, b.Token, bRel.UUID, "B's Song")
		e := srv.Put("/api/tracks/"+bTrack.UUID+"/splits", b.Token, map[string]any{"splits": []map[string]any{{"payee_uuid": payee, "percentage": 100}}}).
			ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		if e.Errors["splits.0.payee_uuid"][0] != "Does not exist in this workspace." {
			t.Errorf("foreign payee errors = %v", e.Errors)
		}
		e = srv.Patch("/api/releases/"+bRel.UUID, b.Token, map[string]any{"artist_uuid": artist}).
			ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		if e.Errors["artists.0.artist_uuid"][0] != "Does not exist in this workspace." {
			t.Errorf("foreign artist errors = %v", e.Errors)
		}
		var list []releaseData
		srv.Get("/api/releases?artist_uuid="+artist, b.Token).Data(t, http.StatusOK, &list)
		if len(list) != 0 {
			t.Errorf("B lists A's releases: %+v", list)
		}
		// Nothing changed on A's side.
		var got releaseData
		srv.Get(r, a.Token).Data(t, http.StatusOK, &got)
		if got.Title != "Submittable" || got.Status != "draft" || len(got.Tracks) != 1 {
			t.Errorf("A's release after B's attempts = %+v", got)
		}
	})
}
