package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"tonegrid/app/apptest"
)

// bulkResult is one result of a bulk call.
type bulkResult struct {
	Index   int                 `json:"index"`
	Success bool                `json:"success"`
	UUID    string              `json:"uuid"`
	Code    string              `json:"code"`
	Error   string              `json:"error"`
	Errors  map[string][]string `json:"errors"`
}

// ingestionJob is the JSON of an ingestion job.
type ingestionJob struct {
	UUID      string       `json:"uuid"`
	Status    string       `json:"status"`
	Total     int          `json:"total"`
	Processed int          `json:"processed"`
	Succeeded int          `json:"succeeded"`
	Failed    int          `json:"failed"`
	Results   []bulkResult `json:"results"`
}

// bulkRelease is a valid bulk item crediting artist (a uuid, or a name
// when byName), with n tracks of fresh ISRCs.
func bulkRelease(artist string, byName bool, n int) map[string]any {
	credit := map[string]any{"artist_uuid": artist}
	if byName {
		credit = map[string]any{"name": artist}
	}
	tracks := make([]map[string]any, n)
	for i := range tracks {
		tracks[i] = map[string]any{"title": "Track " + string(rune('A'+i)), "isrc": apptest.UniqueISRC()}
	}
	return apptest.ReleaseBody("", map[string]any{"artist_uuid": nil, "artists": []any{credit}, "tracks": tracks,
		"upc": apptest.UniqueUPC(), "localized_titles": map[string]string{"fr": "L'heure bleue"}})
}

// withoutNil drops members set to nil (ReleaseBody's artist_uuid).
func withoutNil(m map[string]any) map[string]any {
	for k, v := range m {
		if v == nil {
			delete(m, k)
		}
	}
	return m
}

func TestBulkIngestion(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		label := srv.Label(t, "Bulk Label")
		artist := srv.Artist(t, label.Token, "Nina Blue")
		payee := srv.Payee(t, label.Token, "Nina Payee")
		var writer apptest.Object
		srv.Post("/api/writers", label.Token, map[string]any{"name": "Ann Writer"}).Data(t, http.StatusCreated, &writer)

		full := withoutNil(bulkRelease(artist, false, 2))
		full["dsps"] = []string{"spotify", "deezer"}
		tracks := full["tracks"].([]map[string]any)
		tracks[0]["writers"] = []map[string]any{{"writer_uuid": writer.UUID, "role": "composer", "share": "100"}}
		tracks[0]["splits"] = []map[string]any{{"payee_uuid": payee, "percentage": "100"}}
		tracks[1]["artists"] = []map[string]any{{"name": "Brand New Guest", "role": "featured"}}

		named := withoutNil(bulkRelease("Brand New Guest", true, 1))
		named["tracks"].([]map[string]any)[0]["artists"] = []map[string]any{{"name": "Brand New Guest"}}

		invalid := withoutNil(bulkRelease(artist, false, 1))
		delete(invalid, "title")
		invalid["tracks"].([]map[string]any)[0]["isrc"] = "not-an-isrc"

		badSplits := withoutNil(bulkRelease(artist, false, 1))
		badSplits["tracks"].([]map[string]any)[0]["splits"] = []map[string]any{{"payee_uuid": payee, "percentage": "90"}}
		unknownDSP := withoutNil(bulkRelease(artist, false, 1))
		unknownDSP["dsps"] = []string{"no-such-store"}

		var out struct {
			Results []bulkResult `json:"results"`
		}
		srv.Post("/api/ingestion/bulk", label.Token, map[string]any{"releases": []any{full, named, invalid, badSplits, unknownDSP}}).
			Data(t, http.StatusMultiStatus, &out)
		if len(out.Results) != 5 {
			t.Fatalf("results = %+v", out.Results)
		}
		for i, r := range out.Results {
			if r.Index != i {
				t.Errorf("result %d has index %d", i, r.Index)
			}
		}
		if !out.Results[0].Success || out.Results[0].UUID == "" || !out.Results[1].Success {
			t.Fatalf("valid items = %+v", out.Results[:2])
		}
		if r := out.Results[2]; r.Success || r.Code != "validation_failed" || len(r.Errors["title"]) != 1 || len(r.Errors["tracks.0.isrc"]) != 1 {
			t.Errorf("invalid item = %+v", r)
		}
		if r := out.Results[3]; r.Success || r.Code != "splits_sum" || r.Error != "Split percentages must sum to 100." {
			t.Errorf("bad splits item = %+v", r)
		}
		if r := out.Results[4]; r.Success || r.Code != "dsp_not_found" || r.Error != "DSP 'no-such-store' not found or inactive." {
			t.Errorf("unknown store item = %+v", r)
		}

		// The first release is complete: tracks, credits, writers, splits,
		// stores, localized titles.
		var rel releaseData
		srv.Get("/api/releases/"+out.Results[0].UUID, label.Token).Data(t, http.StatusOK, &rel)
		if rel.TrackCount != 2 || rel.LocalizedTitles["fr"] != "L'heure bleue" || rel.Artists[0].Name != "Nina Blue" {
			t.Errorf("bulk release = %+v", rel)
		}
		var tr []trackData
		srv.Get("/api/releases/"+rel.UUID+"/tracks", label.Token).Data(t, http.StatusOK, &tr)
		if len(tr) != 2 || tr[0].Position != 1 || tr[1].Position != 2 {
			t.Fatalf("tracks = %+v", tr)
		}
		var splits []map[string]any
		srv.Get("/api/tracks/"+tr[0].UUID+"/splits", label.Token).Data(t, http.StatusOK, &splits)
		var writers []map[string]any
		srv.Get("/api/tracks/"+tr[0].UUID+"/writers", label.Token).Data(t, http.StatusOK, &writers)
		var dsps []map[string]any
		srv.Get("/api/releases/"+rel.UUID+"/dsps", label.Token).Data(t, http.StatusOK, &dsps)
		if len(splits) != 1 || len(writers) != 1 || len(dsps) != 2 {
			t.Errorf("splits %v, writers %v, dsps %v", splits, writers, dsps)
		}

		// Artists by name: created once, then matched.
		var artists []struct {
			UUID string `json:"uuid"`
			Name string `json:"name"`
		}
		srv.Get("/api/artists?q=Brand", label.Token).Data(t, http.StatusOK, &artists)
		if len(artists) != 1 || artists[0].Name != "Brand New Guest" {
			t.Errorf("artists named = %+v", artists)
		}

		// The failed items left nothing behind: 2 releases in all.
		var all []releaseData
		srv.Get("/api/releases", label.Token).Data(t, http.StatusOK, &all)
		if len(all) != 2 {
			t.Errorf("%d releases after the bulk call, want 2", len(all))
		}

		// All valid: 200.
		srv.Post("/api/ingestion/bulk", label.Token, map[string]any{"releases": []any{withoutNil(bulkRelease(artist, false, 1))}}).
			Data(t, http.StatusOK, &out)
		if len(out.Results) != 1 || !out.Results[0].Success {
			t.Errorf("all valid = %+v", out.Results)
		}
	})
}

