package httpapi_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"tonegrid/app/apptest"
)

func TestOptimisticConcurrency(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		label := srv.Label(t, "Versions Label")
		rel := srv.Release(t, label.Token, srv.Artist(t, label.Token, "A"), nil)
		path := "/api/releases/" + rel.UUID
		const stale = "This release was modified by another user. Please reload and try again."
		ifMatch := func(tag string) http.Header {
			h := http.Header{}
			h.Set("If-Match", tag)
			return h
		}
		var r releaseData
		srv.Get(path, label.Token).Data(t, http.StatusOK, &r)
		readAt := r.UpdatedAt

		// If-Match with the current version applies; the same again is stale.
		srv.Do(apptest.Request{Method: "PATCH", Path: path, Token: label.Token, Header: ifMatch(`"1"`), Body: map[string]any{"title": "v2"}}).
			ExpectStatus(t, http.StatusOK)
		srv.Do(apptest.Request{Method: "PATCH", Path: path, Token: label.Token, Header: ifMatch(`"1"`), Body: map[string]any{"title": "lost"}}).
			ExpectError(t, http.StatusConflict, "release_stale", stale)
		// Body row_version and updated_at work the same way.
		srv.Patch(path, label.Token, map[string]any{"title": "lost", "row_version": 1}).ExpectError(t, http.StatusConflict, "release_stale", stale)
		srv.Patch(path, label.Token, map[string]any{"title": "lost", "updated_at": readAt}).ExpectError(t, http.StatusConflict, "release_stale", stale)
		srv.Get(path, label.Token).Data(t, http.StatusOK, &r)
		srv.Patch(path, label.Token, map[string]any{"title": "v3", "row_version": 2, "updated_at": r.UpdatedAt}).Data(t, http.StatusOK, &r)
		if r.Title != "v3" || r.RowVersion != 3 {
			t.Errorf("after v3: %+v", r)
		}
		// A weak tag, or a tag that names no version.
		srv.Do(apptest.Request{Method: "PATCH", Path: path, Token: label.Token, Header: ifMatch(`W/"3"`), Body: map[string]any{"title": "v4"}}).
			ExpectStatus(t, http.StatusOK)
		srv.Do(apptest.Request{Method: "PATCH", Path: path, Token: label.Token, Header: ifMatch(`"abc"`), Body: map[string]any{"title": "x"}}).
			ExpectError(t, http.StatusConflict, "release_stale", stale)
		// If-Match and body disagreeing can never both hold.
		srv.Do(apptest.Request{Method: "PATCH", Path: path, Token: label.Token, Header: ifMatch(`"4"`), Body: map[string]any{"title": "x", "row_version": 3}}).
			ExpectError(t, http.StatusConflict, "release_stale", stale)
		e := srv.Patch(path, label.Token, map[string]any{"title": "x", "updated_at": "yesterday"}).
			ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		if len(e.Errors["updated_at"]) != 1 {
			t.Errorf("updated_at errors = %v", e.Errors)
		}
		// Without a precondition the change applies.
		srv.Patch(path, label.Token, map[string]any{"title": "v5"}).Data(t, http.StatusOK, &r)
		if r.RowVersion != 5 {
			t.Errorf("row_version = %d, want 5", r.RowVersion)
		}
		// A stale DELETE deletes nothing.
		srv.Do(apptest.Request{Method: "DELETE", Path: path, Token: label.Token, Header: ifMatch(`"4"`)}).
			ExpectError(t, http.StatusConflict, "release_stale", stale)

		// Tracks carry their own version.
		tr := srv.Track(t, label.Token, rel.UUID, "Song")
		tpath := "/api/tracks/" + tr.UUID
		srv.Patch(tpath, label.Token, map[string]any{"title": "Song 2", "row_version": 1}).ExpectStatus(t, http.StatusOK)
		srv.Patch(tpath, label.Token, map[string]any{"title": "Song 3", "row_version": 1}).ExpectError(t, http.StatusConflict, "release_stale", stale)
		srv.Do(apptest.Request{Method: "DELETE", Path: tpath, Token: label.Token, Header: ifMatch(`"1"`)}).
			ExpectError(t, http.StatusConflict, "release_stale", stale)
		srv.Do(apptest.Request{Method: "DELETE", Path: tpath, Token: label.Token, Header: ifMatch(`"2"`)}).ExpectStatus(t, http.StatusOK)
		srv.Do(apptest.Request{Method: "DELETE", Path: path, Token: label.Token, Header: ifMatch(`"5"`)}).ExpectStatus(t, http.StatusOK)
	})
}

// TestParallelPatchesWithOneVersion sends 50 PATCHes that all read
// row_version 1 at once: exactly one applies, the 49 others are stale.
func TestParallelPatchesWithOneVersion(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		label := srv.Label(t, "Race Label")
		rel := srv.Release(t, label.Token, srv.Artist(t, label.Token, "A"), nil)
		tr := srv.Track(t, label.Token, rel.UUID, "Song")
		for _, target := range []struct{ name, path string }{{"release", "/api/releases/" + rel.UUID}, {"track", "/api/tracks/" + tr.UUID}} {
			const n = 50
			statuses := make([]int, n)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					h := http.Header{}
					h.Set("If-Match", `"1"`)
					resp := srv.Do(apptest.Request{Method: "PATCH", Path: target.path, Token: label.Token, Header: h,
						Body: map[string]any{"title": fmt.Sprintf("writer %d", i)}})
					statuses[i] = resp.Status
				}()
			}
			close(start)
			wg.Wait()
			count := map[int]int{}
			for _, s := range statuses {
				count[s]++
			}
			if count[http.StatusOK] != 1 || count[http.StatusConflict] != n-1 {
				t.Errorf("%s: statuses %v, want 1×200 and %d×409", target.name, count, n-1)
			}
			var got struct {
				RowVersion int64 `json:"row_version"`
			}
			srv.Get(target.path, label.Token).Data(t, http.StatusOK, &got)
			if got.RowVersion != 2 {
				t.Errorf("%s row_version = %d after the race, want 2", target.name, got.RowVersion)
			}
		}
	})
}

