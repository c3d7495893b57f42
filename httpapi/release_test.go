package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"tonegrid/app/apptest"
)

// releaseData is the JSON of a release.
type releaseData struct {
	UUID            string            `json:"uuid"`
	Title           string            `json:"title"`
	LocalizedTitles map[string]string `json:"localized_titles"`
	Version         string            `json:"version"`
	Type            string            `json:"type"`
	Artists         []struct {
		ArtistUUID string `json:"artist_uuid"`
		Name       string `json:"name"`
		Role       string `json:"role"`
	} `json:"artists"`
	LabelName           string   `json:"label_name"`
	UPC                 string   `json:"upc"`
	CatalogNumber       string   `json:"catalog_number"`
	ReleaseDate         *string  `json:"release_date"`
	OriginalReleaseDate *string  `json:"original_release_date"`
	Genre               string   `json:"genre"`
	Subgenre            string   `json:"subgenre"`
	Language            string   `json:"language"`
	PLine               *lineRaw `json:"p_line"`
	CLine               *lineRaw `json:"c_line"`
	ParentalAdvisory    string   `json:"parental_advisory"`
	Territories         []string `json:"territories"`
	PriceTier           string   `json:"price_tier"`
	Status              string   `json:"status"`
	RejectReason        string   `json:"reject_reason"`
	RowVersion          int64    `json:"row_version"`
	UpdatedAt           string   `json:"updated_at"`
	TrackCount          int      `json:"track_count"`
	Tracks              []trackData
}

type lineRaw struct {
	Year   int    `json:"year"`
	Holder string `json:"holder"`
}

// trackData is the JSON of a track.
type trackData struct {
	UUID         string `json:"uuid"`
	ReleaseUUID  string `json:"release_uuid"`
	Title        string `json:"title"`
	ISRC         string `json:"isrc"`
	Position     int    `json:"position"`
	DiscNumber   int    `json:"disc_number"`
	Explicit     bool   `json:"explicit"`
	Language     string `json:"language"`
	RowVersion   int64  `json:"row_version"`
	Contributors []struct {
		Name string `json:"name"`
		Role string `json:"role"`
	} `json:"contributors"`
	Artists []struct {
		ArtistUUID string `json:"artist_uuid"`
		Name       string `json:"name"`
		Role       string `json:"role"`
	} `json:"artists"`
	PreviewStartS *int            `json:"preview_start_s"`
	Audio         json.RawMessage `json:"audio"`
}