func TestBulkIngestionErrors(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		label := srv.Label(t, "Bulk Errors Label")
		artist := srv.Artist(t, label.Token, "Nina Blue")
		item := withoutNil(bulkRelease(artist, false, 0))
		many := make([]any, 201)
		for i := range many {
			many[i] = item
		}
		srv.Post("/api/ingestion/bulk", label.Token, map[string]any{"releases": many}).
			ExpectError(t, http.StatusRequestEntityTooLarge, "bulk_too_large", "Bulk batch limited to 200 releases. Split into multiple requests.")
		var all []releaseData
		srv.Get("/api/releases", label.Token).Data(t, http.StatusOK, &all)
		if len(all) != 0 {
			t.Errorf("%d releases created by a refused batch", len(all))
		}
		srv.Post("/api/ingestion/bulk", label.Token, `{"releases": [`).
			ExpectError(t, http.StatusBadRequest, "bad_request", "Malformed JSON body.")
		srv.Post("/api/ingestion/bulk", label.Token, `{"releases": {}}`).
			ExpectError(t, http.StatusBadRequest, "bad_request", "Malformed JSON body.")
		e := srv.Post("/api/ingestion/bulk", label.Token, map[string]any{"releases": []any{}}).
			ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		if len(e.Errors["releases"]) != 1 {
			t.Errorf("errors = %v", e.Errors)
		}
		srv.Post("/api/ingestion/bulk?async=maybe", label.Token, map[string]any{"releases": []any{item}}).
			ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		srv.Post("/api/ingestion/bulk", "", map[string]any{"releases": []any{item}}).
			ExpectError(t, http.StatusUnauthorized, "token_missing", "Authentication token is missing.")
		srv.Get("/api/ingestion/jobs/0190a0b0-0000-7000-8000-000000000000", label.Token).
			ExpectError(t, http.StatusNotFound, "ingestion_job_not_found", "Ingestion job not found.")
		srv.Get("/api/ingestion/jobs/nope", label.Token).
			ExpectError(t, http.StatusNotFound, "ingestion_job_not_found", "Ingestion job not found.")
	})
}