func TestSplits(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		label := srv.Label(t, "Splits Label")
		rel := srv.Release(t, label.Token, srv.Artist(t, label.Token, "A"), nil)
		tr := srv.Track(t, label.Token, rel.UUID, "Song")
		path := "/api/tracks/" + tr.UUID + "/splits"
		a, b, c := srv.Payee(t, label.Token, "Ann"), srv.Payee(t, label.Token, "Bob"), srv.Payee(t, label.Token, "Cid")
		type split struct {
			PayeeUUID  string `json:"payee_uuid"`
			PayeeName  string `json:"payee_name"`
			Percentage string `json:"percentage"`
		}
		var got []split
		srv.Get(path, label.Token).Data(t, http.StatusOK, &got)
		if len(got) != 0 {
			t.Errorf("fresh track splits = %+v", got)
		}
		srv.Put(path, label.Token, map[string]any{"splits": []map[string]any{
			{"payee_uuid": a, "percentage": "33.3333"}, {"payee_uuid": b, "percentage": 33.3333}, {"payee_uuid": c, "percentage": "33.3334"},
		}}).Data(t, http.StatusOK, &got)
		if len(got) != 3 || got[0].PayeeName != "Ann" || got[1].Percentage != "33.3333" || got[2].Percentage != "33.3334" {
			t.Errorf("splits = %+v", got)
		}
		// Within 0.01 of 100 is accepted.
		srv.Put(path, label.Token, map[string]any{"splits": []map[string]any{{"payee_uuid": a, "percentage": "50"}, {"payee_uuid": b, "percentage": "49.99"}}}).
			ExpectStatus(t, http.StatusOK)

		before := func() []split {
			var s []split
			srv.Get(path, label.Token).Data(t, http.StatusOK, &s)
			return s
		}()
		for _, tt := range []struct {
			name   string
			splits []map[string]any
		}{
			{"under 100", []map[string]any{{"payee_uuid": a, "percentage": "50"}, {"payee_uuid": b, "percentage": "49.98"}}},
			{"over 100", []map[string]any{{"payee_uuid": a, "percentage": "60"}, {"payee_uuid": b, "percentage": "40.0101"}}},
			{"one short", []map[string]any{{"payee_uuid": a, "percentage": 99}}},
		} {
			srv.Put(path, label.Token, map[string]any{"splits": tt.splits}).
				ExpectError(t, http.StatusUnprocessableEntity, "splits_sum", "Split percentages must sum to 100.")
		}
		e := srv.Put(path, label.Token, map[string]any{"splits": []map[string]any{
			{"payee_uuid": a, "percentage": "50.12345"}, {"payee_uuid": a, "percentage": 0}, {"payee_uuid": "x", "percentage": "101"},
		}}).ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		for field, msg := range map[string]string{
			"splits.0.percentage": "Must be a decimal between 0 and 100 with at most 4 decimal places.",
			"splits.1.payee_uuid": "Appears more than once.",
			"splits.1.percentage": "Must be between 0.0001 and 100.",
			"splits.2.payee_uuid": "Must be a valid UUID.",
			"splits.2.percentage": "Must be a decimal between 0 and 100 with at most 4 decimal places.",
		} {
			if got := e.Errors[field]; len(got) != 1 || got[0] != msg {
				t.Errorf("errors[%s] = %v, want %q", field, got, msg)
			}
		}
		// An unknown payee, even with a right sum, changes nothing.
		e = srv.Put(path, label.Token, map[string]any{"splits": []map[string]any{{"payee_uuid": a, "percentage": 50}, {"payee_uuid": unknownUUID, "percentage": 50}}}).
			ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		if e.Errors["splits.1.payee_uuid"][0] != "Does not exist in this workspace." {
			t.Errorf("unknown payee errors = %v", e.Errors)
		}
		srv.Put(path, label.Token, `{"splits": [{"payee_uuid": "`+a+`", "percentage": true}]}`).
			ExpectError(t, http.StatusBadRequest, "bad_request", "Malformed JSON body.")
		after := func() []split {
			var s []split
			srv.Get(path, label.Token).Data(t, http.StatusOK, &s)
			return s
		}()
		if fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("failed PUTs changed the splits: %+v, was %+v", after, before)
		}
		// An empty list removes them.
		srv.Put(path, label.Token, map[string]any{"splits": []any{}}).Data(t, http.StatusOK, &got)
		if len(got) != 0 {
			t.Errorf("after clearing: %+v", got)
		}
		srv.Put("/api/tracks/"+unknownUUID+"/splits", label.Token, map[string]any{"splits": []any{}}).
			ExpectError(t, http.StatusNotFound, "track_not_found", "Track not found.")
		srv.Get("/api/tracks/"+unknownUUID+"/splits", label.Token).ExpectError(t, http.StatusNotFound, "track_not_found", "Track not found.")
	})
}