func TestReleaseFields(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		label := srv.Label(t, "Fields Label")
		main := srv.Artist(t, label.Token, "Nina Blue")
		guest := srv.Artist(t, label.Token, "Guest Star")
		upc := apptest.UniqueUPC()
		var r releaseData
		resp := srv.Post("/api/releases", label.Token, map[string]any{
			"title": "Blue Hour", "localized_titles": map[string]string{"fr": "L'heure bleue", "pt-br": "Hora Azul"},
			"version": "Deluxe", "type": "album",
			"artists":    []map[string]string{{"artist_uuid": main}, {"artist_uuid": guest, "role": "featured"}},
			"label_name": "Owl Records", "upc": upc[:4] + "-" + upc[4:], "catalog_number": "OWL-001",
			"release_date": "2027-03-01", "original_release_date": "1999-03-01", "genre": "bebop", "language": "EN",
			"p_line": map[string]any{"year": 2026, "holder": "Owl Records"}, "c_line": map[string]any{"year": 2026, "holder": "Owl Publishing"},
			"parental_advisory": "explicit", "territories": []string{"fr", "DE", "fr"}, "price_tier": "full",
		})
		resp.Data(t, http.StatusCreated, &r)
		if resp.Header.Get("ETag") != `"1"` {
			t.Errorf("ETag = %q", resp.Header.Get("ETag"))
		}
		if r.Title != "Blue Hour" || r.LocalizedTitles["fr"] != "L'heure bleue" || r.LocalizedTitles["pt-BR"] != "Hora Azul" ||
			r.Version != "Deluxe" || len(r.Artists) != 2 || r.Artists[0].Name != "Nina Blue" || r.Artists[1].Role != "featured" ||
			r.LabelName != "Owl Records" || r.UPC != upc || r.CatalogNumber != "OWL-001" || *r.ReleaseDate != "2027-03-01" ||
			*r.OriginalReleaseDate != "1999-03-01" || r.Genre != "Jazz" || r.Subgenre != "Bebop" || r.Language != "en" ||
			r.PLine.Holder != "Owl Records" || r.CLine.Holder != "Owl Publishing" || r.ParentalAdvisory != "explicit" ||
			strings.Join(r.Territories, ",") != "DE,FR" || r.PriceTier != "full" || r.Status != "draft" || r.RowVersion != 1 {
			t.Errorf("created release = %s", resp.Body)
		}

		// Defaults: label name from the workspace, worldwide, no advisory.
		var d releaseData
		srv.Post("/api/releases", label.Token, map[string]any{"title": "Minimal", "type": "single", "artist_uuid": main,
			"genre": "Pop", "language": "fr"}).Data(t, http.StatusCreated, &d)
		if d.LabelName != "Fields Label" || strings.Join(d.Territories, ",") != "WW" || d.ParentalAdvisory != "none" ||
			d.ReleaseDate != nil || d.PLine != nil || d.UPC != "" {
			t.Errorf("defaults = %+v", d)
		}

		// PATCH changes only what is sent; null clears.
		var p releaseData
		resp = srv.Patch("/api/releases/"+r.UUID, label.Token, map[string]any{"title": "Blue Hour (Remastered)",
			"original_release_date": nil, "c_line": nil, "subgenre": "Cool Jazz", "upc": nil})
		resp.Data(t, http.StatusOK, &p)
		if p.Title != "Blue Hour (Remastered)" || p.OriginalReleaseDate != nil || p.CLine != nil || p.Genre != "Jazz" ||
			p.Subgenre != "Cool Jazz" || p.UPC != "" || p.Version != "Deluxe" || p.RowVersion != 2 || resp.Header.Get("ETag") != `"2"` {
			t.Errorf("patched release = %s", resp.Body)
		}
		var pop releaseData
		srv.Patch("/api/releases/"+r.UUID, label.Token, map[string]any{"genre": "Pop"}).Data(t, http.StatusOK, &pop)
		if pop.Genre != "Pop" || pop.Subgenre != "" {
			t.Errorf("a new genre keeps subgenre %q", pop.Subgenre)
		}

		// Validation of every field.
		e := srv.Post("/api/releases", label.Token, map[string]any{
			"title": " ", "localized_titles": map[string]string{"not a tag!": "x"}, "type": "mixtape",
			"artists": []map[string]string{{"artist_uuid": guest, "role": "featured"}, {"artist_uuid": guest, "role": "featured"}},
			"upc":     "012345678901", "release_date": "2027-02-30", "genre": "Polka", "language": "english",
			"p_line": map[string]any{"year": 1800, "holder": ""}, "parental_advisory": "maybe", "territories": []string{"WW", "FR"},
		}).ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		for field, msg := range map[string]string{
			"title":                       "This field is required.",
			"localized_titles.not a tag!": "Must be a language tag such as fr, pt-BR or zh-Hant.",
			"type":                        "Must be one of: single, ep, album, compilation.",
			"artists":                     "Must include at least one primary artist.",
			"artists.1.artist_uuid":       "Appears more than once.",
			"upc":                         "Must be a valid UPC-A or EAN-13 with a correct check digit.",
			"release_date":                "Must be a date in the form YYYY-MM-DD.",
			"genre":                       "Must be a genre of the genre list.",
			"language":                    "Must be an ISO 639-1 language code such as en or pt.",
			"p_line.year":                 "Must be between 1900 and " + itoa(time.Now().Year()+1) + ".",
			"p_line.holder":               "This field is required.",
			"parental_advisory":           "Must be one of: explicit, clean, none.",
			"territories.0":               "WW (worldwide) must be the only territory.",
		} {
			if got := e.Errors[field]; len(got) != 1 || got[0] != msg {
				t.Errorf("errors[%s] = %v, want %q", field, got, msg)
			}
		}
		e = srv.Post("/api/releases", label.Token, map[string]any{"title": "T", "type": "single", "genre": "Pop", "language": "en",
			"artist_uuid": unknownUUID, "territories": []string{"FR", "ZZ"}}).
			ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		if got := e.Errors["territories.1"]; len(got) != 1 || got[0] != "Must be an ISO 3166-1 alpha-2 country code, or WW for worldwide." {
			t.Errorf("territory errors = %v", e.Errors)
		}
		e = srv.Post("/api/releases", label.Token, map[string]any{"title": "T", "type": "single", "genre": "Pop", "language": "en",
			"artist_uuid": unknownUUID}).ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		if got := e.Errors["artists.0.artist_uuid"]; len(got) != 1 || got[0] != "Does not exist in this workspace." {
			t.Errorf("unknown artist errors = %v", e.Errors)
		}
		srv.Post("/api/releases", label.Token, `{"title": 7}`).ExpectError(t, http.StatusBadRequest, "bad_request", "Malformed JSON body.")

		// A UPC is unique in the workspace.
		srv.Patch("/api/releases/"+d.UUID, label.Token, map[string]any{"upc": upc}).ExpectStatus(t, http.StatusOK)
		srv.Post("/api/releases", label.Token, apptest.ReleaseBody(main, map[string]any{"upc": upc})).
			ExpectError(t, http.StatusConflict, "upc_taken", "UPC "+upc+" is already used by another release of this workspace.")
		srv.Patch("/api/releases/"+r.UUID, label.Token, map[string]any{"upc": upc}).
			ExpectError(t, http.StatusConflict, "upc_taken", "UPC "+upc+" is already used by another release of this workspace.")

		srv.Get("/api/releases/"+unknownUUID, label.Token).ExpectError(t, http.StatusNotFound, "release_not_found", "Release not found.")
		srv.Patch("/api/releases/"+unknownUUID, label.Token, map[string]any{"title": "x"}).
			ExpectError(t, http.StatusNotFound, "release_not_found", "Release not found.")
		srv.Delete("/api/releases/"+unknownUUID, label.Token).ExpectError(t, http.StatusNotFound, "release_not_found", "Release not found.")
	})
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestReleaseListFilters(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		label := srv.Label(t, "Filter Label")
		a := srv.Artist(t, label.Token, "Alpha")
		b := srv.Artist(t, label.Token, "Beta")
		srv.Release(t, label.Token, a, map[string]any{"title": "Zebra Crossing", "release_date": "2027-01-10"})
		second := srv.Release(t, label.Token, b, map[string]any{"title": "apple Tree", "release_date": "2027-05-01"})
		srv.Release(t, label.Token, a, map[string]any{"title": "Mango Season", "release_date": "2027-03-01"})
		submitted, _ := srv.SubmittableRelease(t, label.Token, b, 1)
		srv.Post("/api/releases/"+submitted.UUID+"/submit", label.Token, nil).ExpectStatus(t, http.StatusOK)

		titles := func(query string) string {
			t.Helper()
			var list []releaseData
			srv.Get("/api/releases"+query, label.Token).Data(t, http.StatusOK, &list)
			var out []string
			for _, r := range list {
				out = append(out, r.Title)
				if r.Tracks != nil {
					t.Errorf("the list carries tracks of %s", r.Title)
				}
			}
			return strings.Join(out, ",")
		}
		for query, want := range map[string]string{
			"":                              "Submittable,Mango Season,apple Tree,Zebra Crossing",
			"?sort=created_at":              "Zebra Crossing,apple Tree,Mango Season,Submittable",
			"?sort=title":                   "apple Tree,Mango Season,Submittable,Zebra Crossing",
			"?sort=-title":                  "Zebra Crossing,Submittable,Mango Season,apple Tree",
			"?sort=release_date":            "Submittable,Zebra Crossing,Mango Season,apple Tree",
			"?sort=-release_date":           "apple Tree,Mango Season,Zebra Crossing,Submittable",
			"?status=draft":                 "Mango Season,apple Tree,Zebra Crossing",
			"?status=pending_review":        "Submittable",
			"?q=APPLE":                      "apple Tree",
			"?q=o":                          "Mango Season,Zebra Crossing",
			"?artist_uuid=" + a:             "Mango Season,Zebra Crossing",
			"?artist_uuid=" + b + "&q=tree": "apple Tree",
			"?artist_uuid=" + unknownUUID:   "",
			"?per_page=2&page=2":            "apple Tree,Zebra Crossing",
		} {
			if got := titles(query); got != want {
				t.Errorf("GET /api/releases%s = %q, want %q", query, got, want)
			}
		}
		// Releases without a date sort last either way.
		srv.Release(t, label.Token, a, map[string]any{"title": "Undated", "release_date": nil})
		if got := titles("?sort=release_date&per_page=5"); !strings.HasSuffix(got, ",Undated") {
			t.Errorf("sort=release_date with an undated release: %s", got)
		}
		if got := titles("?sort=-release_date&per_page=5"); !strings.HasSuffix(got, ",Undated") {
			t.Errorf("sort=-release_date with an undated release: %s", got)
		}
		var page struct {
			Data []releaseData `json:"data"`
			Meta struct {
				Page    int `json:"page"`
				PerPage int `json:"per_page"`
				Total   int `json:"total"`
			} `json:"meta"`
		}
		resp := srv.Get("/api/releases?per_page=1&status=draft", label.Token)
		resp.JSON(t, &page)
		if page.Meta.Total != 4 || page.Meta.PerPage != 1 || len(page.Data) != 1 || page.Data[0].UUID == second.UUID {
			t.Errorf("draft page = %s", resp.Body)
		}
		e := srv.Get("/api/releases?status=gone&artist_uuid=x&sort=upc&per_page=101", label.Token).
			ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		if len(e.Errors) != 1 || e.Errors["per_page"] == nil {
			t.Errorf("page errors first: %v", e.Errors)
		}
		e = srv.Get("/api/releases?status=gone&artist_uuid=x&sort=upc", label.Token).
			ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		if e.Errors["status"] == nil || e.Errors["artist_uuid"] == nil || e.Errors["sort"] == nil {
			t.Errorf("filter errors = %v", e.Errors)
		}
	})
}