func TestBulkIngestionIdempotencyKey(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		label := srv.Label(t, "Bulk Idempotent Label")
		artist := srv.Artist(t, label.Token, "Nina Blue")
		body := map[string]any{"releases": []any{withoutNil(bulkRelease(artist, false, 2)), withoutNil(bulkRelease(artist, false, 1))}}
		h := http.Header{"Idempotency-Key": {"bulk-key-1"}}
		first := srv.Do(apptest.Request{Method: "POST", Path: "/api/ingestion/bulk", Token: label.Token, Body: body, Header: h})
		second := srv.Do(apptest.Request{Method: "POST", Path: "/api/ingestion/bulk", Token: label.Token, Body: body, Header: h})
		first.ExpectStatus(t, http.StatusOK)
		second.ExpectStatus(t, http.StatusOK)
		if second.Header.Get("Idempotent-Replayed") != "true" || string(first.Body) != string(second.Body) {
			t.Errorf("replay: %s vs %s", first.Body, second.Body)
		}
		var all []releaseData
		srv.Get("/api/releases", label.Token).Data(t, http.StatusOK, &all)
		if len(all) != 2 {
			t.Errorf("%d releases, want 2", len(all))
		}
		// The item keys are forgotten with the Idempotency-Key, not before.
		if n, err := srv.DB.PurgeIngestionItems(t.Context(), time.Now().Add(-time.Hour)); err != nil || n != 0 {
			t.Errorf("purge of old keys = %d, %v", n, err)
		}
		if n, err := srv.DB.PurgeIngestionItems(t.Context(), time.Now().Add(time.Hour)); err != nil || n != 2 {
			t.Errorf("purge = %d, %v; want the 2 item keys", n, err)
		}
	})
}

func TestBulkIngestionAsync(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		label := srv.Label(t, "Bulk Async Label")
		other := srv.Label(t, "Other Async Label")
		artist := srv.Artist(t, label.Token, "Nina Blue")
		bad := withoutNil(bulkRelease(artist, false, 1))
		bad["type"] = "mixtape"
		var job ingestionJob
		srv.Post("/api/ingestion/bulk?async=true", label.Token, map[string]any{"releases": []any{
			withoutNil(bulkRelease(artist, false, 2)), bad, withoutNil(bulkRelease("Async Named", true, 1)),
		}}).Data(t, http.StatusAccepted, &job)
		if job.UUID == "" || job.Total != 3 || (job.Status != "queued" && job.Status != "running") {
			t.Fatalf("job = %+v", job)
		}
		deadline := time.Now().Add(20 * time.Second)
		for job.Status != "completed" && job.Status != "failed" {
			if time.Now().After(deadline) {
				t.Fatalf("job still %s", job.Status)
			}
			time.Sleep(100 * time.Millisecond)
			srv.Get("/api/ingestion/jobs/"+job.UUID, label.Token).Data(t, http.StatusOK, &job)
		}
		if job.Status != "failed" || job.Processed != 3 || job.Succeeded != 2 || job.Failed != 1 || len(job.Results) != 3 ||
			!job.Results[0].Success || job.Results[1].Success || len(job.Results[1].Errors["type"]) != 1 || !job.Results[2].Success {
			t.Errorf("finished job = %+v", job)
		}
		var rel releaseData
		srv.Get("/api/releases/"+job.Results[0].UUID, label.Token).Data(t, http.StatusOK, &rel)
		if rel.TrackCount != 2 {
			t.Errorf("async release has %d tracks", rel.TrackCount)
		}
		// The job's event is in the outbox.
		var n int
		if err := srv.DB.WriteDB().QueryRow(`SELECT COUNT(*) FROM events WHERE type = 'ingestion.failed' AND payload LIKE '%' || $1 || '%'`, job.UUID).Scan(&n); err != nil || n != 1 {
			t.Errorf("ingestion.failed events = %d, %v", n, err)
		}
		srv.Get("/api/ingestion/jobs/"+job.UUID, other.Token).
			ExpectError(t, http.StatusNotFound, "ingestion_job_not_found", "Ingestion job not found.")

		// Every item valid: ingestion.completed.
		srv.Post("/api/ingestion/bulk?async=true", label.Token, map[string]any{"releases": []any{withoutNil(bulkRelease(artist, false, 1))}}).
			Data(t, http.StatusAccepted, &job)
		for job.Status != "completed" && job.Status != "failed" {
			if time.Now().After(deadline) {
				t.Fatalf("job still %s", job.Status)
			}
			time.Sleep(100 * time.Millisecond)
			srv.Get("/api/ingestion/jobs/"+job.UUID, label.Token).Data(t, http.StatusOK, &job)
		}
		if job.Status != "completed" || !strings.Contains(job.UUID, "-") {
			t.Errorf("job = %+v", job)
		}
		if err := srv.DB.WriteDB().QueryRow(`SELECT COUNT(*) FROM events WHERE type = 'ingestion.completed' AND payload LIKE '%' || $1 || '%'`, job.UUID).Scan(&n); err != nil || n != 1 {
			t.Errorf("ingestion.completed events = %d, %v", n, err)
		}
	})
}