func TestTracks(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		label := srv.Label(t, "Tracks Label")
		artist := srv.Artist(t, label.Token, "Nina Blue")
		guest := srv.Artist(t, label.Token, "Guest")
		rel := srv.Release(t, label.Token, artist, map[string]any{"language": "pt"})
		path := "/api/releases/" + rel.UUID + "/tracks"
		var t1, t2, t3 trackData
		srv.Post(path, label.Token, map[string]any{"title": "One", "isrc": "us-tgt-26-00001", "explicit": true,
			"artists":      []map[string]string{{"artist_uuid": artist}, {"artist_uuid": guest, "role": "featured"}},
			"contributors": []map[string]string{{"name": "Ann Writer", "role": "composer"}}, "preview_start_s": 30}).
			Data(t, http.StatusCreated, &t1)
		if t1.ISRC != "USTGT2600001" || t1.Position != 1 || t1.DiscNumber != 1 || t1.Language != "pt" || !t1.Explicit ||
			len(t1.Artists) != 2 || t1.Artists[1].Name != "Guest" || len(t1.Contributors) != 1 || *t1.PreviewStartS != 30 ||
			string(t1.Audio) != "null" || t1.ReleaseUUID != rel.UUID {
			t.Errorf("track one = %+v", t1)
		}
		srv.Post(path, label.Token, map[string]any{"title": "Two", "language": "EN"}).Data(t, http.StatusCreated, &t2)
		srv.Post(path, label.Token, map[string]any{"title": "Bonus", "disc_number": 2}).Data(t, http.StatusCreated, &t3)
		if t2.Position != 2 || t2.Language != "en" || t3.Position != 1 || t3.DiscNumber != 2 {
			t.Errorf("positions: two %d/%d, bonus %d/%d", t2.DiscNumber, t2.Position, t3.DiscNumber, t3.Position)
		}
		// The same ISRC twice in a workspace is refused; another workspace
		// may use it.
		srv.Post(path, label.Token, map[string]any{"title": "Copy", "isrc": "USTGT2600001"}).
			ExpectError(t, http.StatusConflict, "isrc_taken", "ISRC US-TGT-26-00001 is already used by another track of this workspace.")
		srv.Patch("/api/tracks/"+t2.UUID, label.Token, map[string]any{"isrc": "US-TGT-26-00001"}).
			ExpectError(t, http.StatusConflict, "isrc_taken", "ISRC US-TGT-26-00001 is already used by another track of this workspace.")
		other := srv.Label(t, "Other Tracks")
		otherRel := srv.Release(t, other.Token, srv.Artist(t, other.Token, "O"), nil)
		srv.Post("/api/releases/"+otherRel.UUID+"/tracks", other.Token, map[string]any{"title": "Same", "isrc": "USTGT2600001"}).
			ExpectStatus(t, http.StatusCreated)

		var r releaseData
		srv.Get("/api/releases/"+rel.UUID, label.Token).Data(t, http.StatusOK, &r)
		if r.TrackCount != 3 || len(r.Tracks) != 3 || r.Tracks[0].Title != "One" || r.Tracks[1].Title != "Two" || r.Tracks[2].Title != "Bonus" {
			t.Errorf("release tracks = %+v", r.Tracks)
		}
		var list []trackData
		srv.Get(path+"?per_page=2&page=2", label.Token).Data(t, http.StatusOK, &list)
		if len(list) != 1 || list[0].Title != "Bonus" {
			t.Errorf("tracks page 2 = %+v", list)
		}

		var p trackData
		resp := srv.Patch("/api/tracks/"+t1.UUID, label.Token, map[string]any{"title": "One (Edit)", "preview_start_s": nil, "artists": []any{}})
		resp.Data(t, http.StatusOK, &p)
		if p.Title != "One (Edit)" || p.PreviewStartS != nil || len(p.Artists) != 0 || p.ISRC != "USTGT2600001" || p.RowVersion != 2 ||
			resp.Header.Get("ETag") != `"2"` {
			t.Errorf("patched track = %s", resp.Body)
		}
		resp = srv.Get("/api/tracks/"+t1.UUID, label.Token)
		if resp.Header.Get("ETag") != `"2"` {
			t.Errorf("track ETag = %q", resp.Header.Get("ETag"))
		}
		e := srv.Post(path, label.Token, map[string]any{"title": "", "isrc": "US-TG-26-1", "position": 0, "disc_number": 100,
			"contributors": []map[string]string{{"name": "X", "role": "dj"}}, "preview_start_s": -1}).
			ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		for _, f := range []string{"title", "isrc", "disc_number", "contributors.0.role", "preview_start_s"} {
			if len(e.Errors[f]) != 1 {
				t.Errorf("errors[%s] = %v (all: %v)", f, e.Errors[f], e.Errors)
			}
		}

		srv.Delete("/api/tracks/"+t3.UUID, label.Token).ExpectStatus(t, http.StatusOK)
		srv.Get("/api/tracks/"+t3.UUID, label.Token).ExpectError(t, http.StatusNotFound, "track_not_found", "Track not found.")
		srv.Patch("/api/tracks/"+t3.UUID, label.Token, map[string]any{"title": "x"}).ExpectError(t, http.StatusNotFound, "track_not_found", "Track not found.")
		srv.Delete("/api/tracks/"+t3.UUID, label.Token).ExpectError(t, http.StatusNotFound, "track_not_found", "Track not found.")
		srv.Get("/api/releases/"+unknownUUID+"/tracks", label.Token).ExpectError(t, http.StatusNotFound, "release_not_found", "Release not found.")
		srv.Post("/api/releases/"+unknownUUID+"/tracks", label.Token, map[string]any{"title": "x"}).
			ExpectError(t, http.StatusNotFound, "release_not_found", "Release not found.")

		// Deleting the release takes its tracks along.
		srv.Delete("/api/releases/"+rel.UUID, label.Token).ExpectStatus(t, http.StatusOK)
		srv.Get("/api/tracks/"+t1.UUID, label.Token).ExpectError(t, http.StatusNotFound, "track_not_found", "Track not found.")
	})
}

func TestTrackWritersAndRights(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		label := srv.Label(t, "Credits Label")
		rel := srv.Release(t, label.Token, srv.Artist(t, label.Token, "A"), nil)
		tr := srv.Track(t, label.Token, rel.UUID, "Song")
		var w1, w2 struct{ UUID string }
		srv.Post("/api/writers", label.Token, map[string]any{"name": "Composer One"}).Data(t, http.StatusCreated, &w1)
		srv.Post("/api/writers", label.Token, map[string]any{"name": "Lyricist Two"}).Data(t, http.StatusCreated, &w2)
		path := "/api/tracks/" + tr.UUID + "/writers"
		var ws []struct {
			WriterUUID string `json:"writer_uuid"`
			WriterName string `json:"writer_name"`
			Role       string `json:"role"`
			Share      string `json:"share"`
		}
		srv.Put(path, label.Token, map[string]any{"writers": []map[string]any{
			{"writer_uuid": w1.UUID, "role": "composer", "share": 50},
			{"writer_uuid": w2.UUID, "role": "lyricist", "share": "33.3333"},
		}}).Data(t, http.StatusOK, &ws)
		if len(ws) != 2 || ws[0].WriterName != "Composer One" || ws[0].Share != "50" || ws[1].Share != "33.3333" {
			t.Errorf("writers = %+v", ws)
		}
		srv.Get(path, label.Token).Data(t, http.StatusOK, &ws)
		if len(ws) != 2 {
			t.Errorf("read writers = %+v", ws)
		}
		e := srv.Put(path, label.Token, map[string]any{"writers": []map[string]any{
			{"writer_uuid": w1.UUID, "role": "composer", "share": 60},
			{"writer_uuid": w1.UUID, "role": "composer", "share": 40.5},
			{"writer_uuid": w2.UUID, "role": "singer", "share": "12.34567"},
		}}).ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		if e.Errors["writers.1"][0] != "Appears more than once." || e.Errors["writers"][0] != "Shares must add up to at most 100." ||
			len(e.Errors["writers.2.role"]) != 1 || e.Errors["writers.2.share"][0] != "Must be a decimal between 0 and 100 with at most 4 decimal places." {
			t.Errorf("writer credit errors = %v", e.Errors)
		}
		e = srv.Put(path, label.Token, map[string]any{"writers": []map[string]any{{"writer_uuid": unknownUUID, "role": "composer", "share": 10}}}).
			ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		if e.Errors["writers.0.writer_uuid"][0] != "Does not exist in this workspace." {
			t.Errorf("unknown writer errors = %v", e.Errors)
		}
		srv.Get(path, label.Token).Data(t, http.StatusOK, &ws)
		if len(ws) != 2 {
			t.Errorf("a failed PUT changed the writers: %+v", ws)
		}

		rights := "/api/releases/" + rel.UUID + "/rights"
		var got map[string]any
		srv.Get(rights, label.Token).Data(t, http.StatusOK, &got)
		if got != nil {
			t.Errorf("rights before any = %v", got)
		}
		srv.Put(rights, label.Token, map[string]any{"master_owner": "Credits Label", "ownership_percent": "100",
			"territories_excluded": []string{"us", "CA"}, "rights_types": []string{"stream", "download"}}).Data(t, http.StatusOK, &got)
		if got["master_owner"] != "Credits Label" || got["ownership_percent"] != "100" || len(got["territories_excluded"].([]any)) != 2 {
			t.Errorf("rights = %v", got)
		}
		e = srv.Put(rights, label.Token, map[string]any{"master_owner": "", "ownership_percent": "101",
			"territories_included": []string{"FR"}, "territories_excluded": []string{"US"}, "rights_types": []string{"radio"}}).
			ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		for _, f := range []string{"master_owner", "ownership_percent", "territories_excluded", "rights_types.0"} {
			if len(e.Errors[f]) != 1 {
				t.Errorf("rights errors[%s] = %v", f, e.Errors)
			}
		}
		srv.Get("/api/releases/"+unknownUUID+"/rights", label.Token).ExpectError(t, http.StatusNotFound, "release_not_found", "Release not found.")
		srv.Get("/api/tracks/"+unknownUUID+"/writers", label.Token).ExpectError(t, http.StatusNotFound, "track_not_found", "Track not found.")
	})
}
